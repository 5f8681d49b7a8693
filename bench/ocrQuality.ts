/**
 * OCR quality bench: scores corpora through the real engine with the tutorial's intended reward
 * (Hungarian matching, no time term) and prints, per corpus, the mean and minimum page score and
 * the mean of each term (text, position, font), then one line per page.
 *
 * Corpora:
 *  - folders of `<name>.jpg` + `<name>.json` (labels) made by scripts/ocr-corpus.py (the tutorial's
 *    reportlab + PyMuPDF pipeline), given as arguments;
 *  - `sharp`: OCRQ_SHARP pages (default 8) from the validator's own sharp-rendered generator.
 *
 * Also prints the mean time per page in each pipeline stage (decode, detection input, detection,
 * DB post-processing, direction classifier, crops, recognition with CTC decoding, layout).
 *
 * Usage: npm run build && /usr/bin/python3 scripts/ocr-corpus.py .cache/ocr-corpus &&
 *        node dist/bench/ocrQuality.js .cache/ocr-corpus test/fixtures/ocr/tutorial
 *   OCRQ_SHARP=8        sharp pages (0: none)      OCRQ_CFG='{"ocr":{...}}'  config overrides
 *   OCRQ_PAGES=N        first N pages of each folder            OCRQ_QUIET=1  no per-page lines
 *   OCRQ_DIFF=1         print each label read differently (label text, then what was read)
 */
import { basename, join } from 'node:path';
import { inferenceSchema } from '../src/config/sections/inference.js';
import { InferenceEngine } from '../src/inference/index.js';
import { OCR_STAGES, type OcrPipeline } from '../src/inference/ocr/ocrPipeline.js';
import { ocrSynapseFor, type OcrSynapse } from '../src/synapses/index.js';
import { silentLogger, systemClock } from '../src/util/index.js';
import { iou, scoreResponse, type OcrLabel } from '../packages/validator-sim/src/index.js';
import { loadCorpus, sharpCorpus, type CorpusPage } from './ocrCorpus.js';

const env = process.env;

interface PageResult {
  name: string;
  score: number;
  text: number;
  position: number;
  font: number;
  labels: number;
  preds: number;
  ms: number;
  /** Mean signed edge offsets (prediction - label, px) over labels paired with their best-IoU prediction. */
  edges: [number, number, number, number];
}

async function scoreCorpus(ocr: OcrSynapse, pages: CorpusPage[]): Promise<PageResult[]> {
  const out: PageResult[] = [];
  for (const p of pages) {
    const t0 = performance.now();
    const res = await ocr.handle(ocr.parseInput({ base64_image: p.base64 }), {
      requestId: p.name,
      callerHotkey: 'bench',
      priority: 0,
      deadlineMs: Date.now() + 600_000,
      signal: new AbortController().signal,
    });
    const ms = performance.now() - t0;
    const s = scoreResponse(p.labels, res.response, 0);
    if (env['OCRQ_DIFF']) textDiffs(p.name, p.labels, res.response);
    out.push({
      name: p.name,
      score: s.prediction,
      text: s.text,
      position: s.position,
      font: s.font,
      labels: s.labels,
      preds: s.predictions,
      ms,
      edges: edgeOffsets(
        p.labels,
        res.response.map((r) => r.position),
      ),
    });
  }
  return out;
}

/** Where boxes sit against the labels: the calibration signal for the layout's box model. */
function edgeOffsets(labels: OcrLabel[], preds: [number, number, number, number][]): [number, number, number, number] {
  const sum = [0, 0, 0, 0];
  let n = 0;
  for (const l of labels) {
    let best: [number, number, number, number] | undefined,
      bestIou = 0.3;
    for (const p of preds) {
      const q = iou(l.position, p);
      if (q > bestIou) {
        bestIou = q;
        best = p;
      }
    }
    if (!best) continue;
    for (let k = 0; k < 4; k++) sum[k]! += best[k]! - l.position[k]!;
    n++;
  }
  return sum.map((v) => v / Math.max(1, n)) as [number, number, number, number];
}

