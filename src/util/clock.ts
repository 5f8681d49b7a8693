/** Opaque handle of a timer set through a Clock; only the clock that made it can clear it. */
export interface TimerHandle {
  readonly __timer: true;
}

export interface TimerOpts {
  /** Let the process exit while only this timer is pending (node's unref()). */
  unref?: boolean;
}

/** Time source and timers passed into every service so tests can control time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Nanoseconds since the epoch (nonce scale, as Python's time.time_ns()). */
  nowNs(): bigint;
  /** Monotonic milliseconds for measuring durations. */
  monotonicMs(): number;
  setTimeout(fn: () => void, ms: number, opts?: TimerOpts): TimerHandle;
  setInterval(fn: () => void, ms: number, opts?: TimerOpts): TimerHandle;
  /** Clears a timeout or an interval; undefined and already-fired handles are ignored. */
  clearTimer(handle: TimerHandle | undefined): void;
  /** Resolves after ms; rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal?: AbortSignal, opts?: TimerOpts): Promise<void>;
}

function sleepOn(clock: Pick<Clock, 'setTimeout' | 'clearTimer'>, ms: number, signal?: AbortSignal, opts?: TimerOpts): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimer(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      ms,
      opts,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function systemClock(): Clock {
  const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  const wrap = (t: NodeJS.Timeout, opts?: TimerOpts): TimerHandle => {
    if (opts?.unref) t.unref();
    return t as unknown as TimerHandle;
  };
  const clock: Clock = {
    now: () => Date.now(),
    nowNs: () => originNs + process.hrtime.bigint(),
    monotonicMs: () => performance.now(),
    setTimeout: (fn, ms, opts) => wrap(setTimeout(fn, ms), opts),
    setInterval: (fn, ms, opts) => wrap(setInterval(fn, ms), opts),
    clearTimer: (h) => clearTimeout(h as unknown as NodeJS.Timeout | undefined),
    sleep: (ms, signal, opts) => sleepOn(clock, ms, signal, opts),
  };
  return clock;
}

interface ManualTimer extends TimerHandle {
  at: number;
  readonly seq: number;
  readonly every: number | undefined;
  readonly fn: () => void;
}

/** Lets pending promise callbacks (and the I/O callbacks they wait on) run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * A clock whose time only moves when told; for tests. Timers fire during advance*(),
 * in time order (ties in the order they were set), each at its own instant.
 */
export class ManualClock implements Clock {
  private ms: number;
  private seq = 0;
  private readonly timers = new Set<ManualTimer>();

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
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, undefined);
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }
  clearTimer(handle: TimerHandle | undefined): void {
    if (handle) this.timers.delete(handle as ManualTimer);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
  /** Timers not yet fired or cleared. */
  pendingTimers(): number {
    return this.timers.size;
  }
  /** Moves time forward, firing due timers synchronously; promise callbacks run only afterwards. */
  advance(ms: number): void {
    const target = this.ms + ms;
    for (let t = this.due(target); t; t = this.due(target)) this.fire(t);
    this.ms = target;
  }
  /** Moves time forward, letting promise callbacks settle before and after each timer fires. */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.ms + ms;
    await settle();
    for (let t = this.due(target); t; t = this.due(target)) {
      this.fire(t);
      await settle();
    }
    this.ms = target;
    await settle();
  }
  /** Fires timers (as advanceAsync) until none is left; throws after maxTimers, since intervals never run out. */
  async runAllAsync(maxTimers = 1_000): Promise<void> {
    await settle();
    for (let n = 0; n < maxTimers; n++) {
      const t = this.due(Infinity);
      if (!t) return;
      this.fire(t);
      await settle();
    }
    throw new Error(`ManualClock: still timers pending after ${maxTimers} fired`);
  }

  private add(fn: () => void, ms: number, every: number | undefined): TimerHandle {
    const t: ManualTimer = { __timer: true, at: this.ms + Math.max(0, ms), seq: this.seq++, every, fn };
    this.timers.add(t);
    return t;
  }
  private due(limit: number): ManualTimer | undefined {
    let first: ManualTimer | undefined;
    for (const t of this.timers) {
      if (t.at > limit) continue;
      if (!first || t.at < first.at || (t.at === first.at && t.seq < first.seq)) first = t;
    }
    return first;
  }
  private fire(t: ManualTimer): void {
    this.ms = Math.max(this.ms, t.at);
    if (t.every === undefined) this.timers.delete(t);
    else t.at += t.every;
    t.fn();
  }
}
