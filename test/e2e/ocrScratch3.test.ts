import { test } from 'vitest';
import { Registry } from 'prom-client';
import { InferenceEngine } from '../../src/inference/index.js';
import { inferenceSchema } from '../../src/config/sections/inference.js';
import { silentLogger, systemClock } from '../../src/util/index.js';
import { decodeRgb, parseImageField } from '../../src/inference/ocr/imageDecode.js';
import { detPreprocess, dbPostprocess } from '../../src/inference/ocr/detection.js';
import { cropLine, widthBucket } from '../../src/inference/ocr/lineCrop.js';
import { findInk, guessFonts } from '../../src/inference/ocr/fontEstimate.js';
import { invoicePage } from '../fixtures/ocr/invoicePage.js';

test('scratch3', async () => {
  const cfg = inferenceSchema.parse({});
  const engine = new InferenceEngine(cfg, { logger: silentLogger(), registry: new Registry(), clock: systemClock(), signal: new AbortController().signal });
  await engine.start();
  const page = await invoicePage(1);
  const T = (l: string, t0: number) => console.log(l, Math.round(performance.now() - t0));
  for (let rep = 0; rep < 2; rep++) {
  let t = performance.now();
  const img = await decodeRgb(parseImageField(page.base64, cfg.ocr), cfg.ocr); T('decode', t); t = performance.now();
  const det = await detPreprocess(img, cfg.ocr.detMaxSidePx); T('detpre', t); t = performance.now();
  const prob = await (engine as any).ocr.runners.det([det], [det.height, det.width]); T('detrun', t); t = performance.now();
  const boxes = dbPostprocess(prob[0], det.width, det.height, img.width, img.height, { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, maxCandidates: 1000 }); T('dbpost', t); t = performance.now();
  const crops = boxes.map((b) => cropLine(img, b.rect, 48, 1280)); T('crop ' + crops.length, t); t = performance.now();
  console.log(crops.map((c) => c.width).join(','));
  const byB = new Map<number, any[]>();
  for (const c of crops) { const b = widthBucket(c.width, cfg.ocr.recWidthBuckets); byB.set(b, [...(byB.get(b) ?? []), c]); }
  for (const [b, cs] of byB) { const t1 = performance.now(); await (engine as any).ocr.runners.rec(cs, [48, b]); T(`rec ${cs.length}x${b}`, t1); }
  T('rec all', t); t = performance.now();
  for (const b of boxes) { const ink = findInk(img, b.rect); if (ink) guessFonts(ink, 'Hello world'); } T('ink', t);
  }
  await engine.stop();
});
