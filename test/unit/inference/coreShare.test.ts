import { describe, expect, it } from 'vitest';
import { CoreShare } from '../../../src/inference/coreShare.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('CoreShare', () => {
  it('gives single cores until none is left, and is idle only when nothing holds or waits', async () => {
    const share = new CoreShare(2);
    expect(share.idle()).toBe(true);
    const a = await share.take(1);
    expect(share.idle()).toBe(false);
    const b = await share.take(1);
    let third = false;
    const c = share.take(1).then((r) => {
      third = true;
      return r;
    });
    await tick();
    expect(third).toBe(false);
    a();
    await tick();
    expect(third).toBe(true);
    b();
    (await c)();
    expect(share.idle()).toBe(true);
  });

  it('first come first served: single-core runs queued behind a run that wants every core do not overtake it', async () => {
    const share = new CoreShare(2);
    const order: string[] = [];
    const first = await share.take(1);
    const taken = (name: string) => (release: () => void) => {
      order.push(name);
      return release;
    };
    const all = share.take(2).then(taken('all'));
    const single = share.take(1).then(taken('single'));
    await tick();
    // One core is free, but the single-core run waits behind the run that wants both.
    expect(order).toEqual([]);
    first();
    const releaseAll = await all;
    await tick();
    expect(order).toEqual(['all']);
    releaseAll();
    (await single)();
    expect(order).toEqual(['all', 'single']);
    expect(share.idle()).toBe(true);
  });

  it('a release given twice frees its cores once; asking for more than all takes all', async () => {
    const share = new CoreShare(2);
    const big = await share.take(5);
    big();
    big();
    const x = await share.take(1);
    const y = await share.take(1);
    let z = false;
    void share.take(1).then(() => (z = true));
    await tick();
    expect(z).toBe(false);
    x();
    y();
  });
});
