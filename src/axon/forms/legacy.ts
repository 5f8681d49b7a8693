import type { IncomingHttpHeaders } from 'node:http';
import type { SynapseBody } from '../../synapse/index.js';
import { BITTENSOR_PROTOCOL_VERSION } from '../../wire/index.js';

/** The dendrite identity as a stock Python dendrite sends it in `bt_header_*` headers. */
export interface HttpDendriteHeaders {
  hotkey: string | undefined;
  nonce: string | undefined;
  uuid: string | undefined;
  signature: string | undefined;
  ip: string | undefined;
  version: string | undefined;
  /** `timeout` header, seconds; undefined when absent or not a positive number. */
  timeoutSec: number | undefined;
  computedBodyHash: string | undefined;
  axonHotkey: string | undefined;
}

function one(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  const t = s.trim();
  return t.length === 0 ? undefined : t;
}

/** Reads the headers Python's Synapse.to_headers() writes (Node lower-cases header names). */
export function parseBtHeaders(h: IncomingHttpHeaders): HttpDendriteHeaders {
  const timeout = one(h, 'timeout');
  const t = timeout === undefined ? Number.NaN : Number(timeout);
  return {
    hotkey: one(h, 'bt_header_dendrite_hotkey'),
    nonce: one(h, 'bt_header_dendrite_nonce'),
    uuid: one(h, 'bt_header_dendrite_uuid'),
    signature: one(h, 'bt_header_dendrite_signature'),
    ip: one(h, 'bt_header_dendrite_ip'),
    version: one(h, 'bt_header_dendrite_version'),
    timeoutSec: Number.isFinite(t) && t > 0 ? t : undefined,
    computedBodyHash: one(h, 'computed_body_hash'),
    axonHotkey: one(h, 'bt_header_axon_hotkey'),
  };
}

/** `/Dummy`, `/Dummy/`, `/Dummy?x=1` -> `Dummy`. */
export function synapseNameFromPath(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  return path.split('/')[1] ?? '';
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Big integers (nonces are ns since the epoch, past 2^53) would lose digits through a JS
 * number; they travel as marked strings and are unquoted after JSON.stringify.
 */
const BIG_MARK = '\u0000bigint:';
const BIG_RE = /"\\u0000bigint:(\d{1,40})"/g;

export function bigJson(digits: string | bigint): string {
  return BIG_MARK + digits.toString();
}

export function stringifyWithBigInts(v: unknown): string {
  return JSON.stringify(v).replace(BIG_RE, '$1');
}

export interface ResponseTerminals {
  processTimeSec: number;
  axonHotkey: string;
  axonUuid: string;
  axonNonce: bigint;
  dendrite: { hotkey: string; nonce: string; uuid: string; signature: string | undefined; ip: string; port: number };
}

/**
 * The 200 body: the request synapse echoed with outputs merged, and the `axon` / `dendrite`
 * terminal objects filled as the Python axon fills them, so the dendrite's pydantic model
 * of the synapse accepts it.
 */
export function successBody(body: SynapseBody, outputs: SynapseBody, t: ResponseTerminals): string {
  const axonIn = isPlainObject(body['axon']) ? body['axon'] : {};
  const dendIn = isPlainObject(body['dendrite']) ? body['dendrite'] : {};
  const out: Record<string, unknown> = { ...body, ...outputs };
  out['axon'] = {
    ...axonIn,
    status_code: 200,
    status_message: 'Success',
    process_time: t.processTimeSec,
    version: BITTENSOR_PROTOCOL_VERSION,
    nonce: bigJson(t.axonNonce),
    uuid: t.axonUuid,
    hotkey: t.axonHotkey,
  };
  out['dendrite'] = {
    ...dendIn,
    hotkey: t.dendrite.hotkey,
    nonce: bigJson(t.dendrite.nonce),
    uuid: t.dendrite.uuid,
    signature: t.dendrite.signature ?? null,
    ip: t.dendrite.ip,
    port: t.dendrite.port,
  };
  return stringifyWithBigInts(out);
}

/** Headers of every answer, as Synapse.from_headers() on the dendrite reads them back. */
export function responseHeaders(status: number, message: string, processTimeSec: number, extra: Record<string, string>): Record<string, string> {
  return {
    'content-type': 'application/json',
    bt_header_axon_status_code: String(status),
    bt_header_axon_status_message: headerSafe(message),
    bt_header_axon_process_time: String(processTimeSec),
    ...extra,
  };
}

/** Header values must be latin-1 without control characters. */
export function headerSafe(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 512);
}
