import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../util/index.js';
import { decodeEntry, encodeEntry, type StoredEntry } from './storedEntry.js';

export interface DiskTierOpts {
  dir: string;
  maxBytes: number;
  ttlMs: number;
  /** Writes in progress at once; more are dropped (a cache write is never worth a queue). */
  maxPendingWrites?: number;
}

export interface DiskTierHooks {
  clock: Clock;
  logger: Logger;
  onEvict?: () => void;
  onError?: (op: string, err: unknown) => void;
}

export interface DiskPruneReport {
  expired: number;
  corrupt: number;
  tempFiles: number;
  evicted: number;
}

interface IndexRow {
  bytes: number;
  expiresMs: number;
}

const ENTRY_RE = /^([0-9a-f]{64})\.entry$/;
const TMP_RE = /^\.[0-9a-f]{64}\.(\d+)\.[0-9a-f]+\.tmp$/;
/** A temp file untouched this long belongs to a writer that is gone. */
const STALE_TMP_MS = 60_000;
const STAT_BATCH = 64;

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Answers kept in one directory, one file per key. A write goes to a temp file that is renamed
 * into place, so a reader sees a whole entry or none; the file's mtime carries the expiry so the
 * index is rebuilt at start from a directory listing alone. Every entry carries a hash: a torn
 * or flipped file is a miss and is removed. Bytes are bounded by evicting least recently used
 * entries before a write lands.
 */
export class DiskTier {
  private readonly index = new Map<string, IndexRow>();
  private readonly pending = new Set<Promise<void>>();
  private totalBytes = 0;
  private opened = false;
  private readonly log: Logger;

  constructor(
    private readonly opts: DiskTierOpts,
    private readonly hooks: DiskTierHooks,
  ) {
    this.log = hooks.logger;
  }

  get dir(): string {
    return this.opts.dir;
  }

