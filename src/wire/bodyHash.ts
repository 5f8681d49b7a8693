import { createHash } from 'node:crypto';

/** sha3-256 hex of a string's UTF-8 bytes (Python's hashlib.sha3_256(s.encode()).hexdigest()). */
export function sha3Hex(data: string | Uint8Array): string {
  return createHash('sha3-256').update(data).digest('hex');
}

/** sha3_256("") — the body hash of every synapse that declares no required_hash_fields. */
export const EMPTY_BODY_HASH = 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a';

function pyStrRepr(s: string): string {
  // Python prefers single quotes and switches to double quotes only when that avoids escaping.
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return quote + out + quote;
}

function pyNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  // JS and Python share shortest round-trip digits; only the exponent spelling differs.
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python `repr()` of a JSON value, as it appears inside containers. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return pyStrRepr(v);
  return pyStr(v);
}

/**
 * Python `str()` of a JSON value after pydantic model_dump: ints, strings, bools, None,
 * floats, lists and dicts. Integral numbers count as ints (JSON cannot tell 1 from 1.0).
 */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return pyNumber(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`);
    return `{${parts.join(', ')}}`;
  }
  return String(v);
}

/**
 * The Python Synapse.body_hash: sha3 of the concatenated sha3 hex digests of `str(field)` for
 * each required hash field, in declaration order.
 */
export function computeBodyHash(body: Record<string, unknown>, requiredHashFields: readonly string[] | undefined): string {
  if (!requiredHashFields || requiredHashFields.length === 0) return EMPTY_BODY_HASH;
  let joined = '';
  for (const field of requiredHashFields) joined += sha3Hex(pyStr(body[field]));
  return sha3Hex(joined);
}
