/**
 * Axon benchmark: the two-core sr25519 verify ceiling; signed Dummy throughput and latency
 * over WebSocket and HTTP per verifyWorkers setting (closed loop), beside a bare reference
 * server (bench/bareAxon.ts); open-loop latency below saturation; valid-request latency under
 * a flood of unregistered requests. The axon runs in a child process, the flood in another
 * (at nice 19), the measuring client here, all on the same cores.
 * The three HTTP forms (legacy, btauth/1, Epistula v2) are measured on one axon first.
 * Usage: npx tsc -p . && node dist/bench/axon.js [seconds]   (BENCH_ONLY=forms: only the forms)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setPriority } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import { buildServingStack } from '../src/node/index.js';
import { defaultSynapseRegistry } from '../src/synapses/index.js';
import { axonSchema } from '../src/config/sections/axon.js';
import type { MetagraphSource } from '../src/chain/metagraphTypes.js';
import { neuron, snapshotOf } from '../test/helpers/metagraph.js';
import { silentLogger, systemClock } from '../src/util/index.js';
import { floodMain } from './rawFlood.js';
import { bareServerMain } from './bareAxon.js';
import { measureVerifyCeiling } from './verifyCeiling.js';
import { fmt, httpLoad, httpRequests, pct, report, signedFormRequests, wsFrames, wsLoad, type Frame, type Run } from './axonLoad.js';

const SELF = fileURLToPath(import.meta.url);
const clock = systemClock();

async function pairs(): Promise<{ bob: KeyringPair; eve: KeyringPair; ferdie: KeyringPair }> {
  await cryptoWaitReady();
  const k = new Keyring({ type: 'sr25519' });
  return { bob: k.addFromUri('//Bob'), eve: k.addFromUri('//Eve'), ferdie: k.addFromUri('//Ferdie') };
}

// ---------------------------------------------------------------- server child
function staticMetagraph(bob: string): MetagraphSource {
  const snap = snapshotOf([neuron(0, { hotkey: bob, coldkey: bob, validatorPermit: true, stakeRao: 10n ** 12n, stake: 1000 })], {
    block: 1,
    tempo: 360,
    syncedAtMs: Date.now(),
  });
  return { current: () => snap, onUpdate: () => () => {} };
}

async function serverMain(verifyWorkers: number): Promise<void> {
  const { bob, eve } = await pairs();
  const m = { logger: silentLogger(), metrics: null, clock, signal: new AbortController().signal };
  const cfg = axonSchema.parse({
    host: '127.0.0.1',
    verifyWorkers,
    maxConnectionsPerIp: 5000,
    maxConnections: 5000,
    queueLength: 100_000,
    concurrency: 1024,
    maxInflightPerConnection: 4096,
    rateLimit: { perHotkeyPerSec: 1e9, perHotkeyBurst: 1e9, perIpPerSec: 1e9, perIpBurst: 1e9 },
    // Frames are signed before the timed run (signing here would eat the cores the axon needs),
    // so their first nonce may be older than the default 4 s window by the time it is sent.
    nonce: { allowedDeltaMs: 600_000 },
    btauth: { maxAgeMs: 600_000 },
    epistula: { maxAgeMs: 600_000 },
  });
  const { axon } = buildServingStack(
    { axon: { ...cfg, port: 0 }, scheduler: cfg },
    {
      ...m,
      pair: eve,
      metagraph: staticMetagraph(bob.address),
      synapses: defaultSynapseRegistry(),
      observer: { observe: () => void served++ },
    },
  );
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
        console.log(
          `  axon event-loop delay ms p50 ${(loopDelay.percentile(50) / 1e6).toFixed(2)} p99 ${(loopDelay.percentile(99) / 1e6).toFixed(2)} max ${(loopDelay.max / 1e6).toFixed(2)}`,
        );
      }
      loopDelay.reset();
    }
  });
}

function startChild(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, args, { stdio: 'inherit' });
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('error', reject);
  });
}

interface CpuSample {
  cpuUs: number;
  served: number;
  verifyMs?: number;
  signMs?: number;
}

function sample(child: ChildProcess): Promise<CpuSample> {
  return new Promise((r) => {
    child.once('message', (m: CpuSample) => r(m));
    child.send('cpu');
  });
}

/** Runs `f`, then prints the server's and this client's CPU time per answered request. */
async function withCpu<T>(child: ChildProcess, label: string, f: () => Promise<T>): Promise<T> {
  const a = await sample(child);
  const c0 = process.cpuUsage();
  const out = await f();
  const c = process.cpuUsage(c0);
  const b = await sample(child);
  const n = Math.max(1, b.served - a.served);
  let line = `  ${label}: server CPU ${((b.cpuUs - a.cpuUs) / n).toFixed(0)} us/request, load client CPU ${((c.user + c.system) / n).toFixed(0)} us/request`;
  if (b.verifyMs !== undefined && a.verifyMs !== undefined) {
    line += `; verify ${(((b.verifyMs - a.verifyMs) * 1000) / n).toFixed(0)} us and sign ${(((b.signMs! - a.signMs!) * 1000) / n).toFixed(0)} us per request under this load`;
  }
  console.log(line);
  return out;
}

