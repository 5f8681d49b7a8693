import { describe, expect, it } from 'vitest';
import { InlinePolicy } from '../../../src/axon/inlinePolicy.js';

describe('InlinePolicy', () => {
  it('allows inline work at low rates and refuses it once the rate would take the loop', () => {
    let now = 0;
    const p = new InlinePolicy(() => now);
    const job = (costMs: number): void => {
      p.timed(() => {
        now += costMs;
      });
    };
    // 10 jobs/s of 0.3 ms: 0.3 % of the loop.
    for (let i = 0; i < 20; i++) {
      now += 100;
      p.arrive();
      expect(p.inlineOk()).toBe(true);
      job(0.3);
    }
    // A burst: inline until about a quarter of a 100 ms window is spoken for, then no more.
    let inline = 0;
    for (let i = 0; i < 300; i++) {
      p.arrive();
      if (p.inlineOk()) {
        inline++;
        job(0.3);
      }
    }
    expect(inline).toBeGreaterThan(40);
    expect(inline).toBeLessThan(120);
    // The next window still remembers the high rate.
    now += 100;
    p.arrive();
    expect(p.inlineOk()).toBe(false);
  });

  it('stops inlining while the event loop is busy with other work', () => {
    let now = 0;
    let busy = 0.9;
    const p = new InlinePolicy(
      () => now,
      undefined,
      () => busy,
    );
    now += 150;
    p.arrive();
    expect(p.inlineOk()).toBe(false);
    busy = 0.1;
    now += 150;
    p.arrive();
    expect(p.inlineOk()).toBe(true);
  });

  it('never inlines with a zero share', () => {
    const p = new InlinePolicy(() => 0, 0);
    p.arrive();
    expect(p.inlineOk()).toBe(false);
  });
});
