import { Worker } from 'node:worker_threads';
import { MinerError, type Logger } from '../util/index.js';
import { SCHNORRKEL_MODULE_PATH, verifyTrustedKey } from '../wire/index.js';
import { InlinePolicy, threadLoopUtilization, type LoopUtilization } from './inlinePolicy.js';
import { ed25519InputsOk, verifyEd25519 } from './ed25519.js';

/** The axon's own key for signing WebSocket answers off the event loop. */
export interface SigningKey {
  publicKey: Uint8Array;
  /** 64-byte sr25519 secret as @polkadot stores it. */
  secret: Uint8Array;
}

// Plain CommonJS so the same worker runs from the TypeScript sources (tests) and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { sr25519_verify, sr25519_sign } = require(workerData.modulePath);
const { createPublicKey, verify: osslVerify } = require('node:crypto');
const key = workerData.key;
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
function checkEd(pub, msg, sig) {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub).toString('base64url') }, format: 'jwk' });
    return osslVerify(null, msg, key, sig);
  } catch { return false; }
}
parentPort.on('message', (b) => {
  const n = b.ids.length;
  const oks = new Uint8Array(n);
  const sigs = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    if (b.kinds[i] === 1) {
      if (key) { sigs[i] = sr25519_sign(key.publicKey, key.secret, b.msgs[i]); oks[i] = 1; }
    } else if (b.kinds[i] === 2) oks[i] = checkEd(b.pubs[i], b.msgs[i], b.sigs[i]) ? 1 : 0;
    else oks[i] = check(b.pubs[i], b.msgs[i], b.sigs[i]) ? 1 : 0;
  }
  parentPort.postMessage({ ids: b.ids, oks, sigs });
});
`;

const VERIFY = 0;
const SIGN = 1;
const VERIFY_ED25519 = 2;
const EMPTY = new Uint8Array(0);

interface Result {
  ok: boolean;
  sig: Uint8Array | null;
}

interface Pending {
  resolve: (r: Result) => void;
  slot: Slot;
  /** Set once the worker answered; held until every earlier job is resolved. */
  result?: Result;
}

interface Batch {
  ids: number[];
  kinds: number[];
  pubs: Uint8Array[];
  msgs: Uint8Array[];
  sigs: Uint8Array[];
}

interface Slot {
  worker: Worker;
  outstanding: number;
}

const MAX_BATCH = 8;

/**
 * sr25519 verification and answer signing on worker threads, batched per event-loop turn so
 * one postMessage carries many jobs. At low rates a job runs inline instead (InlinePolicy):
 * a hand-off then costs more latency than the work. Results resolve in submission order, so
 * nonce commits happen in the order requests arrived. A worker that dies fails its jobs
 * (verify: false, sign: rejected) and is replaced.
 */
export class CryptoWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private batch: Batch | null = null;
  private nextId = 1;
  private closed = false;
  private readonly policy: InlinePolicy;
  /** Jobs run on the calling thread (the rest went to workers). */
  inlineCount = 0;

  constructor(
    size: number,
    private readonly key: SigningKey | null,
    private readonly inlineSign: ((msg: Uint8Array) => Uint8Array) | null,
    private readonly logger: Logger,
    opts: { now?: () => number; inlineMaxShare?: number; loop?: LoopUtilization } = {},
  ) {
    this.policy = new InlinePolicy(opts.now ?? (() => performance.now()), opts.inlineMaxShare, opts.loop ?? threadLoopUtilization());
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { modulePath: SCHNORRKEL_MODULE_PATH, key: this.key } });
    const slot: Slot = { worker, outstanding: 0 };
    worker.unref();
    worker.on('message', (m: { ids: number[]; oks: Uint8Array; sigs: Array<Uint8Array | null> }) => this.onResults(slot, m));
    worker.on('error', (err) => this.logger.error({ err }, 'crypto worker failed'));
    worker.on('exit', () => this.onExit(slot));
    return slot;
  }

  verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
    if (this.runInline()) return Promise.resolve(this.policy.timed(() => verifyTrustedKey(pub, msg, sig)));
    return this.submit(VERIFY, pub, msg, sig).then((r) => r.ok);
  }

  /**
   * ed25519 (btauth/1 hotkeys): the small-order and canonical-encoding screens run here (cheap),
   * OpenSSL's verify inline or on a worker by the same policy as sr25519.
   */
  verifyEd25519(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
    if (!ed25519InputsOk(pub, sig)) return Promise.resolve(false);
    if (this.runInline()) return Promise.resolve(this.policy.timed(() => verifyEd25519(pub, msg, sig)));
    return this.submit(VERIFY_ED25519, pub, msg, sig).then((r) => r.ok);
  }

  /** Signs with the pool's key; rejects when the pool has none. */
  sign(msg: Uint8Array): Promise<Uint8Array> {
    const inline = this.inlineSign;
    if (inline === null && this.key === null) return Promise.reject(new Error('no signing key'));
    if (inline !== null && (this.key === null || this.runInline())) return Promise.resolve(this.policy.timed(() => inline(msg)));
    return this.submit(SIGN, EMPTY, msg, EMPTY).then((r) => {
      if (!r.sig) throw new MinerError('INTERNAL', 'signing worker failed');
      return r.sig;
    });
  }

  /** Nothing queued ahead (so order holds) and the recent rate leaves the event loop room. */
  private runInline(): boolean {
    if (this.closed) return true;
    this.policy.arrive();
    if (this.pending.size === 0 && this.batch === null && this.policy.inlineOk()) {
      this.inlineCount++;
      return true;
    }
    return false;
  }

  private submit(kind: number, pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<Result> {
    return new Promise<Result>((resolve) => {
      const id = this.nextId++;
      if (!this.batch) {
        this.batch = { ids: [], kinds: [], pubs: [], msgs: [], sigs: [] };
        setImmediate(() => this.flush());
      }
      const b = this.batch;
      b.ids.push(id);
      b.kinds.push(kind);
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

  private onResults(slot: Slot, m: { ids: number[]; oks: Uint8Array; sigs: Array<Uint8Array | null> }): void {
    for (let i = 0; i < m.ids.length; i++) {
      const p = this.pending.get(m.ids[i]!);
      if (!p || p.result !== undefined) continue;
      slot.outstanding--;
      p.result = { ok: m.oks[i] === 1, sig: m.sigs[i] ?? null };
    }
    this.release();
  }

  /** Resolves finished jobs from the oldest on, stopping at the first still running. */
  private release(): void {
    for (const [id, p] of this.pending) {
      if (p.result === undefined) break;
      this.pending.delete(id);
      p.resolve(p.result);
    }
  }

  private onExit(slot: Slot): void {
    for (const p of this.pending.values()) {
      if (p.slot === slot && p.result === undefined) p.result = { ok: false, sig: null };
    }
    this.release();
    const idx = this.slots.indexOf(slot);
    if (idx >= 0 && !this.closed) this.slots[idx] = this.spawn();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
