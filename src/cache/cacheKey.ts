import { createHash, type Hash } from 'node:crypto';
import type { CachePolicy, SynapseHandler } from '../axon/synapse.js';

/** Bumped whenever the key layout changes, so old stored answers simply stop matching. */
const KEY_VERSION = 'subnet-miner-cache/v1';
const MAX_DEPTH = 64;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Numbers in one spelling: -0 is 0, and values JSON cannot hold keep a distinct tag. */
function canonicalNumber(n: number): string {
  if (Number.isFinite(n)) return JSON.stringify(Object.is(n, -0) ? 0 : n);
  return JSON.stringify(`$num:${String(n)}`);
}

/**
 * Feeds the canonical JSON of `value` into `h`: keys sorted, undefined and functions left out
 * as JSON does, byte arrays hashed as bytes (an OCR page need not become a base64 string again).
 */
export function writeCanonical(h: Hash, value: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw new RangeError('cache key input nested too deeply');
  if (value === null || value === undefined) return void h.update('null');
  switch (typeof value) {
    case 'string': return void h.update(JSON.stringify(value));
    case 'number': return void h.update(canonicalNumber(value));
    case 'boolean': return void h.update(value ? 'true' : 'false');
    case 'bigint': return void h.update(JSON.stringify(`$big:${value.toString()}`));
    case 'function': case 'symbol': return void h.update('null');
    default: break;
  }
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    h.update(`{"$bytes":${bytes.byteLength}:`);
    h.update(bytes);
    return void h.update('}');
  }
  if (Array.isArray(value)) {
    h.update('[');
    value.forEach((v, i) => {
      if (i > 0) h.update(',');
      writeCanonical(h, v, depth + 1);
    });
    return void h.update(']');
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (!isPlainObject(value) && typeof toJSON === 'function') return writeCanonical(h, toJSON.call(value), depth + 1);
  writeObject(h, value as Record<string, unknown>, Object.keys(value), depth);
}

function writeObject(h: Hash, obj: Record<string, unknown>, keys: readonly string[], depth: number): void {
  h.update('{');
  let first = true;
  for (const k of [...keys].sort()) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (!first) h.update(',');
    first = false;
    h.update(JSON.stringify(k));
    h.update(':');
    writeCanonical(h, v, depth + 1);
  }
  h.update('}');
}

/**
 * The question part of a request. The executor sees the parsed input: when it is an object
 * holding input fields only those count (a whole body never leaks nonce or timeout into the
 * key); a bare value is the value of the synapse's single input field.
 */
export function questionOf(synapse: Pick<SynapseHandler, 'inputFields'>, input: unknown): Record<string, unknown> {
  const fields = synapse.inputFields;
  if (isPlainObject(input) && fields.some((f) => Object.hasOwn(input, f))) {
    const picked: Record<string, unknown> = {};
    for (const f of fields) if (Object.hasOwn(input, f)) picked[f] = input[f];
    return picked;
  }
  if (fields.length === 1 && fields[0] !== undefined) return { [fields[0]]: input };
  return { $parsed: input };
}

export interface KeyParts {
  synapse: Pick<SynapseHandler, 'name' | 'modelId' | 'inputFields'>;
  input: unknown;
  policy: CachePolicy;
  callerHotkey: string;
}

/**
 * sha256 over version, synapse name, model id, scope and the canonical question. `shared`
 * and `off` share one scope (off never stores, but may share a computation in flight);
 * `per-validator` adds the caller's hotkey.
 */
export function cacheKey(parts: KeyParts): string {
  const h = createHash('sha256');
  const scope = parts.policy === 'per-validator' ? `validator:${parts.callerHotkey}` : 'shared';
  h.update(JSON.stringify([KEY_VERSION, parts.synapse.name, parts.synapse.modelId, scope]));
  h.update('\n');
  writeCanonical(h, questionOf(parts.synapse, parts.input));
  return h.digest('hex');
}

/** Canonical JSON text of a value (for tests and debugging; keys use the streamed form). */
export function canonicalJson(value: unknown): string {
  const chunks: string[] = [];
  const sink = { update: (c: string | Uint8Array) => { chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('base64')); return sink; } };
  writeCanonical(sink as unknown as Hash, value);
  return chunks.join('');
}
