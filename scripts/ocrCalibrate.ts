/**
 * Calibrates the int8 recogniser (inference.ocr.recCpuPrecision = int8) and rewrites
 * src/inference/ocr/recInt8Ranges.ts. Recognition lines are cut from calibration pages by the
 * real pipeline (fp32 models); every convolution's input and output range is recorded over them
 * and clipped where that lowers the uint8 round-trip error (convCalibration.ts). Convolutions on
 * 1x1 maps (squeeze-excite: no time to win, and clipping them wrecks the output) stay float, and
 * so do the OCRCAL_FLOAT convolutions whose quantization alone changes most CTC steps.
 *
 * Use pages the quality benches do not score (another seed), so the scores stay held out:
 *   npm run build && /usr/bin/python3 scripts/ocr-corpus.py .cache/ocr-calib --pages 3 --seed 77 &&
 *   node dist/scripts/ocrCalibrate.js .cache/ocr-calib
 *   OCRCAL_SHARP=8 sharp pages (seeds calib:i)   OCRCAL_FLOAT=3   OCRCAL_OUT=<file> (default: the module above)
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { inferenceSchema } from '../src/config/sections/inference.js';
import { RangeObserver } from '../src/inference/ocr/convCalibration.js';
import { convValues, exposeValues, quantizeConvs, type ValueRange } from '../src/inference/ocr/convQuantize.js';
import { cpuWidthBuckets, type LineTensor } from '../src/inference/ocr/lineCrop.js';
import { parseImageField } from '../src/inference/ocr/imageDecode.js';
import { ocrFiles, prepareOcr } from '../src/inference/ocr/ocrModels.js';
import { OcrPipeline } from '../src/inference/ocr/ocrPipeline.js';
import { InvoiceGenerator } from '../packages/validator-sim/src/index.js';

const env = process.env;
const cfg = inferenceSchema.parse({ ocr: { recCpuPrecision: 'fp32' } }).ocr;
const files = ocrFiles(cfg);
type Batch = { lines: LineTensor[]; shape: [number, number] };

async function session(model: string | Uint8Array): Promise<ort.InferenceSession> {
  const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 2, logSeverityLevel: 3 };
  return typeof model === 'string' ? ort.InferenceSession.create(model, opts) : ort.InferenceSession.create(model, opts);
}

/** The lines the pipeline cuts from the pages, in batches of 4 of one shape (as CPU devices run them). */
async function captureLines(pages: string[]): Promise<{ batches: Batch[]; rec: Uint8Array }> {
  const prepared = await prepareOcr(cfg, files);
  const sessions = new Map<string, ort.InferenceSession>();
  for (const s of prepared.sources) sessions.set(s.name, await session(await s.load()));
  const runners = prepared.runners((name, _c, _i, call) => call(sessions.get(name) as never));
  const byShape = new Map<string, Batch>();
  const batchers = {
    det: { submit: async (i: never, shape: never) => (await runners.det([i], shape))[0] },
    rec: {
      submit: async (t: LineTensor, shape: [number, number]) => {
        const k = shape.join('x');
        byShape.set(k, { lines: [...(byShape.get(k)?.lines ?? []), t], shape });
        return (await runners.rec([t], shape))[0];
      },
    },
  };
  const pipe = new OcrPipeline({ ...cfg, recWidthBuckets: cpuWidthBuckets(cfg.recWidthBuckets, cfg.recCpuWidthStepPx) }, batchers as never, () =>
    performance.now(),
  );
  const submit = { priority: 0, deadlineMs: Date.now() + 3_600_000, signal: new AbortController().signal };
  for (const b64 of pages) await pipe.run(parseImageField(b64, cfg), submit);
  const batches = [...byShape.values()].flatMap((b) =>
    Array.from({ length: Math.ceil(b.lines.length / 4) }, (_, i) => ({ lines: b.lines.slice(i * 4, i * 4 + 4), shape: b.shape })),
  );
  const rec = (await prepared.sources.find((s) => s.name === 'ocr-rec')!.load()) as Uint8Array;
  return { batches, rec };
}

function feed(b: Batch): ort.Tensor {
  const [h, w] = b.shape;
  const per = 3 * h * w;
  const data = new Float32Array(per * b.lines.length);
  b.lines.forEach((l, i) => {
    for (let row = 0; row < 3 * h; row++) data.set(l.data.subarray(row * l.width, (row + 1) * l.width), i * per + row * w);
  });
  return new ort.Tensor('float32', data, [b.lines.length, 3, h, w]);
}

