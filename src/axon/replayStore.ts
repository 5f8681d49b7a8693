import type { Clock } from '../util/index.js';

export interface ReplayStoreOpts {
  maxEntries: number;
  /** How long a key stays seen; must be at least the freshness window (maxAge + maxFuture). */
  retainMs: number;
}

export type ReplayVerdict = 'ok' | 'replay' | 'full';

/** The btauth/1 replay key, `hotkey|nonce`. */
export function btauthReplayKey(hotkey: string, nonceText: string): string {
  return `${hotkey}|${nonceText}`;
}

/** The Epistula replay key; `u:` keeps a digits-only uuid apart from a btauth nonce in a shared store. */
export function epistulaReplayKey(hotkey: string, uuid: string): string {
  return `${hotkey}|u:${uuid}`;
}

/**
 * A bounded "seen once" set for signed requests, recorded only after the signature verified
 * (so forgers cannot fill it). Every entry lives retainMs, so insertion order is expiry order
 * and expired entries leave from the head of the Map: O(1) amortised. A store full of live
 * entries refuses new keys ('full', the caller answers 503) rather than evicting one, since an
 * evicted key could be replayed while still fresh.
 */
export class ReplayStore {
  /** key -> expiry (ms since the epoch). */
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly opts: ReplayStoreOpts,
    private readonly clock: Clock,
  ) {
    if (!(opts.maxEntries >= 1) || !(opts.retainMs > 0)) throw new RangeError('ReplayStore needs maxEntries >= 1 and retainMs > 0');
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    const exp = this.entries.get(key);
    return exp !== undefined && exp > this.clock.now();
  }

  record(key: string): ReplayVerdict {
    const now = this.clock.now();
    this.sweepAt(now);
    const exp = this.entries.get(key);
    if (exp !== undefined && exp > now) return 'replay';
    // An expired key left behind by a clock step back: drop it so it re-enters at the tail.
    if (exp !== undefined) this.entries.delete(key);
    if (this.entries.size >= this.opts.maxEntries) return 'full';
    this.entries.set(key, now + this.opts.retainMs);
    return 'ok';
  }

  /** Drops expired entries from the head; returns how many went. */
  sweep(): number {
    return this.sweepAt(this.clock.now());
  }

  private sweepAt(now: number): number {
    let dropped = 0;
    for (const [key, exp] of this.entries) {
      if (exp > now) break;
      this.entries.delete(key);
      dropped++;
    }
    return dropped;
  }
}
