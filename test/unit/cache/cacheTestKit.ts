import { Registry } from 'prom-client';
import { createMinerMetrics, type CacheMetrics } from '../../../src/metrics/index.js';
import { cacheSchema } from '../../../src/config/sections/cache.js';
import type { ExecuteResult, RequestContext, SynapseBody, SynapseExecutor, SynapseHandler } from '../../../src/synapse/index.js';
import { ManualClock, MinerError, silentLogger, systemClock, type Clock, type CoreModules } from '../../../src/util/index.js';
import type { ResponseCacheOptions } from '../../../src/cache/index.js';

/** Modules for one cache, with its metrics in a registry of their own that the test can read. */
export function modulesFor(clock: Clock = systemClock()): CoreModules & { registry: Registry; metrics: CacheMetrics } {
  const registry = new Registry();
  return { logger: silentLogger(), registry, metrics: createMinerMetrics(registry).cache, clock, signal: new AbortController().signal };
}

export function cacheOpts(over: Record<string, unknown> = {}, extra: Partial<ResponseCacheOptions> = {}): ResponseCacheOptions {
  return { ...cacheSchema.parse(over), ...extra };
}

let seq = 0;
export function ctxFor(clock: Clock, hotkey = '5Validator1', opts: { deadlineInMs?: number; signal?: AbortSignal } = {}): RequestContext {
  return {
    requestId: `r${++seq}`,
    callerHotkey: hotkey,
    priority: 1,
    deadlineMs: clock.now() + (opts.deadlineInMs ?? 10_000),
    signal: opts.signal ?? new AbortController().signal,
  };
}

/** A handler that doubles its input, counts runs and can be held open or made to fail. */
export class CountingSynapse implements SynapseHandler<{ x: number; pad?: number }, SynapseBody> {
  readonly inputFields = ['x', 'pad'];
  runs = 0;
  delayMs = 0;
  failNext = 0;
  lastSignal: AbortSignal | undefined;
  lastDeadlineMs: number | undefined;
  /** The clock delayMs runs on; a ManualClock keeps the test off real sleeps. */
  clock: Clock = systemClock();
  constructor(
    readonly name = 'Counting',
    readonly modelId = 'counting-v1',
  ) {}
  parseInput(body: SynapseBody): { x: number; pad?: number } {
    if (typeof body['x'] !== 'number') throw new MinerError('BAD_REQUEST', 'x must be a number');
    return { x: body['x'], ...(typeof body['pad'] === 'number' ? { pad: body['pad'] } : {}) };
  }
  async handle(input: { x: number; pad?: number }, ctx: RequestContext): Promise<SynapseBody> {
    this.runs++;
    this.lastSignal = ctx.signal;
    this.lastDeadlineMs = ctx.deadlineMs;
    if (this.delayMs > 0) await this.clock.sleep(this.delayMs);
    if (this.failNext > 0) {
      this.failNext--;
      throw new MinerError('INFERENCE_FAILED', 'model failed');
    }
    return { y: input.x * 2, blob: 'z'.repeat(input.pad ?? 0), run: this.runs, nested: { k: input.x } };
  }
}

/** What the scheduler is to the cache: runs the handler. */
export const directExecutor: SynapseExecutor = {
  execute: async (synapse, input, ctx) => ({ outputs: await synapse.handle(input, ctx) }),
};

/** The cache's executor as tests read it: the body, with the cache outcome beside it. */
export function bodies(ex: SynapseExecutor): {
  execute: (s: SynapseHandler, i: unknown, c: RequestContext) => Promise<SynapseBody>;
  outcome: (s: SynapseHandler, i: unknown, c: RequestContext) => Promise<ExecuteResult['cache']>;
} {
  return {
    execute: async (s, i, c) => (await ex.execute(s, i, c)).outputs,
    outcome: async (s, i, c) => (await ex.execute(s, i, c)).cache,
  };
}

/** Moves a manual clock 1 ms at a time, letting promises settle, until `done` holds. */
export async function runUntil(clock: ManualClock, done: () => boolean, maxMs = 60_000): Promise<void> {
  for (let ms = 0; !done(); ms++) {
    if (ms >= maxMs) throw new Error(`runUntil: not done after ${maxMs} ms of manual time`);
    await clock.advanceAsync(1);
  }
}

/** Drives a manual clock until the promise settles; returns what it settled to. */
export async function settleWith<T>(clock: ManualClock, p: Promise<T>): Promise<T> {
  let settled = false;
  const watched = p.finally(() => (settled = true));
  watched.catch(() => {});
  await runUntil(clock, () => settled);
  return watched;
}

export { ManualClock };
