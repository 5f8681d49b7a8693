import type { Command } from 'commander';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../options.js';
import { resolveEndpoints, type MinerConfig } from '../../config/index.js';
import { readImmunity, readMetagraph, standingOf, withChainApi, type NeuronInfo, type Standing } from '../../chain/index.js';
import { loadHotkey, readHotkeyPub } from '../../wallet/index.js';
import { createRootLogger, silentLogger, systemClock } from '../../util/index.js';

interface StatusOptions extends CommonOptions {
  json?: boolean;
}

interface StatusReport {
  hotkey: string;
  wallet: { path: string; name: string; hotkey: string };
  endpoint: string;
  specVersion: number;
  netuid: number;
  block: number;
  tempo: number;
  n: number;
  source: string;
  standing: Standing;
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

async function collect(cfg: MinerConfig, logLevel: string | undefined): Promise<StatusReport> {
  const hotkey = await hotkeyAddress(cfg);
  const logger = logLevel ? createRootLogger({ level: logLevel, pretty: true }) : silentLogger();
  return withChainApi({ endpoints: resolveEndpoints(cfg), connectTimeoutMs: cfg.chain.connectTimeoutMs }, logger, async (api, endpoint) => {
    const snap = await readMetagraph(api, cfg.netuid, systemClock());
    const me = snap.byHotkey(hotkey);
    const immunity = me ? await readImmunity(api, cfg.netuid, me.uid, snap.block, snap.blockHash).catch(() => null) : null;
    return {
      hotkey,
      wallet: { path: cfg.wallet.path, name: cfg.wallet.name, hotkey: cfg.wallet.hotkey },
      endpoint,
      specVersion: api.runtimeVersion.specVersion.toNumber(),
      netuid: cfg.netuid,
      block: snap.block,
      tempo: snap.tempo,
      n: snap.n,
      source: snap.source,
      standing: standingOf(snap, hotkey, immunity),
      neuron: me ?? null,
    };
  });
}

function tao(rao: bigint): string {
  const whole = rao / 1_000_000_000n;
  const frac = (rao % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}

function human(r: StatusReport): string {
  const s = r.standing;
  const lines = [
    `hotkey       ${r.hotkey} (wallet ${r.wallet.name}/${r.wallet.hotkey})`,
    `chain        ${r.endpoint} (spec_version ${r.specVersion}), block ${r.block}`,
    `subnet       netuid ${r.netuid}, tempo ${r.tempo}, ${r.n} neurons (read from ${r.source})`,
  ];
  if (!s.registered || !r.neuron) {
    lines.push(`registered   NO: this hotkey holds no uid on netuid ${r.netuid}; fix: subnet-miner register`);
    return lines.join('\n');
  }
  const n = r.neuron;
  lines.push(
    `registered   yes, uid ${s.uid}`,
    `position     ${s.position} of ${s.minersCount} miners by incentive`,
    `incentive    ${s.incentive.toFixed(6)}`,
    `emission     ${tao(s.emissionRao)} per epoch (${s.emissionRao} rao)`,
    `stake        ${tao(s.stakeRao)}`,
    `dividends    ${s.dividends.toFixed(6)}   consensus ${s.consensus.toFixed(6)}   trust ${s.trust.toFixed(6)}   rank ${s.rank.toFixed(6)}`,
    `validator    ${s.validatorPermit ? 'has a validator permit' : 'no validator permit'}`,
    `active       ${n.active ? 'yes' : 'no'}, last update block ${n.lastUpdate}`,
    `axon         ${n.axon ? `${n.axon.ipType === 6 ? `[${n.axon.ip}]` : n.axon.ip}:${n.axon.port} (version ${n.axon.version}, served at block ${n.axon.block})` : 'not announced'}`,
  );
  if (s.immunity) {
    lines.push(`immunity     ${s.immunity.inImmunity ? `protected until block ${s.immunity.immuneUntilBlock}` : `ended at block ${s.immunity.immuneUntilBlock}`} (registered at block ${s.immunity.registeredAtBlock})`);
  }
  return lines.join('\n');
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function registerStatusCommand(program: Command): void {
  const cmd = program.command('status').description("print the miner's neuron and standing on the subnet");
  addCommonOptions(cmd)
    .option('--json', 'machine-readable JSON (rao amounts as strings)')
    .action(async (opts: StatusOptions) => {
      const cfg = configFromOptions(opts);
      const report = await collect(cfg, opts.logLevel);
      console.log(opts.json ? JSON.stringify(report, jsonReplacer, 2) : human(report));
    });
}
