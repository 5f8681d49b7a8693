/**
 * Soak: the compiled daemon (`subnet-miner run`, OCR on) on a chopsticks devnet under steady
 * mixed traffic for a long time, watching its memory. Traffic, as issue 16 measured it:
 * signed Dummy queries (default 10/s, alternating the legacy HTTP form and WebSocket), an OCR
 * page every few seconds (pages rendered once, up front, so the generator's own memory stays
 * out of the daemon; the OCR answer cache is off, so every page is inferred), and unsigned
 * junk (default 180/s: no headers, bad JSON, unknown synapses), which the axon refuses.
 *
 * Every --sample-sec it reads the daemon's RSS from /proc and its `hardware report` (the
 * monitor.hardwareReportCron is set to the sample period): V8 heap used, native memory
 * (rss - heap total: miner_monitor_process_native_memory_bytes) and arrayBuffers; prints a
 * table and, at the end, a verdict: RSS flat within --flat-pct (2 %) after --warmup-min
 * (first- vs last-quarter means and the fitted trend).
 *
 *   npx tsc -p . && nice -n 10 node dist/bench/soak.js --minutes 120
 *   flags: --minutes N  --warmup-min N  --sample-sec N  --qps N  --junk N  --ocr-every-sec N
 *          --arena N (MALLOC_ARENA_MAX for the daemon; 0 = glibc default)  --flat-pct N (2)
 *          --mmap-threshold BYTES (MALLOC_MMAP_THRESHOLD_ for the daemon, 32 MiB as the unit sets; 0 = glibc's dynamic one)
 *          --node-args "ARGS" (node flags for the daemon; default: those of the unit's ExecStart, '' for none)
 *          --set key=value (daemon config, repeatable)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Dendrite } from '../src/client/index.js';
import { DEVNET_ROLES, devnetMinerConfig, freePort, prepareDevnetWallets, startDevnet, writeJsonFile, type Devnet } from '../packages/devnet/src/index.js';
import { InvoiceGenerator } from '../packages/validator-sim/src/index.js';
import { systemClock } from '../src/util/index.js';
import { unitNodeArgs } from './devnetDaemon.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const MiB = 1_048_576;

interface Flags {
  minutes: number;
  warmupMin: number;
  sampleSec: number;
  qps: number;
  junk: number;
  ocrEverySec: number;
  arena: number;
  mmapThreshold: number;
  flatPct: number;
  nodeArgs: string[];
  set: string[];
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = {
    minutes: 120,
    warmupMin: 5,
    sampleSec: 30,
    qps: 10,
    junk: 180,
    ocrEverySec: 4,
    arena: 2,
    mmapThreshold: 33_554_432,
    flatPct: 2,
    nodeArgs: unitNodeArgs(),
    set: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    const num = (): number => {
      i++;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`${k} needs a number`);
      return n;
    };
    if (k === '--minutes') f.minutes = num();
    else if (k === '--warmup-min') f.warmupMin = num();
    else if (k === '--sample-sec') f.sampleSec = num();
    else if (k === '--qps') f.qps = num();
    else if (k === '--junk') f.junk = num();
    else if (k === '--ocr-every-sec') f.ocrEverySec = num();
    else if (k === '--arena') f.arena = num();
    else if (k === '--mmap-threshold') f.mmapThreshold = num();
    else if (k === '--flat-pct') f.flatPct = num();
    else if (k === '--node-args') {
      f.nodeArgs = String(v)
        .split(/\s+/)
        .filter((a) => a !== '');
      i++;
    } else if (k === '--set') {
      f.set.push(String(v));
      i++;
    } else throw new Error(`unknown flag ${k}`);
  }
  return f;
}

interface Sample {
  min: number;
  rssMiB: number;
  heapMiB: number | null;
  nativeMiB: number | null;
  arrayBuffersMiB: number | null;
  youngMiB: number | null;
  oldMiB: number | null;
  oldUsedMiB: number | null;
  answered: number;
  failed: number;
  junk: number;
  ocr: number;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

class Daemon {
  child: ChildProcess | undefined;
  lastHardware: Record<string, unknown> | undefined;
  serving = false;
  drained: string | undefined;
  readonly lastWords: string[] = [];

  start(configPath: string, env: NodeJS.ProcessEnv, set: string[], nodeArgs: string[]): void {
    const args = [...nodeArgs, CLI, 'run', '--config', configPath, ...set.flatMap((s) => ['--set', s])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.child = child;
    const onLine = (line: string): void => {
      if (line.includes('"miner serving"')) this.serving = true;
      if (line.includes('"axon drained"')) this.drained = line;
      if (line.includes('"hardware report"')) this.lastHardware = JSON.parse(line) as Record<string, unknown>;
      else if (!line.startsWith('{') || /"level":"(error|fatal)"/.test(line)) {
        this.lastWords.push(line.slice(0, 400));
        if (this.lastWords.length > 20) this.lastWords.shift();
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
  }
}

/** Fires `fn` `perSec` times a second, spread evenly, without waiting for answers (bounded in flight). */
function steady(perSec: number, maxInFlight: number, fn: (i: number) => Promise<void>): () => void {
  if (perSec <= 0) return () => undefined;
  let i = 0;
  let inFlight = 0;
  const timer = setInterval(() => {
    if (inFlight >= maxInFlight) return;
    inFlight++;
    void fn(i++).finally(() => inFlight--);
  }, 1000 / perSec);
  return () => clearInterval(timer);
}

