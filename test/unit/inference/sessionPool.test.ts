import { describe, expect, it } from 'vitest';
import { SessionPool, defaultSessionFactory, ocrFiles, parseDeviceList, sessionOptionsFor } from '../../../src/inference/index.js';
import { inferenceSchema } from '../../../src/config/sections/inference.js';
import { silentLogger } from '../../../src/util/index.js';

// The direction classifier is the smallest real model (0.5 MB): enough to create real sessions.
const files = ocrFiles(inferenceSchema.parse({}).ocr);
const cpu = parseDeviceList(['cpu'])[0]!;
const tuning = {
  intraOpThreads: 1,
  interOpThreads: 1,
  allowSpinning: false,
  cpuMemArena: true,
  cuda: { enableMemPattern: true, deviceAllocatorForInitializers: false },
};

describe('SessionPool (one device)', () => {
  it('keeps at most maxSessions sessions and reloads an evicted one on demand', async () => {
    const pool = new SessionPool(
      { device: cpu, sessionOptions: sessionOptionsFor(cpu, tuning, 1), maxSessions: 1, runLimit: 1 },
      { logger: silentLogger(), createSession: defaultSessionFactory(true), modelBytes: async () => files.cls },
    );
    await pool.acquire('a');
    expect(pool.loaded()).toEqual(['a']);
    await pool.acquire('b');
    expect(pool.loaded()).toEqual(['b']);
    const names = await pool.withSession('a', async (s) => s.inputNames);
    expect(names).toEqual(['x']);
    expect(pool.loaded()).toEqual(['a']);
    await pool.close();
  });

  it("asks for the model of its device's kind", async () => {
    const kinds: string[] = [];
    const pool = new SessionPool(
      { device: cpu, sessionOptions: sessionOptionsFor(cpu, tuning, 1), maxSessions: 1, runLimit: 1 },
      {
        logger: silentLogger(),
        createSession: defaultSessionFactory(true),
        modelBytes: async (_name, kind) => {
          kinds.push(kind);
          return files.cls;
        },
      },
    );
    await pool.acquire('a');
    expect(kinds).toEqual(['cpu']);
    await pool.close();
  });

  it('a session whose worker is gone fails its runs at once instead of hanging', async () => {
    const s = await defaultSessionFactory(true)(files.cls, sessionOptionsFor(cpu, tuning, 1), cpu);
    await s.release();
    await expect(s.run({})).rejects.toThrow(/session worker exited/);
  });

  it('names the device in a load failure', async () => {
    const pool = new SessionPool(
      { device: cpu, sessionOptions: {}, maxSessions: 1, runLimit: 1 },
      {
        logger: silentLogger(),
        createSession: async () => {
          throw new Error('boom');
        },
        modelBytes: async () => files.cls,
      },
    );
    await expect(pool.acquire('a')).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/on cpu:0: boom/) });
  });
});
