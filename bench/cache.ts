/**
 * Response cache benchmark. Prints numbers; asserts nothing.
 *   npx tsc -p . && node dist/bench/cache.js [--seconds N] [--rate R] [--only 1234] [--ocr [--ocr-seconds S]]
 * 1. hit latency in process (wrap(...).execute on a stored answer)
 * 2. hit latency end to end over WebSocket through a real AxonServer at R req/s (default 1000)
 * 3. hit rate on a workload with a known fraction of duplicates
 * 4. in-flight dedup: 64 validators send the same page at once, one device
 *    (a 50 ms handler; with --ocr also the real OCR engine on CPU)
 */
import { fork } from 'node:child_process';
import { ocrSynapseFor } from '../src/synapses/index.js';
import { setMaxListeners } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Dendrite } from '../src/client/index.js';
import { buildServingStack } from '../src/node/index.js';
import { PriorityScheduler, SynapseRegistry } from '../src/synapse/index.js';
import { dummySynapse } from '../src/synapses/index.js';
import type { RequestContext, SynapseBody, SynapseExecutor, SynapseHandler } from '../src/synapse/index.js';
import type { MetagraphSnapshot, MetagraphSource } from '../src/chain/metagraphTypes.js';
import { neuron, snapshotOf } from '../test/helpers/metagraph.js';
import { ResponseCache } from '../src/cache/index.js';
import { axonSchema } from '../src/config/sections/axon.js';
import { cacheSchema } from '../src/config/sections/cache.js';
import { silentLogger, systemClock, type CoreModules } from '../src/util/index.js';

const clock = systemClock();
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const modules = (): CoreModules & { metrics: null } => ({ logger: silentLogger(), metrics: null, clock, signal: new AbortController().signal });
const direct: SynapseExecutor = { execute: async (s, i, c) => ({ outputs: await s.handle(i, c) }) };
let reqSeq = 0;
const ctx = (hotkey = 'V', deadlineInMs = 60_000): RequestContext => ({
  requestId: `b${++reqSeq}`,
  callerHotkey: hotkey,
  priority: 1,
  deadlineMs: clock.now() + deadlineInMs,
  signal: new AbortController().signal,
});

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}
const f3 = (n: number): string => n.toFixed(3);
function summary(xs: number[]): string {
  return `n=${xs.length} p50=${f3(pct(xs, 50))}ms p90=${f3(pct(xs, 90))}ms p99=${f3(pct(xs, 99))}ms max=${f3(Math.max(...xs))}ms`;
}

function sleeper(name: string, ms: number): SynapseHandler<number, SynapseBody> & { runs: number } {
  const h = {
    name,
    inputFields: ['page'],
    modelId: `${name}-v1`,
    runs: 0,
    parseInput: (b: SynapseBody) => Number(b['page']),
    async handle(page: number): Promise<SynapseBody> {
      h.runs++;
      await new Promise((r) => setTimeout(r, ms));
      return { text: `page ${page}`, lines: Array.from({ length: 40 }, (_, i) => ({ position: [i, i, i + 100, i + 12], text: `line ${i} of page ${page}` })) };
    },
  };
  return h;
}

async function inProcessHit(): Promise<void> {
  const cache = new ResponseCache({ ...cacheSchema.parse({ synapses: { Page: { policy: 'shared' } } }) }, modules());
  await cache.start();
  const syn = sleeper('Page', 0);
  const ex = cache.wrap(direct);
  await ex.execute(syn, 1, ctx());
  for (let i = 0; i < 20_000; i++) await ex.execute(syn, 1, ctx());
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < 100_000; i++) {
    const s = performance.now();
    await ex.execute(syn, 1, ctx());
    lat.push((performance.now() - s) * 1000);
  }
  const total = performance.now() - t0;
  console.log(
    `[1] in-process hit (answer ~${JSON.stringify(await ex.execute(syn, 1, ctx())).length} B JSON): ${(100_000 / (total / 1000)).toFixed(0)} hits/s; ` +
      `p50=${f3(pct(lat, 50))}us p99=${f3(pct(lat, 99))}us max=${f3(Math.max(...lat))}us (runs=${syn.runs})`,
  );
  await cache.stop();
}

class OneMetagraph implements MetagraphSource {
  private readonly snap: MetagraphSnapshot;
  constructor(hotkeys: string[]) {
    const neurons = hotkeys.map((hotkey, uid) => neuron(uid, { hotkey, coldkey: hotkey, validatorPermit: true, stakeRao: 1_000_000_000_000n, stake: 1000 }));
    this.snap = snapshotOf(neurons, { block: 1, tempo: 360, syncedAtMs: clock.now() });
  }
  current(): MetagraphSnapshot {
    return this.snap;
  }
  onUpdate(): () => void {
    return () => {};
  }
}

const VALIDATOR_URIS = ['//Alice', '//Bob', '//Charlie', '//Dave'];

