import { rejection } from './rejection.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MinerError, publicMessage, toMinerError, type Clock } from '../util/index.js';
import type { SynapseBody } from '../synapse/index.js';
import type { SynapseRegistry } from '../synapse/index.js';
import type { ConnectionTrust, RequestPipeline } from './requestPipeline.js';
import { parseBoundedJson, type JsonBounds } from './boundedJson.js';
import { computeBodyHash } from './bodyHash.js';
import {
  BITTENSOR_PROTOCOL_VERSION, headerSafe, isPlainObject, parseBtHeaders, responseHeaders, successBody, synapseNameFromPath,
} from './httpForm.js';

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

export type HttpTransportDeps = TransportDeps;

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

/** `POST /<SynapseName>` exactly as the stock Python dendrite sends it. */
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
    const name = synapseNameFromPath(req.url);
    const known = this.d.synapses.get(name) ? name : 'unknown';
    this.serve(req, res, name, startMono).catch((err: unknown) => {
      const me = toMinerError(err);
      this.sendError(res, me, startMono);
      this.d.pipeline.record(known, 'http', me.spec.status, startMono, me);
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

  private async serve(req: IncomingMessage, res: ServerResponse, name: string, startMono: number): Promise<void> {
    if (req.method !== 'POST') throw rejection('UNKNOWN_SYNAPSE', `Synapse name '${name}' not found`);
    const len = Number(req.headers['content-length'] ?? 0);
    if (len > this.d.maxPayloadBytes) throw rejection('PAYLOAD_TOO_LARGE', 'Payload Too Large');
    const synapse = this.d.synapses.get(name);
    if (!synapse) throw rejection('UNKNOWN_SYNAPSE', `Synapse name '${name}' not found`);
    if (this.d.isDraining()) throw rejection('SHUTTING_DOWN', 'Service Unavailable: shutting down');
    const raw = await readBody(req, this.d.maxPayloadBytes);
    const body = raw.length === 0 ? {} : parseBoundedJson(raw, this.d.json, 'body');
    if (!isPlainObject(body)) throw rejection('BAD_REQUEST', 'Bad Request: body must be a JSON object');
    const h = parseBtHeaders(req.headers);
    const timeoutSec = h.timeoutSec ?? (typeof body['timeout'] === 'number' ? body['timeout'] : undefined);
    const timeoutMs = this.d.pipeline.timeoutMs(timeoutSec);
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const ip = req.socket.remoteAddress ?? '';
    const credentials = this.d.pipeline.legacyCredentials(h, {
      timeoutMs,
      bodyHash: () => computeBodyHash(body as SynapseBody, synapse.requiredHashFields),
      claimedBodyHash: h.computedBodyHash,
    });
    const result = await this.d.track(
      this.d.pipeline.run({
        transport: 'http', ip, trust: this.trustOf(req.socket), synapse, credentials, timeoutMs,
        body: body as SynapseBody,
        receivedAtMs: this.d.clock.now(),
        signal: controller.signal,
      }),
    );
    const processTimeSec = (this.d.clock.monotonicMs() - startMono) / 1000;
    const axonNonce = this.d.nextNonce();
    const json = successBody(body as SynapseBody, result.outputs, {
      processTimeSec, axonHotkey: this.d.axonHotkey, axonUuid: this.d.axonUuid, axonNonce,
      dendrite: { hotkey: h.hotkey!, nonce: h.nonce!, uuid: h.uuid!, signature: h.signature, ip, port: req.socket.remotePort ?? 0 },
    });
    res.writeHead(200, responseHeaders(200, 'Success', processTimeSec, {
      name: synapse.name,
      timeout: String(timeoutMs / 1000),
      bt_header_axon_hotkey: this.d.axonHotkey,
      bt_header_axon_uuid: this.d.axonUuid,
      bt_header_axon_nonce: axonNonce.toString(),
      bt_header_axon_version: String(BITTENSOR_PROTOCOL_VERSION),
      bt_header_dendrite_hotkey: headerSafe(h.hotkey ?? ''),
      bt_header_dendrite_nonce: h.nonce ?? '',
      bt_header_dendrite_uuid: headerSafe(h.uuid ?? ''),
      bt_header_dendrite_ip: ip,
      computed_body_hash: h.computedBodyHash ?? '',
    }));
    res.end(json);
    this.d.pipeline.record(synapse.name, 'http', 200, startMono, undefined, result.cache);
  }

  /** Never throws: a failure to answer ends the connection instead. */
  private sendError(res: ServerResponse, err: MinerError, startMono: number): void {
    if (res.headersSent || res.destroyed) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    try {
      const status = err.spec.status;
      const message = publicMessage(err);
      const processTimeSec = (this.d.clock.monotonicMs() - startMono) / 1000;
      const extra: Record<string, string> = { bt_header_axon_hotkey: this.d.axonHotkey };
      if (err.spec.retryAfterSec !== undefined) extra['retry-after'] = String(err.spec.retryAfterSec);
      // An unread remainder would be parsed as the next request: close instead.
      if (err.code === 'PAYLOAD_TOO_LARGE' || !res.req.complete) extra['connection'] = 'close';
      res.writeHead(status, responseHeaders(status, message, processTimeSec, extra));
      res.end(JSON.stringify({ message }));
    } catch {
      res.destroy();
    }
  }
}