const rateOf = (r: Run): number => r.ok / r.seconds;

async function stopChild(child: ChildProcess): Promise<void> {
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
}

async function closedLoops(bob: KeyringPair, eve: KeyringPair, seconds: number): Promise<{ ws: number; http: number; bare: number }> {
  const best = { ws: 0, http: 0, bare: 0 };
  const frames = (base: number): Frame[][] => Array.from({ length: 16 }, (_, c) => wsFrames(bob, eve, base + c, Math.ceil((seconds * 12000) / 16)));
  for (const workers of [0, 1, 2]) {
    const { child, port } = await startChild(['server', String(workers)]);
    const wsList = frames(workers * 100);
    const ws = await withCpu(child, `ws   verifyWorkers=${workers}`, () => wsLoad(port, wsList, 8, seconds));
    report(`ws   verifyWorkers=${workers} conns=16 inflight/conn=8`, ws);
    const httpList = httpRequests(port, bob, eve, 32, seconds + 1);
    const http = await withCpu(child, `http verifyWorkers=${workers}`, () => httpLoad(port, httpList, seconds));
    report(`http verifyWorkers=${workers} conns=32`, http);
    best.ws = Math.max(best.ws, rateOf(ws));
    best.http = Math.max(best.http, rateOf(http));
    await stopChild(child);
  }
  const { child, port } = await startChild(['bare']);
  const bareList = frames(900);
  const bare = await withCpu(child, 'bare reference', () => wsLoad(port, bareList, 8, seconds));
  report('ws   bare reference server (bench/bareAxon.ts), same client', bare);
  best.bare = rateOf(bare);
  await stopChild(child);
  return best;
}

/** The three HTTP forms on one axon, same client, same crypto: btauth/1 and Epistula against legacy. */
async function formsCompare(bob: KeyringPair, eve: KeyringPair, seconds: number, workers = 2): Promise<Record<'legacy' | 'btauth' | 'epistula', number>> {
  const { child, port } = await startChild(['server', String(workers)]);
  const out = { legacy: 0, btauth: 0, epistula: 0 };
  for (const form of ['legacy', 'btauth', 'epistula'] as const) {
    const list = form === 'legacy' ? httpRequests(port, bob, eve, 32, seconds + 1) : signedFormRequests(form, bob, eve, 32, seconds + 1);
    const run = await withCpu(child, `${form} verifyWorkers=${workers}`, () => httpLoad(port, list, seconds));
    report(`http form ${form.padEnd(8)} verifyWorkers=${workers} conns=32`, run);
    out[form] = rateOf(run);
  }
  await stopChild(child);
  return out;
}

