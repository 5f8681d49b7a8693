import { describe, expect, it } from 'vitest';
import { VerifyGate } from '../../../src/axon/verifyGate.js';
import { MinerError } from '../../../src/util/index.js';

/** Verifications that finish only when the test says so. */
function controlled() {
  const pending: Array<{ name: string; done: (ok: boolean) => void }> = [];
  const started: string[] = [];
  const task = (name: string) => () =>
    new Promise<boolean>((done) => {
      started.push(name);
      pending.push({ name, done });
    });
  const finishOne = async (): Promise<void> => {
    pending.shift()?.done(true);
    await new Promise((r) => setImmediate(r));
  };
  return { task, started, finishOne };
}

describe('VerifyGate', () => {
  it('runs proven work before unproven work that waited longer', async () => {
    const c = controlled();
    const gate = new VerifyGate({ maxInflight: 1, maxQueuedUnproven: 10, maxQueuedProven: 10 });
    void gate.verify(c.task('u0'), false);
    void gate.verify(c.task('u1'), false);
    void gate.verify(c.task('u2'), false);
    const p = gate.verify(c.task('p0'), true);
    expect(gate.queued()).toEqual({ proven: 1, unproven: 2 });
    await c.finishOne();
    expect(c.started).toEqual(['u0', 'p0']);
    await c.finishOne();
    expect(await p).toBe(true);
    expect(c.started).toEqual(['u0', 'p0', 'u1']);
  });

  it('bounds waiting unproven work: beyond it a 503, while proven work still queues', async () => {
    const c = controlled();
    const gate = new VerifyGate({ maxInflight: 1, maxQueuedUnproven: 2, maxQueuedProven: 10 });
    void gate.verify(c.task('run'), false);
    void gate.verify(c.task('w1'), false);
    void gate.verify(c.task('w2'), false);
    const refused = await gate.verify(c.task('w3'), false).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MinerError);
    expect((refused as MinerError).code).toBe('OVERLOADED');
    void gate.verify(c.task('p'), true);
    expect(gate.queued()).toEqual({ proven: 1, unproven: 2 });
  });

  it('a verifier that throws fails only its own job and frees its slot', async () => {
    const gate = new VerifyGate({ maxInflight: 1, maxQueuedUnproven: 2, maxQueuedProven: 2 });
    const bad = gate.verify(() => {
      throw new Error('boom');
    }, false);
    await expect(bad).rejects.toThrow('boom');
    expect(await gate.verify(async () => true, false)).toBe(true);
  });
});
