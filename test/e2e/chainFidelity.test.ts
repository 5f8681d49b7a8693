/*
 * Known, non-trivial values written into the miner's neuron with dev_setStorage, then read back
 * exactly, with units, by `status --json` (the CLI from dist/) and by the daemon's standing
 * report (MetagraphSync + StandingReporter, as the daemon composes them). Both devnet specs.
 * The one-shot commands must leave stderr empty of library output. Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainClient, MetagraphSync, encodeIp } from '../../src/chain/index.js';
import { StandingReporter } from '../../src/monitor/index.js';
import { devnetMinerConfig, writeJsonFile, DEV_KEYS } from '../../packages/devnet/src/index.js';
import { writeWallet } from '../../src/wallet/index.js';
import { createRootLogger, systemClock } from '../../src/util/index.js';
import { startTestDevnet, type Devnet, type SpecName } from '../helpers/devnet.js';
import { DaemonProcess } from '../helpers/daemon.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const EVE = DEV_KEYS.eve.ss58;
const NETUID = 1;

const KNOWN = {
  incentive: 40_000,
  dividends: 1_234,
  emissionRao: 987_654_321n,
  stakeRao: 123_456_789_012n,
  validatorPermit: true,
  axon: { block: 3, version: 1_002_003, ip: '10.1.2.3', port: 8123, ipType: 4, protocol: 4 },
  // dTAO pool: 3 TAO against 12 alpha, so one alpha is worth 0.25 TAO.
  subnetTao: 3_000_000_000n,
  subnetAlphaIn: 12_000_000_000n,
};

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, MINER_COLDKEY_PASSWORD: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function vector(dn: Devnet, name: string, n: number, uid: number, value: unknown, fill: unknown): Promise<unknown[]> {
  const cur = (await dn.api.query['subtensorModule']![name]!(NETUID)) as unknown as { toJSON(): unknown[] };
  const v = [...cur.toJSON()];
  while (v.length < n) v.push(fill);
  v[uid] = value;
  return v;
}

/** Writes the known values for uid into the head block. */
async function setKnown(dn: Devnet, uid: number): Promise<void> {
  const q = dn.api.query['subtensorModule']!;
  const n = ((await q['subnetworkN']!(NETUID)) as unknown as { toNumber(): number }).toNumber();
  const sm: Record<string, unknown> = {
    Incentive: [[[NETUID], await vector(dn, 'incentive', n, uid, KNOWN.incentive, 0)]],
    Dividends: [[[NETUID], await vector(dn, 'dividends', n, uid, KNOWN.dividends, 0)]],
    Emission: [[[NETUID], await vector(dn, 'emission', n, uid, KNOWN.emissionRao.toString(), 0)]],
    ValidatorPermit: [[[NETUID], await vector(dn, 'validatorPermit', n, uid, KNOWN.validatorPermit, false)]],
    Axons: [[[NETUID, EVE], { ...KNOWN.axon, ip: encodeIp(KNOWN.axon.ip).ip.toString(), placeholder1: 0, placeholder2: 0 }]],
  };
  if (q['totalHotkeyAlpha']) {
    sm['TotalHotkeyAlpha'] = [[[EVE, NETUID], KNOWN.stakeRao.toString()]];
    sm['SubnetTAO'] = [[[NETUID], KNOWN.subnetTao.toString()]];
    sm['SubnetAlphaIn'] = [[[NETUID], KNOWN.subnetAlphaIn.toString()]];
  } else {
    sm['TotalHotkeyStake'] = [[[EVE], KNOWN.stakeRao.toString()]];
  }
  await dn.setStorage({ SubtensorModule: sm });
}

