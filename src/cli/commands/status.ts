import type { Command } from 'commander';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../options.js';
import { cliLogger, out, withLibraryConsole } from '../libraryConsole.js';
import { resolveEndpoints, type MinerConfig } from '../../config/index.js';
import { ReadPlanCache, readImmunity, readMetagraph, standingOf, withChainApi, type NeuronInfo, type ReadPlan, type Standing } from '../../chain/index.js';
import { computeStanding } from '../../monitor/index.js';
import { loadHotkey, readHotkeyPub } from '../../wallet/index.js';
import { systemClock, type Logger } from '../../util/index.js';

interface StatusOptions extends CommonOptions {
  json?: boolean;
}

/** An amount with the unit it counts: rao as an exact string, the decimal amount, its TAO value where priced. */
interface Amount {
  rao: string;
  amount: number;
  unit: 'TAO' | 'alpha';
  valueTao: number | null;
}

interface StatusReport {
  hotkey: string;
  wallet: { path: string; name: string; hotkey: string };
  endpoint: string;
  specVersion: number;
  netuid: number;
  mechanism: number;
  block: number;
  tempo: number;
  n: number;
  source: string;
  plan: ReadPlan;
  blockTimeMs: number | null;
  /** TAO one alpha is worth (1 where amounts are TAO, null when unpriced). */
  alphaPriceTao: number | null;
  standing: Standing;
  /** Every amount of the standing with its unit. */
  amounts: {
    stake: Amount;
    emissionPerEpoch: Amount;
    emissionPerDay: { amount: number; unit: 'TAO' | 'alpha'; valueTao: number | null } | null;
  };
  /** incentive, dividends, consensus, trust, rank: fractions of 1 (the chain's u16 / 65535). */
  fractionUnit: 'fraction of 1 (u16/65535)';
  neuron: NeuronInfo | null;
}

/** The hotkey's address from its pub file when there is one, so status never needs the secret. */
async function hotkeyAddress(cfg: MinerConfig): Promise<string> {
  try {
    return (await readHotkeyPub(cfg.wallet)).ss58;
  } catch {
    return (await loadHotkey(cfg.wallet)).ss58;
  }
}

async function collect(cfg: MinerConfig, logger: Logger): Promise<StatusReport> {
  const hotkey = await hotkeyAddress(cfg);
  return withChainApi({ endpoints: resolveEndpoints(cfg), connectTimeoutMs: cfg.chain.connectTimeoutMs }, logger, async (api, endpoint) => {
    const plans = new ReadPlanCache(logger);
    const plan = plans.planFor(api);
    const snap = await readMetagraph(api, cfg.netuid, systemClock(), { plans, mechanism: cfg.chain.mechanism });
    const me = snap.byHotkey(hotkey);
    const immunity = me ? await readImmunity(api, cfg.netuid, me.uid, snap.block, snap.blockHash).catch(() => null) : null;
    const s = computeStanding(snap, hotkey, { immunity });
    return {
      hotkey,
      wallet: { path: cfg.wallet.path, name: cfg.wallet.name, hotkey: cfg.wallet.hotkey },
      endpoint,
      specVersion: api.runtimeVersion.specVersion.toNumber(),
      netuid: cfg.netuid,
      mechanism: snap.mechanism,
      block: snap.block,
      tempo: snap.tempo,
      n: snap.n,
      source: snap.source,
      plan,
      blockTimeMs: snap.blockTimeMs,
      alphaPriceTao: s.alphaPriceTao,
      standing: standingOf(snap, hotkey, immunity),
      amounts: {
        stake: { rao: s.stakeRao.toString(), amount: s.stake, unit: s.stakeUnit, valueTao: s.stakeValueTao },
        emissionPerEpoch: { rao: s.emissionPerEpochRao.toString(), amount: s.emissionPerEpoch, unit: s.emissionUnit, valueTao: s.emissionPerEpochValueTao },
        emissionPerDay: s.emissionPerDay === null ? null : { amount: s.emissionPerDay, unit: s.emissionUnit, valueTao: s.emissionPerDayValueTao },
      },
      fractionUnit: 'fraction of 1 (u16/65535)',
      neuron: me ?? null,
    };
  });
}

