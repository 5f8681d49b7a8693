/**
 * Refits the font-family model of src/inference/ocr/fontFamily.ts: glyph features
 * (`glyphFeatures`) of every labelled line with 3+ letters, from corpora of several renderers,
 * a class- and renderer-balanced logistic regression, the held-out-renderer accuracy, and the
 * MODEL constants to paste.
 *
 * Usage: npm run build &&
 *   /usr/bin/python3 scripts/ocr-corpus.py .cache/fit/reportlab --pages 4 &&
 *   /usr/bin/python3 scripts/ocr-corpus.py .cache/fit/urw --pages 3 --renderer pil-urw &&
 *   node dist/scripts/ocrFontFit.js .cache/fit/reportlab .cache/fit/urw   (FIT_SHARP=10 sharp pages too)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { findInk } from '../src/inference/ocr/fontEstimate.js';
import { glyphFeatures } from '../src/inference/ocr/fontFamily.js';
import { InvoiceGenerator, type OcrLabel } from '../packages/validator-sim/src/index.js';

interface Row {
  renderer: string;
  times: 0 | 1;
  f: number[];
}
interface Model {
  mean: number[];
  std: number[];
  weight: number[];
  bias: number;
}

async function linesOf(renderer: string, jpeg: Buffer, labels: readonly OcrLabel[], out: Row[]): Promise<void> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const img = { data, width: info.width, height: info.height };
  for (const l of labels) {
    if (l.text.replace(/[^A-Za-z]/g, '').length < 3) continue;
    const [x0, y0, x1, y1] = l.position;
    const ink = findInk(img, { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, ux: 1, uy: 0, width: x1 - x0, height: (y1 - y0) * 0.8 });
    const f = ink && glyphFeatures(img, ink);
    if (f) out.push({ renderer, times: l.font.family === 'Times-Roman' ? 1 : 0, f });
  }
}

function fitModel(rows: Row[]): Model {
  const d = rows[0]!.f.length,
    n = rows.length;
  const mean = Array.from({ length: d }, (_, k) => rows.reduce((a, r) => a + r.f[k]!, 0) / n);
  const std = mean.map((m, k) => Math.sqrt(rows.reduce((a, r) => a + (r.f[k]! - m) ** 2, 0) / n) || 1);
  const count = new Map<string, number>();
  for (const r of rows) count.set(r.renderer + r.times, (count.get(r.renderer + r.times) ?? 0) + 1);
  let weight = new Array<number>(d).fill(0),
    bias = 0;
  for (let it = 0; it < 600; it++) {
    const gw = new Array<number>(d).fill(0);
    let gb = 0,
      total = 0;
    for (const r of rows) {
      const z = r.f.map((v, k) => (v - mean[k]!) / std[k]!);
      const p = 1 / (1 + Math.exp(-(bias + z.reduce((a, v, k) => a + v * weight[k]!, 0))));
      const w = 1 / count.get(r.renderer + r.times)!;
      z.forEach((v, k) => {
        gw[k]! += (p - r.times) * w * v;
      });
      gb += (p - r.times) * w;
      total += w;
    }
    weight = weight.map((v, k) => v - 0.5 * (gw[k]! / total + 0.01 * v));
    bias -= (0.5 * gb) / total;
  }
  return { mean, std, weight, bias };
}

const logit = (m: Model, f: number[]): number => f.reduce((a, v, k) => a + (m.weight[k]! * (v - m.mean[k]!)) / m.std[k]!, m.bias);

function accuracy(m: Model, rows: Row[], times: 0 | 1): string {
  const t = rows.filter((r) => r.times === times);
  return t.length === 0 ? '-' : (t.filter((r) => (logit(m, r.f) > 0 ? 1 : 0) === times).length / t.length).toFixed(3);
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const dir of process.argv.slice(2)) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const labels = JSON.parse(readFileSync(join(dir, f), 'utf8')) as OcrLabel[];
      await linesOf(basename(dir), readFileSync(join(dir, f.replace(/json$/, 'jpg'))), labels, rows);
    }
  }
  const gen = new InvoiceGenerator();
  for (let i = 0; i < Number(process.env['FIT_SHARP'] ?? 10); i++) {
    const p = await gen.generate(`fit:${i}`);
    await linesOf('sharp', Buffer.from(p.base64Image, 'base64'), p.labels, rows);
  }
  const renderers = [...new Set(rows.map((r) => r.renderer))];
  for (const held of renderers) {
    const m = fitModel(rows.filter((r) => r.renderer !== held));
    const heldRows = rows.filter((r) => r.renderer === held);
    process.stdout.write(`held out ${held}: Helvetica ${accuracy(m, heldRows, 0)} Times-Roman ${accuracy(m, heldRows, 1)} (${heldRows.length} lines)\n`);
  }
  const m = fitModel(rows);
  const r5 = (v: number[]) => v.map((x) => Number(x.toFixed(5)));
  process.stdout.write(`${JSON.stringify({ mean: r5(m.mean), std: r5(m.std), weight: r5(m.weight), bias: Number(m.bias.toFixed(4)) })}\n`);
}

await main();
