import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { ConfigError } from '../util/index.js';
import { configSchema, type MinerConfig } from './schema.js';
import { buildEnvIndex, closestName, isContainer, isRecord, leafKind, objectShape, schemaAt, type LeafKind } from './schemaWalk.js';
import { expandHome } from './paths.js';

/**
 * Precedence, lowest first: schema defaults <- BT_WALLET_PATH (the wallet path default only)
 * <- JSON config file <- MINER_* environment <- CLI flags. Relative paths inside the file are
 * kept as written and resolve from the working directory of the process, not from the file.
 */
export interface LoadConfigOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Dotted paths (`axon.port`) or nested objects; strings are coerced by the leaf's type. */
  flags?: Record<string, unknown>;
  /** Dotted path -> the flag as the operator typed it (`--port`), for error messages. */
  flagSources?: Record<string, string>;
}

/** MINER_* variables that are not configuration (secrets, debug switches): never an error. */
export const NON_CONFIG_ENV: ReadonlySet<string> = new Set([
  'MINER_CONFIG',
  'MINER_COLDKEY_PASSWORD',
  'MINER_HOTKEY_PASSWORD',
  'MINER_REDIS_PASSWORD',
  'MINER_DEBUG',
]);
/** Prefixes reserved for tests and benches, and suffixes that only ever carry secrets. */
export const NON_CONFIG_ENV_PREFIXES: readonly string[] = ['MINER_TEST_', 'MINER_E2E_', 'MINER_BENCH_'];
const SECRET_SUFFIXES = ['_PASSWORD', '_TOKEN', '_SECRET'];

export function isNonConfigEnv(name: string): boolean {
  return NON_CONFIG_ENV.has(name) || NON_CONFIG_ENV_PREFIXES.some((p) => name.startsWith(p)) || SECRET_SUFFIXES.some((s) => name.endsWith(s));
}

type Obj = Record<string, unknown>;

interface Layer {
  values: Obj;
  /** Dotted path -> where the value came from, for every node the layer set. */
  sources: Map<string, string>;
}

const HINT_UNKNOWN = 'fix: remove it or correct the spelling';

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setPath(target: Obj, path: readonly string[], value: unknown): void {
  let cur = target;
  path.slice(0, -1).forEach((seg) => {
    const next = cur[seg];
    if (!isPlainObject(next)) cur[seg] = {};
    cur = cur[seg] as Obj;
  });
  const last = path[path.length - 1];
  if (last !== undefined) cur[last] = value;
}

function unknownKey(path: readonly string[], source: string): ConfigError {
  const parent = path.slice(0, -1);
  const shape = objectShape(schemaAt(configSchema, parent) ?? configSchema);
  const names = shape ? Object.keys(shape) : [];
  const guess = closestName(path[path.length - 1] ?? '', names);
  const known = guess
    ? ` (did you mean "${[...parent, guess].join('.')}"?)`
    : names.length
      ? ` (known keys${parent.length ? ` under "${parent.join('.')}"` : ''}: ${names.join(', ')})`
      : '';
  return new ConfigError(`config: unknown key "${path.join('.')}" in ${source}; ${HINT_UNKNOWN}${known}`, {
    key: path.join('.'),
    source,
  });
}

/** Rejects keys the schema does not have, naming the source, and records provenance. */
function checkAndTrace(value: unknown, path: string[], source: string, layer: Layer): void {
  if (path.length > 0) layer.sources.set(path.join('.'), source);
  if (!isPlainObject(value)) return;
  const node = path.length ? schemaAt(configSchema, path) : configSchema;
  if (!node || !isContainer(node)) return;
  const shape = objectShape(node);
  for (const [key, child] of Object.entries(value)) {
    if (shape && !Object.hasOwn(shape, key)) throw unknownKey([...path, key], source);
    checkAndTrace(child, [...path, key], source, layer);
  }
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

type Bad = (why: string) => ConfigError;

function parseJsonText(text: string, bad: Bad): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw bad('expected JSON');
  }
}

function parseNumber(text: string, bad: Bad): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw bad(`expected a number, got "${text.trim()}"`);
  return n;
}

function parseBoolean(text: string, bad: Bad): boolean {
  const w = text.toLowerCase();
  if (TRUE_WORDS.has(w)) return true;
  if (FALSE_WORDS.has(w)) return false;
  throw bad(`expected true or false, got "${text}"`);
}

/** Turns a string from the environment or a flag into the leaf's type. */
export function coerceString(raw: string, kind: LeafKind, key: string, source: string): unknown {
  const bad: Bad = (why) =>
    new ConfigError(`config: bad value for "${key}" in ${source}: ${why}; fix: set a valid value or remove it to use the default`, { key, source });
  const text = raw.trim();
  switch (kind) {
    case 'string':
      return raw;
    case 'number':
      return parseNumber(text, bad);
    case 'boolean':
      return parseBoolean(text, bad);
    case 'stringArray':
    case 'numberArray': {
      // Lists are comma-separated, or JSON when they start with '['.
      if (text.startsWith('[')) return parseJsonText(text, bad);
      const items = text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      return kind === 'numberArray' ? items.map((i) => parseNumber(i, bad)) : items;
    }
    case 'json':
      return parseJsonText(text, bad);
  }
}

