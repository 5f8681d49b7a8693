/**
 * Inference benchmark, one run on one machine, each figure next to the goal it serves:
 *  1. raw onnxruntime recognition (the engine's edited graph and session options) by batch size;
 *  2. the engine's recognition through the dynamic batcher (goal: >= 90 % of raw best);
 *  3. one line at a time through the engine (goal on a GPU: batching gain >= 5x);
 *  4. detection pages/s, raw onnxruntime and through the engine;
 *  5. a burst of BENCH_PAGES (64) concurrent full invoice pages (goals: all answered within 1.5 s,
 *     pages/s >= 80 % of the serial det+rec limit computed from this run's raw figures).
 * Usage: npm run build && BENCH_DEVICE=cuda node dist/bench/inference.js
 *   BENCH_DEVICE=auto|cpu|cuda   devices the engine uses (cuda = ["cuda:0"]; BENCH_DEVICES=cuda:0,cuda:0 overrides)
 *   BENCH_TUNING=default|...     a named tuning choice (TUNINGS below), compared across runs by bench/gpu-h200.sh
 *   BENCH_CFG='{"ocr":{...}}'    further inference config overrides
 *   BENCH_PAGES=64  BENCH_SECONDS=1 (scales every timed window)  BENCH_JSON=file (appends one JSON line)
 *   BENCH_PAGES_FILE=file        pages to use (made beforehand where the fonts are: BENCH_MAKE_PAGES=file writes them and exits)
 *   BENCH_BURST_ONLY=1           only step 5 (the burst), for comparing settings quickly
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { ocrSynapseFor } from '../src/synapses/index.js';
import ort from 'onnxruntime-node';
import { Registry } from 'prom-client';
import { createMinerMetrics, type BatcherMetrics } from '../src/metrics/index.js';
import { inferenceSchema } from '../src/config/sections/inference.js';
import { InferenceEngine, appendArgmax, ocrFiles, parseDeviceList, sessionOptionsFor } from '../src/inference/index.js';
import type { Decoded } from '../src/inference/ocr/ctcDecode.js';
import { charsetMask, loadDictionary } from '../src/inference/ocr/ctcDecode.js';
import type { DetInput } from '../src/inference/ocr/detection.js';
import type { LineTensor } from '../src/inference/ocr/lineCrop.js';
import { silentLogger, systemClock } from '../src/util/index.js';
import { InvoiceGenerator, scoreResponse, type OcrLabel } from '../packages/validator-sim/src/index.js';

const H = 48,
  W = 320;
const env = process.env;
const device = (env['BENCH_DEVICE'] ?? 'auto') as 'auto' | 'cpu' | 'cuda';
const tuningName = env['BENCH_TUNING'] ?? 'default';
const scale = Number(env['BENCH_SECONDS'] ?? 1);

/** Tuning choices the H200 run compares (docs/inference.md): each is a set of config overrides. */
const TUNINGS: Record<string, Record<string, unknown>> = {
  default: {},
  rec64: { ocr: { recBatch: { maxItems: 64, maxCost: 64 * H * W } } },
  rec512: { ocr: { recBatch: { maxItems: 512, maxCost: 512 * H * W } } },
  twoLanes: { devices: device === 'cuda' ? ['cuda:0', 'cuda:0'] : ['cpu', 'cpu'] },
  // Two CPU lanes with two threads each: a lone page keeps both cores in each run, a burst fills both lanes.
  twoLanesTwoThreads: { devices: ['cpu', 'cpu'], intraOpThreads: 4 },
  memPatternOff: { cuda: { enableMemPattern: false } },
  initOutsideArena: { cuda: { deviceAllocatorForInitializers: true } },
  oneRunPerDevice: { maxConcurrentRuns: 1 },
};

interface Page {
  base64Image: string;
  labels: OcrLabel[];
}

function config() {
  const tuning = TUNINGS[tuningName];
  if (!tuning) throw new Error(`BENCH_TUNING=${tuningName}: not one of ${Object.keys(TUNINGS).join(', ')}`);
  const base = device === 'auto' ? {} : { devices: device === 'cuda' ? ['cuda:0'] : ['cpu'] };
  const list = env['BENCH_DEVICES'] ? { devices: env['BENCH_DEVICES'].split(',') } : {};
  const extra = JSON.parse(env['BENCH_CFG'] ?? '{}') as Record<string, unknown>;
  const merged = { ...base, ...tuning, ...list, ...extra };
  const ocr = { ...(tuning['ocr'] as object | undefined), ...(extra['ocr'] as object | undefined) };
  return inferenceSchema.parse({ ...merged, ocr });
}

function random(n: number): Float32Array {
  const data = new Float32Array(n);
  for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
  return data;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function timeFor(seconds: number, fn: () => Promise<number>): Promise<number> {
  let items = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * scale * 1000) items += await fn();
  return items / ((performance.now() - t0) / 1000);
}

type Cfg = ReturnType<typeof config>;

