/**
 * Axon benchmark: bare sr25519 verify ceiling, signed Dummy throughput and latency over
 * WebSocket and HTTP (per verifyWorkers setting), and valid-request latency under a flood
 * of unregistered requests. The axon runs in a child process, the flood in another, the
 * measuring client here. Usage: npx tsc -p . && node dist/bench/axon.js [seconds]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setPriority } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Agent, request } from 'node:http';
import { Registry } from 'prom-client';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, sr25519Verify as utilVerify } from '@polkadot/util-crypto';
import { sr25519Verify as wcVerify } from '@polkadot/wasm-crypto';
import { sr25519_verify } from '@polkadot-labs/schnorrkel-wasm';
import { WebSocket } from 'ws';
import type { KeyringPair } from '@polkadot/keyring/types';
import { AxonServer, PriorityScheduler, defaultSynapseRegistry, buildHttpRequest, buildWsFrame, makeSigner } from '../src/axon/index.js';
import { axonSchema } from '../src/config/sections/axon.js';
import type { MetagraphSnapshot, MetagraphSource, NeuronInfo } from '../src/chain/metagraphTypes.js';
import { silentLogger, systemClock } from '../src/util/index.js';
import { FrameCounter, maskedTextFrame, openRawWs } from './rawFlood.js';

const SELF = fileURLToPath(import.meta.url);
const clock = systemClock();

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function fmt(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : 'n/a';
}

async function pairs(): Promise<{ bob: KeyringPair; eve: KeyringPair; ferdie: KeyringPair }> {
  await cryptoWaitReady();
  const k = new Keyring({ type: 'sr25519' });
  return { bob: k.addFromUri('//Bob'), eve: k.addFromUri('//Eve'), ferdie: k.addFromUri('//Ferdie') };
}

// ---------------------------------------------------------------- server child
function staticMetagraph(bob: string): MetagraphSource {
  const n: NeuronInfo = {
    uid: 0, hotkey: bob, coldkey: bob, active: true, validatorPermit: true, stakeRao: 10n ** 12n, stake: 1000,
    incentive: 0, dividends: 0, consensus: 0, trust: 0, rank: 0, emissionRao: 0n, lastUpdate: 0, axon: null,
  };
  const snap: MetagraphSnapshot = {
    netuid: 1, block: 1, tempo: 360, n: 1, syncedAtMs: Date.now(), source: 'storage', neurons: [n],
    byHotkey: (h) => (h === bob ? n : undefined),
  };
  return { current: () => snap, onUpdate: () => () => {} };
}

async function serverMain(verifyWorkers: number): Promise<void> {
  const { bob, eve } = await pairs();
  const m = { logger: silentLogger(), registry: new Registry(), clock, signal: new AbortController().signal };
  const cfg = axonSchema.parse({
    host: '127.0.0.1', verifyWorkers, maxConnectionsPerIp: 5000, maxConnections: 5000,
    queueLength: 100_000, concurrency: 1024, maxInflightPerConnection: 4096,
    rateLimit: { perHotkeyPerSec: 1e9, perHotkeyBurst: 1e9, perIpPerSec: 1e9, perIpBurst: 1e9 },
    // Frames are signed before the timed run (signing here would eat the cores the axon needs),
    // so their first nonce may be older than the default 4 s window by the time it is sent.
    nonce: { allowedDeltaMs: 600_000 },
  });
  const axon = new AxonServer({ ...cfg, port: 0 }, {
    ...m, pair: eve, metagraph: staticMetagraph(bob.address), synapses: defaultSynapseRegistry(),
    executor: new PriorityScheduler(cfg, m), observer: { observe: () => void served++ },
  });
  let served = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  await axon.start();
  process.send?.({ port: axon.address().port });
  process.on('message', (msg) => {
    if (msg === 'stop') void axon.stop().then(() => process.exit(0));
    // CPU time of the whole axon process (event loop and verify workers) against answers given.
    if (msg === 'cpu') {
      const c = process.cpuUsage();
      process.send?.({ cpuUs: c.user + c.system, served });
      if (process.env['BENCH_LOOP_DELAY']) {
        console.log(`  axon event-loop delay ms p50 ${(loopDelay.percentile(50) / 1e6).toFixed(2)} p99 ${(loopDelay.percentile(99) / 1e6).toFixed(2)} max ${(loopDelay.max / 1e6).toFixed(2)}`);
      }
      loopDelay.reset();
    }
  });
}

// ---------------------------------------------------------------- flood child
/**
 * `ratePerSec` 0: as fast as the axon answers (closed loop, 256 in flight per connection).
 * Runs at nice 19 on the raw client of rawFlood.ts: a real flood comes from other machines,
 * so its generator should not be what takes the axon's cores.
 */
