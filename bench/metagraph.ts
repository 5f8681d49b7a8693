/* Metagraph sync time and snapshot memory for a 256-neuron subnet on the chopsticks devnet (both specs by default). */
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeAddress, randomAsU8a } from '@polkadot/util-crypto';
import { startDevnet, type Devnet } from '../packages/devnet/src/index.js';
import {
  ChainClient,
  FrozenMetagraph,
  MetagraphSync,
  ReadPlanCache,
  decodeNeuronsLite,
  readMetagraph,
  type MetagraphSnapshot,
  type ReadOpts,
} from '../src/chain/index.js';
import { silentLogger, systemClock } from '../src/util/index.js';

const N = Number(process.env['BENCH_NEURONS'] ?? 256);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 10);
/* Environment: BENCH_SPEC (103,218), BENCH_NEURONS (256), BENCH_ROUNDS (10). */
const NETUID = 1;
const SPECS: Record<string, string> = {
  '103': '../shared/chainspecs/subtensor-testfinney-spec103.raw.json',
  '218': '../shared/chainspecs/subtensor-raonet-spec218.raw.json',
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Writes N neurons straight into storage (dev_setStorage): keys, owners, stake, axons and every per-uid vector. */
async function fill(dn: Devnet): Promise<void> {
  const hot = Array.from({ length: N }, () => encodeAddress(randomAsU8a(32), 42));
  const cold = Array.from({ length: N }, () => encodeAddress(randomAsU8a(32), 42));
  const u16 = (): number => Math.floor(Math.random() * 65535);
  const sm: Record<string, unknown> = {
    SubnetworkN: [[[NETUID], N]],
    Keys: hot.map((h, uid) => [[NETUID, uid], h]),
    Uids: hot.map((h, uid) => [[NETUID, h], uid]),
    Owner: hot.map((h, i) => [[h], cold[i]]),
    Axons: hot.map((h, i) => [[NETUID, h], { block: 1, version: 1, ip: 167772161 + i, port: 8091, ipType: 4, protocol: 4, placeholder1: 0, placeholder2: 0 }]),
    BlockAtRegistration: hot.map((_h, uid) => [[NETUID, uid], 1]),
    Active: [[[NETUID], hot.map(() => true)]],
    ValidatorPermit: [[[NETUID], hot.map((_h, i) => i < 16)]],
    ValidatorTrust: [[[NETUID], hot.map(u16)]],
    PruningScores: [[[NETUID], hot.map(u16)]],
    Rank: [[[NETUID], hot.map(u16)]],
    Trust: [[[NETUID], hot.map(u16)]],
    Consensus: [[[NETUID], hot.map(u16)]],
    Incentive: [[[NETUID], hot.map(u16)]],
    Dividends: [[[NETUID], hot.map(u16)]],
    Emission: [[[NETUID], hot.map(() => Math.floor(Math.random() * 1e9))]],
    LastUpdate: [[[NETUID], hot.map(() => 1)]],
  };
  const q = dn.api.query['subtensorModule']!;
  if (q['totalHotkeyStake']) sm['TotalHotkeyStake'] = hot.map((h) => [[h], 1_000_000_000]);
  if (q['totalHotkeyAlpha']) sm['TotalHotkeyAlpha'] = hot.map((h) => [[h, NETUID], 1_000_000_000]);
  await dn.setStorage({ SubtensorModule: sm });
  await dn.newBlocks(1);
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `mean ${mean.toFixed(0)} ms, median ${s[Math.floor(s.length / 2)]!.toFixed(0)} ms, min ${s[0]!.toFixed(0)} ms, max ${s[s.length - 1]!.toFixed(0)} ms`;
}

/** Heap taken by snapshot objects alone: 20 copies with fresh strings, as each sync makes. */
function snapshotObjectBytes(src: FrozenMetagraph): number {
  const fresh = (t: string): string => [...t].join('');
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep: FrozenMetagraph[] = [];
  for (let i = 0; i < 20; i++) {
    keep.push(
      new FrozenMetagraph({
        ...src,
        neurons: src.neurons.map((n) => ({
          ...n,
          hotkey: fresh(n.hotkey),
          coldkey: fresh(n.coldkey),
          axon: n.axon ? { ...n.axon, ip: fresh(n.axon.ip) } : null,
        })),
      }),
    );
  }
  gc();
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / keep.length;
  return keep.length > 0 ? bytes : 0;
}

/** ROUNDS full reads, a new block before each so that each reads fresh state as on a live chain. */
async function timeReads(dn: Devnet, api: ReturnType<ChainClient['api']>, opts: ReadOpts): Promise<{ times: number[]; cpu: number[] }> {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await dn.newBlocks(1);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const snap = await readMetagraph(api, NETUID, systemClock(), opts);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (snap.n !== N) throw new Error(`expected ${N} neurons, read ${snap.n}`);
  }
  return { times, cpu };
}

