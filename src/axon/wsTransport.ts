import { rejection } from './rejection.js';
import type { RawData, WebSocket } from 'ws';
import { MinerError, publicMessage, toMinerError } from '../util/index.js';
import type { SynapseBody } from './synapse.js';
import { sha3Hex } from './bodyHash.js';
import { isPlainObject } from './httpForm.js';
import { toHex, utf8 } from './sr25519.js';
import type { TransportDeps } from './httpTransport.js';
import { parseWsRequest, sniffId, type WsRequest, type WsResponse } from './wsProtocol.js';
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
  trusted = false;

  constructor(private readonly ws: WebSocket, private readonly ip: string, private readonly d: WsTransportDeps) {
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
    ws.on('error', () => ws.terminate());
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
    this.onMessage(f.data, f.isBinary, f.startMono);
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
    const parsed = parseWsRequest(buf.toString('utf8'));
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
      body = JSON.parse(req.body);
    } catch {
      body = undefined;
    }
    if (!isPlainObject(body)) return this.fail(req.id, synapse.name, startMono, rejection('BAD_REQUEST', 'Bad Request: body must be a JSON object'));
    this.dispatch(req, body, synapse.name, startMono);
  }

  private dispatch(req: WsRequest, body: SynapseBody, name: string, startMono: number): void {
    const synapse = this.d.synapses.get(name)!;
    const controller = new AbortController();
    this.inflight.set(req.id, controller);
    let authenticated = false;
    const run = this.d.pipeline.run({
      transport: 'ws', ip: this.ip, synapse,
      hotkey: req.dendrite.hotkey, nonce: req.dendrite.nonce, uuid: req.dendrite.uuid, signature: req.dendrite.signature,
      timeoutSec: req.timeout, body,
      bodyHash: () => sha3Hex(req.body),
      receivedAtMs: this.d.clock.now(),
      signal: controller.signal,
      onAuthenticated: () => {
        authenticated = true;
        this.trusted = true;
      },
    });
    const answered = run.then(
      async (result) => {
        const out = JSON.stringify({ ...body, ...result.outputs });
        await this.reply(req.id, 200, 'Success', out, startMono, req.dendrite.hotkey ?? '');
        this.d.pipeline.record(name, 'ws', 200, startMono, undefined, result.cache);
      },
      async (err: unknown) => {
        const me = toMinerError(err);
        await this.reply(req.id, me.spec.status, publicMessage(me), null, startMono, authenticated ? (req.dendrite.hotkey ?? '') : null);
        this.d.pipeline.record(name, 'ws', me.spec.status, startMono, me);
      },
    );
    // Tracked until the (signed) answer is written, so a drain waits for it.
    void this.d.track(answered).finally(() => {
      if (this.inflight.get(req.id) === controller) this.inflight.delete(req.id);
    });
  }

  private fail(id: string | null, synapse: string, startMono: number, err: MinerError): void {
    this.reply(id, err.spec.status, publicMessage(err), null, startMono, null);
    this.d.pipeline.record(synapse, 'ws', err.spec.status, startMono, err);
  }

  /**
   * `signFor` is the dendrite hotkey when the caller authenticated; answers to callers that
   * did not are left unsigned (and sent at once), so a flood of forged requests cannot make us
   * sign for it.
   */
  private reply(id: string | null, status: number, message: string, body: string | null, startMono: number, signFor: string | null): Promise<void> | void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const nonce = this.d.nextNonce().toString();
    if (signFor === null) return this.send(id, status, message, body, startMono, nonce, null);
    const msg = `${nonce}.${this.d.axonHotkey}.${signFor}.${this.d.axonUuid}.${sha3Hex(body ?? '')}`;
    return this.d.sign(utf8(msg)).then((sig) => this.send(id, status, message, body, startMono, nonce, toHex(sig)));
  }

  private send(id: string | null, status: number, message: string, body: string | null, startMono: number, nonce: string, signature: string | null): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const resp: WsResponse = {
      type: 'response', id, status, message, body,
      processTimeMs: Math.round((this.d.clock.monotonicMs() - startMono) * 1000) / 1000,
      axon: { hotkey: this.d.axonHotkey, nonce, uuid: this.d.axonUuid, signature },
    };
    this.corkForThisTick();
    this.ws.send(JSON.stringify(resp));
    if (this.ws.bufferedAmount > MAX_BUFFERED_FACTOR * this.d.maxPayloadBytes) this.ws.terminate();
  }
}
