/* Reading numbers and fields out of polkadot codecs whose exact shape depends on the runtime. */

interface CodecLike {
  toString(): string;
  toJSON?(): unknown;
}

/** Any unsigned integer codec (u16, Compact<u64>, a newtype around one, ...) as a bigint. */
export function big(v: unknown): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  const c = v as { toBigInt?: () => bigint; unwrap?: () => unknown; isSome?: boolean; isNone?: boolean; toString(): string };
  if (c.isNone === true) return 0n;
  if (typeof c.toBigInt === 'function') return c.toBigInt();
  if (typeof c.unwrap === 'function') return big(c.unwrap());
  const single = onlyField(v);
  if (single !== undefined) return big(single);
  const s = c.toString();
  return /^(0x[0-9a-f]+|\d+)$/i.test(s) ? BigInt(s) : 0n;
}

export function num(v: unknown): number {
  return Number(big(v));
}

export function bool(v: unknown): boolean {
  const c = v as { isTrue?: boolean; valueOf?: () => unknown } | undefined;
  if (c === undefined || c === null) return false;
  if (typeof c === 'boolean') return c;
  if (typeof c.isTrue === 'boolean') return c.isTrue;
  return Boolean((c as { toJSON?: () => unknown }).toJSON?.());
}

export function str(v: unknown): string {
  return (v as CodecLike).toString();
}

/** The single field of a newtype struct, if v is one. */
function onlyField(v: unknown): unknown {
  const s = v as { size?: number; values?: () => IterableIterator<unknown>; entries?: unknown };
  if (typeof s.values === 'function' && s.size === 1 && s instanceof Map) return [...s.values()][0];
  return undefined;
}

/** A struct field by its camelCase name (polkadot Structs are Maps with getters). */
export function field(v: unknown, name: string): unknown {
  const s = v as Map<string, unknown> & Record<string, unknown>;
  if (s instanceof Map && s.has(name)) return s.get(name);
  return s[name];
}

/** Element i of a Vec codec or array, or undefined. */
export function at(v: unknown, i: number): unknown {
  const arr = v as ArrayLike<unknown> | undefined;
  return arr && i < arr.length ? arr[i] : undefined;
}
