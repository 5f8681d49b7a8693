import type { IncomingHttpHeaders } from 'node:http';
import { decodeAddress } from '@polkadot/util-crypto';

export type { SigScheme } from '../../wire/index.js';

/** A header parse result; failures carry the MinerError code the axon answers with. */
export type FormParse<T> = { ok: true; value: T } | { ok: false; code: 'BAD_REQUEST' | 'BAD_SIGNATURE' | 'BAD_NONCE'; message: string };

/** A timestamp's standing against the clock; the bounds themselves are fresh. */
export type Freshness = 'ok' | 'stale' | 'future';

export type FormFailure = Extract<FormParse<never>, { ok: false }>;

/** SS58 address -> 32-byte public key, or null; the axon's Ss58Cache.decode fits. */
export type Ss58Decoder = (address: string) => Uint8Array | null;

/** No header these forms read is legitimately longer (a signature is 130 chars). */
export const MAX_FORM_HEADER_CHARS = 256;

const SS58_CHARS = /^[1-9A-HJ-NP-Za-km-z]{40,64}$/;
const SIGNATURE_HEX = /^0x[0-9a-fA-F]{128}$/;

export function fail(code: FormFailure['code'], message: string): FormFailure {
  return { ok: false, code, message };
}

/**
 * One header's value: undefined when absent, null when malformed at the HTTP level. Node joins
 * a repeated unknown header with ", " (or keeps an array); none of these values may hold a
 * comma, so either shape means the header came twice.
 */
export function singleHeader(h: IncomingHttpHeaders, name: string): string | null | undefined {
  const v = h[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > MAX_FORM_HEADER_CHARS || v.includes(',')) return null;
  return v;
}

/** Bounded and charset-checked before decoding, because decoding hashes a checksum. */
export function decodeSs58(address: string): Uint8Array | null {
  if (!SS58_CHARS.test(address)) return null;
  try {
    const pub = decodeAddress(address);
    return pub.length === 32 ? pub : null;
  } catch {
    return null;
  }
}

/** Exactly `0x` + 128 hex digits (either case) -> 64 bytes, or null. */
export function parseSignatureHex(text: string): Uint8Array | null {
  if (!SIGNATURE_HEX.test(text)) return null;
  return Uint8Array.from(Buffer.from(text.slice(2), 'hex'));
}

/** Decimal digits, no sign, no leading zero (except "0"), at most maxDigits. */
export function isCanonicalDecimal(text: string, maxDigits: number): boolean {
  if (text.length === 0 || text.length > maxDigits) return false;
  if (!/^[0-9]+$/.test(text)) return false;
  return text === '0' || text[0] !== '0';
}

/** Header names a form reads: key -> [lower-case name as Node gives it, name for messages]. */
export type HeaderNames<K extends string> = Readonly<Record<K, readonly [string, string]>>;

export interface HeaderReader<K extends string> {
  /** The value, undefined when absent; a failure when sent twice or oversized. */
  read(h: IncomingHttpHeaders, key: K): FormParse<string | undefined>;
  /** As read, and a missing or empty value is an authentication failure. */
  required(h: IncomingHttpHeaders, key: K): FormParse<string>;
}

/** The header reading both signed-HTTP forms share. */
export function headerReader<K extends string>(names: HeaderNames<K>): HeaderReader<K> {
  const read = (h: IncomingHttpHeaders, key: K): FormParse<string | undefined> => {
    const [name, display] = names[key];
    const v = singleHeader(h, name);
    return v === null ? fail('BAD_REQUEST', `Duplicate or oversized ${display}`) : { ok: true, value: v };
  };
  const required = (h: IncomingHttpHeaders, key: K): FormParse<string> => {
    const r = read(h, key);
    if (!r.ok) return r;
    if (r.value === undefined || r.value === '') return fail('BAD_SIGNATURE', `Missing ${names[key][1]}`);
    return { ok: true, value: r.value };
  };
  return { read, required };
}

/** A header's first value, trimmed; undefined when absent or empty. Only for the cheap pre-checks. */
export function firstValue(v: string | string[] | undefined): string | undefined {
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s ? s : undefined;
}
