/*
 * The validator simulator against a real subtensor runtime (chopsticks, spec 103): it finds the
 * miner in the metagraph, queries its real axon through the dendrite over HTTP, scores the
 * answer with the tutorial reward, and sets weights on chain; after an epoch the miner earns.
 * The miner's OCR here is an oracle (it answers with the page's labels): this file tests the
 * validator, not the OCR engine.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyringPair } from '@polkadot/keyring/types';
import { startTestDevnet, DEVNET_ROLES, type Devnet, type SpecName } from '../helpers/devnet.js';
import { Dendrite } from '../../src/client/index.js';
import { SynapseRegistry } from '../../src/synapse/index.js';
import { buildServingStack } from '../../src/node/index.js';
import { AxonAnnouncer, ChainClient, MetagraphSync } from '../../src/chain/index.js';
import { axonSchema } from '../../src/config/sections/axon.js';
import { noopObserver, silentLogger, systemClock, type CoreModules } from '../../src/util/index.js';
import { InvoiceGenerator, ValidatorSim, type InvoicePage, type RoundResult } from '../../packages/validator-sim/src/index.js';
import { prepareDevnetWallets } from '../../packages/devnet/src/index.js';

/** VALIDATOR_E2E_SPEC=218 runs it on the newer runtime, whose epoch is mocked (no incentive check there). */
const SPEC: SpecName = process.env['VALIDATOR_E2E_SPEC'] === '218' ? 218 : 103;
const clock = systemClock();
const stoppers: Array<() => Promise<unknown>> = [];
let dn: Devnet;
let bob: KeyringPair;
let eve: KeyringPair;
let chain: ChainClient;
let metagraph: MetagraphSync;
let dendrite: Dendrite;
let minerPort: number;
const pages = new Map<string, InvoicePage>();

class RecordingGenerator extends InvoiceGenerator {
  override async generate(seed: string | number, nItems?: number): Promise<InvoicePage> {
    const page = await super.generate(seed, nItems);
    if (pages.size > 64) pages.clear();
    pages.set(page.base64Image, page);
    return page;
  }
}

function core(): CoreModules & { metrics: null } {
  return { logger: silentLogger(), metrics: null, clock, signal: new AbortController().signal };
}

async function startMiner(): Promise<number> {
  const synapses = new SynapseRegistry();
  synapses.register({
    name: 'OCRSynapse',
    inputFields: ['base64_image'],
    modelId: 'oracle',
    parseInput: (b) => String(b['base64_image'] ?? ''),
    handle: async (img: string) => ({ response: pages.get(img)?.labels ?? [] }),
  });
  const config = { ...axonSchema.parse({}), host: '127.0.0.1', port: 0 };
  const { axon } = buildServingStack({ axon: config }, { ...core(), pair: eve, metagraph, synapses, observer: noopObserver });
  await axon.start();
  stoppers.push(() => axon.stop());
  return axon.address().port;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  dn = await startTestDevnet({ spec: SPEC, blockIntervalMs: 1_000 });
  stoppers.push(() => dn.stop());
  bob = dn.pair(DEVNET_ROLES.validatorHotkey.uri);
  eve = dn.pair(DEVNET_ROLES.minerHotkey.uri);
  chain = new ChainClient({ endpoints: [dn.endpoint], watchdogMs: 120_000, connectTimeoutMs: 30_000, reconnectMinMs: 500, reconnectMaxMs: 5_000 }, core());
  await chain.start();
  stoppers.push(() => chain.stop());
  metagraph = new MetagraphSync({ netuid: dn.netuid, syncEveryBlocks: 1, ownHotkey: bob.address }, { ...core(), chain });
  await metagraph.start();
  stoppers.push(() => metagraph.stop());
  const port = await startMiner();
  minerPort = port;
  const announcer = new AxonAnnouncer(
    { netuid: dn.netuid, externalIp: '10.0.0.1', externalPort: port, version: 1 },
    { ...core(), chain, metagraph, pair: eve },
  );
  await announcer.start();
  stoppers.push(() => announcer.stop());
  await waitFor(
    'the miner axon on chain',
    () => {
      const a = metagraph.current()?.byHotkey(eve.address)?.axon;
      return a && a.port === port ? a : undefined;
    },
    60_000,
  );
  dendrite = new Dendrite({ pair: bob }, { clock });
  stoppers.push(() => dendrite.close());
}, 300_000);