async function floodMain(port: number, connections: number, ratePerSec: number): Promise<void> {
  const { ferdie, eve } = await pairs();
  const body = JSON.stringify({ dummy_input: 1 });
  const frame = maskedTextFrame(JSON.stringify(buildWsFrame({
    id: 'f', synapse: 'Dummy', bodyText: body, timeoutSec: 12, address: ferdie.address, sign: () => new Uint8Array(64),
    uuid: 'flood', nonce: clock.nowNs(), axonHotkey: eve.address,
  })));
  const counters: FrameCounter[] = [];
  const tickMs = 5;
  const perTick = Math.max(1, Math.round((ratePerSec * tickMs) / 1000 / connections));
  const burst = Buffer.concat(Array.from({ length: ratePerSec > 0 ? perTick : 256 }, () => frame));
  for (let c = 0; c < connections; c++) {
    const counter = new FrameCounter();
    counters.push(counter);
    const socket = await openRawWs(port, counter);
    if (ratePerSec > 0) {
      setInterval(() => socket.write(burst), tickMs);
    } else {
      let seen = 0;
      socket.write(burst);
      socket.on('data', () => {
        const fresh = counter.frames - seen;
        seen = counter.frames;
        if (fresh > 0) socket.write(fresh === 256 ? burst : Buffer.concat(Array.from({ length: fresh }, () => frame)));
      });
    }
  }
  const answered = (): number => counters.reduce((a, c) => a + c.frames, 0);
  let last = answered();
  setInterval(() => {
    const now = answered();
    process.send?.({ rejectsPerSec: now - last });
    last = now;
  }, 1000);
}

// ---------------------------------------------------------------- client
interface Run {
  ok: number;
  other: number;
  /** Answers that arrived after the window closed (counted in latency only). */
  late: number;
  seconds: number;
  lat: number[];
  /** The axon's own processTimeMs of each WS answer (receipt of the frame to the reply). */
  server: number[];
  /** Client send to the axon's receipt, and the axon's reply to the client's receipt (ms, wall clock). */
  inbound: number[];
  outbound: number[];
}

function report(label: string, r: Run): void {
  console.log(`${label}: ${(r.ok / r.seconds).toFixed(0)} req/s ok (${r.other} non-200, ${r.late} late), latency ms p50 ${fmt(pct(r.lat, 50))} p95 ${fmt(pct(r.lat, 95))} p99 ${fmt(pct(r.lat, 99))}`);
  if (r.server.length > 0) console.log(`  axon processTimeMs p50 ${fmt(pct(r.server, 50))} p95 ${fmt(pct(r.server, 95))} p99 ${fmt(pct(r.server, 99))}`);
  if (r.inbound.length > 0) console.log(`  to the axon p50 ${fmt(pct(r.inbound, 50))} p99 ${fmt(pct(r.inbound, 99))}; back p50 ${fmt(pct(r.outbound, 50))} p99 ${fmt(pct(r.outbound, 99))}`);
}

interface Frame {
  id: string;
  text: string;
}

/** Pre-signed WS frames, nonces increasing per connection uuid. */
function wsFrames(bob: KeyringPair, eve: KeyringPair, conn: number, n: number): Frame[] {
  const sign = makeSigner(bob);
  const base = clock.nowNs();
  return Array.from({ length: n }, (_, i) => {
    const id = `c${conn}-${i}`;
    const text = JSON.stringify(buildWsFrame({
      id, synapse: 'Dummy', bodyText: JSON.stringify({ dummy_input: i }), timeoutSec: 12,
      address: bob.address, sign, uuid: `bench-${conn}-${process.pid}-${base}`, nonce: base + BigInt(i), axonHotkey: eve.address,
    }));
    return { id, text };
  });
}

