import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import ort from 'onnxruntime-node';

/** What the engine needs of a session, whether it lives on this thread or in a worker. */
export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, ort.Tensor>, fetches?: readonly string[]): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

/**
 * onnxruntime-node runs a model synchronously on the calling thread, which would freeze the
 * event loop (sockets, decoding, pre/post-processing) for the whole run. Each session therefore
 * lives in its own worker thread; tensors move across by transfer, not copy.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
ort.env.logLevel = 'fatal';
let session;
parentPort.on('message', async (m) => {
  try {
    if (m.type === 'create') {
      session = await ort.InferenceSession.create(m.model, m.options);
      parentPort.postMessage({ id: m.id, ok: true, inputNames: session.inputNames, outputNames: session.outputNames });
    } else if (m.type === 'run') {
      const feeds = {};
      for (const [k, t] of Object.entries(m.feeds)) feeds[k] = new ort.Tensor(t.type, t.data, t.dims);
      const out = m.fetches ? await session.run(feeds, m.fetches) : await session.run(feeds);
      const outputs = {};
      const transfer = [];
      for (const [k, t] of Object.entries(out)) {
        const data = t.data.slice();
        outputs[k] = { type: t.type, data, dims: t.dims };
        transfer.push(data.buffer);
      }
      parentPort.postMessage({ id: m.id, ok: true, outputs }, transfer);
    } else if (m.type === 'release') {
      if (session) await session.release();
      session = undefined;
      parentPort.postMessage({ id: m.id, ok: true });
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: String((e && e.message) || e) });
  }
});`;

interface Reply {
  id: number;
  ok: boolean;
  error?: string;
  inputNames?: string[];
  outputNames?: string[];
  outputs?: Record<string, { type: ort.Tensor.Type; data: ort.Tensor.DataType; dims: number[] }>;
}

export class WorkerSession implements ModelSession {
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  /** Set once the worker is gone: later calls fail at once instead of waiting for a reply that never comes. */
  private dead: Error | undefined;
  inputNames: readonly string[] = [];
  outputNames: readonly string[] = [];

  private constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) worker.unref();
      if (r.ok) p.resolve(r);
      else p.reject(new Error(r.error ?? 'session worker failed'));
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => this.failAll(this.dead ?? new Error(`session worker exited with code ${code}`)));
  }

  static async create(model: string | Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<WorkerSession> {
    const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
    const s = new WorkerSession(new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath } }));
    try {
      const r = await s.call({ type: 'create', model, options });
      s.inputNames = r.inputNames ?? [];
      s.outputNames = r.outputNames ?? [];
      return s;
    } catch (err) {
      await s.worker.terminate();
      throw err;
    }
  }

  async run(feeds: Record<string, ort.Tensor>, fetches?: readonly string[]): Promise<Record<string, ort.Tensor>> {
    const plain: Record<string, { type: string; data: unknown; dims: readonly number[] }> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [k, t] of Object.entries(feeds)) {
      plain[k] = { type: t.type, data: t.data, dims: t.dims };
      const buf = (t.data as { buffer?: unknown }).buffer;
      if (buf instanceof ArrayBuffer && !transfer.includes(buf)) transfer.push(buf);
    }
    const r = await this.call({ type: 'run', feeds: plain, fetches: fetches ? [...fetches] : undefined }, transfer);
    const out: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(r.outputs ?? {})) out[k] = new ort.Tensor(t.type, t.data, t.dims);
    return out;
  }

  async release(): Promise<void> {
    try {
      await this.call({ type: 'release' });
    } finally {
      await this.worker.terminate();
    }
  }

  private call(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      if (this.dead) return reject(this.dead);
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  private failAll(err: Error): void {
    this.dead ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** A session on the calling thread (inference.runInWorker: false). */
export async function createLocalSession(model: string | Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ModelSession> {
  const s = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  return {
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    run: async (feeds, fetches) => (fetches ? s.run(feeds, [...fetches]) : s.run(feeds)) as Promise<Record<string, ort.Tensor>>,
    release: () => s.release(),
  };
}