/** Open loop at fixed offered rates: the latency a validator sees below saturation. */
async function openLoops(bob: KeyringPair, eve: KeyringPair, seconds: number, rates: number[], workers = 2): Promise<Map<number, Run>> {
  const out = new Map<number, Run>();
  const { child, port } = await startChild(['server', String(workers)]);
  for (const rate of rates) {
    const frames = Array.from({ length: 16 }, (_, c) => wsFrames(bob, eve, 500 + c + rate, Math.ceil((rate * (seconds + 2)) / 16)));
    const run = await withCpu(child, `open loop ${rate}/s`, () => wsLoad(port, frames, 0, seconds, rate));
    report(`ws   open loop offered ${rate}/s (16 connections, verifyWorkers=${workers})`, run);
    out.set(rate, run);
  }
  await stopChild(child);
  return out;
}

async function clientMain(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const { bob, eve } = await pairs();
  const ceiling = await measureVerifyCeiling(bob, eve);
  const forms = await formsCompare(bob, eve, seconds);
  if (process.env['BENCH_ONLY'] === 'forms') {
    const r = (x: number): string => `${((100 * x) / Math.max(1, forms.legacy)).toFixed(0)}%`;
    console.log(
      `\nforms: legacy ${forms.legacy.toFixed(0)}/s, btauth/1 ${forms.btauth.toFixed(0)}/s = ${r(forms.btauth)}, Epistula ${forms.epistula.toFixed(0)}/s = ${r(forms.epistula)} of legacy (goal >= 90%)`,
    );
    return;
  }
  const best = await closedLoops(bob, eve, seconds);
  const rates = [0.5, 0.75, 0.9].map((f) => Math.round((best.ws * f) / 100) * 100);
  const open = await openLoops(bob, eve, seconds, rates);
  const flood = await floodOnly(bob, eve, seconds, 3);
  const c = ceiling.twoThreadsPerSec;
  const pctOf = (x: number): string => `${((100 * x) / c).toFixed(0)}%`;
  console.log('\nsummary');
  console.log(`  two-core verify ceiling ${c.toFixed(0)}/s (goal: 90% = ${(0.9 * c).toFixed(0)}/s)`);
  const ofLegacy = (x: number): string => `${((100 * x) / Math.max(1, forms.legacy)).toFixed(0)}%`;
  console.log(
    `  forms (HTTP, verifyWorkers=2): legacy ${forms.legacy.toFixed(0)}/s, btauth/1 ${forms.btauth.toFixed(0)}/s = ${ofLegacy(forms.btauth)}, Epistula ${forms.epistula.toFixed(0)}/s = ${ofLegacy(forms.epistula)} of legacy (goal >= 90%)`,
  );
  console.log(
    `  best WS ${best.ws.toFixed(0)}/s = ${pctOf(best.ws)}; best HTTP ${best.http.toFixed(0)}/s = ${pctOf(best.http)}; bare reference ${best.bare.toFixed(0)}/s = ${pctOf(best.bare)}`,
  );
  for (const [rate, run] of open) console.log(`  open loop ${rate}/s: p99 ${fmt(pct(run.lat, 99))} ms (axon-side p99 ${fmt(pct(run.server, 99))} ms)`);
  console.log(
    `  flood: ${fmt(flood.maxRejects)} rejects/s closed loop; valid p99 under a ${flood.offered}/s flood / without, per trial: ${flood.ratios.map(fmt).join(', ')}`,
  );
}

interface FloodResult {
  maxRejects: number;
  offered: number;
  ratios: number[];
}

