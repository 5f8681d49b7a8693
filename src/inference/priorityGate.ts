import { MinerError } from '../util/index.js';

interface Waiter {
  priority: number;
  seq: number;
  wake: () => void;
}

/**
 * Bounds how many requests are inside a pipeline at once (each holds large tensors), lets the
 * highest priority in first, and refuses to queue more than `maxWaiting` (503).
 */
export class PriorityGate {
  private inside = 0;
  private seq = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
    private readonly now: () => number,
  ) {}

  depth(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once admitted; expired or cancelled requests are refused at the door. */
  async enter(priority: number, deadlineMs: number | undefined, signal: AbortSignal | undefined): Promise<() => void> {
    if (this.inside >= this.limit) {
      if (this.waiting.length >= this.maxWaiting) throw new MinerError('OVERLOADED', 'too many requests waiting for inference');
      await new Promise<void>((wake) => this.waiting.push({ priority, seq: this.seq++, wake }));
    } else {
      this.inside++;
    }
    const release = () => this.release();
    if (signal?.aborted || (deadlineMs !== undefined && this.now() >= deadlineMs)) {
      release();
      throw new MinerError('DEADLINE_EXCEEDED', 'deadline passed before inference ran');
    }
    let done = false;
    return () => {
      if (!done) {
        done = true;
        release();
      }
    };
  }

  private release(): void {
    if (this.waiting.length === 0) {
      this.inside--;
      return;
    }
    let best = 0;
    for (let i = 1; i < this.waiting.length; i++) {
      const a = this.waiting[i]!,
        b = this.waiting[best]!;
      if (a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq)) best = i;
    }
    // The slot passes straight to the next waiter, so `inside` stays the same.
    this.waiting.splice(best, 1)[0]!.wake();
  }
}