async function benchSpec(spec: string): Promise<void> {
  const dn = await startDevnet({ chainspec: resolve(SPECS[spec]!), blockIntervalMs: 0 });
  const abort = new AbortController();
  const core = { logger: silentLogger(), metrics: null, clock: systemClock(), signal: abort.signal };
  const chain = new ChainClient({ endpoints: [dn.endpoint], watchdogMs: 600_000, connectTimeoutMs: 30_000, reconnectMinMs: 500, reconnectMaxMs: 5_000 }, core);
  try {
    await fill(dn);
    await chain.start();
    const api = chain.api();
    const plans = new ReadPlanCache();
    const plan = plans.planFor(api);
    const first = await readMetagraph(api, NETUID, systemClock(), { plans });
    const { times, cpu } = await timeReads(dn, api, { plans });
    // The storage maps as well where the runtime offers something better, to compare the paths.
    const storage = plan.path === 'storage' ? undefined : await timeReads(dn, api, { plan: { ...plan, path: 'storage' } });
    const sync = new MetagraphSync({ netuid: NETUID, syncEveryBlocks: 1_000_000, ownHotkey: first.neurons[20]!.hotkey }, { ...core, chain });
    const viaSync: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await dn.newBlocks(1);
      const t0 = performance.now();
      await sync.syncNow();
      viaSync.push(performance.now() - t0);
    }
    const keep: MetagraphSnapshot[] = [];
    let decode = '';
    if (first.source === 'neurons-lite') {
      const raw = await (api.call as any)['neuronInfoRuntimeApi']['getNeuronsLite'](NETUID);
      const d: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = performance.now();
        decodeNeuronsLite(api, raw);
        d.push(performance.now() - t0);
      }
      decode = stats(d);
    }
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10; i++) keep.push(await readMetagraph(api, NETUID, systemClock(), { plans }));
    gc();
    gc();
    const perSnap = (process.memoryUsage().heapUsed - before) / keep.length;
    const objOnly = snapshotObjectBytes(first);
    console.log(`spec ${spec} (${first.source}), ${N} neurons, ${ROUNDS} rounds (a new block before each), chopsticks on this machine:`);
    console.log(`  readMetagraph (one block, full subnet):      ${stats(times)}`);
    console.log(`  CPU of this process per readMetagraph:       ${stats(cpu)} (the rest is chopsticks serving storage / running the runtime API in wasm)`);
    if (storage) console.log(`  same, forced onto the storage maps:          ${stats(storage.times)}; CPU ${stats(storage.cpu)}`);
    if (decode) console.log(`  decoding the NeuronInfoLite bytes only:       ${decode}`);
    console.log(`  MetagraphSync.syncNow (+ immunity, standing): ${stats(viaSync)}`);
    console.log(`  heap per retained readMetagraph result:       ${(perSnap / 1024).toFixed(1)} KiB (includes @polkadot/api's bounded response cache)`);
    console.log(`  heap per snapshot object alone:               ${(objOnly / 1024).toFixed(1)} KiB (${(objOnly / N).toFixed(0)} B per neuron)`);
  } finally {
    abort.abort();
    await chain.stop();
    await dn.stop();
  }
}

async function main(): Promise<void> {
  const which = (process.env['BENCH_SPEC'] ?? '103,218').split(',');
  for (const spec of which) await benchSpec(spec.trim());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
