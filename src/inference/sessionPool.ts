import type ort from 'onnxruntime-node';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { MinerError } from '../util/index.js';
import type { DeviceKind, DeviceSpec } from './deviceSpec.js';
import type { ModelSession } from './workerSession.js';

export type Device = 'cuda' | 'cpu';
export type DeviceChoice = 'auto' | 'cuda' | 'cpu';

/** Creates one session on one device; the default runs it in a worker thread (see workerSession.ts). */
export type SessionFactory = (model: string | Uint8Array, options: ort.InferenceSession.SessionOptions, device: DeviceSpec) => Promise<ModelSession>;

/** Where a model's bytes come from: a file, or an edited graph made at load time. */
export interface ModelSource {
  name: string;
  load(): Promise<string | Uint8Array>;
  /** The model for CPU devices, where it differs (the int8 recogniser: GPUs keep load()'s). */
  cpuLoad?: () => Promise<string | Uint8Array>;
}

export interface SessionPoolOpts {
  device: DeviceSpec;
  /** Session options with the device's execution providers. */
  sessionOptions: ort.InferenceSession.SessionOptions;
  maxSessions: number;
  /** Model runs at once on this device, across its models. */
  runLimit: number;
}

export interface SessionPoolModules {
  logger: Logger;
  createSession: SessionFactory;
  /** The model's bytes for a device kind, loaded once for every device of that kind. */
  modelBytes: (name: string, kind: DeviceKind) => Promise<string | Uint8Array>;
}

interface Entry {
  session: ModelSession;
  users: number;
  evicted: boolean;
}

/**
 * The sessions of one device: at most `maxSessions` of them (an evicted session is released
 * once its last run finishes and reloaded on demand), and at most `runLimit` runs at once.
 */
export class SessionPool {
  private readonly loading = new Map<string, Promise<Entry>>();
  private readonly cache: LRUCache<string, Entry>;
  private readonly log: Logger;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly opts: SessionPoolOpts,
    private readonly modules: SessionPoolModules,
  ) {
    this.log = modules.logger;
    this.cache = new LRUCache<string, Entry>({
      max: opts.maxSessions,
      dispose: (entry, name) => {
        entry.evicted = true;
        if (entry.users === 0) void this.release(name, entry);
      },
    });
  }

  get device(): DeviceSpec {
    return this.opts.device;
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

  /** FIFO gate: on CPU two models running at once only fight over the same cores. */
  private async slot(): Promise<void> {
    while (this.running >= this.opts.runLimit) await new Promise<void>((r) => this.waiting.push(r));
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
      this.log.warn({ model: name, device: this.opts.device.label, err }, 'session release failed');
    }
  }

  private async load(name: string): Promise<Entry> {
    const bytes = await this.modules.modelBytes(name, this.opts.device.kind);
    const t0 = performance.now();
    let session: ModelSession;
    try {
      session = await this.modules.createSession(bytes, this.opts.sessionOptions, this.opts.device);
    } catch (err) {
      if (err instanceof MinerError) throw err;
      throw new MinerError('MODEL_LOAD_FAILED', `cannot load model ${name} on ${this.opts.device.label}: ${(err as Error).message}`, { cause: err });
    }
    this.log.info({ model: name, device: this.opts.device.label, ms: Math.round(performance.now() - t0) }, 'model loaded');
    const entry: Entry = { session, users: 0, evicted: false };
    this.cache.set(name, entry);
    return entry;
  }
}