interface WsClientResult {
  lat: number[];
  server: number[];
  bad: number;
  wallS: number;
  why: Record<string, number>;
}

/** The load generator runs in its own process, so the axon's event loop is not also the client's. */
async function wsClient(port: number, axonHotkey: string, rate: number, seconds: number): Promise<WsClientResult> {
  await cryptoWaitReady();
  const kr = new Keyring({ type: 'sr25519' });
  const ds = VALIDATOR_URIS.map((u) => new Dendrite({ pair: kr.addFromUri(u), verifyResponses: false }, { clock }));
  const q = (d: Dendrite) => d.query({ host: '127.0.0.1', port, axonHotkey, synapse: 'Dummy', body: { dummy_input: 21 }, timeoutMs: 5_000, transport: 'ws' });
  for (let i = 0; i < 2_000; i++) await q(ds[i % ds.length]!);
  const res: WsClientResult = { lat: [], server: [], bad: 0, wallS: 0, why: {} };
  const total = rate * seconds;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    for (; sent < due; sent++) {
      pending.push(
        q(ds[sent % ds.length]!).then((a) => {
          if (a.status !== 200) {
            res.bad++;
            const why = `${a.status} ${a.message}`.slice(0, 60);
            res.why[why] = (res.why[why] ?? 0) + 1;
          }
          res.lat.push(a.latencyMs);
          res.server.push(a.processTimeMs);
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  res.wallS = (performance.now() - t0) / 1000;
  for (const d of ds) await d.close();
  return res;
}

async function wsHit(rate: number, seconds: number): Promise<void> {
  await cryptoWaitReady();
  const kr = new Keyring({ type: 'sr25519' });
  const axonPair = kr.addFromUri('//Eve');
  const m = modules();
  const synapses = new SynapseRegistry();
  synapses.register(dummySynapse());
  const big = 1e9;
  const { cache, axon } = buildServingStack(
    {
      axon: {
        ...axonSchema.parse({ host: '127.0.0.1' }),
        port: 0,
        rateLimit: { perHotkeyPerSec: big, perHotkeyBurst: big, perIpPerSec: big, perIpBurst: big, maxTrackedKeys: 1000 },
      },
      scheduler: { queueLength: 1024, concurrency: 8 },
      cache: cacheSchema.parse({}),
    },
    {
      ...m,
      pair: axonPair,
      metagraph: new OneMetagraph([axonPair.address, ...VALIDATOR_URIS.map((u) => kr.addFromUri(u).address)]),
      synapses,
      observer: { observe: () => {} },
    },
  );
  await cache.start();
  await axon.start();
  const port = axon.address().port;
  const child = fork(fileURLToPath(import.meta.url), ['--ws-client', String(port), axonPair.address, String(rate), String(seconds)]);
  const cpu0 = process.cpuUsage();
  const hits0 = cache.stats().hits;
  const res = await new Promise<WsClientResult>((ok, fail) => {
    child.once('message', (msg) => ok(msg as WsClientResult));
    child.once('exit', (code) => fail(new Error(`load generator exited with ${code}`)));
  });
  const cpu = process.cpuUsage(cpu0);
  const served = cache.stats().hits - hits0;
  const st = cache.stats();
  console.log(
    `[2] WebSocket hit end to end (Dummy, 4 validators, signed requests, axon signs answers, client in its own process): ` +
      `offered ${rate}/s for ${seconds}s, achieved ${(res.lat.length / res.wallS).toFixed(0)}/s, non-200=${res.bad} ${JSON.stringify(res.why)}`,
  );
  console.log(`    client round trip (incl. request signing): ${summary(res.lat)}`);
  console.log(`    axon process time: ${summary(res.server)}; cache hits=${st.hits} misses=${st.misses} hitRate=${f3(st.hitRate)}`);
  console.log(
    `    axon process CPU per answered request (warm-up included): ${((cpu.user + cpu.system) / served).toFixed(0)} us; ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} cores`,
  );
  await axon.stop();
  await cache.stop();
}

async function hitRate(dupFraction: number, n: number): Promise<void> {
  const cache = new ResponseCache(cacheSchema.parse({ synapses: { Page: { policy: 'shared' } } }), modules());
  await cache.start();
  const syn = sleeper('Page', 0);
  const ex = cache.wrap(direct);
  let distinct = 0;
  let dups = 0;
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < n; i++) {
    const repeat = distinct > 0 && rnd() < dupFraction;
    const page = repeat ? Math.floor(rnd() * distinct) : distinct++;
    if (repeat) dups++;
    await ex.execute(syn, page, ctx(`V${i % 16}`));
  }
  const st = cache.stats();
  console.log(
    `[3] hit rate: ${n} requests, duplicate fraction ${f3(dups / n)} (target ${dupFraction}); ` +
      `cache hitRate=${f3(st.hitRate)} (hits=${st.hits}, misses=${st.misses}, model runs=${syn.runs})`,
  );
  await cache.stop();
}

interface RoundResult {
  answersPerS: number;
  answered: number;
  seconds: number;
}

/**
 * `validators` identical requests per round on one device. With `maxSeconds` the round stops
 * there (the rest are aborted) and throughput is what was answered by then.
 */
async function dedupRound(
  handler: SynapseHandler,
  dedup: boolean,
  validators: number,
  rounds: number,
  pageOf: (r: number) => unknown,
  maxSeconds = Infinity,
): Promise<RoundResult> {
  const policy = dedup ? { policy: 'off', dedupInFlight: true } : { policy: 'off', dedupInFlight: false };
  const m = modules();
  const cache = new ResponseCache(cacheSchema.parse({ synapses: { [handler.name]: policy } }), m);
  await cache.start();
  // One device: the scheduler runs one handler at a time, as a single GPU would.
  const ex = cache.wrap(new PriorityScheduler({ queueLength: 4096, concurrency: 1 }, m));
  const stop = new AbortController();
  // Every waiter listens on this one bench signal; requests in the axon each have their own.
  setMaxListeners(validators * 2, stop.signal);
  const timer = Number.isFinite(maxSeconds) ? setTimeout(() => stop.abort(), maxSeconds * 1000) : undefined;
  let answered = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds && !stop.signal.aborted; r++) {
    const input = handler.parseInput(pageOf(r) as SynapseBody);
    await Promise.allSettled(
      Array.from({ length: validators }, (_, v) => {
        const c = { ...ctx(`V${v}`, 3_600_000), signal: stop.signal };
        return ex.execute(handler, input, c).then(() => {
          answered++;
        });
      }),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  if (timer) clearTimeout(timer);
  await cache.stop();
  return { answersPerS: answered / seconds, answered, seconds };
}

async function dedupGain(): Promise<void> {
  const v = 64;
  const rounds = 5;
  const h = sleeper('Page', 50);
  const on = await dedupRound(h, true, v, rounds, (r) => ({ page: r }));
  const runsOn = h.runs;
  const off = await dedupRound(h, false, v, rounds, (r) => ({ page: r }));
  console.log(
    `[4] in-flight dedup, ${v} validators x ${rounds} pages, 50 ms handler, one device: ` +
      `with dedup ${on.answersPerS.toFixed(0)} answers/s (${runsOn} runs), without ${off.answersPerS.toFixed(0)} answers/s ` +
      `(${h.runs - runsOn} runs), gain x${(on.answersPerS / off.answersPerS).toFixed(1)}`,
  );
  if (!process.argv.includes('--ocr')) return;
  const { InferenceEngine } = await import('../src/inference/index.js');
  const { inferenceSchema } = await import('../src/config/sections/inference.js');
  const { invoicePage } = await import('../test/fixtures/ocr/invoicePage.js');
  const engine = new InferenceEngine(inferenceSchema.parse({ device: 'auto' }), modules());
  await engine.start();
  const ocr = ocrSynapseFor(engine);
  const body = { base64_image: (await invoicePage(3)).base64 };
  const ocrOn = await dedupRound(ocr, true, v, 1, () => body);
  const runs1 = engine.runCount('ocr');
  console.log(
    `[4] real OCR engine (${engine.device()}), ${v} validators, same page, with dedup: ${ocrOn.answered} answers in ` +
      `${ocrOn.seconds.toFixed(2)} s = ${ocrOn.answersPerS.toFixed(1)} answers/s (${runs1} OCR run)`,
  );
  const cap = arg('ocr-seconds', 90);
  const ocrOff = await dedupRound(ocr, false, v, 1, () => body, cap);
  console.log(
    `[4] real OCR engine, without dedup: ${ocrOff.answered} answers in ${ocrOff.seconds.toFixed(2)} s = ` +
      `${ocrOff.answersPerS.toFixed(2)} answers/s (${engine.runCount('ocr') - runs1} OCR runs started; stopped after ${cap} s); ` +
      `gain x${(ocrOn.answersPerS / ocrOff.answersPerS).toFixed(1)}`,
  );
  await engine.stop();
}

async function main(): Promise<void> {
  const ci = process.argv.indexOf('--ws-client');
  if (ci >= 0) {
    const [port, hotkey, rate, seconds] = process.argv.slice(ci + 1);
    const res = await wsClient(Number(port), hotkey!, Number(rate), Number(seconds));
    await new Promise<void>((r) => process.send!(res, () => r()));
    return;
  }
  const only = process.argv.includes('--only') ? (process.argv[process.argv.indexOf('--only') + 1] ?? '') : '1234';
  if (only.includes('1')) await inProcessHit();
  if (only.includes('2')) await wsHit(arg('rate', 1000), arg('seconds', 10));
  if (only.includes('3')) {
    await hitRate(0.3, 20_000);
    await hitRate(0.75, 20_000);
  }
  if (only.includes('4')) await dedupGain();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
