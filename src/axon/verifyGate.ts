import { rejection } from './rejection.js';

export interface VerifyGateOpts {
  /** Verifications handed to the verifier at once (the rest wait here, in their lane). */
  maxInflight: number;
  /** Waiting verifications of connections that proved nothing yet; beyond it: 503. */
  maxQueuedUnproven: number;
  /** Waiting verifications of proven connections; beyond it: 503. */
  maxQueuedProven: number;
}

/** One signature check, whichever scheme and verifier it uses. */
export type VerifyTask = () => Promise<boolean>;

interface Job {
  task: VerifyTask;
  resolve: (ok: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Signature work in two lanes: connections that already proved a permitted validator's
 * signature are verified before unproven traffic, and unproven work waiting here is bounded,
 * so a flood of forged signatures costs the flooder refusals, not the validator its latency.
 */
export class VerifyGate {
  private inflight = 0;
  private readonly proven: Job[] = [];
  private readonly unproven: Job[] = [];

  constructor(private readonly opts: VerifyGateOpts) {}

  queued(): { proven: number; unproven: number } {
    return { proven: this.proven.length, unproven: this.unproven.length };
  }

  verify(task: VerifyTask, proven: boolean): Promise<boolean> {
    if (this.inflight < this.opts.maxInflight && this.proven.length === 0 && (proven || this.unproven.length === 0)) {
      return this.run(task);
    }
    const lane = proven ? this.proven : this.unproven;
    const max = proven ? this.opts.maxQueuedProven : this.opts.maxQueuedUnproven;
    if (lane.length >= max) return Promise.reject(rejection('OVERLOADED', 'Service Unavailable: verification queue is full'));
    return new Promise((resolve, reject) => lane.push({ task, resolve, reject }));
  }

  private run(task: VerifyTask): Promise<boolean> {
    this.inflight++;
    let p: Promise<boolean>;
    try {
      p = task();
    } catch (err) {
      p = Promise.reject(err);
    }
    return p.finally(() => {
      this.inflight--;
      this.next();
    });
  }

  private next(): void {
    while (this.inflight < this.opts.maxInflight) {
      const job = this.proven.shift() ?? this.unproven.shift();
      if (!job) return;
      this.run(job.task).then(job.resolve, job.reject);
    }
  }
}
