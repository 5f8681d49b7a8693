import type { z } from 'zod';

/**
 * Introspection of the zod schema, so that environment names, flag coercion and unknown-key
 * checks follow the schema mechanically instead of a hand-kept list that drifts.
 */

export type LeafKind = 'string' | 'number' | 'boolean' | 'stringArray' | 'numberArray' | 'json';

export interface LeafInfo {
  readonly path: readonly string[];
  readonly kind: LeafKind;
  readonly envName: string;
}

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  element?: AnySchema;
  valueType?: AnySchema;
  shape?: Record<string, AnySchema>;
}

function defOf(s: AnySchema): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips wrappers (default, optional, nullable, pipe) down to the schema that holds the shape. */
export function unwrapSchema(s: AnySchema): AnySchema {
  let cur = s;
  for (let i = 0; i < 16; i++) {
    const def = defOf(cur);
    if (def.innerType && ['default', 'optional', 'nullable', 'prefault', 'readonly', 'catch'].includes(def.type)) {
      cur = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      cur = def.in;
    } else {
      return cur;
    }
  }
  return cur;
}

export function schemaType(s: AnySchema): string {
  return defOf(unwrapSchema(s)).type;
}

/** Fields of an object schema, or undefined when the node is not an object. */
export function objectShape(s: AnySchema): Record<string, AnySchema> | undefined {
  const def = defOf(unwrapSchema(s));
  return def.type === 'object' ? def.shape : undefined;
}

function recordValue(s: AnySchema): AnySchema | undefined {
  const def = defOf(unwrapSchema(s));
  return def.type === 'record' ? def.valueType : undefined;
}

/** The schema at a path, walking objects and records; undefined when the path names no key. */
export function schemaAt(root: AnySchema, path: readonly string[]): AnySchema | undefined {
  let cur: AnySchema | undefined = root;
  for (const seg of path) {
    if (!cur) return undefined;
    const shape = objectShape(cur);
    if (shape) {
      cur = Object.hasOwn(shape, seg) ? shape[seg] : undefined;
      continue;
    }
    cur = recordValue(cur);
  }
  return cur;
}

export function isContainer(s: AnySchema): boolean {
  const t = schemaType(s);
  return t === 'object' || t === 'record';
}

export function isRecord(s: AnySchema): boolean {
  return schemaType(s) === 'record';
}

export function leafKind(s: AnySchema): LeafKind {
  const def = defOf(unwrapSchema(s));
  switch (def.type) {
    case 'string':
    case 'enum':
    case 'literal':
      return 'string';
    case 'number':
    case 'int':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const el = def.element ? schemaType(def.element) : 'unknown';
      if (el === 'string' || el === 'enum') return 'stringArray';
      if (el === 'number') return 'numberArray';
      return 'json';
    }
    default:
      return 'json';
  }
}

/** `maxPayloadBytes` -> `MAX_PAYLOAD_BYTES`. */
export function screamingSnake(segment: string): string {
  return segment
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

export function envNameFor(path: readonly string[]): string {
  return ['MINER', ...path.map(screamingSnake)].join('_');
}

/**
 * Every leaf reachable through objects only. Records (maps keyed by the operator, such as
 * `inference.models`) have no fixed names, so they are set as a whole: in the file, or as JSON
 * through their own environment variable / `--set`.
 */
export function listLeaves(root: AnySchema, prefix: readonly string[] = []): LeafInfo[] {
  const shape = objectShape(root);
  if (!shape) return [{ path: prefix, kind: leafKind(root), envName: envNameFor(prefix) }];
  const out: LeafInfo[] = [];
  for (const [key, child] of Object.entries(shape)) {
    out.push(...listLeaves(child, [...prefix, key]));
  }
  return out;
}

/** Env name -> leaf; throws when two paths would share a name (a schema bug caught by tests). */
export function buildEnvIndex(root: AnySchema): Map<string, LeafInfo> {
  const index = new Map<string, LeafInfo>();
  for (const leaf of listLeaves(root)) {
    const prev = index.get(leaf.envName);
    if (prev) {
      throw new Error(`config schema: ${prev.path.join('.')} and ${leaf.path.join('.')} both map to ${leaf.envName}`);
    }
    index.set(leaf.envName, leaf);
  }
  return index;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The known name closest to a misspelt one, when it is close enough to be a likely typo. */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  const lower = name.toLowerCase();
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDist) {
      best = k;
      bestDist = d;
    }
  }
  return bestDist <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}
