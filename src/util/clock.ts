/** Time source passed into every service so tests can control time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Nanoseconds since the epoch (nonce scale, as Python's time.time_ns()). */
  nowNs(): bigint;
  /** Monotonic milliseconds for measuring durations. */
  monotonicMs(): number;
}

export function systemClock(): Clock {
  const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  return {
    now: () => Date.now(),
    nowNs: () => originNs + process.hrtime.bigint(),
    monotonicMs: () => performance.now(),
  };
}

/** A clock whose time only moves when told; for tests. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(startMs = 1_700_000_000_000) {
    this.ms = startMs;
  }
  now(): number {
    return this.ms;
  }
  nowNs(): bigint {
    return BigInt(Math.round(this.ms * 1000)) * 1000n;
  }
  monotonicMs(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
