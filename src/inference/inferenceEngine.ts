import ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import type { InferenceConfig } from '../config/index.js';
import { MinerError, type CoreModules, type Service } from '../util/index.js';
import { createInferenceMetrics, type InferenceMetrics } from './batcherMetrics.js';
import { DynamicBatcher, type BatcherOpts } from './dynamicBatcher.js';
import { OCR_MODELS, ocrFiles, ocrModelId, prepareOcr, type OcrRunners } from './ocr/ocrModels.js';
import { OcrPipeline } from './ocr/ocrPipeline.js';
import { OcrSynapse } from './ocr/ocrSynapse.js';
import { SessionPool, type Device } from './sessionPool.js';
import { splitOutputs, stackItems, type ItemTensors } from './tensorBatch.js';

type BatchCfg = InferenceConfig['batch'];
type AnyBatcher = DynamicBatcher<unknown, unknown>;

interface OcrState {
  pipeline: OcrPipeline;
  modelId: string;
  runners: OcrRunners;
}

/**
 * Owns the onnxruntime sessions and one dynamic batcher per model. start() resolves the
 * device, loads every declared model and warms up every shape bucket; stop() drains the
 * batchers and releases the sessions.
 */
export class InferenceEngine implements Service {
  readonly name = 'inference';
  private readonly log: Logger;
  private readonly metrics: InferenceMetrics;
  private readonly pool: SessionPool;
  private readonly batchers = new Map<string, AnyBatcher>();
  private readonly runs = new Map<string, number>();
  private ocr: OcrState | undefined;
  private ocrHandler: OcrSynapse | undefined;
  private started = false;
  /** OCR is published to the synapse only after warm-up. */
  private pendingOcr: OcrState | undefined;
  private warming = false;

  constructor(private readonly opts: InferenceConfig, private readonly modules: CoreModules) {
    this.log = modules.logger.child({ module: 'inference' });
    this.metrics = createInferenceMetrics(modules.registry);
    this.pool = new SessionPool(opts, this.log);
  }

  async start(): Promise<void> {
    if (this.started) return;
    const t0 = performance.now();
    const runners = this.opts.ocr.enabled ? await this.prepareOcr() : undefined;
    const names: string[] = runners ? [OCR_MODELS.det, OCR_MODELS.rec, ...(this.opts.ocr.useAngleClassifier ? [OCR_MODELS.cls] : [])] : [];
    for (const [name, model] of Object.entries(this.opts.models)) {
      this.pool.register({ name, load: async () => model.path });
      this.addBatcher(name, model.batch ?? this.opts.batch, (inputs, _shape) => this.runGeneric(name, inputs as ItemTensors[]));
      names.push(name);
    }
    // Loading one at a time lets the first session decide the device and log a fallback once.
    for (const name of names) await this.pool.acquire(name);
    if (runners) await this.startOcr(runners.runners, runners.modelId);
    await this.warmUp();
    this.ocr = this.pendingOcr;
    this.started = true;
    this.log.info({ device: this.device(), models: this.modelsLoaded(), ms: Math.round(performance.now() - t0) }, 'inference engine ready');
  }

  async stop(): Promise<void> {
    if (!this.started && this.batchers.size === 0) return;
    await Promise.all([...this.batchers.values()].map((b) => b.stop()));
    this.batchers.clear();
    await this.pool.close();
    this.ocr = undefined;
    this.pendingOcr = undefined;
    this.started = false;
  }

  device(): Device | 'none' {
    return this.pool.device() ?? 'none';
  }

  modelsLoaded(): string[] {
    return this.pool.loaded();
  }

  /** Items waiting, for one model ('ocr' = pages waiting to enter the OCR pipeline) or all. */
  queueDepth(model?: string): number {
    const pages = this.ocr?.pipeline.queueDepth() ?? 0;
    if (model === 'ocr') return pages;
    if (model !== undefined) return this.batchers.get(model)?.queueDepth() ?? 0;
    let n = pages;
    for (const b of this.batchers.values()) n += b.queueDepth();
    return n;
  }

  /** Model runs (warm-up excluded) of 'ocr-det', 'ocr-rec', 'ocr-cls' or a configured model; 'ocr' counts OCRSynapse.handle() calls on a running engine. */
  runCount(model: string): number {
    return this.runs.get(model) ?? 0;
  }

  /**
   * The batcher of a model: for one declared in `inference.models` items are per-input tensors
   * without the batch dimension; 'ocr-rec' takes LineTensor items and returns decoded text.
   */
  batcher<I = ItemTensors, O = ItemTensors>(name: string): DynamicBatcher<I, O> {
    const b = this.batchers.get(name);
    if (!b) throw new MinerError('INTERNAL', `no batcher for model ${name}`);
    return b as unknown as DynamicBatcher<I, O>;
  }