async function floodPhase(child: ChildProcess, port: number, bob: KeyringPair, eve: KeyringPair, seconds: number, trials: number): Promise<FloodResult> {
  const rate = 400;
  const mk = (t: number): Frame[][] => Array.from({ length: 4 }, (_, c) => wsFrames(bob, eve, 200 + 10 * t + c, Math.ceil((rate * (seconds + 3)) / 4)));
  const flood = async (floodRate: number, during: () => Promise<unknown>): Promise<number> => {
    const f = fork(SELF, ['flood', String(port), '8', String(floodRate)], { stdio: 'inherit' });
    // A real flood comes from other machines: the generator must not take the axon's cores.
    if (f.pid !== undefined) setPriority(f.pid, 19);
    const samples: number[] = [];
    f.on('message', (m: { rejectsPerSec: number }) => samples.push(m.rejectsPerSec));
    await new Promise((r) => setTimeout(r, 1500));
    const from = samples.length;
    await during();
    f.kill();
    const steady = samples.slice(Math.max(from, 1));
    return steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length);
  };
  const maxRejects = await withCpu(child, 'flood rejects', () => flood(0, () => new Promise((r) => setTimeout(r, seconds * 1000))));
  console.log(`flood of unregistered requests, closed loop: rejected ${fmt(maxRejects)}/s`);
  const offered = Math.min(20_000, Math.round(maxRejects * 0.7));
  const ratios: number[] = [];
  for (let t = 0; t < trials; t++) {
    const quiet = mk(2 * t);
    const base = await withCpu(child, 'valid, no flood', () => wsLoad(port, quiet, 0, seconds, rate));
    report(`valid ws at ${rate}/s, no flood`, base);
    let got = 0;
    let under: Run | undefined;
    const frames = mk(2 * t + 1);
    await withCpu(child, 'valid + flood', async () => {
      got = await flood(offered, async () => {
        under = await wsLoad(port, frames, 0, seconds, rate);
      });
    });
    report(`valid ws at ${rate}/s, under a flood offered at ${offered}/s (answered ${fmt(got)}/s)`, under!);
    ratios.push(pct(under!.lat, 99) / pct(base.lat, 99));
    console.log(`valid p99 under flood / without: ${fmt(ratios[ratios.length - 1]!)}x`);
  }
  return { maxRejects, offered, ratios };
}

/** The flood phase against a fresh axon (`node dist/bench/axon.js floodphase [seconds] [workers] [trials]`). */
async function floodOnly(bob: KeyringPair, eve: KeyringPair, seconds: number, trials: number, workers = 2): Promise<FloodResult> {
  const { child, port } = await startChild(['server', String(workers)]);
  const out = await floodPhase(child, port, bob, eve, seconds, trials);
  await stopChild(child);
  return out;
}

/** Just the WebSocket load against a running axon (for profiling the axon alone). */
async function wsOnly(port: number): Promise<void> {
  const { bob, eve } = await pairs();
  const frames = Array.from({ length: 16 }, (_, c) => wsFrames(bob, eve, c, 3000));
  report('ws', await wsLoad(port, frames, 8, 5));
}

async function main(mode: string | undefined): Promise<void> {
  const arg = (i: number, d: number): number => Number(process.argv[i] ?? d);
  if (mode === 'server') return serverMain(arg(3, 0));
  if (mode === 'bare') return bareServerMain((await pairs()).eve);
  if (mode === 'flood') {
    const { ferdie, eve } = await pairs();
    return floodMain(arg(3, 0), arg(4, 8), arg(5, 0), ferdie, eve);
  }
  if (mode === 'wsonly') return wsOnly(arg(3, 0)).then(() => process.exit(0));
  if (mode === 'open') {
    const { bob, eve } = await pairs();
    await openLoops(bob, eve, arg(5, 5), [arg(3, 1000)], arg(4, 2));
    process.exit(0);
  }
  if (mode === 'floodphase') {
    const { bob, eve } = await pairs();
    await floodOnly(bob, eve, arg(3, 5), arg(5, 1), arg(4, 2));
    process.exit(0);
  }
  return clientMain().then(() => process.exit(0));
}

void main(process.argv[2]);