const JUNK: Array<(port: number) => Promise<Response>> = [
  (p) => fetch(`http://127.0.0.1:${p}/Dummy`, { method: 'POST', body: '{"dummy_input": 1}', headers: { 'content-type': 'application/json' } }),
  (p) => fetch(`http://127.0.0.1:${p}/Dummy`, { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } }),
  (p) =>
    fetch(`http://127.0.0.1:${p}/NoSuchSynapse`, { method: 'POST', body: '{}', headers: { bt_header_dendrite_hotkey: DEVNET_ROLES.validatorHotkey.ss58 } }),
  (p) =>
    fetch(`http://127.0.0.1:${p}/Dummy`, {
      method: 'POST',
      body: 'x'.repeat(2048),
      headers: { bt_header_dendrite_hotkey: '5Fake', bt_header_dendrite_signature: '0x00' },
    }),
];

function slopeMiBPerMin(s: Sample[]): number {
  if (s.length < 2) return 0;
  const mx = s.reduce((a, x) => a + x.min, 0) / s.length;
  const my = s.reduce((a, x) => a + x.rssMiB, 0) / s.length;
  const num = s.reduce((a, x) => a + (x.min - mx) * (x.rssMiB - my), 0);
  const den = s.reduce((a, x) => a + (x.min - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

function fmt(v: number | null, digits = 1): string {
  return v === null || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2));
  await cryptoWaitReady();
  process.stdout.write(
    `soak: ${f.minutes} min, warm-up ${f.warmupMin} min, ${f.qps} signed/s, an OCR page every ${f.ocrEverySec} s, ${f.junk} junk/s, MALLOC_ARENA_MAX=${f.arena || 'glibc default'}, MALLOC_MMAP_THRESHOLD_=${f.mmapThreshold || 'glibc dynamic'}, node ${f.nodeArgs.join(' ') || '(no flags)'}, set ${f.set.join(' ') || 'nothing'}\n`,
  );
  const pages = await Promise.all(Array.from({ length: 6 }, (_, i) => new InvoiceGenerator().generate(`soak-${i}`)));
  let devnet: Devnet | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'miner-soak-'));
  const daemon = new Daemon();
  const stops: Array<() => void> = [];
  const dendrite = new Dendrite(
    { pair: new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(DEVNET_ROLES.validatorHotkey.uri) },
    { clock: systemClock() },
  );
  try {
    devnet = await startDevnet({
      chainspec: process.env['SUBTENSOR_CHAINSPEC'] ?? resolve(ROOT, '..', 'shared', 'chainspecs', 'subtensor-testfinney-spec103.raw.json'),
      blockIntervalMs: 2_000,
      port: 0,
    });
    const walletPath = join(dir, 'wallets');
    await prepareDevnetWallets(join(ROOT, 'wallets.example'), walletPath);
    const [axonPort, adminPort] = [await freePort(), await freePort()];
    const cfg = devnetMinerConfig({
      endpoint: devnet.endpoint,
      netuid: devnet.netuid,
      walletPath,
      axonPort,
      adminPort,
      extra: {
        monitor: { hardwareReportCron: `*/${Math.max(5, Math.min(59, Math.round(f.sampleSec)))} * * * * *` },
        axon: { rateLimit: { perHotkeyPerSec: 10_000, perHotkeyBurst: 10_000, perIpPerSec: 100_000, perIpBurst: 100_000 } },
        // Every page is inferred: with the default cache the few pages would be answered from
        // memory for its 10-minute TTL and the soak would watch the cache, not the engine.
        cache: { synapses: { Dummy: { policy: 'shared', dedupInFlight: true }, OCRSynapse: { policy: 'off', dedupInFlight: false } } },
      },
    });
    const configPath = join(dir, 'miner.config.json');
    await writeJsonFile(configPath, cfg);
    const env = {
      ...process.env,
      ...(f.arena > 0 ? { MALLOC_ARENA_MAX: String(f.arena) } : {}),
      ...(f.mmapThreshold > 0 ? { MALLOC_MMAP_THRESHOLD_: String(f.mmapThreshold) } : {}),
    };
    daemon.start(configPath, env, f.set, f.nodeArgs);
    const t0 = Date.now();
    while (!daemon.serving) {
      if (daemon.child?.exitCode !== null) throw new Error(`daemon exited while starting:\n${daemon.lastWords.join('\n')}`);
      if (Date.now() - t0 > 300_000) throw new Error('daemon did not serve within 5 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    const counts = { answered: 0, failed: 0, junk: 0, ocr: 0 };
    const miner = DEVNET_ROLES.minerHotkey.ss58;
    stops.push(
      steady(f.qps, 64, async (i) => {
        const a = await dendrite
          .query({
            host: '127.0.0.1',
            port: axonPort,
            axonHotkey: miner,
            synapse: 'Dummy',
            body: { dummy_input: i % 1000 },
            timeoutMs: 10_000,
            transport: i % 2 ? 'ws' : 'http',
          })
          .catch(() => undefined);
        if (a?.status === 200) counts.answered++;
        else counts.failed++;
      }),
    );
    stops.push(
      steady(1 / f.ocrEverySec, 4, async (i) => {
        const a = await dendrite
          .query({
            host: '127.0.0.1',
            port: axonPort,
            axonHotkey: miner,
            synapse: 'OCRSynapse',
            body: { base64_image: pages[i % pages.length]!.base64Image },
            timeoutMs: 60_000,
            transport: 'http',
          })
          .catch(() => undefined);
        if (a?.status === 200) counts.ocr++;
        else counts.failed++;
      }),
    );
    stops.push(
      steady(f.junk, 256, async (i) => {
        await JUNK[i % JUNK.length]!(axonPort)
          .then((r) => r.arrayBuffer())
          .catch(() => undefined);
        counts.junk++;
      }),
    );
    // Ctrl-C ends the run early with a verdict over what was sampled, and still cleans up.
    const interrupted = new AbortController();
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => interrupted.abort());
    const samples = await sampleLoop(f, daemon, counts, interrupted.signal);
    if (interrupted.signal.aborted) process.stdout.write(`interrupted after ${fmt(samples.at(-1)?.min ?? 0)} min\n`);
    verdict(f, samples);
  } finally {
    // SIGTERM while the traffic still runs: the drain line then counts real in-flight work.
    await stopDaemon(daemon);
    for (const s of stops) s();
    await dendrite.close();
    await devnet?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** SIGTERM under the traffic that was running, and the daemon's own account of the drain. */
async function stopDaemon(daemon: Daemon): Promise<void> {
  const child = daemon.child;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(timer);
  process.stdout.write(`shutdown: exit ${String(child.exitCode)}; ${daemon.drained ?? 'no "axon drained" line'}\n`);
}

function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      r();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

async function sampleLoop(
  f: Flags,
  daemon: Daemon,
  counts: { answered: number; failed: number; junk: number; ocr: number },
  signal: AbortSignal,
): Promise<Sample[]> {
  const start = Date.now();
  const samples: Sample[] = [];
  process.stdout.write('  min   rss MiB  heap MiB  native MiB  arrayBuf MiB  young MiB  old MiB  oldUsed   signed ok  failed    junk   ocr\n');
  while (Date.now() - start < f.minutes * 60_000 && !signal.aborted) {
    await sleepUnless(f.sampleSec * 1000, signal);
    if (signal.aborted) break;
    const pid = daemon.child?.pid;
    if (!pid || daemon.child?.exitCode !== null) throw new Error(`daemon died:\n${daemon.lastWords.join('\n')}`);
    const h = daemon.lastHardware;
    const mib = (k: string): number | null => (typeof h?.[k] === 'number' ? (h[k] as number) / MiB : null);
    const spaces = h?.['processHeapSpacesBytes'] as Record<string, number> | undefined;
    const space = (k: string): number | null => (typeof spaces?.[k] === 'number' ? spaces[k] / MiB : null);
    const s: Sample = {
      min: (Date.now() - start) / 60_000,
      rssMiB: rssBytes(pid) / MiB,
      heapMiB: mib('processHeapUsedBytes'),
      nativeMiB: mib('processNativeBytes'),
      arrayBuffersMiB: mib('processArrayBuffersBytes'),
      youngMiB: space('young'),
      oldMiB: space('old'),
      oldUsedMiB: space('oldUsed'),
      ...counts,
    };
    samples.push(s);
    process.stdout.write(
      `${fmt(s.min).padStart(5)} ${fmt(s.rssMiB).padStart(9)} ${fmt(s.heapMiB).padStart(9)} ${fmt(s.nativeMiB).padStart(11)} ${fmt(s.arrayBuffersMiB).padStart(13)} ${fmt(s.youngMiB).padStart(10)} ${fmt(s.oldMiB).padStart(8)} ${fmt(s.oldUsedMiB).padStart(8)} ${String(s.answered).padStart(11)} ${String(s.failed).padStart(7)} ${String(s.junk).padStart(7)} ${String(s.ocr).padStart(5)}\n`,
    );
  }
  return samples;
}

/**
 * V8 grows and shrinks its heap capacity by tens of MiB, so single samples swing; the verdict
 * compares the means of the first and last quarter after warm-up and the fitted trend over the
 * whole window, both against --flat-pct of the first quarter's mean.
 */
function verdict(f: Flags, samples: Sample[]): void {
  const after = samples.filter((s) => s.min >= f.warmupMin);
  if (after.length < 4) {
    process.stdout.write(`verdict: not enough samples after the ${f.warmupMin} min warm-up\n`);
    return;
  }
  const q = Math.max(1, Math.floor(after.length / 4));
  const mean = (xs: Sample[], k: (s: Sample) => number | null): number => xs.reduce((a, s) => a + (k(s) ?? Number.NaN), 0) / xs.length;
  const [first, last] = [after.slice(0, q), after.slice(-q)];
  const base = mean(first, (s) => s.rssMiB);
  const end = mean(last, (s) => s.rssMiB);
  const span = after.at(-1)!.min - after[0]!.min;
  const slope = slopeMiBPerMin(after);
  const quarterPct = ((end - base) / base) * 100;
  const trendPct = ((slope * span) / base) * 100;
  const flat = quarterPct <= f.flatPct && trendPct <= f.flatPct;
  const nativeFirst = mean(first, (s) => s.nativeMiB);
  const nativeLast = mean(last, (s) => s.nativeMiB);
  process.stdout.write(
    `verdict: over ${fmt(span)} min after a ${f.warmupMin} min warm-up, RSS ${fmt(base)} -> ${fmt(end)} MiB (first/last quarter means, ${fmt(quarterPct, 2)} %), ` +
      `trend ${fmt(slope, 3)} MiB/min (${fmt(trendPct, 2)} % over the window), range ${fmt(Math.min(...after.map((s) => s.rssMiB)))}-${fmt(Math.max(...after.map((s) => s.rssMiB)))} MiB; ` +
      `native ${fmt(nativeFirst)} -> ${fmt(nativeLast)} MiB; heap in use ${fmt(mean(first, (s) => s.heapMiB))} -> ${fmt(mean(last, (s) => s.heapMiB))} MiB; ` +
      `V8 young ${fmt(mean(first, (s) => s.youngMiB))} -> ${fmt(mean(last, (s) => s.youngMiB))}, old ${fmt(mean(first, (s) => s.oldMiB))} -> ${fmt(mean(last, (s) => s.oldMiB))} MiB (in use ${fmt(mean(first, (s) => s.oldUsedMiB))} -> ${fmt(mean(last, (s) => s.oldUsedMiB))}): ` +
      `${flat ? 'FLAT' : 'GROWING'} (limit ${f.flatPct} %)\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
