import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { InferenceConfig } from '../config/index.js';
import { MinerError, type CoreModules, type Service } from '../util/index.js';
import type { InferenceMetrics } from '../metrics/index.js';
import { defaultSessionFactory, resolveDevices, sessionOptionsFor } from './devicePlan.js';
import { DeviceSet, type DeviceStatus } from './deviceSet.js';
import { CPU_SOLO, cpuThreadsPerDevice, deviceRequest, type DeviceKind, type DeviceSpec } from './deviceSpec.js';
import { DynamicBatcher, type BatcherOpts } from './dynamicBatcher.js';
import { OCR_MODELS, ocrFiles, ocrModelId, prepareOcr, recCpuPrecision, type OcrExec, type OcrPrepared } from './ocr/ocrModels.js';
import { OcrPipeline } from './ocr/ocrPipeline.js';
import { cpuWidthBuckets } from './ocr/lineCrop.js';
import type { ImageLimits } from './ocr/imageDecode.js';
import type { Device, ModelSource, SessionFactory } from './sessionPool.js';
import { splitOutputs, stackItems, type ItemTensors } from './tensorBatch.js';
import { warmUpModel, warmUpOcr } from './warmUp.js';

type BatchCfg = InferenceConfig['batch'];
type AnyBatcher = DynamicBatcher<unknown, unknown>;

/** What a started engine provides for OCR; undefined until start() finished (and after stop()). */
export interface OcrBackend {
  pipeline: OcrPipeline;
  modelId: string;
}

export interface OcrService {
  backend: () => OcrBackend | undefined;
  limits: ImageLimits;
  /** Counts a run (the engine's run counts, for tests and dedup checks). */
  onRun: () => void;
}

export interface InferenceModules extends CoreModules {
  /** The inference part of the miner's metrics (batchers and devices); null runs without. */
  metrics: InferenceMetrics | null;
  /** Creates sessions; tests pass one that wraps the real factory to make a device fail. */
  createSession?: SessionFactory;
}

/**
 * Owns the devices (one session set each) and one dynamic batcher per model. start() resolves
 * the devices, loads every declared model on each and warms up every shape bucket on each;
 * stop() drains the batchers and releases the sessions.
 */
export class InferenceEngine implements Service {
  readonly name = 'inference';
  private readonly log: Logger;
  private readonly batchers = new Map<string, AnyBatcher>();
  private readonly runs = new Map<string, number>();
  private readonly sources = new Map<string, ModelSource>();
  private readonly bytes = new Map<string, Promise<string | Uint8Array>>();
  private devices: DeviceSet | undefined;
  private ocr: OcrBackend | undefined;
  private started = false;
  private warming = false;

  constructor(
    private readonly opts: InferenceConfig,
    private readonly modules: InferenceModules,
  ) {
    this.log = modules.logger;
  }

  async start(): Promise<void> {
    if (this.started) return;
    const t0 = performance.now();
    const devices = await this.openDevices();
    const ocr = this.opts.ocr.enabled ? await this.prepareOcr() : undefined;
    const names: string[] = ocr ? [OCR_MODELS.det, OCR_MODELS.rec, ...(this.opts.ocr.useAngleClassifier ? [OCR_MODELS.cls] : [])] : [];
    for (const [name, model] of Object.entries(this.opts.models)) {
      this.sources.set(name, { name, load: async () => model.path });
      this.addBatcher(name, model.batch ?? this.opts.batch, (inputs, _shape) => this.runGeneric(name, inputs as ItemTensors[]));
      names.push(name);
    }
    await devices.load(names);
    const pipeline = ocr ? this.startOcr(ocr.prepared) : undefined;
    await this.warmUp(ocr?.prepared);
    if (pipeline && ocr) this.ocr = { pipeline, modelId: ocr.modelId };
    this.started = true;
    this.log.info(
      { devices: devices.specs().map((d) => d.label), models: this.modelsLoaded(), ms: Math.round(performance.now() - t0) },
      'inference engine ready',
    );
  }

