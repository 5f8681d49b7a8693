import { createHash } from 'node:crypto';

/** One stored answer: the output fields as JSON text, when they were made and until when they count. */
export interface StoredEntry {
  readonly createdMs: number;
  readonly expiresMs: number;
  readonly json: string;
}

export type CacheTierName = 'memory' | 'disk' | 'redis';

const MAGIC = 'SMC1';
/** Header line: magic, created, expires, sha256 of the JSON; a torn or flipped file fails the hash. */
const HEADER_RE = /^SMC1 (\d{1,16}) (\d{1,16}) ([0-9a-f]{64})$/;
const MAX_HEADER = 128;

export function encodeEntry(e: StoredEntry): Buffer {
  const body = Buffer.from(e.json, 'utf8');
  const sum = createHash('sha256').update(body).digest('hex');
  const header = Buffer.from(`${MAGIC} ${Math.floor(e.createdMs)} ${Math.floor(e.expiresMs)} ${sum}\n`, 'latin1');
  return Buffer.concat([header, body]);
}

/** Undefined for anything that is not a whole, intact entry (the caller treats it as a miss). */
export function decodeEntry(buf: Buffer): StoredEntry | undefined {
  const nl = buf.indexOf(0x0a);
  if (nl <= 0 || nl > MAX_HEADER) return undefined;
  const m = HEADER_RE.exec(buf.toString('latin1', 0, nl));
  if (!m) return undefined;
  const body = buf.subarray(nl + 1);
  if (createHash('sha256').update(body).digest('hex') !== m[3]) return undefined;
  const json = body.toString('utf8');
  try {
    JSON.parse(json);
  } catch {
    return undefined;
  }
  return { createdMs: Number(m[1]), expiresMs: Number(m[2]), json };
}
