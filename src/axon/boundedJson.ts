import { rejection } from './rejection.js';

export interface JsonBounds {
  /** Deepest nesting of arrays and objects accepted. */
  maxDepth: number;
  /** Most values (array elements, object members, containers) in one document. */
  maxElements: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** Index of the quote closing a string whose opening quote is at `start`, or -1. */
function stringEnd(buf: Buffer, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, i);
    if (q < 0) return -1;
    let slashes = 0;
    for (let j = q - 1; j > start && buf[j] === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return q;
    i = q + 1;
  }
}

/**
 * Why a document exceeds the bounds, or null. A flat scan, never recursion: JSON.parse in V8
 * is iterative, but everything downstream (JSON.stringify, canonical cache keys, Python-style
 * dumps) recurses, and one body nested 10^5 levels deep used to end the process there.
 * Malformed JSON is left for JSON.parse to refuse.
 */
export function jsonBoundsViolation(buf: Buffer, bounds: JsonBounds): string | null {
  let depth = 0;
  let elements = 0;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      const end = stringEnd(buf, i);
      if (end < 0) return null;
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > bounds.maxDepth) return `nesting deeper than ${bounds.maxDepth} levels`;
      if (++elements > bounds.maxElements) return `more than ${bounds.maxElements} elements`;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === COMMA) {
      if (++elements > bounds.maxElements) return `more than ${bounds.maxElements} elements`;
    }
  }
  return null;
}

/**
 * JSON.parse behind the bounds: over them, or malformed, is a 400 whose message says which
 * (the caller names what was parsed: `body`, `frame`).
 */
export function parseBoundedJson(input: Buffer | string, bounds: JsonBounds, what: string): unknown {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const violation = jsonBoundsViolation(buf, bounds);
  if (violation !== null) throw rejection('BAD_REQUEST', `Bad Request: ${what} JSON has ${violation}`);
  try {
    return JSON.parse(typeof input === 'string' ? input : buf.toString('utf8'));
  } catch {
    throw rejection('BAD_REQUEST', `Bad Request: ${what} is not valid JSON`);
  }
}
