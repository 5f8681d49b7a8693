import ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import type { InferenceConfig } from '../config/index.js';
import type { DeviceSet } from './deviceSet.js';
import type { DeviceSpec } from './deviceSpec.js';
import { OCR_MODELS, type OcrRunners } from './ocr/ocrModels.js';

type OcrConfig = InferenceConfig['ocr'];
type ModelConfig = InferenceConfig['models'][string];

async function timed(log: Logger, device: string, model: string, shape: number[], fn: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  await fn();
  log.info({ model, device, shape, ms: Math.round(performance.now() - t0) }, 'warm-up run');
}

const zeros = (h: number, w: number) => ({ data: new Float32Array(3 * h * w), height: h, width: w });

/**
 * Runs every detection shape and recognition width bucket once on one device (on a GPU also
 * at the largest batch that fits), so no request pays for cuDNN's algorithm choice.
 */
export async function warmUpOcr(r: OcrRunners, cfg: OcrConfig, spec: DeviceSpec, log: Logger): Promise<void> {
  for (const [h, w] of cfg.detWarmupShapes) {
    await timed(log, spec.label, OCR_MODELS.det, [3, h, w], () => r.det([zeros(h, w)], [h, w]));
  }
  const h = cfg.recHeight;
  const batchSizes = spec.kind === 'cuda' ? [1, cfg.recBatch.maxItems] : [1];
  for (const w of cfg.recWidthBuckets) {
    for (const n of batchSizes) {
      const fit = Math.max(1, Math.min(n, Math.floor(cfg.recBatch.maxCost / (h * w))));
      const lines = Array.from({ length: fit }, () => zeros(h, w));
      await timed(log, spec.label, OCR_MODELS.rec, [fit, 3, h, w], () => r.rec(lines, [h, w]));
      if (cfg.useAngleClassifier && w === cfg.recWidthBuckets[0])
        await r.cls(
          lines.map(() => zeros(h, 192)),
          [h, 192],
        );
    }
  }
}

/** Runs each declared shape bucket of an operator model once on one device. */
export async function warmUpModel(devices: DeviceSet, index: number, name: string, model: ModelConfig, log: Logger): Promise<void> {
  const label = devices.specs()[index]!.label;
  for (const shape of model.shapeBuckets) {
    const size = shape.reduce((a, b) => a * b, 1);
    await timed(log, label, name, shape, () =>
      devices.runOn(index, name, size, 1, (s) => {
        const feeds = Object.fromEntries(s.inputNames.map((n) => [n, new ort.Tensor('float32', new Float32Array(size), [1, ...shape])]));
        return s.run(feeds);
      }),
    );
  }
}
