import type { RequestObservation, RequestObserver } from '../util/index.js';

export interface DrainCounts {
  /** Requests inside the axon when the drain began. */
  inflightAtStart: number;
  /** Answered with anything but 503 while draining: the work the drain let finish. */
  drained: number;
  /** Answered 503 while draining (SHUTTING_DOWN, refused or cut off at the deadline). */
  refused: number;
}

/**
 * Passes every observation on to the serving statistics and, once a drain begins, counts how
 * requests ended, so the shutdown line can say how many were drained and how many refused.
 */
export class DrainTally implements RequestObserver {
  private counting = false;
  private counts: DrainCounts = { inflightAtStart: 0, drained: 0, refused: 0 };

  constructor(private readonly inner: RequestObserver) {}

  observe(o: RequestObservation): void {
    this.inner.observe(o);
    if (!this.counting) return;
    if (o.status === 503) this.counts.refused++;
    else this.counts.drained++;
  }

  /** Starts counting; idempotent (a second call keeps the first start's figures). */
  begin(inflight: number): void {
    if (this.counting) return;
    this.counting = true;
    this.counts = { inflightAtStart: inflight, drained: 0, refused: 0 };
  }

  result(): DrainCounts {
    return { ...this.counts };
  }
}