/** OCRQ_DIFF=1: each label whose best-overlapping prediction reads differently (or that nothing overlaps). */
function textDiffs(page: string, labels: OcrLabel[], preds: { text: string; position: [number, number, number, number] }[]): void {
  for (const l of labels) {
    let best: { text: string } | undefined,
      bestIou = 0.1;
    for (const p of preds) {
      const q = iou(l.position, p.position);
      if (q > bestIou) [best, bestIou] = [p, q];
    }
    if (best?.text !== l.text) process.stdout.write(`  diff ${page}: ${JSON.stringify(l.text)} read ${best ? JSON.stringify(best.text) : 'nothing'}\n`);
  }
}

const f3 = (v: number): string => v.toFixed(3);

function report(corpus: string, rows: PageResult[]): void {
  const mean = (k: keyof PageResult) => rows.reduce((a, r) => a + (r[k] as number), 0) / Math.max(1, rows.length);
  const min = rows.reduce((m, r) => Math.min(m, r.score), Infinity);
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  const p50 = ms.length ? ms[Math.floor((ms.length - 1) / 2)]! : Number.NaN;
  process.stdout.write(
    `corpus ${corpus}: pages ${rows.length} mean ${f3(mean('score'))} min ${f3(min)}` +
      ` | text ${f3(mean('text'))} position ${f3(mean('position'))} font ${f3(mean('font'))} | ms/page mean ${mean('ms').toFixed(0)} p50 ${p50.toFixed(0)} (one page at a time)\n`,
  );
  const edge = (k: number) => (rows.reduce((a, r) => a + r.edges[k]!, 0) / Math.max(1, rows.length)).toFixed(2);
  process.stdout.write(`  box edges, prediction - label (px): x0 ${edge(0)} y0 ${edge(1)} x1 ${edge(2)} y1 ${edge(3)}\n`);
  if (env['OCRQ_QUIET']) return;
  for (const r of rows) {
    process.stdout.write(
      `  ${r.name.padEnd(28)} ${f3(r.score)}  text ${f3(r.text)} pos ${f3(r.position)} font ${f3(r.font)}` +
        `  labels ${r.labels} preds ${r.preds} ${r.ms.toFixed(0)} ms  edges ${r.edges.map((e) => e.toFixed(1)).join(' ')}\n`,
    );
  }
}

type StageTimes = ReturnType<OcrPipeline['stageTimes']>;

/** Mean ms per page in each pipeline stage (pages one at a time: a lone validator's view). */
function stages(before: StageTimes, after: StageTimes): void {
  const pages = Math.max(1, after.pages - before.pages);
  const parts = OCR_STAGES.map((s) => `${s} ${((after.ms[s] - before.ms[s]) / pages).toFixed(0)}`);
  process.stdout.write(`  stages, ms/page (noisy on a shared machine): ${parts.join(' ')}\n`);
}

async function main(): Promise<void> {
  const dirs = process.argv.slice(2);
  const limit = env['OCRQ_PAGES'] ? Number(env['OCRQ_PAGES']) : Infinity;
  const extra = JSON.parse(env['OCRQ_CFG'] ?? '{}') as Record<string, unknown>;
  const modules = { logger: silentLogger(), metrics: null, clock: systemClock(), signal: new AbortController().signal };
  const engine = new InferenceEngine(inferenceSchema.parse({ devices: ['cpu'], ...extra }), modules);
  await engine.start();
  try {
    const ocr = ocrSynapseFor(engine);
    const pipeline = engine.ocrService().backend()!.pipeline;
    const corpora: [string, () => Promise<CorpusPage[]>][] = dirs.map((d) => [basename(d), () => loadCorpus(d, limit)]);
    const nSharp = Number(env['OCRQ_SHARP'] ?? 8);
    if (nSharp > 0) corpora.push(['sharp', () => sharpCorpus(nSharp)]);
    for (const [name, load] of corpora) {
      const pages = await load();
      const before = pipeline.stageTimes();
      const cpu0 = process.cpuUsage();
      report(name, await scoreCorpus(ocr, pages));
      const cpu = process.cpuUsage(cpu0);
      stages(before, pipeline.stageTimes());
      // CPU time (every thread of the process) per page: steadier than wall time on a shared machine.
      process.stdout.write(`  cpu ms/page ${((cpu.user + cpu.system) / 1000 / Math.max(1, pages.length)).toFixed(0)}\n`);
    }
  } finally {
    await engine.stop();
  }
}

await main();
