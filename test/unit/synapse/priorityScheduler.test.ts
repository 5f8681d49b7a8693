import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMinerMetrics } from '../../../src/metrics/index.js';
import { ManualClock, MinerError, type Clock } from '../../../src/util/index.js';
import { PriorityScheduler } from '../../../src/synapse/index.js';
import type { RequestContext, SynapseHandler } from '../../../src/synapse/index.js';

function ctx(clock: Clock, priority: number, deadlineInMs = 10_000, signal = new AbortController().signal): RequestContext {
  return { requestId: String(priority), callerHotkey: 'hk', priority, deadlineMs: clock.now() + deadlineInMs, signal };
}

/** A handler whose calls finish only when the test says so. */
function gated(): { handler: SynapseHandler<number>; order: number[]; release: () => void } {
  const order: number[] = [];
  const waiting: Array<() => void> = [];
  const handler: SynapseHandler<number> = {
    name: 'G',
    inputFields: [],
    modelId: 'g',
    parseInput: () => 0,
    handle: (input) =>
      new Promise((resolve) => {
        order.push(input);
        waiting.push(() => resolve({ out: input }));
      }),
  };
  return { handler, order, release: () => waiting.shift()?.() };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('PriorityScheduler', () => {
  it('runs queued work by priority (caller stake), FIFO among equals', async () => {
    const clock = new ManualClock();
    const s = new PriorityScheduler({ queueLength: 10, concurrency: 1 }, { clock });
    const g = gated();
    const all = [s.execute(g.handler, 0, ctx(clock, 0))];
    for (const [input, prio] of [
      [1, 5],
      [2, 100],
      [3, 5],
      [4, 50],
    ] as const)
      all.push(s.execute(g.handler, input, ctx(clock, prio)));
    expect(s.queueDepth()).toBe(4);
    for (let i = 0; i < 5; i++) {
      await tick();
      g.release();
    }
    await Promise.all(all);
    expect(g.order).toEqual([0, 2, 4, 1, 3]);
  });

  it('answers OVERLOADED beyond the queue length', async () => {
    const clock = new ManualClock();
    const s = new PriorityScheduler({ queueLength: 2, concurrency: 1 }, { clock });
    const g = gated();
    const running = s.execute(g.handler, 0, ctx(clock, 0));
    const q1 = s.execute(g.handler, 1, ctx(clock, 0));
    const q2 = s.execute(g.handler, 2, ctx(clock, 0));
    await expect(s.execute(g.handler, 3, ctx(clock, 0))).rejects.toMatchObject({ code: 'OVERLOADED' });
    for (let i = 0; i < 3; i++) {
      await tick();
      g.release();
    }
    await Promise.all([running, q1, q2]);
  });

  it('answers DEADLINE_EXCEEDED without running what expired while queued', async () => {
    const clock = new ManualClock();
    const s = new PriorityScheduler({ queueLength: 5, concurrency: 1 }, { clock });
    const g = gated();
    const first = s.execute(g.handler, 0, ctx(clock, 0, 60_000));
    const late = s.execute(g.handler, 1, ctx(clock, 9, 100));
    clock.advance(200);
    await tick();
    g.release();
    await first;
    await expect(late).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(g.order).toEqual([0]);
  });

  it('races a running handler against its deadline', async () => {
    const clock = new ManualClock();
    const s = new PriorityScheduler({ queueLength: 5, concurrency: 1 }, { clock });
    const g = gated();
    const done = s.execute(g.handler, 0, ctx(clock, 0, 50));
    let settled = false;
    void done.catch(() => {}).finally(() => (settled = true));
    await clock.advanceAsync(49);
    expect(settled).toBe(false);
    await clock.advanceAsync(1);
    await expect(done).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(s.inFlight()).toBe(0);
  });

  it('stops a running handler when ctx.signal aborts, and drain answers queued work SHUTTING_DOWN', async () => {
    const clock = new ManualClock();
    const registry = new Registry();
    const s = new PriorityScheduler({ queueLength: 5, concurrency: 1 }, { clock, metrics: createMinerMetrics(registry).synapse });
    const g = gated();
    const ac = new AbortController();
    const running = s.execute(g.handler, 0, ctx(clock, 0, 10_000, ac.signal));
    const queued = s.execute(g.handler, 1, ctx(clock, 0));
    expect(await registry.metrics()).toMatch(/^miner_synapse_queue_depth_items 1$/m);
    ac.abort(new MinerError('SHUTTING_DOWN', 'bye'));
    await expect(running).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    // The queued one starts now; drain waits briefly, then gives up on it.
    const drained = s.drain(50);
    await expect(s.execute(g.handler, 2, ctx(clock, 0))).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await clock.advanceAsync(50);
    await drained;
    g.release(); // the aborted first call's gate
    g.release();
    await expect(queued).resolves.toEqual({ outputs: { out: 1 } });
  });
});
