/** What every family builds cases from: the context, signed requests, raw HTTP and WebSocket exchanges. */
import { buildHttpRequest, buildWsFrame, type Forge } from '../../src/client/index.js';
import type { Exchange, Heard, Step } from './exchange.js';
import type { Rng } from './rng.js';
import { textFrame, upgradeRequest } from './wsWire.js';

export interface Signer {
  address: string;
  sign: (msg: Uint8Array) => Uint8Array;
}

export interface FuzzContext {
  port: number;
  axonHotkey: string;
  maxPayloadBytes: number;
  /** A permitted validator (//Bob on the devnet). */
  validator: Signer;
  /** A key with no uid on the subnet. */
  stranger: Signer;
  /**
   * The target charges per-IP limits on unproven traffic (its default config): a 429 to a
   * forgery may then be the IP's limit, not the claimed hotkey's. The fuzzer's own daemon lifts
   * per-IP limits, so there any 429 to a forgery is a hotkey budget spent by it.
   */
  ipLimited: boolean;
  nowNs: () => bigint;
}

export interface FuzzCase {
  family: string;
  note: string;
  ex: Exchange;
  /** A contract the answer must meet beyond the oracle; returns what was wrong, or null. */
  expect?: (h: Heard) => string | null;
}

export type Generator = (rng: Rng, ctx: FuzzContext) => FuzzCase;

export interface Family {
  name: string;
  gen: Generator;
}

export const uuidOf = (rng: Rng): string => `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-8${rng.hex(3)}-${rng.hex(12)}`;

export interface SignedOpts {
  signer?: Signer;
  body?: Record<string, unknown>;
  forge?: Forge;
  timeoutSec?: number;
}

/** A stock-dendrite HTTP request; the Dummy body hash is the constant one, so callers may append fields after signing. */
export function signedHttp(rng: Rng, ctx: FuzzContext, o: SignedOpts = {}): { path: string; headers: Record<string, string>; body: string } {
  const s = o.signer ?? ctx.validator;
  return buildHttpRequest(
    {
      synapse: 'Dummy',
      body: o.body ?? { dummy_input: rng.int(0, 1000) },
      timeoutSec: o.timeoutSec ?? 12,
      address: s.address,
      sign: s.sign,
      uuid: uuidOf(rng),
      nonce: ctx.nowNs(),
      axonHotkey: ctx.axonHotkey,
      axonIp: '127.0.0.1',
      axonPort: ctx.port,
      dendriteIp: '127.0.0.1',
    },
    o.forge,
  );
}

/** A `/ws` request frame signed over `bodyText` exactly. */
export function signedWs(rng: Rng, ctx: FuzzContext, bodyText: string, o: SignedOpts & { id?: string } = {}): Record<string, unknown> {
  const s = o.signer ?? ctx.validator;
  return buildWsFrame(
    {
      id: o.id ?? `c${rng.hex(8)}`,
      synapse: 'Dummy',
      bodyText,
      timeoutSec: o.timeoutSec ?? 12,
      address: s.address,
      sign: s.sign,
      uuid: uuidOf(rng),
      nonce: ctx.nowNs(),
      axonHotkey: ctx.axonHotkey,
    },
    o.forge,
  );
}

export type HeaderList = Array<[string, string]>;

/** Raw HTTP/1.1 request bytes; `contentLength: null` sends none, a number overrides the real length. */
export function httpBytes(
  method: string,
  path: string,
  headers: HeaderList | Record<string, string>,
  body: Buffer | string,
  o: { contentLength?: number | null; port?: number } = {},
): Buffer {
  const list: HeaderList = Array.isArray(headers) ? headers : Object.entries(headers);
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const lines = [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1${o.port ? `:${o.port}` : ''}`];
  for (const [k, v] of list) if (k.toLowerCase() !== 'content-length') lines.push(`${k}: ${v}`);
  const cl = o.contentLength === undefined ? b.length : o.contentLength;
  if (cl !== null) lines.push(`Content-Length: ${cl}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), b]);
}

export function httpCase(
  family: string,
  note: string,
  steps: Step[] | Buffer,
  o: { readMs?: number; answers?: number; expect?: FuzzCase['expect'] } = {},
): FuzzCase {
  const st = Buffer.isBuffer(steps) ? [{ write: steps }] : steps;
  return { family, note, ex: { kind: 'http', steps: st, readMs: o.readMs ?? 2_500, answers: o.answers ?? 1 }, ...(o.expect ? { expect: o.expect } : {}) };
}

/** A WebSocket case: a valid upgrade, then `frames` (raw bytes, or JSON texts sent as text frames). */
export function wsCase(
  family: string,
  note: string,
  ctx: FuzzContext,
  frames: Array<Buffer | string | Record<string, unknown>>,
  o: { readMs?: number; answers?: number; expect?: FuzzCase['expect']; tail?: Step[] } = {},
): FuzzCase {
  const steps: Step[] = [{ write: upgradeRequest(ctx.port) }];
  for (const f of frames) steps.push({ write: Buffer.isBuffer(f) ? f : textFrame(typeof f === 'string' ? f : JSON.stringify(f)) });
  steps.push(...(o.tail ?? []));
  return { family, note, ex: { kind: 'ws', steps, readMs: o.readMs ?? 2_500, answers: o.answers ?? frames.length }, ...(o.expect ? { expect: o.expect } : {}) };
}

/** Nested JSON `depth` levels deep, built as a flat string (never through a recursive serialiser). */
export function deepJson(rng: Rng, depth: number): string {
  switch (rng.int(0, 3)) {
    case 0:
      return '['.repeat(depth) + ']'.repeat(depth);
    case 1:
      return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    case 2:
      return '[{"a":'.repeat(Math.ceil(depth / 2)) + 'null' + '}]'.repeat(Math.ceil(depth / 2));
    default:
      return '['.repeat(depth) + '1' + ']'.repeat(depth);
  }
}

/** Bytes per nesting level of deepJson's forms, at most. */
export const DEEP_BYTES_PER_LEVEL = 6;

/** Appends `"key": valueText` to a JSON object text. */
export function withField(objText: string, key: string, valueText: string): string {
  const t = objText.trimEnd();
  const inner = t.slice(1, -1).trim();
  return `{${inner}${inner.length > 0 ? ', ' : ''}${JSON.stringify(key)}: ${valueText}}`;
}

/** The answer a case got: the last HTTP status, else the first WS status, else the close code. */
export function firstStatus(h: Heard): number | undefined {
  if (h.http.length > 0 && h.http.at(-1) !== 101) return h.http.at(-1);
  return h.ws[0];
}

/** Expects one of `statuses`, or one of `closes` as the WS close code. */
export function expectOneOf(statuses: number[], closes: number[] = []): (h: Heard) => string | null {
  return (h) => {
    const s = firstStatus(h);
    if (s !== undefined && statuses.includes(s)) return null;
    if (h.wsClose !== undefined && closes.includes(h.wsClose)) return null;
    return `expected ${[...statuses, ...closes.map((c) => `close ${c}`)].join('/')}, got ${s ?? 'no status'}${h.wsClose !== undefined ? ` close ${h.wsClose}` : ''} (${h.end})`;
  };
}