/** Raw onnxruntime on the engine's first device, same graph and session options: items/s by batch size. */
async function raw(cfg: Cfg, kind: 'cpu' | 'cuda', model: 'rec' | 'det', out: string[]): Promise<{ best: number; bestN: number }> {
  const files = ocrFiles(cfg.ocr);
  const spec = parseDeviceList([kind === 'cuda' ? 'cuda:0' : 'cpu'])[0]!;
  const opts = sessionOptionsFor(spec, { ...cfg, cuda: cfg.cuda }, cfg.intraOpThreads > 0 ? cfg.intraOpThreads : undefined);
  const bytes = model === 'rec' ? appendArgmax(await readFile(files.rec), charsetMask(await loadDictionary(files.keys), 'latin')) : await readFile(files.det);
  const session = await ort.InferenceSession.create(bytes, opts);
  const [h, w] = model === 'rec' ? [H, W] : cfg.ocr.detWarmupShapes[0]!;
  const sizes = model === 'rec' ? (kind === 'cuda' ? [1, 8, 32, 128, 256, 512] : [1, 4, 8, 16]) : kind === 'cuda' ? [1, 2, 4, 8] : [1, 2];
  let best = 0,
    bestN = 1;
  for (const n of sizes) {
    const x = new ort.Tensor('float32', random(n * 3 * h * w), [n, 3, h, w]);
    await session.run({ [session.inputNames[0]!]: x });
    const perSec = await timeFor(model === 'rec' ? 2 : 3, async () => {
      await session.run({ [session.inputNames[0]!]: x });
      return n;
    });
    out.push(`  raw ${model} N=${n}: ${perSec.toFixed(1)} ${model === 'rec' ? 'lines' : 'pages'}/s`);
    if (perSec > best) {
      best = perSec;
      bestN = n;
    }
  }
  await session.release();
  return { best, bestN };
}

async function enginePaths(engine: InferenceEngine, cfg: Cfg, out: string[]) {
  const rec = engine.batcher<LineTensor, Decoded>('ocr-rec');
  const perBatch = engine.device() === 'cuda' ? cfg.ocr.recBatch.maxItems : Math.min(cfg.ocr.recBatch.maxItems, cfg.ocr.recCpuMaxItems);
  const inFlight = Math.max(64, 2 * perBatch * engine.deviceStatus().length);
  const lines: LineTensor[] = Array.from({ length: inFlight }, () => ({ data: random(3 * H * W), height: H, width: W }));
  await Promise.all(lines.slice(0, 8).map((l) => rec.submit(l, [H, W])));
  const batched = await timeFor(4, async () => {
    await Promise.all(lines.map((l) => rec.submit(l, [H, W])));
    return lines.length;
  });
  out.push(`engine rec via batcher (${inFlight} lines in flight): ${batched.toFixed(1)} lines/s`);
  const single = await timeFor(3, async () => {
    await rec.submit(lines[0]!, [H, W]);
    return 1;
  });
  out.push(`engine rec one line at a time: ${single.toFixed(1)} lines/s`);
  const [dh, dw] = cfg.ocr.detWarmupShapes[0]!;
  const det = engine.batcher<DetInput, Float32Array>('ocr-det');
  const pages: DetInput[] = Array.from({ length: 16 }, () => ({ data: random(3 * dh * dw), height: dh, width: dw }));
  const detPerSec = await timeFor(3, async () => {
    await Promise.all(pages.map((p) => det.submit(p, [dh, dw])));
    return pages.length;
  });
  out.push(`engine det via batcher (16 pages in flight, ${dh}x${dw}): ${detPerSec.toFixed(2)} pages/s`);
  return { batched, single, detPerSec };
}

async function loadPages(n: number): Promise<Page[]> {
  const file = env['BENCH_PAGES_FILE'];
  const source: Page[] = file ? (JSON.parse(await readFile(file, 'utf8')) as Page[]) : [];
  if (source.length === 0) {
    const gen = new InvoiceGenerator();
    for (let i = 0; i < Math.min(n, 16); i++) source.push(await gen.generate(`bench-${i}`));
  }
  return Array.from({ length: n }, (_, i) => source[i % source.length]!);
}

async function recCostSum(metrics: BatcherMetrics): Promise<number> {
  const m = await metrics.batchCost.get();
  const sum = m.values.find((v) => (v as { metricName?: string }).metricName === `${m.name}_sum` && v.labels['model'] === 'ocr-rec');
  return sum?.value ?? 0;
}