function fileLayer(configFile: string): Layer {
  let text: string;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new ConfigError(`config: cannot read config file ${configFile} (${code}); fix: check the path given with --config`, {
      source: configFile,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : 'invalid JSON';
    throw new ConfigError(`config: ${configFile} is not valid JSON (${why}); fix: correct the JSON syntax`, { source: configFile });
  }
  if (!isPlainObject(parsed)) {
    throw new ConfigError(`config: ${configFile} must hold a JSON object at the top level`, { source: configFile });
  }
  const layer: Layer = { values: parsed, sources: new Map() };
  checkAndTrace(parsed, [], configFile, layer);
  return layer;
}

function walletPathLayer(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = { values: {}, sources: new Map() };
  const p = env['BT_WALLET_PATH'];
  if (p !== undefined && p !== '') {
    setPath(layer.values, ['wallet', 'path'], p);
    layer.sources.set('wallet.path', 'environment variable BT_WALLET_PATH');
  }
  return layer;
}

/** Empty variables count as unset, as with systemd EnvironmentFile lines like `MINER_X=`. */
function envLayer(env: NodeJS.ProcessEnv): Layer {
  const index = buildEnvIndex(configSchema);
  const layer: Layer = { values: {}, sources: new Map() };
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith('MINER_') || raw === undefined) continue;
    const leaf = index.get(name);
    const source = `environment variable ${name}`;
    if (!leaf) {
      if (isNonConfigEnv(name)) continue;
      const guess = closestName(name, index.keys());
      const hint = guess ? `did you mean ${guess}?` : 'list: subnet-miner config env';
      throw new ConfigError(`config: unknown key "${name}" in the environment; fix: unset it or use a known name (${hint})`, { key: name, source: 'env' });
    }
    if (raw === '') continue;
    const key = leaf.path.join('.');
    const value = coerceString(raw, leaf.kind, key, source);
    setPath(layer.values, leaf.path, value);
    checkAndTrace(value, [...leaf.path], source, layer);
  }
  return layer;
}

function flagLayer(flags: Obj, flagSources: Record<string, string>): Layer {
  const layer: Layer = { values: {}, sources: new Map() };
  const visit = (path: string[], value: unknown): void => {
    const key = path.join('.');
    const source = flagSources[key] ? `command-line flag ${flagSources[key]}` : `command-line flag for "${key}"`;
    const node = schemaAt(configSchema, path);
    if (!node) throw unknownKey(path, source);
    if (isPlainObject(value) && isContainer(node) && !isRecord(node)) {
      for (const [k, v] of Object.entries(value)) visit([...path, k], v);
      return;
    }
    const kind = leafKind(node);
    const typed = typeof value === 'string' && kind !== 'string' ? coerceString(value, kind, key, source) : value;
    setPath(layer.values, path, typed);
    checkAndTrace(typed, path, source, layer);
  };
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined) continue;
    visit(k.split('.'), v);
  }
  return layer;
}

function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function sourceFor(path: readonly (string | number | symbol)[], sources: Map<string, string>): string {
  const segs = path.map(String);
  for (let n = segs.length; n > 0; n--) {
    const s = sources.get(segs.slice(0, n).join('.'));
    if (s) return s;
  }
  return 'the defaults';
}

interface IssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

function issueMessage(issue: IssueLike, sources: Map<string, string>): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
    const key = [...path, issue.keys[0] ?? ''];
    return `unknown key "${key.join('.')}" in ${sourceFor(key, sources)}; ${HINT_UNKNOWN}`;
  }
  return `bad value for "${path.join('.') || '(root)'}" in ${sourceFor(path, sources)}: ${issue.message}`;
}

/** Loads, merges and validates the configuration; throws ConfigError naming key, source and fix. */
export function loadConfig(opts: LoadConfigOptions = {}): MinerConfig {
  const env = opts.env ?? {};
  const layers: Layer[] = [walletPathLayer(env)];
  if (opts.configFile !== undefined) layers.push(fileLayer(opts.configFile));
  layers.push(envLayer(env));
  if (opts.flags) layers.push(flagLayer(opts.flags, opts.flagSources ?? {}));

  // Starting from the parsed defaults makes maps (cache.synapses) merge entry by entry instead
  // of a partial map replacing the default one.
  let merged: Obj = configSchema.parse({}) as Obj;
  const sources = new Map<string, string>();
  for (const layer of layers) {
    merged = deepMerge(merged, layer.values);
    for (const [k, v] of layer.sources) sources.set(k, v);
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issues = result.error.issues as unknown as IssueLike[];
    const lines = issues.slice(0, 5).map((i) => issueMessage(i, sources));
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    const first = issues[0];
    throw new ConfigError(`config: ${lines.join('; ')}${more}; fix: correct the value or remove it to use the default`, {
      key: first ? first.path.map(String).join('.') : undefined,
      source: first ? sourceFor(first.path, sources) : undefined,
    });
  }
  const cfg = result.data;
  cfg.wallet.path = expandHome(cfg.wallet.path, env['HOME'] || homedir());
  return cfg;
}
