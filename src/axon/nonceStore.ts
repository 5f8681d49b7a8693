import type { Clock } from '../util/index.js';

export interface NonceStoreOpts {
  maxFutureMs: number;
  allowedDeltaMs: number;
  maxEntries: number;
  /** Longest timeout a caller may use; sets how long an entry must be kept. */
  maxTimeoutMs: number;
}

export type NonceVerdict = { ok: true } | { ok: false; reason: string; full?: boolean };

interface Entry {
  nonce: bigint;
  expiresAtMs: number;
}

const NS_PER_MS = 1_000_000n;

/**
 * The replay window, per `hotkey:uuid`. `check` runs before any crypto and changes nothing;
 * `commit` runs after the signature verified (so forgers cannot poison the store) and checks
 * again, because two requests with one nonce may both pass `check` while being verified.
 * An entry can go once its nonce is older than the first-nonce window: a replay of it would
 * then fail the age test anyway. When full of live entries, new keys are refused, never evicted.
 */
export class NonceStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly opts: NonceStoreOpts,
    private readonly clock: Clock,
  ) {}

  size(): number {
    return this.entries.size;
  }

  check(hotkey: string, uuid: string, nonce: bigint, timeoutMs: number): NonceVerdict {
    const nowNs = this.clock.nowNs();
    if (nonce > nowNs + BigInt(this.opts.maxFutureMs) * NS_PER_MS) {
      return { ok: false, reason: 'Nonce is too far in the future' };
    }
    const key = `${hotkey}:${uuid}`;
    const prev = this.entries.get(key);
    if (prev && prev.expiresAtMs > this.clock.now()) {
      return nonce > prev.nonce ? { ok: true } : { ok: false, reason: 'Nonce is too old, a newer one was already used' };
    }
    const windowMs = this.opts.allowedDeltaMs + Math.min(timeoutMs, this.opts.maxTimeoutMs);
    if (nonce <= nowNs - BigInt(Math.round(windowMs)) * NS_PER_MS) {
      return { ok: false, reason: 'Nonce is too old' };
    }
    if (!prev && this.entries.size >= this.opts.maxEntries && !this.sweep()) {
      return { ok: false, reason: 'Nonce store full', full: true };
    }
    return { ok: true };
  }

  /** Records the nonce after verification; false when another request got there first. */
  commit(hotkey: string, uuid: string, nonce: bigint, timeoutMs: number): NonceVerdict {
    const verdict = this.check(hotkey, uuid, nonce, timeoutMs);
    if (!verdict.ok) return verdict;
    const key = `${hotkey}:${uuid}`;
    const nonceMs = Number(nonce / NS_PER_MS);
    const expiresAtMs = Math.max(nonceMs, this.clock.now()) + this.opts.allowedDeltaMs + this.opts.maxTimeoutMs;
    // Re-insert so Map order stays roughly by expiry and sweeps stop early.
    this.entries.delete(key);
    this.entries.set(key, { nonce, expiresAtMs });
    return { ok: true };
  }

  /** Drops expired entries from the old end; true if any room was made. */
  sweep(): boolean {
    const now = this.clock.now();
    let freed = false;
    let scanned = 0;
    for (const [key, e] of this.entries) {
      if (e.expiresAtMs <= now) {
        this.entries.delete(key);
        freed = true;
      } else if (++scanned > 64) {
        break;
      }
    }
    return freed;
  }
}
