import { test } from 'vitest';
import { Registry } from 'prom-client';
import sharp from 'sharp';
import { InferenceEngine } from '../../src/inference/index.js';
import { inferenceSchema } from '../../src/config/sections/inference.js';
import { silentLogger, systemClock } from '../../src/util/index.js';
import { decodeRgb, parseImageField } from '../../src/inference/ocr/imageDecode.js';
import { detPreprocess, dbPostprocess } from '../../src/inference/ocr/detection.js';
import { cropLine } from '../../src/inference/ocr/lineCrop.js';
import { invoicePage } from '../fixtures/ocr/invoicePage.js';

test('scratch2', async () => {
  const cfg = inferenceSchema.parse({});
  const engine = new InferenceEngine(cfg, { logger: silentLogger(), registry: new Registry(), clock: systemClock(), signal: new AbortController().signal });
  await engine.start();
  const page = await invoicePage(1);
  const img = await decodeRgb(parseImageField(page.base64, cfg.ocr), cfg.ocr);
  const det = await detPreprocess(img, cfg.ocr.detMaxSidePx);
  const prob = await (engine as any).ocr.runners.det([det], [det.height, det.width]);
  const boxes = dbPostprocess(prob[0], det.width, det.height, img.width, img.height, { threshold: 0.3, boxThreshold: 0.0, unclipRatio: 1.5, maxCandidates: 1000 });
  const sel = boxes.filter((b) => b.rect.cy > 80 && b.rect.cy < 120);
  for (const b of sel) {
    const t = cropLine(img, b.rect, 48, 1280);
    const [d] = await (engine as any).ocr.runners.rec([t], [48, 1280]);
    console.log(JSON.stringify(b), JSON.stringify(d));
  }
  // save prob map
  const u8 = Buffer.from(Uint8Array.from(prob[0], (v: number) => v * 255));
  await sharp(u8, { raw: { width: det.width, height: det.height, channels: 1 } }).png().toFile('/tmp/inf/prob.png');
  await engine.stop();
});
