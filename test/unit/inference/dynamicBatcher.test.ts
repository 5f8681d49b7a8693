import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { DynamicBatcher, type BatcherOpts } from '../../../src/inference/index.js';
import { createMinerMetrics } from '../../../src/metrics/index.js';
import { ManualClock, MinerError, silentLogger } from '../../../src/util/index.js';

interface Run {
  inputs: number[];
  shape: readonly number[];
  startedAt: number;
}

/** A fake model: records every run and finishes it when told (or after `ms` of the manual clock). */
function harness(opts: Partial<BatcherOpts> = {}, ms = 0) {
  const runs: Run[] = [];
  const gates: (() => void)[] = [];
  const registry = new Registry();
  const clock = new ManualClock();
  const t0 = clock.monotonicMs();
  const batcher = new DynamicBatcher<number, number>(
    { name: 'fake', maxItems: 64, maxCost: 1e9, maxWaitMs: 5, queueLength: 100, concurrency: 1, ...opts },
    async (inputs, shape) => {
      runs.push({ inputs: [...inputs], shape, startedAt: clock.monotonicMs() - t0 });
      if (ms > 0) await clock.sleep(ms);
      else await new Promise<void>((r) => gates.push(r));
      return inputs.map((x) => x * 2);
    },
    { logger: silentLogger(), clock, metrics: createMinerMetrics(registry).inference.batcher },
  );
  const release = () => {
    const g = gates.shift();
    g?.();
  };
  // Lets settled runs and the batcher's reaction to them happen; time does not move.
  const tick = () => clock.advanceAsync(0);
  return { batcher, runs, release, tick, registry, t0, clock };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof MinerError ? e.code : String(e);
  }
}

describe('DynamicBatcher', () => {
  it('runs at once when idle and batches what queued up while the device was busy', async () => {
    const h = harness();
    const first = h.batcher.submit(1, [10]);
    await h.tick();
    expect(h.runs).toHaveLength(1);
    const rest = Array.from({ length: 10 }, (_, i) => h.batcher.submit(i + 2, [10]));
    await h.tick();
    expect(h.runs).toHaveLength(1);
    expect(h.batcher.queueDepth()).toBe(10);
    h.release();
    expect(await first).toBe(2);
    await h.tick();
    expect(h.runs).toHaveLength(2);
    expect(h.runs[1]!.inputs).toHaveLength(10);
    h.release();
    expect(await Promise.all(rest)).toEqual(Array.from({ length: 10 }, (_, i) => (i + 2) * 2));
  });

  it('bounds a batch by item count and by padded cost, grouping similar shapes', async () => {
    const h = harness({ maxItems: 4, maxCost: 3 * 100 });
    void h.batcher.submit(0, [10]);
    await h.tick();
    const ps = [100, 10, 100, 20, 30, 100, 40, 50].map((w, i) => h.batcher.submit(i + 1, [w]));
    h.release();
    await h.tick();
    // Seed is the oldest (width 100): only 3 items fit 300 when padded to 100.
    expect(h.runs[1]!.inputs).toEqual([1, 3, 6]);
    expect(h.runs[1]!.shape).toEqual([100]);
    h.release();
    await h.tick();
    // Then the narrow ones, at most 4 items, padded to their widest.
    expect(h.runs[2]!.inputs).toHaveLength(4);
    expect(h.runs[2]!.shape[0]).toBeLessThanOrEqual(40);
    while (h.runs.length < 4) {
      h.release();
      await h.tick();
    }
    h.release();
    await Promise.all(ps);
  });

  it('waits at most maxWaitMs for a batch to fill while another run is in flight', async () => {
    const h = harness({ concurrency: 2, maxWaitMs: 30 });
    void h.batcher.submit(1, [1]);
    await h.tick();
    const submittedAt = h.clock.monotonicMs() - h.t0;
    const p = h.batcher.submit(2, [1]);
    await h.clock.advanceAsync(29);
    expect(h.runs).toHaveLength(1); // still filling: the device is busy
    await h.clock.advanceAsync(1);
    expect(h.runs).toHaveLength(2); // the wait bound released it while the first run is still in flight
    expect(h.runs[1]!.startedAt - submittedAt).toBe(30);
    h.release();
    h.release();
    expect(await p).toBe(4);
  });

  it('drops requests whose deadline passed before they cost a run (408)', async () => {
    const h = harness();
    void h.batcher.submit(1, [1]);
    await h.tick();
    const now = h.clock.now();
    const expired = codeOf(h.batcher.submit(2, [1], { deadlineMs: now + 15 }));
    const live = h.batcher.submit(3, [1], { deadlineMs: now + 60_000 });
    const ac = new AbortController();
    const cancelled = codeOf(h.batcher.submit(4, [1], { signal: ac.signal }));
    ac.abort();
    await h.clock.advanceAsync(30);
    h.release();
    expect(await expired).toBe('DEADLINE_EXCEEDED');
    expect(await cancelled).toBe('DEADLINE_EXCEEDED');
    await h.tick();
    h.release();
    expect(await live).toBe(6);
    const ran = h.runs.flatMap((r) => r.inputs);
    expect(ran).toEqual([1, 3]);
    expect(await codeOf(h.batcher.submit(5, [1], { deadlineMs: h.clock.now() - 1 }))).toBe('DEADLINE_EXCEEDED');
    expect(h.runs.flatMap((r) => r.inputs)).not.toContain(5);
  });

  it('answers OVERLOADED (503) beyond the queue bound', async () => {
    const h = harness({ queueLength: 3 });
    void h.batcher.submit(0, [1]);
    await h.tick();
    const queued = [1, 2, 3].map((i) => h.batcher.submit(i, [1]));
    const over = h.batcher.submit(4, [1]);
    const err = await over.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MinerError);
    expect((err as MinerError).code).toBe('OVERLOADED');
    expect((err as MinerError).spec.status).toBe(503);
    h.release();
    await h.tick();
    h.release();
    await Promise.all(queued);
  });

  it('serves higher priority first', async () => {
    const h = harness({ maxItems: 1 });
    void h.batcher.submit(0, [1]);
    await h.tick();
    const ps = [
      [1, 0],
      [2, 5],
      [3, 1],
      [4, 5],
    ].map(([v, priority]) => h.batcher.submit(v!, [1], { priority }));
    for (let i = 0; i < 5; i++) {
      h.release();
      await h.tick();
    }
    await Promise.all(ps);
    expect(h.runs.map((r) => r.inputs[0])).toEqual([0, 2, 4, 3, 1]);
  });

  it('stop() lets queued work finish and refuses new work', async () => {
    const h = harness({}, 5);
    const ps = [1, 2, 3].map((i) => h.batcher.submit(i, [1]));
    const stopped = h.batcher.stop();
    await h.clock.runAllAsync();
    await stopped;
    expect(await Promise.all(ps)).toEqual([2, 4, 6]);
    expect(await codeOf(h.batcher.submit(9, [1]))).toBe('SHUTTING_DOWN');
  });

  it('reports the engine metrics by model', async () => {
    const h = harness({}, 1);
    const done = Promise.all([1, 2, 3].map((i) => h.batcher.submit(i, [4])));
    await h.clock.runAllAsync();
    await done;
    const text = await h.registry.metrics();
    for (const name of [
      'miner_inference_batch_size_items',
      'miner_inference_batch_cost_elements',
      'miner_inference_queue_depth_items',
      'miner_inference_wait_seconds',
      'miner_inference_run_seconds',
      'miner_inference_items_total',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toContain('miner_inference_items_total{model="fake"} 3');
  });
});
