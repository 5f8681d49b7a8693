import { describe, expect, it } from 'vitest';
import { WsFrameScheduler, type FrameSource } from '../../../src/axon/wsFrameScheduler.js';

/** A fake connection whose frames each "cost" `costMs` on a shared fake clock. */
class Source implements FrameSource {
  ran = 0;
  constructor(
    readonly name: string,
    private left: number,
    readonly trusted: boolean,
    private readonly clock: { t: number },
    private readonly costMs: number,
    private readonly log: string[],
  ) {}
  queued(): number {
    return this.left;
  }
  runOne(): boolean {
    if (this.left === 0) return false;
    this.left--;
    this.ran++;
    this.clock.t += this.costMs;
    this.log.push(this.name);
    return true;
  }
  add(n: number): void {
    this.left += n;
  }
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(() => setImmediate(r)));
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A scheduler on a fake clock, and a maker of connections whose frames advance it. */
function harness(framesPerTurn: number, passBudgetMs: number, untrustedShare: number) {
  const clock = { t: 0 };
  const log: string[] = [];
  const s = new WsFrameScheduler({ framesPerTurn, passBudgetMs, untrustedShare }, () => clock.t);
  const source = (name: string, frames: number, trusted: boolean, costMs: number): Source => {
    const src = new Source(name, frames, trusted, clock, costMs, log);
    s.wake(src);
    return src;
  };
  return { log, source };
}

describe('WsFrameScheduler', () => {
  it('runs a verified connection first, even behind a deep flood queue', async () => {
    const { log, source } = harness(8, 2, 0.25);
    const flood = source('flood', 10_000, false, 0.02);
    const _valid = source('valid', 1, true, 0.3);
    await turn();
    expect(log[0]).toBe('valid');
    // One pass stops at the budget: the flood did not run to the end.
    expect(flood.ran).toBeLessThan(150);
    expect(flood.ran).toBeGreaterThan(0);
  });

  it('yields to I/O between passes and eventually drains everything', async () => {
    const { source } = harness(4, 1, 0.5);
    const a = source('a', 500, false, 0.05);
    await turn();
    // 1 ms of frames at 0.05 ms each, then the pass gives the loop back.
    expect(a.ran).toBeGreaterThanOrEqual(20);
    expect(a.ran).toBeLessThan(30);
    let turns = 1;
    while (a.queued() > 0 && turns < 1_000) {
      await turn();
      turns++;
    }
    expect(a.ran).toBe(500);
    expect(turns).toBeGreaterThan(15);
  });

  it('interleaves connections of one class instead of draining one first', async () => {
    const { log, source } = harness(2, 1_000, 0.25);
    const _a = source('a', 6, false, 0.01);
    const _b = source('b', 6, false, 0.01);
    await settle();
    expect(log.join('')).toBe('aabbaabbaabb');
  });

  it('a newcomer is served even when trusted frames overrun the whole budget', async () => {
    const { source } = harness(8, 2, 0.25);
    // Each trusted frame alone costs more than a whole pass.
    const heavy = source('heavy', 100_000, true, 5);
    const newcomer = source('new', 3, false, 0.1);
    await turn();
    expect(newcomer.ran).toBe(3);
    // One turn of the heavy connection, then the pass ended: it was already over budget.
    expect(heavy.ran).toBe(8);
  });

  it('keeps a share of every pass for connections that never authenticated', async () => {
    const { source } = harness(8, 2, 0.25);
    const busy = source('busy', 100_000, true, 0.1);
    const newcomer = source('new', 1, false, 0.1);
    await turn();
    expect(newcomer.ran).toBe(1);
    expect(busy.ran).toBeLessThan(25);
  });
});
