import { MinerError, type CoreModules, type TimerHandle } from '../util/index.js';
import type { SynapseMetrics } from '../metrics/index.js';
import type { ExecuteResult, RequestContext, SynapseBody, SynapseExecutor, SynapseHandler } from './synapseHandler.js';

export interface PrioritySchedulerModules extends Pick<CoreModules, 'clock'> {
  /** The scheduler's part of the miner's metrics; absent or null runs without. */
  metrics?: SynapseMetrics | null;
}

export interface PrioritySchedulerOpts {
  /** Requests waiting for a worker; beyond it: OVERLOADED. */
  queueLength: number;
  /** Handlers running at once. */
  concurrency: number;
}

interface Job {
  synapse: SynapseHandler;
  input: unknown;
  ctx: RequestContext;
  seq: number;
  resolve: (b: SynapseBody) => void;
  reject: (e: unknown) => void;
}

/** Max-heap on priority, FIFO among equals. */
class JobHeap {
  private readonly a: Job[] = [];
  get length(): number {
    return this.a.length;
  }
  private before(x: Job, y: Job): boolean {
    return x.ctx.priority > y.ctx.priority || (x.ctx.priority === y.ctx.priority && x.seq < y.seq);
  }
  push(j: Job): void {
    const a = this.a;
    a.push(j);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Job | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
  drainAll(): Job[] {
    return this.a.splice(0, this.a.length);
  }
}

/**
 * Runs handlers with bounded concurrency; when work queues, higher `ctx.priority` (the
 * caller's stake) leaves first. A request whose deadline passed while waiting is answered
 * DEADLINE_EXCEEDED without running; a running handler loses the race with its deadline.
 */
export class PriorityScheduler implements SynapseExecutor {
  private readonly heap = new JobHeap();
  private running = 0;
  private seq = 0;
  private accepting = true;
  private idleWaiters: Array<() => void> = [];

  private readonly clock: CoreModules['clock'];

  constructor(
    private readonly opts: PrioritySchedulerOpts,
    modules: PrioritySchedulerModules,
  ) {
    this.clock = modules.clock;
    modules.metrics?.queueDepth.bind((g) => g.set(this.queueDepth()));
  }

  queueDepth(): number {
    return this.heap.length;
  }

  inFlight(): number {
    return this.running;
  }

  execute(synapse: SynapseHandler, input: unknown, ctx: RequestContext): Promise<ExecuteResult> {
    return this.submit(synapse, input, ctx).then((outputs) => ({ outputs }));
  }

  private submit(synapse: SynapseHandler, input: unknown, ctx: RequestContext): Promise<SynapseBody> {
    if (!this.accepting) return Promise.reject(new MinerError('SHUTTING_DOWN', 'Service Unavailable: shutting down'));
    if (this.clock.now() >= ctx.deadlineMs) return Promise.reject(deadline());
    if (this.running < this.opts.concurrency && this.heap.length === 0) {
      return new Promise((resolve, reject) => this.run({ synapse, input, ctx, seq: this.seq++, resolve, reject }));
    }
    if (this.heap.length >= this.opts.queueLength) {
      return Promise.reject(new MinerError('OVERLOADED', 'Service Unavailable: queue is full'));
    }
    return new Promise((resolve, reject) => {
      this.heap.push({ synapse, input, ctx, seq: this.seq++, resolve, reject });
    });
  }

  private run(job: Job): void {
    this.running++;
    void this.runUnderDeadline(job).finally(() => {
      this.running--;
      this.next();
    });
  }

  private async runUnderDeadline(job: Job): Promise<void> {
    const { ctx } = job;
    let timer: TimerHandle | undefined;
    let onAbort: (() => void) | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => reject(deadline()), Math.max(0, ctx.deadlineMs - this.clock.now()));
      onAbort = () => reject(abortError(ctx.signal));
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      job.resolve(await Promise.race([job.synapse.handle(job.input, ctx), guard]));
    } catch (err) {
      job.reject(err);
    } finally {
      this.clock.clearTimer(timer);
      if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
      guard.catch(() => {});
    }
  }

  private next(): void {
    while (this.running < this.opts.concurrency) {
      const job = this.heap.pop();
      if (!job) break;
      if (this.clock.now() >= job.ctx.deadlineMs) job.reject(deadline());
      else if (job.ctx.signal.aborted) job.reject(abortError(job.ctx.signal));
      else this.run(job);
    }
    if (this.running === 0 && this.heap.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Stops accepting, lets queued and running work finish for up to `ms`, then answers what
   * is still queued with SHUTTING_DOWN. Resolves when idle or when the time is up.
   */
  async drain(ms: number): Promise<void> {
    this.accepting = false;
    if (this.running > 0 || this.heap.length > 0) {
      let timer: TimerHandle | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => {
          timer = this.clock.setTimeout(resolve, ms);
        }),
      ]);
      this.clock.clearTimer(timer);
    }
    for (const job of this.heap.drainAll()) job.reject(new MinerError('SHUTTING_DOWN', 'Service Unavailable: shutting down'));
  }

  /** Accepts work again after a drain (tests, restarts). */
  resume(): void {
    this.accepting = true;
  }
}

function deadline(): MinerError {
  return new MinerError('DEADLINE_EXCEEDED', 'Request Timeout: deadline passed');
}

function abortError(signal: AbortSignal): MinerError {
  if (signal.reason instanceof MinerError) return signal.reason;
  return new MinerError('DEADLINE_EXCEEDED', 'Request Timeout: request aborted');
}
