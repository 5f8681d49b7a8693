import type { Clock } from '../util/index.js';

export interface TokenBucketOpts {
  ratePerSec: number;
  burst: number;
  /** Most keys tracked at once; the least recently seen key is forgotten beyond it. */
  maxKeys: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Token buckets keyed by hotkey or IP. Forgetting a key only ever hands it a full bucket,
 * so the bound costs accuracy under a flood of distinct keys, never memory.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly opts: TokenBucketOpts,
    private readonly clock: Clock,
  ) {}

  size(): number {
    return this.buckets.size;
  }

  /** Whether `key` has a token now, taking none (an unseen key has a full bucket). */
  has(key: string): boolean {
    const b = this.buckets.get(key);
    if (!b) return true;
    const tokens = Math.min(this.opts.burst, b.tokens + ((this.clock.monotonicMs() - b.updatedMs) / 1000) * this.opts.ratePerSec);
    return tokens >= 1;
  }

  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string): boolean {
    const now = this.clock.monotonicMs();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
      b.tokens = Math.min(this.opts.burst, b.tokens + ((now - b.updatedMs) / 1000) * this.opts.ratePerSec);
      b.updatedMs = now;
    } else {
      if (this.buckets.size >= this.opts.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
      b = { tokens: this.opts.burst, updatedMs: now };
    }
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