  async stop(): Promise<void> {
    if (!this.started && this.batchers.size === 0 && !this.devices) return;
    await Promise.all([...this.batchers.values()].map((b) => b.stop()));
    this.batchers.clear();
    await this.devices?.close();
    this.devices = undefined;
    this.sources.clear();
    this.bytes.clear();
    this.ocr = undefined;
    this.started = false;
  }

  /** 'cuda' when a GPU is in rotation, 'cpu' when only CPU devices are, 'none' before start or when every device failed. */
  device(): Device | 'none' {
    const up = this.devices?.status().filter((d) => d.state === 'up') ?? [];
    if (up.length === 0) return 'none';
    return up.some((d) => d.device.startsWith('cuda')) ? 'cuda' : 'cpu';
  }

  /** Per device: state, batches and items run, batches queued (for /health). */
  deviceStatus(): DeviceStatus[] {
    return this.devices?.status() ?? [];
  }

  modelsLoaded(): string[] {
    return this.devices?.loaded() ?? [];
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

  /** What the OCRSynapse handler (src/synapses) needs; the backend is undefined until start() finished. */
  ocrService(): OcrService {
    if (!this.opts.ocr.enabled) throw new MinerError('CONFIG_INVALID', 'inference.ocr.enabled is false');
    return { backend: () => this.ocr, limits: this.opts.ocr, onRun: () => this.count('ocr') };
  }

  private count(model: string): void {
    if (!this.warming) this.runs.set(model, (this.runs.get(model) ?? 0) + 1);
  }

  private addBatcher(name: string, cfg: BatchCfg, run: (inputs: unknown[], shape: readonly number[]) => Promise<unknown[]>, exactShape = false): AnyBatcher {
    // Batches in flight per model scale with the devices, so every device can hold one.
    const opts: BatcherOpts = { name, ...cfg, concurrency: cfg.concurrency * (this.devices?.size ?? 1), exactShape };
    const metrics = this.modules.metrics?.batcher ?? null;
    const b = new DynamicBatcher(opts, run, { logger: this.modules.logger, clock: this.modules.clock, metrics });
    this.batchers.set(name, b);
    return b;
  }

  private async openDevices(): Promise<DeviceSet> {
    const o = this.opts;
    const createSession = this.modules.createSession ?? defaultSessionFactory(o.runInWorker);
    const cores = availableParallelism();
    const specs = await resolveDevices(deviceRequest(o, cores), createSession, this.log);
    const cpus = specs.filter((d) => d.kind === 'cpu').length;
    const threads = cpuThreadsPerDevice(o.intraOpThreads, cores, cpus);
    const soloThreads = o.cpuSolo && cpus >= 2 && threads !== undefined ? threads * cpus : 0;
    const tuning = {
      intraOpThreads: o.intraOpThreads,
      interOpThreads: o.interOpThreads,
      allowSpinning: o.allowSpinning,
      cpuMemArena: o.cpuMemArena,
      cuda: o.cuda,
    };
    this.devices = new DeviceSet(
      {
        devices: specs,
        sessionOptions: specs.map((d) => sessionOptionsFor(d, tuning, threads)),
        soloSessionOptions: soloThreads > 0 ? sessionOptionsFor(CPU_SOLO, tuning, soloThreads) : undefined,
        maxSessions: o.maxSessions,
        maxConcurrentRuns: o.maxConcurrentRuns,
      },
      {
        logger: this.log,
        clock: this.modules.clock,
        metrics: this.modules.metrics?.device ?? null,
        createSession,
        modelBytes: (n, kind) => this.modelBytes(n, kind),
      },
    );
    const ocr = this.opts.ocr;
    const recOnCpu = ocr.enabled ? { ocrRecogniserOnCpu: recCpuPrecision(ocr) } : {};
    this.log.info(
      { devices: this.devices.specs().map((d) => d.label), cpuThreadsPerDevice: threads ?? 'default', cpuSoloThreads: soloThreads, ...recOnCpu },
      'inference devices',
    );
    return this.devices;
  }

  /** Each model's bytes are read (and the recogniser edited) once per variant, then shared by the devices using it. */
  private modelBytes(name: string, kind: DeviceKind): Promise<string | Uint8Array> {
    const source = this.sources.get(name);
    if (!source) return Promise.reject(new MinerError('MODEL_LOAD_FAILED', `no model named ${name} is declared`));
    const cpuOwn = kind === 'cpu' && source.cpuLoad !== undefined;
    const key = cpuOwn ? `${name}#cpu` : name;
    let p = this.bytes.get(key);
    if (!p) {
      p = cpuOwn ? source.cpuLoad!() : source.load();
      this.bytes.set(key, p);
    }
    return p;
  }

  private async prepareOcr(): Promise<{ prepared: OcrPrepared; modelId: string }> {
    const cfg = this.opts.ocr;
    const files = ocrFiles(cfg);
    const [modelId, prepared] = await Promise.all([ocrModelId(files, cfg), prepareOcr(cfg, files)]).catch((err: unknown) => {
      throw new MinerError('MODEL_LOAD_FAILED', `cannot read the OCR models: ${(err as Error).message}`, { cause: err });
    });
    for (const s of prepared.sources) this.sources.set(s.name, s);
    return { prepared, modelId };
  }

  /** Dispatches each batch to a device; a run is counted once however many devices it took. */
  private dispatch: OcrExec = (name, cost, items, call) => {
    this.count(name);
    return this.devices!.run(name, cost, items, call);
  };

  /** Batchers are sized once the devices are known: CPU runs small recognition batches faster per line. */
  private startOcr(prepared: OcrPrepared): OcrPipeline {
    const cfg = this.opts.ocr;
    const runners = prepared.runners(this.dispatch);
    const cpuOnly = this.devices!.specs().every((d) => d.kind === 'cpu');
    const recCfg = cpuOnly ? { ...cfg.recBatch, maxItems: Math.min(cfg.recBatch.maxItems, cfg.recCpuMaxItems) } : cfg.recBatch;
    const det = this.addBatcher(OCR_MODELS.det, { ...this.opts.batch, maxItems: Math.min(this.opts.batch.maxItems, 8) }, runners.det as never, true);
    const rec = this.addBatcher(OCR_MODELS.rec, recCfg, runners.rec as never);
    const cls = cfg.useAngleClassifier ? this.addBatcher(OCR_MODELS.cls, cfg.recBatch, runners.cls as never) : undefined;
    const recWidthBuckets = cpuOnly ? cpuWidthBuckets(cfg.recWidthBuckets, cfg.recCpuWidthStepPx) : cfg.recWidthBuckets;
    return new OcrPipeline({ ...cfg, recWidthBuckets }, { det, rec, cls } as never, () => this.modules.clock.now());
  }

  private async runGeneric(name: string, inputs: ItemTensors[]): Promise<ItemTensors[]> {
    const model = this.opts.models[name]!;
    this.count(name);
    let outNames: readonly string[] = model.outputNames;
    // Items are padded to the largest, so the batch costs that many elements per item.
    const cost = inputs.length * Math.max(0, ...inputs.map((it) => Object.values(it).reduce((n, t) => n + t.data.length, 0)));
    const out = await this.devices!.run(name, cost, inputs.length, (s) => {
      const inNames = model.inputNames.length > 0 ? model.inputNames : s.inputNames;
      if (outNames.length === 0) outNames = s.outputNames;
      return s.run(stackItems(inputs, inNames), outNames);
    });
    return splitOutputs(out, outNames, inputs.length);
  }

  /** Every shape bucket on every device, so the first real request on any of them does not pay for algorithm selection. */
  private async warmUp(ocr: OcrPrepared | undefined): Promise<void> {
    const devices = this.devices!;
    this.warming = true;
    try {
      for (const [i, spec] of devices.specs().entries()) {
        if (ocr) await warmUpOcr(ocr.runners(this.pinned(i)), this.opts.ocr, spec, this.log);
        for (const [name, model] of Object.entries(this.opts.models)) await warmUpModel(devices, i, name, model, this.log);
      }
    } finally {
      this.warming = false;
    }
  }

  private pinned(index: number): OcrExec {
    return (name, cost, items, call) => this.devices!.runOn(index, name, cost, items, call);
  }

  /** The devices in the order they were resolved (for tests and the bench). */
  deviceSpecs(): DeviceSpec[] {
    return this.devices?.specs() ?? [];
  }
}
