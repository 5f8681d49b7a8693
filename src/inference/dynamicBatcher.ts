import type { Logger } from 'pino';
import { MinerError, type Clock, type Service, type TimerHandle } from '../util/index.js';
import type { BatcherMetrics } from '../metrics/index.js';

export interface BatcherOpts {
  /** Model label for metrics and logs. */
  name: string;
  maxItems: number;
  /** Budget per run: items x elements of the padded item shape. */
  maxCost: number;
  /** Longest wait for a batch to fill, only while another run of this model is in flight. */
  maxWaitMs: number;
  queueLength: number;
  /** Runs in flight at once. */
  concurrency: number;
  /** Only items of identical shape share a run (inputs that cannot be padded). */
  exactShape?: boolean;
}

/** Runs one batch: inputs in batch order, padded to `shape`; returns one output per input. */
export type BatchRunFn<I, O> = (inputs: I[], shape: readonly number[]) => Promise<O[]>;

export interface SubmitOpts {
  /** Higher leaves the queue first. */
  priority?: number;
  /** Absolute deadline in Clock.now() ms; an item past it is dropped before it costs a run. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export interface BatcherModules {
  logger: Logger;
  clock: Clock;
  metrics: BatcherMetrics | null;
}

interface Pending<I, O> {
  input: I;
  shape: readonly number[];
  priority: number;
  deadlineMs: number;
  seq: number;
  enqueuedAt: number;
  signal: AbortSignal | undefined;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function maxShape(a: readonly number[], b: readonly number[]): number[] {
  return a.map((v, i) => Math.max(v, b[i] ?? 0));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function shapeDistance(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, v, i) => s + Math.abs(v - (b[i] ?? 0)), 0);
}

/**
 * Collects submitted items into batches for one model. A batch starts from the most urgent
 * item (priority, then age) and is filled with the items closest in shape, within the item
 * and cost budgets. It runs at once when the device is idle; while a run is in flight and a
 * free slot exists, it waits at most `maxWaitMs` for the batch to fill.
 */
export class DynamicBatcher<I, O> implements Service {
  readonly name: string;
  private readonly queue: Pending<I, O>[] = [];
  private readonly log: Logger;
  private inFlight = 0;
  private seq = 0;
  private runsDone = 0;
  private timer: TimerHandle | undefined;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly opts: BatcherOpts,
    private readonly runFn: BatchRunFn<I, O>,
    private readonly modules: BatcherModules,
  ) {
    this.name = `batcher:${opts.name}`;
    this.log = modules.logger.child({ model: opts.name });
  }

  async start(): Promise<void> {
    this.stopping = false;
  }

