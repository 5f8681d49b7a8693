/** Share of the event loop that inline crypto may take before work goes to the workers. */
export const INLINE_MAX_SHARE = 0.25;
/** Past this event-loop utilization, crypto leaves the loop whatever its own share. */
const BUSY_LOOP = 0.8;
const RATE_WINDOW_MS = 100;

/** Event-loop utilization since the previous call (0..1). */
export type LoopUtilization = () => number;

/** performance.eventLoopUtilization of the calling thread, as deltas between calls. */
export function threadLoopUtilization(): LoopUtilization {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const u = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return u;
  };
}

/**
 * Decides per crypto job (verify or sign) whether to run it on the calling thread: at low
 * rates a hand-off to a worker costs more latency (two thread wake-ups) than the job itself,
 * at high rates the event loop must stay free. Uses the last window's arrival rate times the
 * measured cost of an inline job, and the loop's utilization over that window: under a flood
 * of cheap rejections the loop is busy even though few signatures arrive.
 */
export class InlinePolicy {
  private windowStart = 0;
  private count = 0;
  private lastRatePerMs = 0;
  private costMs = 0.3;
  private lastLoopUtilization = 0;

  /** `maxShare` 0: never inline. */
  constructor(
    private readonly now: () => number,
    private readonly maxShare = INLINE_MAX_SHARE,
    private readonly loop: LoopUtilization = () => 0,
  ) {}

  arrive(): void {
    const t = this.now();
    if (t - this.windowStart >= RATE_WINDOW_MS) {
      const span = Math.max(RATE_WINDOW_MS, t - this.windowStart);
      this.lastRatePerMs = t - this.windowStart >= 2 * RATE_WINDOW_MS ? 0 : this.count / span;
      this.lastLoopUtilization = this.loop();
      this.windowStart = t;
      this.count = 0;
    }
    this.count++;
  }

  /** The last window's rate and this window's count so far both leave the loop its share. */
  inlineOk(): boolean {
    if (this.lastLoopUtilization >= BUSY_LOOP) return false;
    const current = this.count / RATE_WINDOW_MS;
    return Math.max(this.lastRatePerMs, current) * this.costMs < this.maxShare;
  }

  /** Runs `f` inline and keeps a moving average of what it cost. */
  timed<T>(f: () => T): T {
    const t0 = this.now();
    const out = f();
    this.costMs = 0.9 * this.costMs + 0.1 * (this.now() - t0);
    return out;
  }
}
