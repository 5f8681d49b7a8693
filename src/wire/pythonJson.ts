/** A number Python holds as a float: json.dumps writes 12.0, not 12. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python int too big for a JS number (nonces). */
export class PyInt {
  constructor(readonly value: bigint | string) {}
}

function pyFloatRepr(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

function pyJsonString(s: string): string {
  // json.dumps default: ensure_ascii=True.
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Python `json.dumps(obj)` with default separators (", " and ": ") and ensure_ascii. */
export function pythonJsonDumps(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (v instanceof PyInt) return v.value.toString();
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : Number.isNaN(v) ? 'NaN' : '-Infinity';
  if (typeof v === 'string') return pyJsonString(v);
  if (Array.isArray(v)) return `[${v.map(pythonJsonDumps).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyJsonString(k)}: ${pythonJsonDumps(x)}`)
      .join(', ')}}`;
  }
  return 'null';
}
