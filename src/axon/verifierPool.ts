import { Worker } from 'node:worker_threads';
import type { Logger } from '../util/index.js';
import { SCHNORRKEL_MODULE_PATH, verifyAnyKey, verifyTrustedKey } from './sr25519.js';

export interface SignatureVerifier {
  verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean>;
  close(): Promise<void>;
}

/** Verifies on the calling thread; only for keys vetted by SafeVerifier. */
export class InlineVerifier implements SignatureVerifier {
  verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
    return Promise.resolve(verifyTrustedKey(pub, msg, sig));
  }
  async close(): Promise<void> {}
}

/**
 * Front of every verifier: a key seen for the first time is checked with the panic-free
 * (slower) wasm-crypto verify, and only keys that have produced a valid signature go to
 * the fast schnorrkel path (inline or on workers). Malformed signatures never reach it.
 */
export class SafeVerifier implements SignatureVerifier {
  private readonly trusted = new Set<string>();

  constructor(private readonly fast: SignatureVerifier, private readonly maxKeys = 10_000) {}

  verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
    const key = Buffer.from(pub.buffer, pub.byteOffset, pub.byteLength).toString('hex');
    if (this.trusted.has(key)) return this.fast.verify(pub, msg, sig);
    const ok = verifyAnyKey(pub, msg, sig);
    if (ok) {
      if (this.trusted.size >= this.maxKeys) this.trusted.clear();
      this.trusted.add(key);
    }
    return Promise.resolve(ok);
  }

  close(): Promise<void> {
    return this.fast.close();
  }
}

// Plain CommonJS so the same worker runs from the TypeScript sources (tests) and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { sr25519_verify } = require(workerData.modulePath);
const P = Buffer.from('<Bytes>'), S = Buffer.from('</Bytes>');
const L = 27742317777372353535851937790883648493n;
function formatOk(sig) {
  if (sig.length !== 64 || (sig[63] & 0x80) === 0) return false;
  const b = sig[63] & 0x7f;
  if ((b & 0xf0) === 0) return true;
  if (b !== 0x10) return false;
  let r = 0n;
  for (let i = 62; i >= 32; i--) r = (r << 8n) | BigInt(sig[i]);
  return r < L;
}
function check(pub, msg, sig) {
  if (pub.length !== 32 || !formatOk(sig)) return false;
  try { return sr25519_verify(pub, msg, sig) || sr25519_verify(pub, Buffer.concat([P, msg, S]), sig); }
  catch { return false; }
}
parentPort.on('message', (batch) => {
  const oks = new Uint8Array(batch.ids.length);
  for (let i = 0; i < batch.ids.length; i++) oks[i] = check(batch.pubs[i], batch.msgs[i], batch.sigs[i]) ? 1 : 0;
  parentPort.postMessage({ ids: batch.ids, oks });
});
`;

interface Pending {
  resolve: (ok: boolean) => void;
  /** Result, once the worker gave it; held until every earlier job is resolved. */
  ok?: boolean;
}

interface Batch {
  ids: number[];
  pubs: Uint8Array[];
  msgs: Uint8Array[];
  sigs: Uint8Array[];
}

interface Slot {
  worker: Worker;
  outstanding: number;
}

const MAX_BATCH = 64;

/**
 * Verification on worker threads, batched per event-loop turn so one postMessage carries
 * many signatures. Results resolve in submission order, so nonce commits happen in the
 * order requests arrived (several workers would otherwise reorder them and refuse good
 * nonces as stale). A worker that dies fails its jobs (as "not verified") and is replaced.
 */
export class WorkerVerifierPool implements SignatureVerifier {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending & { slot: Slot }>();
  private batch: Batch | null = null;
  private nextId = 1;
  private closed = false;

  constructor(private readonly size: number, private readonly logger: Logger) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { modulePath: SCHNORRKEL_MODULE_PATH } });
    const slot: Slot = { worker, outstanding: 0 };
    worker.unref();
    worker.on('message', (m: { ids: number[]; oks: Uint8Array }) => this.onResults(slot, m));
    worker.on('error', (err) => this.logger.error({ err }, 'verify worker failed'));
    worker.on('exit', () => this.onExit(slot));
    return slot;
  }

  private onResults(slot: Slot, m: { ids: number[]; oks: Uint8Array }): void {
    for (let i = 0; i < m.ids.length; i++) {
      const p = this.pending.get(m.ids[i]!);
      if (!p || p.ok !== undefined) continue;
      slot.outstanding--;
      p.ok = m.oks[i] === 1;
    }
    this.release();
  }

  /** Resolves finished jobs from the oldest on, stopping at the first still running. */
  private release(): void {
    for (const [id, p] of this.pending) {
      if (p.ok === undefined) break;
      this.pending.delete(id);
      p.resolve(p.ok);
    }
  }

  private onExit(slot: Slot): void {
    for (const p of this.pending.values()) {
      if (p.slot === slot && p.ok === undefined) p.ok = false;
    }
    this.release();
    const idx = this.slots.indexOf(slot);
    if (idx >= 0 && !this.closed) this.slots[idx] = this.spawn();
  }

  verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
    if (this.closed) return Promise.resolve(verifyTrustedKey(pub, msg, sig));
    return new Promise<boolean>((resolve) => {
      const id = this.nextId++;
      if (!this.batch) {
        this.batch = { ids: [], pubs: [], msgs: [], sigs: [] };
        setImmediate(() => this.flush());
      }
      const b = this.batch;
      b.ids.push(id);
      b.pubs.push(pub);
      b.msgs.push(msg);
      b.sigs.push(sig);
      this.pending.set(id, { resolve, slot: this.slots[0]! });
      if (b.ids.length >= MAX_BATCH) this.flush();
    });
  }

  private flush(): void {
    const b = this.batch;
    this.batch = null;
    if (!b || b.ids.length === 0) return;
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.outstanding < slot.outstanding) slot = s;
    slot.outstanding += b.ids.length;
    for (const id of b.ids) {
      const p = this.pending.get(id);
      if (p) p.slot = slot;
    }
    slot.worker.postMessage(b);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

export function createVerifier(workers: number, logger: Logger): SignatureVerifier {
  return new SafeVerifier(workers > 0 ? new WorkerVerifierPool(workers, logger) : new InlineVerifier());
}
