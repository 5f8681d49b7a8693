/** A connection whose frames the scheduler runs; WsConnection implements it. */
export interface FrameSource {
  /** True once a request on this connection passed signature verification. */
  readonly trusted: boolean;
  /** Handles the oldest queued frame; false when none is left. */
  runOne(): boolean;
  queued(): number;
}

export interface WsFrameSchedulerOpts {
  /** Frames one connection may run before the next connection's turn. */
  framesPerTurn: number;
  /** Event-loop time one pass may take before I/O is polled again. */
  passBudgetMs: number;
  /** Share of a pass kept for connections that never authenticated (so they are not starved). */
  untrustedShare: number;
}

/**
 * Runs queued WebSocket frames fairly instead of in socket-read order. ws emits every frame
 * of a 64 KiB read at once, so a flooding peer could hold the event loop for tens of
 * milliseconds (measured: 36 ms stalls under a 20,000/s flood) while a validator's frame
 * waited unread. Here each connection runs a few frames per turn, connections that proved a
 * signature go first, and a pass yields to I/O after `passBudgetMs`.
 */
export class WsFrameScheduler {
  private readonly ready = new Set<FrameSource>();
  private scheduled = false;

  constructor(
    private readonly opts: WsFrameSchedulerOpts,
    private readonly nowMs: () => number,
  ) {}

  /** Marks `src` as having queued frames. */
  wake(src: FrameSource): void {
    this.ready.add(src);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.pass());
    }
  }

  forget(src: FrameSource): void {
    this.ready.delete(src);
  }

  private pass(): void {
    this.scheduled = false;
    const start = this.nowMs();
    const budget = this.opts.passBudgetMs;
    const share = this.opts.untrustedShare;
    this.runClass(true, start + budget * (1 - share));
    // Their share holds even when trusted frames overran the budget: otherwise a connection
    // still waiting for its first verified request starves for as long as others keep busy.
    this.runClass(false, Math.max(start + budget, this.nowMs() + budget * share));
    // Trusted frames may use time the untrusted ones left over.
    this.runClass(true, start + budget);
    if (this.ready.size > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.pass());
    }
  }

  /** Round-robin over one class until its queues are empty or `until` passes. */
  private runClass(trusted: boolean, until: number): void {
    let progress = true;
    while (progress && this.nowMs() < until) {
      progress = false;
      for (const src of [...this.ready]) {
        if (src.trusted !== trusted) continue;
        for (let i = 0; i < this.opts.framesPerTurn; i++) {
          if (!src.runOne()) break;
          progress = true;
        }
        // Back of the line: the next pass starts with someone else.
        this.ready.delete(src);
        if (src.queued() > 0) this.ready.add(src);
        if (this.nowMs() >= until) return;
      }
    }
  }
}