/** Closed loop: `inflight` requests outstanding per connection for `seconds`, or open loop at `ratePerSec`. */
async function wsLoad(port: number, frames: Frame[][], inflight: number, seconds: number, ratePerSec?: number): Promise<Run> {
  const run: Run = { ok: 0, other: 0, late: 0, seconds, lat: [], server: [], inbound: [], outbound: [] };
  const end = performance.now() + seconds * 1000;
  await Promise.all(frames.map((list) => new Promise<void>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
    const sentAt = new Map<string, number>();
    let next = 0;
    let timer: NodeJS.Timeout | undefined;
    const send = (): void => {
      if (next >= list.length || performance.now() > end) return;
      const f = list[next++]!;
      sentAt.set(f.id, performance.now());
      ws.send(f.text);
    };
    ws.on('open', () => {
      if (ratePerSec) timer = setInterval(send, (1000 * frames.length) / ratePerSec);
      else for (let i = 0; i < inflight; i++) send();
      setTimeout(() => clearInterval(timer), seconds * 1000);
      setTimeout(() => ws.close(), seconds * 1000 + 3000);
    });
    ws.on('message', (d) => {
      const r = JSON.parse(d.toString()) as { id: string; status: number; processTimeMs: number; axon: { nonce: string } };
      const t = sentAt.get(r.id);
      if (t !== undefined) {
        run.server.push(r.processTimeMs);
        // The axon's nonce is its wall clock (ns) when it replied.
        const repliedAt = Number(BigInt(r.axon.nonce) / 1000n) / 1000 - performance.timeOrigin;
        run.inbound.push(repliedAt - r.processTimeMs - t);
        run.outbound.push(performance.now() - repliedAt);
        // Latency of every answer that came back; throughput only of those inside the window.
        run.lat.push(performance.now() - t);
        if (performance.now() > end) run.late++;
        else if (r.status === 200) run.ok++;
        else run.other++;
      }
      if (!ratePerSec) send();
    });
    ws.on('close', () => resolve());
    ws.on('error', () => resolve());
  })));
  return run;
}

async function httpLoad(port: number, bob: KeyringPair, eve: KeyringPair, connections: number, seconds: number): Promise<Run> {
  const sign = makeSigner(bob);
  const run: Run = { ok: 0, other: 0, late: 0, seconds, lat: [], server: [], inbound: [], outbound: [] };
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const perConn = Math.ceil((seconds * 6000) / connections);
  const all = Array.from({ length: connections }, (_, c) => {
    const base = clock.nowNs();
    return Array.from({ length: perConn }, (_, i) => buildHttpRequest({
      synapse: 'Dummy', body: { dummy_input: i }, timeoutSec: 12, address: bob.address, sign, uuid: `h${c}-${base}`,
      nonce: base + BigInt(i), axonHotkey: eve.address, axonIp: '127.0.0.1', axonPort: port, dendriteIp: '127.0.0.1',
    }));
  });
  const end = performance.now() + seconds * 1000;
  await Promise.all(all.map(async (reqs) => {
    for (const r of reqs) {
      if (performance.now() > end) break;
      const t0 = performance.now();
      const status = await new Promise<number>((resolve) => {
        const q = request({ host: '127.0.0.1', port, method: 'POST', path: r.path, agent, headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        q.on('error', () => resolve(0));
        q.end(r.body);
      });
      run.lat.push(performance.now() - t0);
      if (status === 200) run.ok++;
      else run.other++;
    }
  }));
  agent.destroy();
  return run;
}

function startChild(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, args, { stdio: 'inherit' });
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('error', reject);
  });
}

let skCpuUs = Number.NaN;

/** Axon CPU time per answered request during `f`, and what 2 cores could serve at that cost. */
async function cpuPerRequest(child: ChildProcess, label: string, f: () => Promise<void>): Promise<void> {
  const ask = (): Promise<{ cpuUs: number; served: number }> => new Promise((r) => {
    child.once('message', (m: { cpuUs: number; served: number }) => r(m));
    child.send('cpu');
  });
  const a = await ask();
  await f();
  const b = await ask();
  const per = (b.cpuUs - a.cpuUs) / Math.max(1, b.served - a.served);
  console.log(`  ${label}: axon CPU ${per.toFixed(0)} us/request -> 2-core capacity ${(2e6 / per).toFixed(0)}/s = ${((100 * skCpuUs) / per).toFixed(0)}% of the 2-core verify ceiling`);
}

function verifyCeiling(bob: KeyringPair): void {
  const msg = new TextEncoder().encode(`${clock.nowNs()}.${bob.address}.x.uuid.a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a`);
  const sig = bob.sign(msg);
  const time = (n: number, f: () => boolean): number => {
    for (let i = 0; i < 20; i++) f();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) if (!f()) throw new Error('verify failed');
    return ((performance.now() - t0) * 1000) / n;
  };
  const c0 = process.cpuUsage();
  const sk = time(3000, () => sr25519_verify(bob.publicKey, msg, sig));
  const c1 = process.cpuUsage(c0);
  skCpuUs = (c1.user + c1.system) / 3020;
  const wc = time(1000, () => wcVerify(sig, msg, bob.publicKey));
  const ut = time(100, () => utilVerify(msg, sig, bob.publicKey));
  console.log(`verify us/op: schnorrkel-wasm ${sk.toFixed(1)}, @polkadot/wasm-crypto ${wc.toFixed(1)}, util-crypto ${ut.toFixed(1)}`);
  console.log(`verify ceiling (schnorrkel-wasm): 1 core ${(1e6 / sk).toFixed(0)}/s, 2-core estimate ${(2e6 / sk).toFixed(0)}/s (wall time)`);
  console.log(`verify CPU time: ${skCpuUs.toFixed(1)} us/op -> 2-core ceiling ${(2e6 / skCpuUs).toFixed(0)}/s (CPU time, robust to other load)`);
}

