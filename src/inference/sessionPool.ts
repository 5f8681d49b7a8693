import ort from 'onnxruntime-node';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { MinerError } from '../util/index.js';
import { WorkerSession, createLocalSession, type ModelSession } from './workerSession.js';

export type DeviceChoice = 'auto' | 'cuda' | 'cpu';
export type Device = 'cuda' | 'cpu';

export interface SessionPoolOpts {
  device: DeviceChoice;
  cudaDeviceId: number;
  intraOpThreads: number;
  interOpThreads: number;
  maxSessions: number;
  allowSpinning: boolean;
  /** Model runs at once across all models; 0 = one on CPU (runs share the cores), unbounded on CUDA. */
  maxConcurrentRuns: number;
  /** Each session in its own worker thread, so a run does not block the event loop. */
  runInWorker: boolean;
}

/** Where a model's bytes come from: a file, or an edited graph made at load time. */
export interface ModelSource {
  name: string;
  load(): Promise<string | Uint8Array>;
}

interface Entry {
  session: ModelSession;
  users: number;
  evicted: boolean;
}

/**
 * Creates onnxruntime sessions on the resolved device and keeps at most `maxSessions` of
 * them; an evicted session is released once its last run finishes and reloaded on demand.
 */
export class SessionPool {
  private resolved: Device | undefined;
  private readonly sources = new Map<string, ModelSource>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private readonly cache: LRUCache<string, Entry>;
  private readonly log: Logger;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly opts: SessionPoolOpts, logger: Logger) {
    this.log = logger;
    this.cache = new LRUCache<string, Entry>({
      max: opts.maxSessions,
      dispose: (entry, name) => {
        entry.evicted = true;
        if (entry.users === 0) void this.release(name, entry);
      },
    });
  }

  device(): Device | undefined {
    return this.resolved;
  }

  register(source: ModelSource): void {
    this.sources.set(source.name, source);
  }

  loaded(): string[] {
    return [...this.cache.keys()].sort();
  }

  /** Runs `fn` with the model's session, loading it first if needed, within the device's run limit. */
  async withSession<T>(name: string, fn: (s: ModelSession) => Promise<T>): Promise<T> {
    const entry = await this.acquire(name);
    entry.users++;
    await this.slot();
    try {
      return await fn(entry.session);
    } finally {
      this.running--;
      this.waiting.shift()?.();
      entry.users--;
      if (entry.evicted && entry.users === 0) void this.release(name, entry);
    }
  }

  private runLimit(): number {
    if (this.opts.maxConcurrentRuns > 0) return this.opts.maxConcurrentRuns;
    return this.resolved === 'cuda' ? Infinity : 1;
  }

  /** FIFO gate: on CPU two models running at once only fight over the same cores. */
  private async slot(): Promise<void> {
    while (this.running >= this.runLimit()) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
  }

  async acquire(name: string): Promise<Entry> {
    const hit = this.cache.get(name);
    if (hit) return hit;
    let p = this.loading.get(name);
    if (!p) {
      p = this.load(name).finally(() => this.loading.delete(name));
      this.loading.set(name, p);
    }
    return p;
  }

  async close(): Promise<void> {
    await Promise.all([...this.loading.values()].map((p) => p.catch(() => undefined)));
    this.cache.clear();
  }

  private async release(name: string, entry: Entry): Promise<void> {
    try {
      await entry.session.release();
    } catch (err) {
      this.log.warn({ model: name, err }, 'session release failed');
    }
  }

  private async load(name: string): Promise<Entry> {
    const source = this.sources.get(name);
    if (!source) throw new MinerError('MODEL_LOAD_FAILED', `no model named ${name} is declared`);
    const bytes = await source.load();
    const t0 = performance.now();
    const session = await this.create(name, bytes);
    this.log.info({ model: name, device: this.resolved, ms: Math.round(performance.now() - t0) }, 'model loaded');
    const entry: Entry = { session, users: 0, evicted: false };
    this.cache.set(name, entry);
    return entry;
  }

  private baseOptions(): ort.InferenceSession.SessionOptions {
    const o: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', logSeverityLevel: 3 };
    // Spinning threads burn a shared CPU while waiting; the latency they save is small next to a run.
    if (!this.opts.allowSpinning) o.extra = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
    if (this.opts.intraOpThreads > 0) o.intraOpNumThreads = this.opts.intraOpThreads;
    if (this.opts.interOpThreads > 0) o.interOpNumThreads = this.opts.interOpThreads;
    return o;
  }

  private async create(name: string, bytes: string | Uint8Array): Promise<ModelSession> {
    const make = (providers: ort.InferenceSession.ExecutionProviderConfig[]) => {
      const o = { ...this.baseOptions(), executionProviders: providers };
      return this.opts.runInWorker ? WorkerSession.create(bytes, o) : createLocalSession(bytes, o);
    };
    // onnxruntime's process-wide logger would print its own copy of a CUDA load failure on
    // stderr; the fallback is logged once, here, through pino instead.
    ort.env.logLevel = 'fatal';
    const cpu: ort.InferenceSession.ExecutionProviderConfig[] = ['cpu'];
    const cuda: ort.InferenceSession.ExecutionProviderConfig[] = [{ name: 'cuda', deviceId: this.opts.cudaDeviceId }, 'cpu'];
    try {
      if (this.resolved === 'cpu' || this.opts.device === 'cpu') {
        this.resolved = 'cpu';
        return await make(cpu);
      }
      if (this.resolved === 'cuda') return await make(cuda);
      return await this.probeCuda(name, () => make(cuda), () => make(cpu));
    } catch (err) {
      if (err instanceof MinerError) throw err;
      throw new MinerError('MODEL_LOAD_FAILED', `cannot load model ${name}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The first session decides the device; onnxruntime throws instead of falling back itself. */
  private async probeCuda(
    name: string, cuda: () => Promise<ModelSession>, cpu: () => Promise<ModelSession>,
  ): Promise<ModelSession> {
    try {
      const s = await cuda();
      this.resolved = 'cuda';
      return s;
    } catch (err) {
      const reason = (err as Error).message;
      if (this.opts.device === 'cuda') {
        throw new MinerError('MODEL_LOAD_FAILED',
          `inference.device is "cuda" but the CUDA execution provider cannot load (${reason}); ` +
          'run `npm run gpu:install` on a host with an NVIDIA GPU, or set inference.device to "auto" or "cpu"',
          { cause: err });
      }
      this.log.warn({ model: name, reason }, 'CUDA execution provider unavailable, falling back to CPU');
      this.resolved = 'cpu';
      return cpu();
    }
  }
}