  /** The OCRSynapse handler; may be taken before start() (it answers 503 until the engine runs). */
  ocrSynapse(): OcrSynapse {
    if (!this.opts.ocr.enabled) throw new MinerError('CONFIG_INVALID', 'inference.ocr.enabled is false');
    this.ocrHandler ??= new OcrSynapse(() => this.ocr, this.opts.ocr, () => this.count('ocr'));
    return this.ocrHandler;
  }

  private count(model: string): void {
    if (!this.warming) this.runs.set(model, (this.runs.get(model) ?? 0) + 1);
  }

  private addBatcher(name: string, cfg: BatchCfg, run: (inputs: unknown[], shape: readonly number[]) => Promise<unknown[]>, exactShape = false): AnyBatcher {
    const opts: BatcherOpts = { name, ...cfg, exactShape };
    const b = new DynamicBatcher(opts, run, { logger: this.modules.logger, clock: this.modules.clock, metrics: this.metrics });
    this.batchers.set(name, b);
    return b;
  }

  private async prepareOcr(): Promise<{ runners: OcrRunners; modelId: string }> {
    const cfg = this.opts.ocr;
    const files = ocrFiles(cfg);
    const [modelId, runners] = await Promise.all([
      ocrModelId(files, cfg),
      prepareOcr(cfg, files, this.pool, (m) => this.count(m)),
    ]).catch((err: unknown) => {
      throw new MinerError('MODEL_LOAD_FAILED', `cannot read the OCR models: ${(err as Error).message}`, { cause: err });
    });
    return { runners, modelId };
  }

  /** Batchers are sized once the device is known: CPU runs small recognition batches faster per line. */
  private async startOcr(runners: OcrRunners, modelId: string): Promise<void> {
    const cfg = this.opts.ocr;
    const recCfg = this.device() === 'cpu' ? { ...cfg.recBatch, maxItems: Math.min(cfg.recBatch.maxItems, cfg.recCpuMaxItems) } : cfg.recBatch;
    const det = this.addBatcher(OCR_MODELS.det, { ...this.opts.batch, maxItems: Math.min(this.opts.batch.maxItems, 8) }, runners.det as never, true);
    const rec = this.addBatcher(OCR_MODELS.rec, recCfg, runners.rec as never);
    const cls = cfg.useAngleClassifier ? this.addBatcher(OCR_MODELS.cls, cfg.recBatch, runners.cls as never) : undefined;
    const pipeline = new OcrPipeline(cfg, { det, rec, cls } as never, () => this.modules.clock.now());
    this.pendingOcr = { pipeline, modelId, runners };
  }

  private async runGeneric(name: string, inputs: ItemTensors[]): Promise<ItemTensors[]> {
    const model = this.opts.models[name]!;
    this.count(name);
    return this.pool.withSession(name, async (s) => {
      const inNames = model.inputNames.length > 0 ? model.inputNames : s.inputNames;
      const outNames = model.outputNames.length > 0 ? model.outputNames : s.outputNames;
      const out = await s.run(stackItems(inputs, inNames), outNames);
      return splitOutputs(out, outNames, inputs.length);
    });
  }

  /** Runs every shape bucket once so the first real request does not pay for algorithm selection. */
  private async warmUp(): Promise<void> {
    this.warming = true;
    try {
      if (this.pendingOcr) await this.warmUpOcr(this.pendingOcr.runners);
      for (const [name, model] of Object.entries(this.opts.models)) {
        for (const shape of model.shapeBuckets) {
          const t0 = performance.now();
          await this.pool.withSession(name, (s) => {
            const feeds = Object.fromEntries(s.inputNames.map((n) => [n, new ort.Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b, 1)), [1, ...shape])]));
            return s.run(feeds);
          });
          this.log.info({ model: name, shape, ms: Math.round(performance.now() - t0) }, 'warm-up run');
        }
      }
    } finally {
      this.warming = false;
    }
  }

  private async warmUpOcr(r: OcrRunners): Promise<void> {
    const cfg = this.opts.ocr;
    const timed = async (model: string, shape: number[], fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      this.log.info({ model, shape, ms: Math.round(performance.now() - t0) }, 'warm-up run');
    };
    for (const [h, w] of cfg.detWarmupShapes) {
      await timed(OCR_MODELS.det, [3, h, w], () => r.det([{ data: new Float32Array(3 * h * w), height: h, width: w }], [h, w]));
    }
    const h = cfg.recHeight;
    const batchSizes = this.device() === 'cuda' ? [1, cfg.recBatch.maxItems] : [1];
    for (const w of cfg.recWidthBuckets) {
      for (const n of batchSizes) {
        const fit = Math.max(1, Math.min(n, Math.floor(cfg.recBatch.maxCost / (h * w))));
        const lines = Array.from({ length: fit }, () => ({ data: new Float32Array(3 * h * w), height: h, width: w }));
        await timed(OCR_MODELS.rec, [fit, 3, h, w], () => r.rec(lines, [h, w]));
        if (cfg.useAngleClassifier && w === cfg.recWidthBuckets[0]) await r.cls(lines.map(() => ({ data: new Float32Array(3 * h * 192), height: h, width: 192 })), [h, 192]);
      }
    }
  }
}