/** Calibrated (clipped) ranges of every convolution value, leaving out those on 1x1 maps. */
async function calibrate(rec: Uint8Array, batches: Batch[]): Promise<Record<string, ValueRange>> {
  const names = convValues(onnxProto.onnx.ModelProto.decode(rec).graph!);
  const s = await session(exposeValues(rec, names));
  const seen = new Map(names.map((n) => [n, new RangeObserver()]));
  for (const b of batches) {
    const out = await s.run({ [s.inputNames[0]!]: feed(b) });
    for (const n of names) {
      const t = out[n]!;
      seen.get(n)!.observe(t.data as Float32Array, (t.dims[2] ?? 1) * (t.dims[3] ?? 1));
    }
  }
  const ranges: Record<string, ValueRange> = {};
  for (const [n, o] of seen) {
    const r = o.mseRange();
    if (r && o.minSpatial > 1) ranges[n] = r;
  }
  return ranges;
}

/** Share of CTC steps (blank on both sides left out) where the model's index differs from fp32's. */
async function disagreement(model: Uint8Array, batches: Batch[], reference: BigInt64Array[]): Promise<number> {
  const s = await session(model);
  let bad = 0;
  let n = 0;
  for (const [k, b] of batches.entries()) {
    const got = (await s.run({ [s.inputNames[0]!]: feed(b) }))['ctc_index']!.data as BigInt64Array;
    const ref = reference[k]!;
    for (let i = 0; i < ref.length; i++) {
      if (ref[i] === 0n && got[i] === 0n) continue;
      n++;
      if (ref[i] !== got[i]) bad++;
    }
  }
  return n > 0 ? bad / n : 0;
}

async function main(): Promise<void> {
  const pages: string[] = [];
  for (const dir of process.argv.slice(2)) {
    for (const f of (await readdir(dir)).filter((x) => x.endsWith('.jpg')).sort()) pages.push((await readFile(join(dir, f))).toString('base64'));
  }
  const gen = new InvoiceGenerator();
  for (let i = 0; i < Number(env['OCRCAL_SHARP'] ?? 8); i++) pages.push((await gen.generate(`calib:${i}`)).base64Image);
  const { batches, rec } = await captureLines(pages);
  process.stdout.write(`pages ${pages.length}, line batches ${batches.length}\n`);
  const ranges = await calibrate(rec, batches);
  const probe = batches.filter((_, i) => i % 4 === 0);
  const ref = await session(rec);
  const reference = await Promise.all(probe.map(async (b) => (await ref.run({ [ref.inputNames[0]!]: feed(b) }))['ctc_index']!.data as BigInt64Array));
  const convs = (onnxProto.onnx.ModelProto.decode(rec).graph!.node ?? []).filter((n) => n.opType === 'Conv' && ranges[n.input![0]!] && ranges[n.output![0]!]);
  const sens: { io: string[]; e: number; name: string }[] = [];
  for (const c of convs) {
    const io = [c.input![0]!, c.output![0]!];
    const e = await disagreement(quantizeConvs(rec, Object.fromEntries(io.map((v) => [v, ranges[v]!]))).model, probe, reference);
    sens.push({ io, e, name: c.name ?? '' });
  }
  sens.sort((a, b) => b.e - a.e);
  const keepFloat = sens.slice(0, Number(env['OCRCAL_FLOAT'] ?? 3));
  for (const c of keepFloat) for (const v of c.io) delete ranges[v];
  const q = quantizeConvs(rec, ranges);
  const e = await disagreement(q.model, probe, reference);
  process.stdout.write(
    `float: ${keepFloat.map((c) => `${c.name} (${c.e.toFixed(4)})`).join(', ')}\nint8 convs ${q.stats.convs}, float ${q.stats.skipped}; CTC steps differing from fp32: ${e.toFixed(4)}\n`,
  );
  await writeModule(ranges);
}

async function writeModule(ranges: Record<string, ValueRange>): Promise<void> {
  const sha = createHash('sha256')
    .update(await readFile(files.rec))
    .digest('hex');
  const body = Object.entries(ranges)
    .map(([n, r]) => `    '${n}': { min: ${r.min.toPrecision(7)}, max: ${r.max.toPrecision(7)} },`)
    .join('\n');
  const text = `import type { ValueRange } from './convQuantize.js';

/**
 * Written by scripts/ocrCalibrate.ts: the value ranges of the folded PP-OCRv4 recogniser's
 * convolutions (a convolution without both of its ranges stays float), for the model file whose
 * SHA-256 is \`model\`.
 */
export const REC_INT8_CALIBRATION: { model: string; ranges: Readonly<Record<string, ValueRange>> } = {
  model: '${sha}',
  ranges: {
${body}
  },
};
`;
  const out = env['OCRCAL_OUT'] ?? 'src/inference/ocr/recInt8Ranges.ts';
  await writeFile(out, text);
  process.stdout.write(`wrote ${out}\n`);
}

await main();