function units(rao: bigint): string {
  const whole = rao / 1_000_000_000n;
  const frac = (rao % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}

function valued(a: { unit: string; valueTao: number | null }): string {
  if (a.unit === 'TAO') return '';
  return a.valueTao === null ? ' (no TAO price on this chain)' : ` (worth ${a.valueTao.toFixed(9)} TAO)`;
}

function human(r: StatusReport): string {
  const s = r.standing;
  const lines = [
    `hotkey       ${r.hotkey} (wallet ${r.wallet.name}/${r.wallet.hotkey})`,
    `chain        ${r.endpoint} (spec_version ${r.specVersion}), block ${r.block}, block time ${r.blockTimeMs === null ? 'not stated by the runtime' : `${r.blockTimeMs / 1000} s`}`,
    `subnet       netuid ${r.netuid} mechanism ${r.mechanism}, tempo ${r.tempo}, ${r.n} neurons (read via ${r.source})`,
  ];
  if (r.alphaPriceTao !== null && r.amounts.stake.unit === 'alpha') lines.push(`alpha price  ${r.alphaPriceTao.toFixed(9)} TAO per alpha`);
  if (!s.registered || !r.neuron) {
    lines.push(`registered   NO: this hotkey holds no uid on netuid ${r.netuid}; fix: subnet-miner register`);
    return lines.join('\n');
  }
  const n = r.neuron;
  const { stake, emissionPerEpoch: ep, emissionPerDay: ed } = r.amounts;
  lines.push(
    `registered   yes, uid ${s.uid}`,
    `position     ${s.position} of ${s.minersCount} miners by incentive`,
    `incentive    ${s.incentive.toFixed(6)} (fraction of 1)`,
    `emission     ${units(s.emissionRao)} ${ep.unit} per epoch (${s.emissionRao} rao)${valued(ep)}`,
    `  per day    ${ed === null ? 'unknown (no block time)' : `${ed.amount.toFixed(6)} ${ed.unit}${valued(ed)}`}`,
    `stake        ${units(s.stakeRao)} ${stake.unit}${valued(stake)}`,
    `dividends    ${s.dividends.toFixed(6)}   consensus ${s.consensus.toFixed(6)}   trust ${s.trust.toFixed(6)}   rank ${s.rank.toFixed(6)} (fractions of 1)`,
    `validator    ${s.validatorPermit ? 'has a validator permit' : 'no validator permit'}`,
    `active       ${n.active ? 'yes' : 'no'}, last update block ${n.lastUpdate}`,
    `axon         ${n.axon ? `${n.axon.ipType === 6 ? `[${n.axon.ip}]` : n.axon.ip}:${n.axon.port} (version ${n.axon.version}, served at block ${n.axon.block})` : 'not announced'}`,
  );
  if (s.immunity) {
    lines.push(
      `immunity     ${s.immunity.inImmunity ? `protected until block ${s.immunity.immuneUntilBlock}` : `ended at block ${s.immunity.immuneUntilBlock}`} (registered at block ${s.immunity.registeredAtBlock})`,
    );
  }
  return lines.join('\n');
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function registerStatusCommand(program: Command): void {
  const cmd = program.command('status').description("print the miner's neuron and standing on the subnet");
  addCommonOptions(cmd)
    .option('--json', 'machine-readable JSON (rao amounts as strings, every amount with its unit)')
    .action(async (opts: StatusOptions) => {
      const cfg = configFromOptions(opts);
      const logger = cliLogger(opts.logLevel);
      const report = await withLibraryConsole(logger, () => collect(cfg, logger));
      out(opts.json ? JSON.stringify(report, jsonReplacer, 2) : human(report));
    });
}
