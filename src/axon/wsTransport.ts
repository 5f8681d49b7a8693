import { rejection } from './rejection.js';
import type { RawData, WebSocket } from 'ws';
import { type MinerError, publicMessage, toMinerError } from '../util/index.js';
import type { SynapseBody } from '../synapse/index.js';
import { isPlainObject } from './forms/legacy.js';
import { parseBoundedJson } from './boundedJson.js';
import type { ConnectionTrust } from './requestPipeline.js';
import type { TransportDeps } from './httpTransport.js';
import { parseWsRequest, sniffId } from './forms/ws.js';
import { sha3Hex, toHex, utf8, type WsRequest, type WsResponse } from '../wire/index.js';
import type { FrameSource, WsFrameScheduler } from './wsFrameScheduler.js';

export interface WsTransportDeps extends TransportDeps {
  maxInflightPerConnection: number;
  sign: (msg: Uint8Array) => Promise<Uint8Array>;
  scheduler: WsFrameScheduler;
}

interface QueuedFrame {
  data: RawData;
  isBinary: boolean;
  startMono: number;
  bytes: number;
}

function sizeOf(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

/** Beyond this many unsent bytes a peer is not reading its answers and gets dropped. */
const MAX_BUFFERED_FACTOR = 4;
/** How long a peer that broke the protocol gets to read our close frame. */
const CLOSE_GRACE_MS = 2_000;

/**
 * One `/ws` connection: many requests in flight, answered as each finishes. Frames wait in a
 * bounded queue for the shared WsFrameScheduler; a full queue pauses the socket, so a peer
 * that sends faster than it is served is pushed back by TCP instead of buffered here.
 */
export class WsConnection implements FrameSource {
  private readonly inflight = new Map<string, AbortController>();
  private queue: QueuedFrame[] = [];
  private head = 0;
  private queuedBytes = 0;
  private paused = false;
  alive = true;
  readonly trust: ConnectionTrust = { provenHotkey: undefined };

  constructor(
    private readonly ws: WebSocket,
    private readonly ip: string,
    private readonly d: WsTransportDeps,
  ) {
    ws.on('message', (data, isBinary) => this.enqueue(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', () => {
      this.d.scheduler.forget(this);
      this.queue = [];
      this.head = 0;
      this.queuedBytes = 0;
      this.abortAll();
    });
    // ws has already answered a protocol error (1009 for a frame over maxPayload, 1002, 1007)
    // with a close frame and discards what is still arriving; terminating now would reset the
    // socket before the peer read that close frame (it saw 1006). Give it a bounded moment.
    ws.on('error', () => {
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    });
  }

  /** Proven connections' frames run first (WsFrameScheduler). */
  get trusted(): boolean {
    return this.trust.provenHotkey !== undefined;
  }

  queued(): number {
    return this.queue.length - this.head;
  }

  /** Queued frames (or their bytes) beyond which the socket is paused; half of it resumes it. */
  private overLimit(factor: number): boolean {
    return this.queued() >= this.d.maxInflightPerConnection * factor || this.queuedBytes >= 2 * this.d.maxPayloadBytes * factor;
  }

  private enqueue(data: RawData, isBinary: boolean): void {
    const bytes = sizeOf(data);
    this.queue.push({ data, isBinary, startMono: this.d.clock.monotonicMs(), bytes });
    this.queuedBytes += bytes;
    if (!this.paused && this.overLimit(1)) {
      this.paused = true;
      this.ws.pause();
    }
    this.d.scheduler.wake(this);
  }

  runOne(): boolean {
    const f = this.queue[this.head];
    if (!f) return false;
    this.queue[this.head++] = undefined as unknown as QueuedFrame;
    this.queuedBytes -= f.bytes;
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.paused && !this.overLimit(0.5)) {
      this.paused = false;
      this.ws.resume();
    }
    try {
      this.onMessage(f.data, f.isBinary, f.startMono);
    } catch (err) {
      this.fail(null, 'unknown', f.startMono, toMinerError(err));
    }
    return true;
  }

  inflightCount(): number {
    return this.inflight.size;
  }

  /**
   * Answers produced in one event-loop turn leave in one write: under load each frame's own
   * syscall cost more than building it. ws exposes no API for this, hence `_socket`.
   */
  private corkForThisTick(): void {
    if (this.corked) return;
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!socket || typeof socket.cork !== 'function') return;
    this.corked = true;
    socket.cork();
    process.nextTick(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  private corked = false;

  /** Drops a peer that missed the last ping, pings the others. */
  heartbeat(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  close(code: number, reason: string): void {
    this.abortAll();
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), 500).unref();
  }

  abortAll(): void {
    for (const c of this.inflight.values()) c.abort();
    this.inflight.clear();
  }

  private onMessage(data: RawData, isBinary: boolean, startMono: number): void {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (buf.length > this.d.maxPayloadBytes) {
      return this.fail(sniffId(buf.subarray(0, 512).toString('utf8')), 'unknown', startMono, rejection('PAYLOAD_TOO_LARGE', 'Payload Too Large'));
    }
    if (isBinary) return this.fail(null, 'unknown', startMono, rejection('BAD_REQUEST', 'Bad Request: binary frames are not accepted'));
    const parsed = parseWsRequest(buf, this.d.json);
    if (!parsed.ok) return this.fail(parsed.id, 'unknown', startMono, parsed.error);
    const req = parsed.req;
    if (this.inflight.has(req.id)) {
      return this.fail(req.id, 'unknown', startMono, rejection('BAD_REQUEST', 'Bad Request: id already in flight'));
    }
    if (this.inflight.size >= this.d.maxInflightPerConnection) {
      return this.fail(req.id, 'unknown', startMono, rejection('RATE_LIMITED', 'Too Many Requests: too many in flight on this connection'));
    }
    const synapse = this.d.synapses.get(req.synapse);
    if (!synapse) return this.fail(req.id, 'unknown', startMono, rejection('UNKNOWN_SYNAPSE', `Synapse name '${req.synapse}' not found`));
    if (this.d.isDraining()) return this.fail(req.id, synapse.name, startMono, rejection('SHUTTING_DOWN', 'Service Unavailable: shutting down'));
    let body: unknown;
    try {
      // What the frame claims is refused before its body is parsed: junk costs the least.
      this.d.pipeline.preAdmit({ hotkey: req.dendrite.hotkey, signed: req.dendrite.signature !== undefined }, this.ip, this.trust);
      body = parseBoundedJson(req.body, this.d.json, 'body');
    } catch (err) {
      return this.fail(req.id, synapse.name, startMono, toMinerError(err));
    }
    if (!isPlainObject(body)) return this.fail(req.id, synapse.name, startMono, rejection('BAD_REQUEST', 'Bad Request: body must be a JSON object'));
    this.dispatch(req, body, synapse.name, startMono);
  }

  private dispatch(req: WsRequest, body: SynapseBody, name: string, startMono: number): void {
    const synapse = this.d.synapses.get(name)!;
    const controller = new AbortController();
    this.inflight.set(req.id, controller);
    let authenticated = false;
    const timeoutMs = this.d.pipeline.timeoutMs(req.timeout);
    const credentials = this.d.pipeline.legacyCredentials(req.dendrite, { timeoutMs, bodyHash: () => sha3Hex(req.body) });
    const run = this.d.pipeline.run({
      transport: 'ws',
      ip: this.ip,
      trust: this.trust,
      synapse,
      credentials,
      timeoutMs,
      body,
      receivedAtMs: this.d.clock.now(),
      signal: controller.signal,
      onAuthenticated: () => {
        authenticated = true;
      },
    });
    const signFor = (): string | null => (authenticated ? (req.dendrite.hotkey ?? '') : null);
    const answered = run
      .then((result) => {
        const out = JSON.stringify({ ...body, ...result.outputs });
        return this.answer(req.id, name, 200, 'Success', out, startMono, signFor(), undefined, result.cache);
      })
      .catch((err: unknown) => {
        const me = toMinerError(err);
        return this.answer(req.id, name, me.spec.status, publicMessage(me), null, startMono, signFor(), me);
      })
      // The error answer itself failed (signing, socket): nothing left to tell this peer.
      .catch(() => this.ws.terminate());
    // Tracked until the (signed) answer is written, so a drain waits for it.
    void this.d.track(answered).finally(() => {
      if (this.inflight.get(req.id) === controller) this.inflight.delete(req.id);
    });
  }

  private async answer(
    id: string,
    synapse: string,
    status: number,
    message: string,
    body: string | null,
    startMono: number,
    signFor: string | null,
    err?: MinerError,
    cache?: 'hit' | 'miss' | 'coalesced' | 'bypass',
  ): Promise<void> {
    await this.reply(id, status, message, body, startMono, signFor, err?.spec.retryAfterSec);
    this.d.pipeline.record(synapse, 'ws', status, startMono, err, cache);
  }

  private fail(id: string | null, synapse: string, startMono: number, err: MinerError): void {
    this.reply(id, err.spec.status, publicMessage(err), null, startMono, null, err.spec.retryAfterSec);
    this.d.pipeline.record(synapse, 'ws', err.spec.status, startMono, err);
  }

  /**
   * `signFor` is the dendrite hotkey when the caller authenticated; answers to callers that
   * did not are left unsigned (and sent at once), so a flood of forged requests cannot make us
   * sign for it.
   */
  private reply(
    id: string | null,
    status: number,
    message: string,
    body: string | null,
    startMono: number,
    signFor: string | null,
    retryAfterSec?: number,
  ): Promise<void> | void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const nonce = this.d.nextNonce().toString();
    const head = { id, status, message, body, startMono, retryAfterSec };
    if (signFor === null) return this.send(head, nonce, null);
    const msg = `${nonce}.${this.d.axonHotkey}.${signFor}.${this.d.axonUuid}.${sha3Hex(body ?? '')}`;
    return this.d.sign(utf8(msg)).then((sig) => this.send(head, nonce, toHex(sig)));
  }

  private send(
    h: { id: string | null; status: number; message: string; body: string | null; startMono: number; retryAfterSec: number | undefined },
    nonce: string,
    signature: string | null,
  ): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const resp: WsResponse = {
      type: 'response',
      id: h.id,
      status: h.status,
      message: h.message,
      body: h.body,
      processTimeMs: Math.round((this.d.clock.monotonicMs() - h.startMono) * 1000) / 1000,
      ...(h.retryAfterSec === undefined ? {} : { retryAfterSec: h.retryAfterSec }),
      axon: { hotkey: this.d.axonHotkey, nonce, uuid: this.d.axonUuid, signature },
    };
    this.corkForThisTick();
    this.ws.send(JSON.stringify(resp));
    if (this.ws.bufferedAmount > MAX_BUFFERED_FACTOR * this.d.maxPayloadBytes) this.ws.terminate();
  }
}
