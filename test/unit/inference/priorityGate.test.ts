import { describe, expect, it } from 'vitest';
import { PriorityGate } from '../../../src/inference/priorityGate.js';
import { MinerError } from '../../../src/util/index.js';

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof MinerError ? e.code : String(e)),
  );

describe('PriorityGate', () => {
  it('admits up to the limit, then by priority, and refuses beyond maxWaiting', async () => {
    const gate = new PriorityGate(1, 2, () => Date.now());
    const order: number[] = [];
    const first = await gate.enter(0, undefined, undefined);
    const low = gate.enter(0, undefined, undefined).then((leave) => {
      order.push(0);
      leave();
    });
    const high = gate.enter(9, undefined, undefined).then((leave) => {
      order.push(9);
      leave();
    });
    expect(gate.depth()).toBe(2);
    expect(await code(gate.enter(5, undefined, undefined))).toBe('OVERLOADED');
    first();
    await Promise.all([low, high]);
    expect(order).toEqual([9, 0]);
    expect(gate.depth()).toBe(0);
  });

  it('refuses an expired or cancelled request when its turn comes and frees the slot', async () => {
    let now = 1_000;
    const gate = new PriorityGate(1, 10, () => now);
    const first = await gate.enter(0, undefined, undefined);
    const expired = code(gate.enter(0, now + 5, undefined));
    const ac = new AbortController();
    const cancelled = code(gate.enter(0, undefined, ac.signal));
    ac.abort();
    now += 10;
    first();
    expect(await expired).toBe('DEADLINE_EXCEEDED');
    expect(await cancelled).toBe('DEADLINE_EXCEEDED');
    const again = await gate.enter(0, undefined, undefined);
    again();
    again();
    const twice = await gate.enter(0, undefined, undefined);
    twice();
  });
});
