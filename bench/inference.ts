/**
 * Inference benchmark, one run on one machine:
 *  1. raw onnxruntime throughput of the recogniser (same edited graph the engine uses) by batch size;
 *  2. the engine's recognition throughput through the dynamic batcher (many lines submitted at once);
 *  3. one line at a time through the engine;
 *  4. full-page OCR: a burst of BENCH_PAGES (default 64) concurrent invoice pages from the validator
 *     simulator's generator, req/s and p50/p99, plus the tutorial's score of the answers.
 * Usage: npx tsc -p . && node dist/bench/inference.js
 *   env: BENCH_DEVICE=auto|cpu|cuda, BENCH_PAGES=64, BENCH_CFG='{"ocr":{"recCpuMaxItems":1}}' (inference config overrides)
 */
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { Registry } from 'prom-client';
import { inferenceSchema } from '../src/config/sections/inference.js';
import { InferenceEngine, appendArgmax, ocrFiles } from '../src/inference/index.js';
import type { Decoded } from '../src/inference/ocr/ctcDecode.js';
import type { LineTensor } from '../src/inference/ocr/lineCrop.js';
import { charsetMask, loadDictionary } from '../src/inference/ocr/ctcDecode.js';
import { silentLogger, systemClock } from '../src/util/index.js';
import { InvoiceGenerator, scoreResponse } from '../src/validator/index.js';

const H = 48, W = 320;
const device = (process.env['BENCH_DEVICE'] ?? 'auto') as 'auto' | 'cpu' | 'cuda';
const pages = Number(process.env['BENCH_PAGES'] ?? 64);

function line(): LineTensor {
  const data = new Float32Array(3 * H * W);
  for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
  return { data, height: H, width: W };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function timeFor(seconds: number, fn: () => Promise<number>): Promise<number> {
  let items = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) items += await fn();
  return items / ((performance.now() - t0) / 1000);
}

async function rawThroughput(engineDevice: string): Promise<{ best: number; bestN: number; rows: string[] }> {
  const cfg = inferenceSchema.parse({}).ocr;
  const files = ocrFiles(cfg);
  const mask = charsetMask(await loadDictionary(files.keys), 'latin');
  const providers = engineDevice === 'cuda' ? [{ name: 'cuda' }, 'cpu'] : ['cpu'];
  const session = await ort.InferenceSession.create(appendArgmax(await readFile(files.rec), mask), {
    executionProviders: providers as ort.InferenceSession.ExecutionProviderConfig[],
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const sizes = engineDevice === 'cuda' ? [1, 8, 32, 128, 512] : [1, 4, 8, 16, 32];
  const rows: string[] = [];
  let best = 0, bestN = 1;
  for (const n of sizes) {
    const data = new Float32Array(n * 3 * H * W);
    for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
    const x = new ort.Tensor('float32', data, [n, 3, H, W]);
    await session.run({ x });
    const perSec = await timeFor(engineDevice === 'cuda' ? 3 : 4, async () => { await session.run({ x }); return n; });
    rows.push(`  raw rec N=${n}: ${perSec.toFixed(1)} lines/s`);
    if (perSec > best) { best = perSec; bestN = n; }
  }
  await session.release();
  return { best, bestN, rows };
}

async function main(): Promise<void> {
  const overrides = JSON.parse(process.env['BENCH_CFG'] ?? '{}') as Record<string, unknown>;
  const engine = new InferenceEngine(inferenceSchema.parse({ ...overrides, device }), {
    logger: silentLogger(), registry: new Registry(), clock: systemClock(), signal: new AbortController().signal,
  });
  const tStart = performance.now();
  await engine.start();
  const out: string[] = [`device: ${engine.device()}  engine start (load + warm-up): ${((performance.now() - tStart) / 1000).toFixed(1)} s`];

  const raw = await rawThroughput(engine.device());
  out.push(...raw.rows, `raw onnxruntime rec, best: ${raw.best.toFixed(1)} lines/s at N=${raw.bestN} (input [N,3,48,320])`);

  const rec = engine.batcher<LineTensor, Decoded>('ocr-rec');
  const lines = Array.from({ length: 64 }, line);
  await Promise.all(lines.slice(0, 8).map((l) => rec.submit(l, [H, W])));
  const batched = await timeFor(6, async () => { await Promise.all(lines.map((l) => rec.submit(l, [H, W]))); return lines.length; });
  out.push(`engine via batcher (64 lines in flight): ${batched.toFixed(1)} lines/s = ${((batched / raw.best) * 100).toFixed(0)}% of raw best`);

  const single = await timeFor(4, async () => { await rec.submit(lines[0]!, [H, W]); return 1; });
  out.push(`engine one line at a time: ${single.toFixed(1)} lines/s; batching gain ${(batched / single).toFixed(2)}x`);

  const gen = new InvoiceGenerator();
  const docs = [];
  for (let i = 0; i < pages; i++) docs.push(await gen.generate(`bench-${i}`));
  const ocr = engine.ocrSynapse();
  const latencies: number[] = [];
  const scores: { prediction: number; text: number; position: number; font: number }[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(docs.map(async (d) => {
    const s0 = performance.now();
    const res = await ocr.handle(ocr.parseInput({ base64_image: d.base64Image }), {
      requestId: 'bench', callerHotkey: 'bench', priority: 0, deadlineMs: Date.now() + 3_600_000, signal: new AbortController().signal,
    });
    latencies.push((performance.now() - s0) / 1000);
    scores.push(scoreResponse(d.labels, res.response, 0));
  }));
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const mean = (k: 'prediction' | 'text' | 'position' | 'font') => (scores.reduce((a, b) => a + b[k], 0) / scores.length).toFixed(3);
  out.push(
    `full-page OCR, burst of ${pages} concurrent pages: ${(pages / wall).toFixed(2)} req/s, p50 ${pct(latencies, 50).toFixed(2)} s, p99 ${pct(latencies, 99).toFixed(2)} s, wall ${wall.toFixed(1)} s, process CPU ${((cpu.user + cpu.system) / 1e6 / pages).toFixed(2)} s/page`,
    `tutorial score without time term over those pages: mean ${mean('prediction')} (text ${mean('text')}, position ${mean('position')}, font ${mean('font')}), min ${Math.min(...scores.map((x) => x.prediction)).toFixed(3)}`,
    `model runs: det ${engine.runCount('ocr-det')}, rec ${engine.runCount('ocr-rec')}`,
  );
  await engine.stop();
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
