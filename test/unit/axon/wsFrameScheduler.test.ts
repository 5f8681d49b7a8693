import { describe, expect, it } from 'vitest';
import { WsFrameScheduler, type FrameSource } from '../../../src/axon/wsFrameScheduler.js';

/** A fake connection whose frames each "cost" `costMs` on a shared fake clock. */
class Source implements FrameSource {
  ran = 0;
  constructor(
    readonly name: string, private left: number, readonly trusted: boolean,
    private readonly clock: { t: number }, private readonly costMs: number, private readonly log: string[],
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

describe('WsFrameScheduler', () => {
  it('runs a verified connection first, even behind a deep flood queue', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const s = new WsFrameScheduler({ framesPerTurn: 8, passBudgetMs: 2, untrustedShare: 0.25 }, () => clock.t);
    const flood = new Source('flood', 10_000, false, clock, 0.02, log);
    const valid = new Source('valid', 1, true, clock, 0.3, log);
    s.wake(flood);
    s.wake(valid);
    await new Promise((r) => setImmediate(r));
    expect(log[0]).toBe('valid');
    // One pass stops at the budget: the flood did not run to the end.
    expect(flood.ran).toBeLessThan(150);
    expect(flood.ran).toBeGreaterThan(0);
  });

  it('yields to I/O between passes and eventually drains everything', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const s = new WsFrameScheduler({ framesPerTurn: 4, passBudgetMs: 1, untrustedShare: 0.5 }, () => clock.t);
    const a = new Source('a', 500, false, clock, 0.05, log);
    s.wake(a);
    await new Promise((r) => setImmediate(r));
    // 1 ms of frames at 0.05 ms each, then the pass gives the loop back.
    expect(a.ran).toBeGreaterThanOrEqual(20);
    expect(a.ran).toBeLessThan(30);
    let turns = 1;
    while (a.queued() > 0 && turns < 1_000) {
      await new Promise((r) => setImmediate(r));
      turns++;
    }
    expect(a.ran).toBe(500);
    expect(turns).toBeGreaterThan(15);
  });

  it('interleaves connections of one class instead of draining one first', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const s = new WsFrameScheduler({ framesPerTurn: 2, passBudgetMs: 1_000, untrustedShare: 0.25 }, () => clock.t);
    const a = new Source('a', 6, false, clock, 0.01, log);
    const b = new Source('b', 6, false, clock, 0.01, log);
    s.wake(a);
    s.wake(b);
    await settle();
    expect(log.join('')).toBe('aabbaabbaabb');
  });

  it('a newcomer is served even when trusted frames overrun the whole budget', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const s = new WsFrameScheduler({ framesPerTurn: 8, passBudgetMs: 2, untrustedShare: 0.25 }, () => clock.t);
    // Each trusted frame alone costs more than a whole pass.
    const heavy = new Source('heavy', 100_000, true, clock, 5, log);
    const newcomer = new Source('new', 3, false, clock, 0.1, log);
    s.wake(heavy);
    s.wake(newcomer);
    await new Promise((r) => setImmediate(r));
    expect(newcomer.ran).toBe(3);
  });

  it('keeps a share of every pass for connections that never authenticated', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const s = new WsFrameScheduler({ framesPerTurn: 8, passBudgetMs: 2, untrustedShare: 0.25 }, () => clock.t);
    const busy = new Source('busy', 100_000, true, clock, 0.1, log);
    const newcomer = new Source('new', 1, false, clock, 0.1, log);
    s.wake(busy);
    s.wake(newcomer);
    await new Promise((r) => setImmediate(r));
    expect(newcomer.ran).toBe(1);
    expect(busy.ran).toBeLessThan(25);
  });
});