describe.each([103, 218] as SpecName[])('chain fidelity on devnet spec %s', (spec) => {
  const alpha = spec === 218;
  const unit = alpha ? 'alpha' : 'TAO';
  let dn: Devnet;
  let dir: string;
  let config: string;
  let uid: number;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` first');
    dn = await startTestDevnet({ spec, blockIntervalMs: 0 });
    uid = (await dn.uidOf(EVE))!;
    await setKnown(dn, uid);
    dir = mkdtempSync(join(tmpdir(), 'chain-fidelity-'));
    await writeWallet(join(dir, 'w'), 'miner', { coldkey: { seed: DEV_KEYS.dave.seed }, hotkeys: { default: { seed: DEV_KEYS.eve.seed } } });
    config = join(dir, 'config.json');
    await writeJsonFile(config, devnetMinerConfig({ endpoint: dn.endpoint, netuid: NETUID, walletPath: join(dir, 'w'), axonPort: 8091 }));
  });

  afterAll(async () => {
    await dn?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('status --json reports every known value exactly, with its unit, and nothing on stderr', () => {
    const r = cli(['status', '--config', config, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, any>;
    const blockTimeMs = j['plan'].blockTimeMs as number;
    expect(j).toMatchObject({
      specVersion: spec,
      source: alpha ? 'neurons-lite' : 'storage',
      mechanism: 0,
      blockTimeMs,
      fractionUnit: 'fraction of 1 (u16/65535)',
    });
    expect(j['plan']).toMatchObject({
      alpha,
      price: alpha ? 'pool-reserves' : null,
      blockTimeSource: alpha ? 'Aura.SlotDuration' : 'Timestamp.MinimumPeriod*2',
    });
    if (spec === 218) expect(blockTimeMs).toBe(3_000);
    expect(j['standing']).toMatchObject({
      registered: true,
      uid,
      incentive: KNOWN.incentive / 65535,
      dividends: KNOWN.dividends / 65535,
      emissionRao: KNOWN.emissionRao.toString(),
      stakeRao: KNOWN.stakeRao.toString(),
      validatorPermit: true,
    });
    const price = alpha ? 0.25 : 1;
    expect(j['alphaPriceTao']).toBe(price);
    expect(j['amounts']['stake']).toEqual({ rao: KNOWN.stakeRao.toString(), amount: 123.456789012, unit, valueTao: 123.456789012 * price });
    expect(j['amounts']['emissionPerEpoch']).toEqual({ rao: KNOWN.emissionRao.toString(), amount: 0.987654321, unit, valueTao: 0.987654321 * price });
    const perDay = 0.987654321 * (86_400_000 / blockTimeMs / (j['tempo'] + 1));
    expect(j['amounts']['emissionPerDay'].unit).toBe(unit);
    expect(j['amounts']['emissionPerDay'].amount).toBeCloseTo(perDay, 9);
    expect(j['neuron']['axon']).toEqual(KNOWN.axon);
  });

  it('status (text) names the unit of every amount; register and query add nothing from libraries on stderr', () => {
    const text = cli(['status', '--config', config]);
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain(`stake        123.456789012 ${unit}`);
    expect(text.stdout).toContain(`emission     0.987654321 ${unit} per epoch (987654321 rao)`);
    if (alpha) expect(text.stdout).toContain('alpha price  0.250000000 TAO per alpha');
    const reg = cli(['register', '--config', config, '--yes']);
    expect(reg.stderr).toBe('');
    expect(reg.stdout).toContain(`already registered on netuid 1 as uid ${uid}`);
    // The chain lookup finds Eve's axon; nothing listens there, so only the CLI's own error line may reach stderr.
    const q = cli([
      'query',
      '--config',
      config,
      '--synapse',
      'Dummy',
      '--body',
      '{"dummy_input":1}',
      '--to',
      `${KNOWN.axon.ip}:${KNOWN.axon.port}`,
      '--timeout',
      '1',
    ]);
    expect(q.stderr).toMatch(/^(error \[[A-Z_]+\]: [^\n]*\n)?$/);
    expect(q.stderr).not.toMatch(/API|REGISTRY|RPC-CORE/);
  });

  it("the daemon's standing report carries the same values and units", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createRootLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
    const abort = new AbortController();
    const core = { logger, metrics: null, clock: systemClock(), signal: abort.signal };
    const chain = new ChainClient({ endpoints: [dn.endpoint], connectTimeoutMs: 30_000, reconnectMinMs: 500, reconnectMaxMs: 5_000 }, core);
    const sync = new MetagraphSync({ netuid: NETUID, syncEveryBlocks: 5, ownHotkey: EVE }, { ...core, chain });
    const reporter = new StandingReporter({ hotkey: EVE, cron: '0 0 1 1 *' }, { ...core, metagraph: sync });
    try {
      await chain.start();
      await reporter.start();
      await sync.syncNow();
      const report = lines.find((l) => l['msg'] === 'standing report');
      const price = alpha ? 0.25 : 1;
      expect(report).toMatchObject({
        uid,
        registered: true,
        incentive: Math.round((KNOWN.incentive / 65535) * 1e6) / 1e6,
        dividends: Math.round((KNOWN.dividends / 65535) * 1e6) / 1e6,
        emissionPerEpochRao: KNOWN.emissionRao.toString(),
        emissionPerEpoch: 0.987654321,
        emissionUnit: unit,
        stakeRao: KNOWN.stakeRao.toString(),
        stake: 123.456789012,
        stakeUnit: unit,
        validatorPermit: true,
        alphaPriceTao: price,
        stakeValueTao: Math.round(123.456789012 * price * 1e9) / 1e9,
      });
      expect(report?.['blockTimeMs']).toBe(chain.state().blockTimeMs);
      const chosen = lines.find((l) => l['msg'] === 'metagraph read path chosen for this runtime');
      expect(chosen).toMatchObject({ specVersion: spec, path: alpha ? 'neurons-lite' : 'storage', alpha });
      // The watchdog follows the runtime's block time (10 blocks, at least 30 s), not an assumed 12 s.
      expect(chain.state().watchdogMs).toBe(Math.max(30_000, 10 * chain.state().blockTimeMs!));
      expect(sync.standing()?.immunity?.immunityPeriod).toBeGreaterThan(0);
    } finally {
      abort.abort();
      await reporter.stop();
      await sync.stop();
      await chain.stop();
    }
  });

  it('the daemon itself: its standing report matches, and serve_axon goes out only after the axon listens', async () => {
    // KNOWN's axon was served at block 3; with a one-block rate limit the announcer may replace it at once (0 would read as unset).
    await dn.setStorage({ SubtensorModule: { ServingRateLimit: [[[NETUID], 1]] } });
    const daemon = await DaemonProcess.forDevnet(dn, { inference: { ocr: { enabled: false } }, log: { level: 'debug' } });
    try {
      daemon.start();
      const report = await daemon.waitForLog((r) => r.msg === 'standing report');
      const price = alpha ? 0.25 : 1;
      expect(report).toMatchObject({
        uid,
        incentive: Math.round((KNOWN.incentive / 65535) * 1e6) / 1e6,
        emissionPerEpochRao: KNOWN.emissionRao.toString(),
        emissionUnit: unit,
        stakeRao: KNOWN.stakeRao.toString(),
        stakeUnit: unit,
        validatorPermit: true,
        alphaPriceTao: price,
      });
      await daemon.waitForLog((r) => r.msg === 'miner serving');
      // The chain holds another axon (KNOWN), so the announcer submits; a block includes it.
      const blocks = setInterval(() => void dn.newBlocks(1).catch(() => undefined), 2_000);
      const announced = await daemon.waitForLog((r) => r.msg === 'axon announced on chain (serve_axon)', 60_000).finally(() => clearInterval(blocks));
      const at = (pred: (r: Record<string, unknown>) => boolean): number => daemon.logs.findIndex(pred);
      const listening = at((r) => r['msg'] === 'axon listening');
      const announcerStarted = at((r) => r['msg'] === 'service started' && r['service'] === 'axon-announcer');
      expect(listening).toBeGreaterThanOrEqual(0);
      expect(announcerStarted).toBeGreaterThan(listening);
      expect(daemon.logs.indexOf(announced)).toBeGreaterThan(listening);
    } catch (err) {
      process.stdout.write(
        `${daemon.logs
          .filter((l) => l['module'] === 'announce' || /axon|service/.test(String(l.msg)))
          .map((l) => JSON.stringify(l))
          .join('\n')}\n`,
      );
      throw err;
    } finally {
      await daemon.cleanup();
    }
  });
});
