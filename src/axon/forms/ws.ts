import { rejection } from '../rejection.js';
import type { MinerError } from '../../util/index.js';
import { isPlainObject } from './legacy.js';
import { jsonBoundsViolation, type JsonBounds } from '../boundedJson.js';
import type { WsRequest } from '../../wire/index.js';

export const MAX_ID_CHARS = 64;

export type WsParse = { ok: true; req: WsRequest } | { ok: false; id: string | null; error: MinerError };

const ID_PREFIX_RE = /"id"\s*:\s*"([^"\\]{1,64})"/;

/** Finds the request id in the first bytes of a frame we will not parse (too large, bad JSON). */
export function sniffId(text: string): string | null {
  const m = ID_PREFIX_RE.exec(text.slice(0, 512));
  return m?.[1] ?? null;
}

function bad(id: string | null, message: string): WsParse {
  return { ok: false, id, error: rejection('BAD_REQUEST', `Bad Request: ${message}`) };
}

function str(v: unknown, max: number): string | null {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : null;
}

const DENDRITE_FIELDS = [
  ['hotkey', 64],
  ['nonce', 24],
  ['uuid', 128],
  ['signature', 132],
] as const;

/**
 * Parses and validates one text frame against the request schema of docs/protocol.md. The
 * frame's nesting and size are bounded before JSON.parse; the `body` string inside it is
 * bounded separately where it is parsed.
 */
export function parseWsRequest(frame: Buffer | string, bounds: JsonBounds): WsParse {
  const buf = typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame;
  const text = typeof frame === 'string' ? frame : frame.toString('utf8');
  const violation = jsonBoundsViolation(buf, bounds);
  if (violation !== null) return bad(sniffId(text), `frame JSON has ${violation}`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return bad(sniffId(text), 'frame is not valid JSON');
  }
  if (!isPlainObject(v)) return bad(null, 'frame must be a JSON object');
  const id = str(v['id'], MAX_ID_CHARS);
  if (id === null) return bad(null, `id must be a string of 1 to ${MAX_ID_CHARS} characters`);
  if (v['type'] !== 'request') return bad(id, 'type must be "request"');
  const synapse = str(v['synapse'], 64);
  if (synapse === null) return bad(id, 'synapse must be a non-empty string');
  const timeout = v['timeout'];
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)) {
    return bad(id, 'timeout must be a positive number of seconds');
  }
  if (typeof v['body'] !== 'string') return bad(id, 'body must be a string holding the synapse JSON');
  const d = v['dendrite'];
  if (!isPlainObject(d)) return bad(id, 'dendrite must be an object');
  const dendrite: WsRequest['dendrite'] = {};
  for (const [field, max] of DENDRITE_FIELDS) {
    const x = d[field];
    if (x === undefined || x === null || x === '') continue;
    if (typeof x !== 'string' || x.length > max) return bad(id, `dendrite.${field} must be a string of at most ${max} characters`);
    dendrite[field] = x;
  }
  return { ok: true, req: { type: 'request', id, synapse, timeout: timeout as number | undefined, body: v['body'], dendrite } };
}
