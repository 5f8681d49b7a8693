import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Clock, Logger } from '../util/index.js';
import { buildHttpRequest, buildWsFrame, type BuiltHttpRequest, type Forge } from './dendriteRequests.js';
import { cryptoReady, makeSigner } from './sr25519.js';
import { WsChannel } from './dendriteChannel.js';
import type { WsResponse } from './wsProtocol.js';

/** The axon enforces the deadline itself; waiting a little longer lets its own 408 arrive. */
const ANSWER_GRACE_MS = 1_000;

export interface DendriteQuery {
  host: string;
  port: number;
  axonHotkey: string;
  synapse: string;
  body: Record<string, unknown>;
  timeoutMs: number;
  transport: 'ws' | 'http';
  /** Tests only: forge fields of the request. */
  forge?: Forge;
}

export interface DendriteAnswer {
  status: number;
  message: string;
  body: Record<string, unknown> | null;
  /** The axon's own processing time, as it reported it. */
  processTimeMs: number;
  /** Round trip measured here. */
  latencyMs: number;
  /** True when the axon's response signature checked out (WebSocket only). */
  verified: boolean;
}

export interface RawHttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * A validator-side client for both forms. One WebSocket per target carries many requests
 * at once; HTTP goes through a keep-alive agent exactly as the Python dendrite sends it.
 */
export class Dendrite {
  readonly uuid: string;
  private readonly pair: KeyringPair;
  private readonly sign: (msg: Uint8Array) => Uint8Array;
  private readonly channels = new Map<string, WsChannel>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private lastNonce = 0n;
  private nextId = 1;

  private readonly verifyResponses: boolean;

  /** `verifyResponses: false` skips checking the axon's WS signature (benchmarks; `verified` stays false). */
  constructor(
    opts: { pair: KeyringPair; uuid?: string; externalIp?: string; verifyResponses?: boolean },
    private readonly m: { clock: Clock; logger?: Logger },
  ) {
    this.verifyResponses = opts.verifyResponses ?? true;
    this.pair = opts.pair;
    this.uuid = opts.uuid ?? randomUUID();
    this.sign = makeSigner(opts.pair);
    this.externalIp = opts.externalIp ?? '127.0.0.1';
  }

  private readonly externalIp: string;

  get hotkey(): string {
    return this.pair.address;
  }

  /** Strictly increasing ns nonces, as time.time_ns() gives. */
  nonce(): bigint {
    const now = this.m.clock.nowNs();
    this.lastNonce = now > this.lastNonce ? now : this.lastNonce + 1n;
    return this.lastNonce;
  }

  async query(q: DendriteQuery): Promise<DendriteAnswer> {
    await cryptoReady();
    return q.transport === 'ws' ? this.queryWs(q) : this.queryHttp(q);
  }

  /** The frame query() would send over WebSocket, for tests that change it before sending. */
  wsFrame(q: Omit<DendriteQuery, 'host' | 'port' | 'transport'>, bodyText = JSON.stringify(q.body)): Record<string, unknown> {
    return buildWsFrame({
      id: `r${this.nextId++}`, synapse: q.synapse, bodyText, timeoutSec: q.timeoutMs / 1000,
      address: this.pair.address, sign: this.sign, uuid: this.uuid, nonce: this.nonce(), axonHotkey: q.axonHotkey,
    }, q.forge);
  }

  /** The request query() would send over HTTP, for tests that change it before sending. */
  httpRequest(q: Omit<DendriteQuery, 'transport'>): BuiltHttpRequest {
    return buildHttpRequest({
      synapse: q.synapse, body: q.body, timeoutSec: q.timeoutMs / 1000, address: this.pair.address, sign: this.sign,
      uuid: this.uuid, nonce: this.nonce(), axonHotkey: q.axonHotkey, axonIp: q.host, axonPort: q.port, dendriteIp: this.externalIp,
    }, q.forge);
  }

  private channel(host: string, port: number): WsChannel {
    const key = `${host}:${port}`;
    let ch = this.channels.get(key);
    if (!ch || ch.closed) {
      ch = new WsChannel(`ws://${host.includes(':') ? `[${host}]` : host}:${port}/ws`);
      this.channels.set(key, ch);
    }
    return ch;
  }

  /** Sends any frame (object or raw text) and waits for the response with `id`. */
  sendWsRaw(host: string, port: number, frame: Record<string, unknown> | string, id: string | null, timeoutMs: number): Promise<WsResponse> {
    return this.channel(host, port).send(typeof frame === 'string' ? frame : JSON.stringify(frame), id, timeoutMs);
  }

  private async queryWs(q: DendriteQuery): Promise<DendriteAnswer> {
    const t0 = this.m.clock.monotonicMs();
    const frame = this.wsFrame(q);
    const id = frame['id'] as string;
    let resp: WsResponse;
    try {
      resp = await this.sendWsRaw(q.host, q.port, frame, id, q.timeoutMs + ANSWER_GRACE_MS);
    } catch (err) {
      return failure(err, this.m.clock.monotonicMs() - t0);
    }
    const verified = this.verifyResponses && WsChannel.verifyResponse(resp, q.axonHotkey, this.pair.address);
    let body: Record<string, unknown> | null = null;
    try {
      body = resp.body === null ? null : (JSON.parse(resp.body) as Record<string, unknown>);
    } catch {
      body = null;
    }
    return { status: resp.status, message: resp.message, body, processTimeMs: resp.processTimeMs, latencyMs: this.m.clock.monotonicMs() - t0, verified };
  }

  /** Sends a built (possibly forged) HTTP request as is. */
  sendHttpRaw(host: string, port: number, req: BuiltHttpRequest, timeoutMs: number): Promise<RawHttpAnswer> {
    return new Promise((resolve, reject) => {
      const r = httpRequest({ host, port, method: 'POST', path: req.path, headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) }, agent: this.agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      r.on('timeout', () => r.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      r.on('error', reject);
      r.end(req.body);
    });
  }

  private async queryHttp(q: DendriteQuery): Promise<DendriteAnswer> {
    const t0 = this.m.clock.monotonicMs();
    let raw: RawHttpAnswer;
    try {
      raw = await this.sendHttpRaw(q.host, q.port, this.httpRequest(q), q.timeoutMs + ANSWER_GRACE_MS);
    } catch (err) {
      return failure(err, this.m.clock.monotonicMs() - t0);
    }
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(raw.text);
    } catch {
      parsed = null;
    }
    const obj = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    const headerMsg = raw.headers['bt_header_axon_status_message'];
    const message = raw.status === 200 ? String(headerMsg ?? 'Success') : String(obj?.['message'] ?? headerMsg ?? '');
    const pt = Number(raw.headers['bt_header_axon_process_time']);
    return {
      status: raw.status, message, body: raw.status === 200 ? obj : null,
      processTimeMs: Number.isFinite(pt) ? pt * 1000 : 0, latencyMs: this.m.clock.monotonicMs() - t0, verified: false,
    };
  }

  async close(): Promise<void> {
    for (const ch of this.channels.values()) ch.close();
    this.channels.clear();
    this.agent.destroy();
  }
}

/** Python dendrite conventions: 408 on client timeout, 503 when the axon cannot be reached. */
function failure(err: unknown, latencyMs: number): DendriteAnswer {
  const code = (err as { code?: string }).code;
  const timeout = code === 'ETIMEDOUT';
  const message = timeout ? 'Request Timeout: no answer in time' : `Service Unavailable: ${(err as Error).message ?? String(err)}`;
  return { status: timeout ? 408 : 503, message, body: null, processTimeMs: 0, latencyMs, verified: false };
}
