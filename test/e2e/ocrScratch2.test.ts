import { test } from 'vitest';
import sharp from 'sharp';
import { Registry } from 'prom-client';
import { InferenceEngine } from '../../src/inference/index.js';
import { inferenceSchema } from '../../src/config/sections/inference.js';
import { silentLogger, systemClock } from '../../src/util/index.js';
const CLEAN_LINES = ['Invoice Date: March 14, 2021', 'Web development', 'Total: $1,250.00', 'Payment due within 30 days'];
test('fam', async () => {
  const engine = new InferenceEngine(inferenceSchema.parse({ ocr: { detWarmupShapes: [] } }), { logger: silentLogger(), registry: new Registry(), clock: systemClock(), signal: new AbortController().signal });
  await engine.start();
  const ocr = engine.ocrSynapse();
  const texts = CLEAN_LINES.map((t, i) => `<text x="20" y="${40 + i * 40}" font-family="Liberation Serif" font-size="20">${t}</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="190"><rect width="100%" height="100%" fill="#fff"/>${texts}</svg>`;
  const b64 = (await sharp(Buffer.from(svg)).flatten({ background: '#fff' }).png().toBuffer()).toString('base64');
  const out = await ocr.handle(ocr.parseInput({ base64_image: b64 }), { requestId: 'r', callerHotkey: 'v', priority: 0, deadlineMs: Date.now() + 120_000, signal: new AbortController().signal });
  console.log(JSON.stringify(out.response));
  const { decodeRgb, parseImageField } = await import('../../src/inference/ocr/imageDecode.js');
  const { findInk, guessFonts } = await import('../../src/inference/ocr/fontEstimate.js');
  const lim = { maxImageBytes: 1e8, maxImagePixels: 1e8 };
  const img = await decodeRgb(parseImageField(b64, lim), lim);
  const p = (engine as any).ocr.pipeline;
  const boxes = await p.detect(img, {});
  for (const b of boxes) { const ink = findInk(img, b.rect)!; console.log(JSON.stringify(b.rect), ink.left, ink.top, ink.right, ink.bottom, guessFonts(ink, 'Web development').map((g) => g.font.family + ' ' + g.widthError.toFixed(3)).join(',')); }
  await engine.stop();
});