  get entries(): number {
    return this.index.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  /** Creates the directory and rebuilds the index; `removeStale: false` only looks (for `cache stats`). */
  async open(removeStale = true): Promise<void> {
    if (this.opened) return;
    await mkdir(this.opts.dir, { recursive: true });
    const report = await this.scan(removeStale);
    this.opened = true;
    this.log.info({ dir: this.opts.dir, entries: this.index.size, bytes: this.totalBytes, ...report }, 'disk cache opened');
  }

  /** Waits for writes in flight; the tier stays usable. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.flush();
    this.opened = false;
    this.index.clear();
    this.totalBytes = 0;
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    const row = this.opened ? this.index.get(key) : undefined;
    if (!row) return undefined;
    const now = this.hooks.clock.now();
    if (row.expiresMs <= now) return void (await this.drop(key));
    let buf: Buffer;
    try {
      buf = await readFile(this.pathOf(key));
    } catch (err) {
      if (!isMissing(err)) this.hooks.onError?.('read', err);
      this.forget(key);
      return undefined;
    }
    const e = decodeEntry(buf);
    if (!e) {
      this.hooks.onError?.('corrupt', new Error('corrupt entry'));
      this.log.warn({ key: key.slice(0, 12), bytes: buf.length }, 'disk cache entry corrupt, removed');
      return void (await this.drop(key));
    }
    if (e.expiresMs <= now) return void (await this.drop(key));
    this.index.delete(key);
    this.index.set(key, row);
    return e;
  }

  /** Stores in the background; the request that produced the answer does not wait for the disk. */
  set(key: string, e: StoredEntry): void {
    if (!this.opened || e.expiresMs <= this.hooks.clock.now()) return;
    if (this.pending.size >= (this.opts.maxPendingWrites ?? 64)) return;
    const expiresMs = Math.min(e.expiresMs, e.createdMs + this.opts.ttlMs);
    const buf = encodeEntry({ ...e, expiresMs });
    if (buf.length > this.opts.maxBytes) return;
    const p: Promise<void> = this.write(key, buf, expiresMs)
      .catch((err: unknown) => this.hooks.onError?.('write', err))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private async write(key: string, buf: Buffer, expiresMs: number): Promise<void> {
    const old = this.index.get(key);
    if (old) this.forget(key);
    await this.makeRoom(buf.length);
    // Reserved before the write so concurrent writers cannot overshoot the bound together.
    this.totalBytes += buf.length;
    const tmp = join(this.opts.dir, `.${key}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(tmp, buf, { flag: 'wx' });
      await utimes(tmp, this.hooks.clock.now() / 1000, expiresMs / 1000);
      await rename(tmp, this.pathOf(key));
    } catch (err) {
      this.totalBytes -= buf.length;
      await unlink(tmp).catch(() => {});
      throw err;
    }
    const raced = this.index.get(key);
    if (raced) this.totalBytes -= raced.bytes;
    this.index.delete(key);
    this.index.set(key, { bytes: buf.length, expiresMs });
  }

  private async makeRoom(bytes: number): Promise<number> {
    const gone: Promise<void>[] = [];
    for (const k of this.index.keys()) {
      if (this.totalBytes + bytes <= this.opts.maxBytes) break;
      gone.push(this.drop(k));
      this.hooks.onEvict?.();
    }
    await Promise.all(gone);
    return gone.length;
  }

  private forget(key: string): void {
    const row = this.index.get(key);
    if (!row) return;
    this.index.delete(key);
    this.totalBytes -= row.bytes;
  }

  private async drop(key: string): Promise<void> {
    this.forget(key);
    await unlink(this.pathOf(key)).catch((err: unknown) => {
      if (!isMissing(err)) this.hooks.onError?.('unlink', err);
    });
  }

  private pathOf(key: string): string {
    return join(this.opts.dir, `${key}.entry`);
  }

  private async scan(removeStale: boolean): Promise<{ expired: number; tempFiles: number }> {
    const names = await readdir(this.opts.dir);
    const now = this.hooks.clock.now();
    const rows: Array<[string, IndexRow]> = [];
    let expired = 0;
    let tempFiles = 0;
    for (let i = 0; i < names.length; i += STAT_BATCH) {
      await Promise.all(
        names.slice(i, i + STAT_BATCH).map(async (name) => {
          const path = join(this.opts.dir, name);
          const tmp = TMP_RE.exec(name);
          if (tmp) {
            if (removeStale && (await this.staleTemp(path, Number(tmp[1])))) {
              tempFiles++;
              await unlink(path).catch(() => {});
            }
            return;
          }
          const m = ENTRY_RE.exec(name);
          if (!m?.[1]) return;
          const st = await stat(path).catch(() => undefined);
          if (!st?.isFile()) return;
          if (st.mtimeMs <= now || st.size === 0) {
            expired++;
            if (removeStale) await unlink(path).catch(() => {});
            return;
          }
          rows.push([m[1], { bytes: st.size, expiresMs: st.mtimeMs }]);
        }),
      );
    }
    // Oldest first: their expiry is nearest, the best guess at least recently used after a restart.
    rows.sort((a, b) => a[1].expiresMs - b[1].expiresMs);
    for (const [k, row] of rows) {
      this.index.set(k, row);
      this.totalBytes += row.bytes;
    }
    if (removeStale) await this.makeRoom(0);
    return { expired, tempFiles };
  }

  private async staleTemp(path: string, pid: number): Promise<boolean> {
    if (!pidAlive(pid)) return true;
    const st = await stat(path).catch(() => undefined);
    return st !== undefined && Date.now() - st.ctimeMs > STALE_TMP_MS;
  }

  /** Drops entries the index knows to be expired (cheap: no file is read). */
  async sweep(): Promise<number> {
    const now = this.hooks.clock.now();
    const expired = [...this.index].filter(([, row]) => row.expiresMs <= now).map(([k]) => k);
    await Promise.all(expired.map((k) => this.drop(k)));
    return expired.length;
  }

  /** Removes expired, corrupt (every file is read and checked) and over-budget entries. */
  async prune(): Promise<DiskPruneReport> {
    if (!this.opened) await this.open();
    const report: DiskPruneReport = { expired: 0, corrupt: 0, tempFiles: 0, evicted: 0 };
    for (const [key] of [...this.index]) {
      let buf: Buffer | undefined;
      try {
        buf = await readFile(this.pathOf(key));
      } catch (err) {
        if (isMissing(err)) this.forget(key);
        continue;
      }
      const e = decodeEntry(buf);
      if (e && e.expiresMs > this.hooks.clock.now()) continue;
      if (e) report.expired++;
      else report.corrupt++;
      await this.drop(key);
    }
    for (const name of await readdir(this.opts.dir)) {
      const tmp = TMP_RE.exec(name);
      const path = join(this.opts.dir, name);
      if (tmp && (await this.staleTemp(path, Number(tmp[1])))) {
        report.tempFiles++;
        await unlink(path).catch(() => {});
      }
    }
    report.evicted = await this.makeRoom(0);
    return report;
  }

  /** Removes every entry file in the directory, also ones this process never indexed. */
  async clear(): Promise<number> {
    await mkdir(this.opts.dir, { recursive: true });
    let removed = 0;
    for (const name of await readdir(this.opts.dir)) {
      if (!ENTRY_RE.test(name) && !TMP_RE.test(name)) continue;
      await unlink(join(this.opts.dir, name)).then(
        () => {
          if (ENTRY_RE.test(name)) removed++;
        },
        () => {},
      );
    }
    this.index.clear();
    this.totalBytes = 0;
    return removed;
  }
}