  /** Refuses new items, lets queued ones run, and resolves when nothing is queued or running. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.pump();
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  queueDepth(): number {
    return this.queue.length;
  }

  runCount(): number {
    return this.runsDone;
  }

  busy(): number {
    return this.inFlight;
  }

  submit(input: I, shape: readonly number[], opts: SubmitOpts = {}): Promise<O> {
    if (this.stopping) return Promise.reject(new MinerError('SHUTTING_DOWN', 'inference engine is stopping'));
    if (opts.signal?.aborted) return Promise.reject(this.cancelled(opts.deadlineMs));
    if (this.queue.length >= this.opts.queueLength) {
      return Promise.reject(new MinerError('OVERLOADED', `inference queue for ${this.opts.name} is full`));
    }
    return new Promise<O>((resolve, reject) => {
      // No abort listener per item (a page submits dozens of lines on one signal): aborted and
      // expired items are dropped whenever a batch is formed, before they cost a run.
      const item: Pending<I, O> = {
        input,
        shape,
        priority: opts.priority ?? 0,
        deadlineMs: opts.deadlineMs ?? Infinity,
        seq: this.seq++,
        enqueuedAt: this.modules.clock.monotonicMs(),
        signal: opts.signal,
        resolve,
        reject,
      };
      this.queue.push(item);
      this.modules.metrics?.queueDepth.set({ model: this.opts.name }, this.queue.length);
      this.pump();
    });
  }

  private cancelled(deadlineMs: number | undefined): MinerError {
    const late = deadlineMs !== undefined && this.modules.clock.now() >= deadlineMs;
    return new MinerError('DEADLINE_EXCEEDED', late ? 'deadline passed before inference ran' : 'request cancelled before inference ran');
  }

  private dropExpired(): void {
    const now = this.modules.clock.now();
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const item = this.queue[i]!;
      if (item.deadlineMs <= now || item.signal?.aborted) {
        this.queue.splice(i, 1);
        item.reject(this.cancelled(item.deadlineMs));
      }
    }
  }

  private queueCanFill(): boolean {
    if (this.queue.length >= this.opts.maxItems) return true;
    const cost = this.queue.reduce((s, it) => s + elements(it.shape), 0);
    return cost >= this.opts.maxCost;
  }

  private pump(): void {
    this.modules.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.dropExpired();
    while (this.inFlight < this.opts.concurrency && this.queue.length > 0) {
      if (this.inFlight > 0 && !this.stopping && !this.queueCanFill()) {
        const oldest = Math.min(...this.queue.map((q) => q.enqueuedAt));
        const waitLeft = this.opts.maxWaitMs - (this.modules.clock.monotonicMs() - oldest);
        if (waitLeft > 0) {
          this.timer = this.modules.clock.setTimeout(() => this.pump(), Math.ceil(waitLeft));
          break;
        }
      }
      this.launch(this.formBatch());
    }
    this.modules.metrics?.queueDepth.set({ model: this.opts.name }, this.queue.length);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.queue.length > 0 || this.inFlight > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Takes the most urgent item and the items nearest its shape that fit the budgets. */
  private formBatch(): { items: Pending<I, O>[]; shape: number[] } {
    let head = 0;
    for (let i = 1; i < this.queue.length; i++) {
      const a = this.queue[i]!;
      const b = this.queue[head]!;
      if (a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq)) head = i;
    }
    const seed = this.queue[head]!;
    const items = [seed];
    let shape = [...seed.shape];
    const rest = this.queue
      .filter((_, i) => i !== head)
      .filter((c) => !this.opts.exactShape || sameShape(c.shape, seed.shape))
      .sort((a, b) => shapeDistance(a.shape, seed.shape) - shapeDistance(b.shape, seed.shape) || b.priority - a.priority || a.seq - b.seq);
    for (const c of rest) {
      if (items.length >= this.opts.maxItems) break;
      const next = maxShape(shape, c.shape);
      if ((items.length + 1) * elements(next) > this.opts.maxCost) continue;
      items.push(c);
      shape = next;
    }
    const taken = new Set(items);
    for (let i = this.queue.length - 1; i >= 0; i--) if (taken.has(this.queue[i]!)) this.queue.splice(i, 1);
    return { items, shape };
  }

  private launch(batch: { items: Pending<I, O>[]; shape: number[] }): void {
    const { items, shape } = batch;
    const label = { model: this.opts.name };
    const m = this.modules.metrics;
    const now = this.modules.clock.monotonicMs();
    for (const it of items) m?.waitSeconds.observe(label, (now - it.enqueuedAt) / 1000);
    m?.batchSize.observe(label, items.length);
    m?.batchCost.observe(label, items.length * elements(shape));
    this.inFlight++;
    const t0 = performance.now();
    this.runFn(
      items.map((it) => it.input),
      shape,
    )
      .then((outs) => {
        if (outs.length !== items.length) throw new MinerError('INFERENCE_FAILED', `model returned ${outs.length} outputs for ${items.length} inputs`);
        items.forEach((it, i) => it.resolve(outs[i]!));
        m?.itemsTotal.inc(label, items.length);
      })
      .catch((err: unknown) => {
        const wrapped = err instanceof MinerError ? err : new MinerError('INFERENCE_FAILED', 'model run failed', { cause: err });
        this.log.error({ err, items: items.length, shape }, 'model run failed');
        for (const it of items) it.reject(wrapped);
      })
      .finally(() => {
        m?.runSeconds.observe(label, (performance.now() - t0) / 1000);
        this.runsDone++;
        this.inFlight--;
        this.pump();
      });
  }
}
