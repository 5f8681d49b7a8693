import { LRUCache } from 'lru-cache';
import type { Clock } from '../util/index.js';
import { entrySize, type StoredEntry } from './storedEntry.js';

export interface MemoryTierOpts {
  maxBytes: number;
  maxEntries: number;
  ttlMs: number;
}

/** The in-process tier: an LRU bounded by entries and bytes, ages taken from the injected clock. */
export class MemoryTier {
  private readonly lru: LRUCache<string, StoredEntry>;

  constructor(private readonly opts: MemoryTierOpts, private readonly clock: Clock, onEvict: () => void) {
    this.lru = new LRUCache<string, StoredEntry>({
      max: opts.maxEntries,
      maxSize: opts.maxBytes,
      sizeCalculation: (value, key) => entrySize(key, value),
      ttl: opts.ttlMs,
      ttlResolution: 0,
      perf: { now: () => clock.monotonicMs() },
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') onEvict();
      },
    });
  }

  get(key: string): StoredEntry | undefined {
    const e = this.lru.get(key);
    if (e === undefined) return undefined;
    if (e.expiresMs <= this.clock.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return e;
  }

  /** Keeps an entry no longer than its own expiry nor this tier's TTL; too large ones are skipped. */
  set(key: string, e: StoredEntry): void {
    const ttl = Math.min(this.opts.ttlMs, e.expiresMs - this.clock.now());
    if (ttl <= 0) return;
    this.lru.set(key, e, { ttl });
  }

  get entries(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  clear(): number {
    const n = this.lru.size;
    this.lru.clear();
    return n;
  }

  /** Drops expired entries; returns how many went. */
  prune(): number {
    const before = this.lru.size;
    this.lru.purgeStale();
    const now = this.clock.now();
    const expired = [...this.lru.entries()].filter(([, e]) => e.expiresMs <= now).map(([k]) => k);
    for (const k of expired) this.lru.delete(k);
    return before - this.lru.size;
  }
}