async function burst(engine: InferenceEngine, metrics: BatcherMetrics, pages: Page[], out: string[]) {
  const ocr = ocrSynapseFor(engine);
  const latencies: number[] = [];
  const scores: number[] = [];
  const cost0 = await recCostSum(metrics);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    pages.map(async (p) => {
      const s0 = performance.now();
      const res = await ocr.handle(ocr.parseInput({ base64_image: p.base64Image }), {
        requestId: 'bench',
        callerHotkey: 'bench',
        priority: 0,
        deadlineMs: Date.now() + 3_600_000,
        signal: new AbortController().signal,
      });
      latencies.push((performance.now() - s0) / 1000);
      scores.push(scoreResponse(p.labels, res.response, 0).prediction);
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const r = {
    pages: pages.length,
    wall,
    pagesPerSec: pages.length / wall,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: latencies.at(-1)!,
    cpuSecPerPage: (cpu.user + cpu.system) / 1e6 / pages.length,
    meanScore: scores.reduce((a, b) => a + b, 0) / scores.length,
    recPixelsPerPage: ((await recCostSum(metrics)) - cost0) / pages.length,
  };
  out.push(
    `burst of ${r.pages} concurrent pages: ${r.pagesPerSec.toFixed(2)} pages/s, p50 ${r.p50.toFixed(2)} s, p99 ${r.p99.toFixed(2)} s, max ${r.max.toFixed(2)} s, wall ${wall.toFixed(2)} s, process CPU ${r.cpuSecPerPage.toFixed(3)} s/page, mean score ${r.meanScore.toFixed(3)}`,
  );
  return r;
}

function verdicts(f: { recRaw: number; batched: number; single: number; detRaw: number; gpu: boolean; b: Awaited<ReturnType<typeof burst>> }): string[] {
  const ok = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  const ofRaw = f.batched / f.recRaw;
  const gain = f.batched / f.single;
  // Serial limit: one page's detection plus its recognition pixels, both at the raw best rates.
  const perPage = 1 / f.detRaw + f.b.recPixelsPerPage / (f.recRaw * H * W);
  const limit = 1 / perPage;
  return [
    `GOAL engine rec >= 90% of raw best: ${ok(ofRaw >= 0.9)} (${(ofRaw * 100).toFixed(0)}%)`,
    `GOAL batching gain >= 5x${f.gpu ? '' : ' (a GPU goal; CPU figure for reference)'}: ${f.gpu ? ok(gain >= 5) : 'n/a'} (${gain.toFixed(2)}x)`,
    `GOAL burst of ${f.b.pages} all answered within 1.5 s: ${ok(f.b.max <= 1.5)} (slowest ${f.b.max.toFixed(2)} s)`,
    `GOAL burst pages/s >= 80% of serial det+rec limit: ${ok(f.b.pagesPerSec >= 0.8 * limit)} (${f.b.pagesPerSec.toFixed(2)} vs limit ${limit.toFixed(2)} pages/s = 1 / (1/${f.detRaw.toFixed(2)} + ${Math.round(f.b.recPixelsPerPage)} px / (${f.recRaw.toFixed(0)} lines/s x ${H}x${W})); ${((f.b.pagesPerSec / limit) * 100).toFixed(0)}%)`,
  ];
}

async function main(): Promise<void> {
  if (env['BENCH_MAKE_PAGES']) {
    const pages = await loadPages(Number(env['BENCH_PAGES'] ?? 16));
    await writeFile(env['BENCH_MAKE_PAGES'], JSON.stringify(pages.map((p) => ({ base64Image: p.base64Image, labels: p.labels }))));
    return;
  }
  const cfg = config();
  const metrics = createMinerMetrics(new Registry()).inference;
  const engine = new InferenceEngine(cfg, { logger: silentLogger(), metrics, clock: systemClock(), signal: new AbortController().signal });
  const t0 = performance.now();
  await engine.start();
  const kind = engine.device() === 'cuda' ? 'cuda' : 'cpu';
  const out = [
    `tuning ${tuningName}; devices ${engine
      .deviceStatus()
      .map((d) => d.device)
      .join(',')}; engine start (probe, load, warm-up) ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  ];
  if (env['BENCH_BURST_ONLY']) {
    await burst(engine, metrics.batcher, await loadPages(Number(env['BENCH_PAGES'] ?? 64)), out);
    await engine.stop();
    process.stdout.write(`${out.join('\n')}\n`);
    return;
  }
  const rec = await raw(cfg, kind, 'rec', out);
  out.push(`raw onnxruntime rec, best: ${rec.best.toFixed(1)} lines/s at N=${rec.bestN} (input [N,3,48,320])`);
  const det = await raw(cfg, kind, 'det', out);
  out.push(`raw onnxruntime det, best: ${det.best.toFixed(2)} pages/s at N=${det.bestN}`);
  const e = await enginePaths(engine, cfg, out);
  out.push(
    `engine rec = ${((e.batched / rec.best) * 100).toFixed(0)}% of raw best; batching gain ${(e.batched / e.single).toFixed(2)}x; engine det = ${((e.detPerSec / det.best) * 100).toFixed(0)}% of raw`,
  );
  const b = await burst(engine, metrics.batcher, await loadPages(Number(env['BENCH_PAGES'] ?? 64)), out);
  out.push(...verdicts({ recRaw: rec.best, batched: e.batched, single: e.single, detRaw: det.best, gpu: kind === 'cuda', b }));
  out.push(
    `per device: ${engine
      .deviceStatus()
      .map((d) => `${d.device} ${d.state} ${d.batches} batches ${d.items} items`)
      .join('; ')}`,
  );
  await engine.stop();
  process.stdout.write(`${out.join('\n')}\n`);
  if (env['BENCH_JSON']) {
    await appendFile(env['BENCH_JSON'], `${JSON.stringify({ tuning: tuningName, kind, rec, det, engine: e, burst: b, lines: out })}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
