import { rejection } from './rejection.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MinerError, toMinerError, type Clock } from '../util/index.js';
import type { SynapseRegistry } from '../synapse/index.js';
import type { ConnectionTrust, RequestPipeline } from './requestPipeline.js';
import type { JsonBounds } from './boundedJson.js';
import type { RouteTable } from './routeTable.js';
import { synapseNameFromPath } from './forms/legacy.js';
import { legacyFailure } from './forms/legacyForm.js';
import { checkAccepted, claimedForm } from './forms/httpForms.js';
import type { FormContext, HttpAnswer, HttpForm } from './forms/httpForm.js';

/** What both transports get from the server. */
export interface TransportDeps {
  pipeline: RequestPipeline;
  synapses: SynapseRegistry;
  clock: Clock;
  axonHotkey: string;
  axonUuid: string;
  maxPayloadBytes: number;
  /** Nesting and element bounds for every JSON body and frame. */
  json: JsonBounds;
  isDraining: () => boolean;
  /** Monotonic, strictly increasing ns nonces for the axon terminal. */
  nextNonce: () => bigint;
  /** Counts requests that entered the pipeline, for drain. */
  track: <T>(p: Promise<T>) => Promise<T>;
}

export interface HttpTransportDeps extends TransportDeps {
  routes: RouteTable;
  forms: FormContext;
}

/** How long a refused request's remaining body is read and discarded before the connection ends. */
const DRAIN_MS = 2_000;
/** Past this many times the payload limit, a peer still sending after its refusal is cut off. */
const DRAIN_BYTES_FACTOR = 4;

/** Reads the whole body, refusing more than `max` bytes. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(rejection('PAYLOAD_TOO_LARGE', 'Payload Too Large'));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', (err) => reject(new MinerError('BAD_REQUEST', 'request stream failed', { cause: err })));
  });
}

/**
 * Plain HTTP: `POST <route>` in whichever form the headers announce (legacy SDK 10, btauth/1,
 * Epistula v2). The form reads its credentials and shapes the answer; everything between is
 * the shared pipeline.
 */
export class HttpTransport {
  /** Keep-alive connections remember what they proved, as WebSocket connections do. */
  private readonly trust = new WeakMap<Socket, ConnectionTrust>();

  constructor(private readonly d: HttpTransportDeps) {}

  /** Whether this socket has proven a validator's signature (its requests go first). */
  isProven(socket: Socket): boolean {
    return this.trust.get(socket)?.provenHotkey !== undefined;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const startMono = this.d.clock.monotonicMs();
    const state: ServeState = { synapse: 'unknown', form: undefined };
    this.serve(req, res, state, startMono).catch((err: unknown) => {
      const me = toMinerError(err);
      const pt = (this.d.clock.monotonicMs() - startMono) / 1000;
      const answer = state.form ? state.form.failure(me, pt, this.d.forms) : legacyFailure(me, pt, this.d.axonHotkey);
      this.write(res, answer, me.code === 'PAYLOAD_TOO_LARGE');
      this.d.pipeline.record(state.synapse, 'http', me.spec.status, startMono, me, undefined, state.form?.name ?? 'none');
    });
  }

  private trustOf(socket: Socket): ConnectionTrust {
    let t = this.trust.get(socket);
    if (!t) {
      t = { provenHotkey: undefined };
      this.trust.set(socket, t);
    }
    return t;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, state: ServeState, startMono: number): Promise<void> {
    if (Number(req.headers['content-length'] ?? 0) > this.d.maxPayloadBytes) throw rejection('PAYLOAD_TOO_LARGE', 'Payload Too Large');
    const route = req.method === 'POST' ? this.d.routes.match(req.url) : undefined;
    if (!route) throw rejection('UNKNOWN_SYNAPSE', `Synapse name '${synapseNameFromPath(req.url)}' not found`);
    const synapse = route.synapse;
    state.synapse = synapse.name;
    if (this.d.isDraining()) throw rejection('SHUTTING_DOWN', 'Service Unavailable: shutting down');
    const form = claimedForm(req.headers);
    state.form = form;
    checkAccepted(form, route.forms);
    const ip = req.socket.remoteAddress ?? '';
    this.d.pipeline.preAdmit(form.claimed(req.headers), ip, this.trustOf(req.socket));
    const raw = await readBody(req, this.d.maxPayloadBytes);
    const read = form.read(
      { method: req.method ?? 'POST', target: req.url ?? '', headers: req.headers, raw, ip, port: req.socket.remotePort ?? 0, synapse },
      this.d.forms,
    );
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const result = await this.d.track(
      this.d.pipeline.run({
        transport: 'http',
        ip,
        trust: this.trustOf(req.socket),
        synapse,
        credentials: read.credentials,
        timeoutMs: read.timeoutMs,
        body: read.body,
        receivedAtMs: this.d.clock.now(),
        signal: controller.signal,
      }),
    );
    const answer = read.success(result.outputs, (this.d.clock.monotonicMs() - startMono) / 1000);
    this.write(res, answer, false);
    this.d.pipeline.record(synapse.name, 'http', 200, startMono, undefined, result.cache, form.name);
  }

  /** Never throws: a failure to answer ends the connection instead. */
  private write(res: ServerResponse, answer: HttpAnswer, tooLarge: boolean): void {
    if (res.headersSent || res.destroyed) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    try {
      const req = res.req;
      if (tooLarge) {
        answer = { ...answer, headers: { ...answer.headers, connection: 'close' } };
        this.closeAfterDrain(req.socket);
      } else if (!req.complete) {
        this.boundRemainder(req);
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch {
      res.destroy();
    }
  }

  /**
   * After a 413 the body may still be arriving. Node would end and destroy the socket at once,
   * and the reset that follows the peer's next write can destroy our answer before the peer
   * reads it (seen by the fuzzer). So the socket only half-closes; what still arrives is read
   * and dropped, within a time and byte bound, until the peer closes its side.
   */
  private closeAfterDrain(socket: Socket): void {
    let seen = 0;
    const count = (c: Buffer): void => {
      seen += c.length;
      if (seen > DRAIN_BYTES_FACTOR * this.d.maxPayloadBytes) socket.destroy();
    };
    socket.on('data', count);
    socket.destroySoon = (): void => {
      socket.end();
      setTimeout(() => socket.destroy(), DRAIN_MS).unref();
    };
  }

  /**
   * A request refused before its body was read keeps its connection: Node reads and drops the
   * rest of the body after the answer. A chunked body has no declared size, so its remainder
   * is bounded here.
   */
  private boundRemainder(req: IncomingMessage): void {
    let seen = 0;
    const socket = req.socket;
    const count = (c: Buffer): void => {
      seen += c.length;
      if (seen > DRAIN_BYTES_FACTOR * this.d.maxPayloadBytes) socket.destroy();
    };
    socket.on('data', count);
    req.once('end', () => socket.off('data', count));
    req.once('close', () => socket.off('data', count));
  }
}

interface ServeState {
  synapse: string;
  form: HttpForm | undefined;
}
