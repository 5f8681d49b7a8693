import { createHash } from 'node:crypto';
import type { CachePolicy, SynapseHandler } from '../synapse/index.js';

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
 * Collects text and hands it to the hash in one piece; crossing into the hash per token
 * would cost more than the canonicalisation itself.
 */
export class CanonicalSink {
  private text = '';
  constructor(
    private readonly onText: (s: string) => void,
    private readonly onBytes: (b: Uint8Array) => void,
  ) {}
  update(s: string): void {
    this.text += s;
  }
  bytes(b: Uint8Array): void {
    this.flush();
    this.onBytes(b);
  }
  flush(): void {
    if (this.text.length === 0) return;
    this.onText(this.text);
    this.text = '';
  }
}

/**
 * Feeds the canonical JSON of `value` into `h`: keys sorted, undefined and functions left out
 * as JSON does, byte arrays hashed as bytes (an OCR page need not become a base64 string again).
 */
export function writeCanonical(h: CanonicalSink, value: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw new RangeError('cache key input nested too deeply');
  if (value === null || value === undefined) return void h.update('null');
  switch (typeof value) {
    case 'string':
      return void h.update(JSON.stringify(value));
    case 'number':
      return void h.update(canonicalNumber(value));
    case 'boolean':
      return void h.update(value ? 'true' : 'false');
    case 'bigint':
      return void h.update(JSON.stringify(`$big:${value.toString()}`));
    case 'function':
    case 'symbol':
      return void h.update('null');
    default:
      break;
  }
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    h.update(`{"$bytes":${bytes.byteLength}:`);
    h.bytes(bytes);
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

function writeObject(h: CanonicalSink, obj: Record<string, unknown>, keys: readonly string[], depth: number): void {
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
  const sink = new CanonicalSink(
    (t) => h.update(t, 'utf8'),
    (b) => h.update(b),
  );
  const scope = parts.policy === 'per-validator' ? `validator:${parts.callerHotkey}` : 'shared';
  sink.update(JSON.stringify([KEY_VERSION, parts.synapse.name, parts.synapse.modelId, scope]));
  sink.update('\n');
  writeCanonical(sink, questionOf(parts.synapse, parts.input));
  sink.flush();
  return h.digest('hex');
}

/** Canonical JSON text of a value (for tests and debugging; byte arrays appear as base64). */
export function canonicalJson(value: unknown): string {
  let out = '';
  const sink = new CanonicalSink(
    (t) => {
      out += t;
    },
    (b) => {
      out += Buffer.from(b).toString('base64');
    },
  );
  writeCanonical(sink, value);
  sink.flush();
  return out;
}
