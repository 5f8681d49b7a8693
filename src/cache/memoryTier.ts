import { LRUCache } from 'lru-cache';
import type { SynapseBody } from '../synapse/index.js';
import type { Clock } from '../util/index.js';
import type { StoredEntry } from './storedEntry.js';

export interface MemoryTierOpts {
  maxBytes: number;
  maxEntries: number;
  ttlMs: number;
}

/** An answer held in memory: parsed once and deep-frozen, so every hit hands out a cheap shallow copy. */
export interface MemoryEntry {
  readonly createdMs: number;
  readonly expiresMs: number;
  readonly value: Readonly<SynapseBody>;
  /** Serialized size plus bookkeeping: what the byte bound counts. */
  readonly size: number;
}

const ENTRY_OVERHEAD = 128;

export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

/** Parses a stored entry's JSON into a frozen memory entry. */
export function toMemoryEntry(e: StoredEntry, value?: Readonly<SynapseBody>): MemoryEntry {
  return {
    createdMs: e.createdMs,
    expiresMs: e.expiresMs,
    value: value ?? deepFreeze(JSON.parse(e.json) as SynapseBody),
    size: Buffer.byteLength(e.json, 'utf8') + ENTRY_OVERHEAD,
  };
}

/** The in-process tier: an LRU bounded by entries and bytes, ages taken from the injected clock. */
export class MemoryTier {
  private readonly lru: LRUCache<string, MemoryEntry>;

  constructor(
    private readonly opts: MemoryTierOpts,
    private readonly clock: Clock,
    onEvict: () => void,
  ) {
    this.lru = new LRUCache<string, MemoryEntry>({
      max: opts.maxEntries,
      maxSize: opts.maxBytes,
      sizeCalculation: (value, key) => value.size + key.length,
      ttl: opts.ttlMs,
      ttlResolution: 0,
      perf: { now: () => clock.monotonicMs() },
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') onEvict();
      },
    });
  }

  get(key: string): MemoryEntry | undefined {
    const e = this.lru.get(key);
    if (e === undefined) return undefined;
    if (e.expiresMs <= this.clock.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return e;
  }

  /** Keeps an entry no longer than its own expiry nor this tier's TTL; too large ones are skipped. */
  set(key: string, e: MemoryEntry): void {
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
