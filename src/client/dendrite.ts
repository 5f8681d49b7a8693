import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Clock, Logger } from '../util/index.js';
import { buildHttpRequest, buildWsFrame, type BuiltHttpRequest, type Forge } from './dendriteRequests.js';
import { buildBtAuthRequest, buildEpistulaRequest, signerOf, type BtAuthForge, type EpistulaForge } from './signedHttpRequests.js';
import { WsChannel } from './dendriteChannel.js';
import { cryptoReady, makeSigner, type WsResponse } from '../wire/index.js';

/** The axon enforces the deadline itself; waiting a little longer lets its own 408 arrive. */
const ANSWER_GRACE_MS = 1_000;

/** The wire forms a dendrite speaks: `legacy` (SDK 10 HTTP), `btauth` (btauth/1), `epistula` (Epistula v2), `ws`. */
export type DendriteForm = 'legacy' | 'btauth' | 'epistula' | 'ws';

export interface DendriteQuery {
  host: string;
  port: number;
  axonHotkey: string;
  synapse: string;
  /** legacy and ws: the synapse's fields; btauth and epistula: its input fields. */
  body: Record<string, unknown>;
  timeoutMs: number;
  /** `http` is the legacy form; `form`, when given, wins. */
  transport: 'ws' | 'http';
  form?: DendriteForm;
  /** btauth and epistula: the route and query as sent (default `/<synapse>`). */
  target?: string;
  /** Tests only: forge fields of the request. */
  forge?: Forge;
  /** Tests only: forge a btauth/1 or Epistula request. */
  signedForge?: BtAuthForge & EpistulaForge;
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
  /** btauth and epistula refusals: the stable error code the miner answered with. */
  code?: string;
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
  /** btauth/1 signs with either key type. */
  private readonly anySign: (msg: Uint8Array) => Uint8Array;
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
    this.anySign = signerOf(opts.pair);
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
    const form = q.form ?? (q.transport === 'ws' ? 'ws' : 'legacy');
    if (form === 'ws') return this.queryWs(q);
    if (form === 'legacy') return this.queryHttp(q);
    return this.querySigned(q, form);
  }

  /** The btauth/1 or Epistula request query() would send. */
  signedRequest(q: Omit<DendriteQuery, 'transport'>, form: 'btauth' | 'epistula'): BuiltHttpRequest {
    const target = q.target ?? `/${q.synapse}`;
    const bodyText = JSON.stringify(q.body);
    const common = { pair: this.pair, target, bodyText, sign: this.anySign, clock: this.m.clock };
    const r =
      form === 'btauth'
        ? buildBtAuthRequest({ ...common, receiver: q.axonHotkey, nonce: this.nonce(), ...(q.signedForge ? { forge: q.signedForge } : {}) })
        : buildEpistulaRequest({ ...common, signedFor: q.axonHotkey, ...(q.signedForge ? { forge: q.signedForge } : {}) });
    return { path: r.target, headers: r.headers, body: r.body };
  }

  private async querySigned(q: DendriteQuery, form: 'btauth' | 'epistula'): Promise<DendriteAnswer> {
    const t0 = this.m.clock.monotonicMs();
    let raw: RawHttpAnswer;
    try {
      raw = await this.sendHttpRaw(q.host, q.port, this.signedRequest(q, form), q.timeoutMs + ANSWER_GRACE_MS);
    } catch (err) {
      return failure(err, this.m.clock.monotonicMs() - t0);
    }
    const obj = jsonObject(raw.text);
    const latencyMs = this.m.clock.monotonicMs() - t0;
    if (raw.status === 200) return { status: 200, message: 'Success', body: obj, processTimeMs: 0, latencyMs, verified: false };
    const answer: DendriteAnswer = { status: raw.status, message: String(obj?.['message'] ?? ''), body: null, processTimeMs: 0, latencyMs, verified: false };
    if (typeof obj?.['code'] === 'string') answer.code = obj['code'];
    return answer;
  }

  /** The frame query() would send over WebSocket, for tests that change it before sending. */
  wsFrame(q: Omit<DendriteQuery, 'host' | 'port' | 'transport'>, bodyText = JSON.stringify(q.body)): Record<string, unknown> {
    return buildWsFrame(
      {
        id: `r${this.nextId++}`,
        synapse: q.synapse,
        bodyText,
        timeoutSec: q.timeoutMs / 1000,
        address: this.pair.address,
        sign: this.sign,
        uuid: this.uuid,
        nonce: this.nonce(),
        axonHotkey: q.axonHotkey,
      },
      q.forge,
    );
  }

  /** The request query() would send over HTTP, for tests that change it before sending. */
  httpRequest(q: Omit<DendriteQuery, 'transport'>): BuiltHttpRequest {
    return buildHttpRequest(
      {
        synapse: q.synapse,
        body: q.body,
        timeoutSec: q.timeoutMs / 1000,
        address: this.pair.address,
        sign: this.sign,
        uuid: this.uuid,
        nonce: this.nonce(),
        axonHotkey: q.axonHotkey,
        axonIp: q.host,
        axonPort: q.port,
        dendriteIp: this.externalIp,
      },
      q.forge,
    );
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
      const r = httpRequest(
        {
          host,
          port,
          method: 'POST',
          path: req.path,
          headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
          agent: this.agent,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
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
    const obj = jsonObject(raw.text);
    const headerMsg = raw.headers['bt_header_axon_status_message'];
    const message = raw.status === 200 ? String(headerMsg ?? 'Success') : String(obj?.['message'] ?? headerMsg ?? '');
    const pt = Number(raw.headers['bt_header_axon_process_time']);
    return {
      status: raw.status,
      message,
      body: raw.status === 200 ? obj : null,
      processTimeMs: Number.isFinite(pt) ? pt * 1000 : 0,
      latencyMs: this.m.clock.monotonicMs() - t0,
      verified: false,
    };
  }

  async close(): Promise<void> {
    for (const ch of this.channels.values()) ch.close();
    this.channels.clear();
    this.agent.destroy();
  }
}

function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Python dendrite conventions: 408 on client timeout, 503 when the axon cannot be reached. */
function failure(err: unknown, latencyMs: number): DendriteAnswer {
  const code = (err as { code?: string }).code;
  const timeout = code === 'ETIMEDOUT';
  const message = timeout ? 'Request Timeout: no answer in time' : `Service Unavailable: ${(err as Error).message ?? String(err)}`;
  return { status: timeout ? 408 : 503, message, body: null, processTimeMs: 0, latencyMs, verified: false };
}