async function clientMain(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const { bob, eve } = await pairs();
  verifyCeiling(bob);
  const wsConns = 16;
  for (const workers of [0, 1, 2]) {
    const { child, port } = await startChild(['server', String(workers)]);
    const frames = Array.from({ length: wsConns }, (_, c) => wsFrames(bob, eve, c, Math.ceil((seconds * 12000) / wsConns)));
    await cpuPerRequest(child, `ws   verifyWorkers=${workers}`, async () => {
      report(`ws   verifyWorkers=${workers} conns=${wsConns} inflight/conn=8`, await wsLoad(port, frames, 8, seconds));
    });
    await cpuPerRequest(child, `http verifyWorkers=${workers}`, async () => {
      report(`http verifyWorkers=${workers} conns=32`, await httpLoad(port, bob, eve, 32, seconds));
    });
    if (workers === 1) await floodPhase(child, port, bob, eve, seconds);
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
}

async function floodPhase(child: ChildProcess, port: number, bob: KeyringPair, eve: KeyringPair, seconds: number): Promise<void> {
  const rate = 400;
  const mk = (): Frame[][] => Array.from({ length: 4 }, (_, c) => wsFrames(bob, eve, 100 + c, Math.ceil((rate * (seconds + 2)) / 4)));
  const flood = async (floodRate: number, during: () => Promise<unknown>): Promise<number> => {
    const child = fork(SELF, ['flood', String(port), '8', String(floodRate)], { stdio: 'inherit' });
    if (child.pid !== undefined) setPriority(child.pid, 19);
    const samples: number[] = [];
    child.on('message', (m: { rejectsPerSec: number }) => samples.push(m.rejectsPerSec));
    await new Promise((r) => setTimeout(r, 1500));
    const from = samples.length;
    await during();
    child.kill();
    const steady = samples.slice(Math.max(from, 1));
    return steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length);
  };
  let max = 0;
  await cpuPerRequest(child, 'flood rejects (ignore the % column)', async () => {
    max = await flood(0, () => new Promise((r) => setTimeout(r, seconds * 1000)));
  });
  console.log(`flood of unregistered requests, closed loop: rejected ${fmt(max)}/s`);
  const frames1 = mk();
  let base: Run | undefined;
  await cpuPerRequest(child, 'valid, no flood', async () => {
    base = await wsLoad(port, frames1, 0, seconds, rate);
  });
  report(`valid ws at ${rate}/s, no flood`, base!);
  const target = Math.min(20_000, Math.round(max * 0.7));
  const frames2 = mk();
  let under: Run | undefined;
  let got = 0;
  await cpuPerRequest(child, 'valid + flood', async () => {
    got = await flood(target, async () => {
      under = await wsLoad(port, frames2, 0, seconds, rate);
    });
  });
  report(`valid ws at ${rate}/s, under a flood offered at ${target}/s (answered ${fmt(got)}/s)`, under!);
  console.log(`valid p99 under flood / without: ${fmt(pct(under!.lat, 99) / pct(base!.lat, 99))}x`);
}

const mode = process.argv[2];
if (mode === 'server') void serverMain(Number(process.argv[3] ?? 0));
else if (mode === 'flood') void floodMain(Number(process.argv[3]), Number(process.argv[4] ?? 8), Number(process.argv[5] ?? 0));
else if (mode === 'wsonly') void wsOnly(Number(process.argv[3])).then(() => process.exit(0));
else if (mode === 'httponly') void httpOnly(Number(process.argv[3])).then(() => process.exit(0));
else if (mode === 'floodphase') void floodOnly().then(() => process.exit(0));
else void clientMain().then(() => process.exit(0));

/** Just the flood phase against a fresh axon with one verify worker. */
async function floodOnly(): Promise<void> {
  const { bob, eve } = await pairs();
  const { child, port } = await startChild(['server', process.argv[4] ?? '1']);
  await floodPhase(child, port, bob, eve, Number(process.argv[3] ?? 5));
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
}

/** Just the HTTP load against a running axon (for profiling the axon alone). */
async function httpOnly(port: number): Promise<void> {
  const { bob, eve } = await pairs();
  report('http', await httpLoad(port, bob, eve, 32, 5));
}

/** Just the WebSocket load against a running axon (for profiling the axon alone). */
async function wsOnly(port: number): Promise<void> {
  const { bob, eve } = await pairs();
  const frames = Array.from({ length: 16 }, (_, c) => wsFrames(bob, eve, c, 3000));
  report('ws', await wsLoad(port, frames, 8, 5));
}