afterAll(async () => {
  for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
});

/** Runs the validator simulator's bin (npm test builds dist first); resolves with its exit code and output. */
function runCli(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const main = resolve('packages/validator-sim/bin/subnet-miner-validate.js');
  return new Promise((res) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

/** The generator is deterministic, so the oracle miner can know the CLI's pages in advance. */
async function preparePages(seeds: string[]): Promise<void> {
  const gen = new RecordingGenerator();
  for (const s of seeds) await gen.generate(s);
}

describe('subnet-miner-validate (CLI)', () => {
  let walletPath: string;
  beforeAll(async () => {
    walletPath = await mkdtemp(join(tmpdir(), 'validator-cli-'));
    await prepareDevnetWallets(resolve('wallets.example'), walletPath);
  });
  afterAll(async () => {
    await rm(walletPath, { recursive: true, force: true });
  });
  const common = () => ['--wallet-path', walletPath, '--wallet', 'validator', '--hotkey', 'default'];

  it('--score-only prints the mean score and its components for one miner', async () => {
    await preparePages(['cli-score:0', 'cli-score:1']);
    const r = await runCli(
      [...common(), '--score-only', '--pages', '2', '--seed', 'cli-score', '--to', `127.0.0.1:${minerPort}`, '--axon-hotkey', eve.address, '--json'],
      60_000,
    );
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { pages: number; failures: number; meanPrediction: number; meanText: number; meanPosition: number; meanFont: number };
    expect(s.pages).toBe(2);
    expect(s.failures).toBe(0);
    expect(s.meanPrediction).toBeCloseTo(1, 6);
    expect([s.meanText, s.meanPosition, s.meanFont].every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
  });

  it('--once queries the miner found in the metagraph and sets weights', async () => {
    await preparePages(['cli-once:1']);
    const r = await runCli(
      [...common(), '--endpoint', dn.endpoint, '--netuid', String(dn.netuid), '--miner-host', '127.0.0.1', '--once', '--seed', 'cli-once'],
      120_000,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const scored = lines.find((l) => l['msg'] === 'miner scored');
    expect(scored?.['status']).toBe(200);
    expect(scored?.['prediction']).toBe(1);
    const set = lines.find((l) => l['msg'] === 'weights set' || l['msg'] === 'set_weights failed');
    expect(set?.['msg'], JSON.stringify(set)).toBe('weights set');
  });
});

describe('validator simulator on the devnet', () => {
  it('scores the miner through its axon and sets weights that make it earn', async () => {
    const sim = new ValidatorSim(
      { netuid: dn.netuid, queryTimeoutMs: 10_000, transport: 'http', seed: 'e2e', hostOverride: '127.0.0.1', roundIntervalMs: 500, movingAverageAlpha: 0.5 },
      { ...core(), registry: new Registry(), pair: bob, metagraph, chain, dendrite, generator: new RecordingGenerator() },
    );
    const rounds: RoundResult[] = [];
    sim.onRound((r) => rounds.push(r));
    await sim.start();
    try {
      const set = await waitFor('weights set', () => rounds.find((r) => r.weights?.ok), 120_000);
      const minerUid = metagraph.current()!.byHotkey(eve.address)!.uid;
      const scored = rounds[0]!.miners.find((m) => m.uid === minerUid)!;
      expect(scored.status).toBe(200);
      expect(scored.score.prediction).toBeCloseTo(1, 6);
      expect(scored.score.total).toBeGreaterThan(0.8);
      expect(set.weights!.uids).toEqual([minerUid]);
      expect(set.weights!.weights).toEqual([65535]);

      const validatorUid = metagraph.current()!.byHotkey(bob.address)!.uid;
      const onChain = (await chain.api().query['subtensorModule']!['weights']!(dn.netuid, validatorUid)).toJSON() as [number, number][];
      expect(onChain).toEqual([[minerUid, 65535]]);
      if (SPEC !== 103) return;
      // One epoch (tempo 10) later the chain pays the miner for the validator's weight.
      const earning = await waitFor(
        'miner incentive',
        async () => {
          await metagraph.syncNow();
          const n = metagraph.current()?.byHotkey(eve.address);
          return n && n.incentive > 0 && n.emissionRao > 0n ? n : undefined;
        },
        90_000,
      );
      expect(earning.incentive).toBeGreaterThan(0);
    } finally {
      await sim.stop();
    }
  });
});
