import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { SessionPool, ocrFiles } from '../../../src/inference/index.js';
import { inferenceSchema } from '../../../src/config/sections/inference.js';
import { MinerError, silentLogger } from '../../../src/util/index.js';

// The direction classifier is the smallest real model (0.5 MB): enough to create real sessions.
const files = ocrFiles(inferenceSchema.parse({}).ocr);
const base = { cudaDeviceId: 0, intraOpThreads: 1, interOpThreads: 1, maxSessions: 8, allowSpinning: false, maxConcurrentRuns: 0, runInWorker: true };

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _e, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('SessionPool device selection (no CUDA on this host)', () => {
  it('auto falls back to CPU with one clear log line', async () => {
    const { logger, lines } = capture();
    const pool = new SessionPool({ ...base, device: 'auto' }, logger);
    pool.register({ name: 'a', load: async () => files.cls });
    pool.register({ name: 'b', load: async () => files.cls });
    await pool.acquire('a');
    await pool.acquire('b');
    expect(pool.device()).toBe('cpu');
    const warnings = lines.filter((l) => String(l['msg']).includes('falling back to CPU'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!['reason'])).toMatch(/Cuda|CUDA|shared library/);
    await pool.close();
  });

  it('device "cuda" fails clearly instead of falling back', async () => {
    const pool = new SessionPool({ ...base, device: 'cuda' }, silentLogger());
    pool.register({ name: 'a', load: async () => files.cls });
    const err = await pool.acquire('a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MinerError);
    expect((err as MinerError).code).toBe('MODEL_LOAD_FAILED');
    expect((err as MinerError).message).toMatch(/inference\.device is "cuda".*gpu:install/);
    expect(pool.device()).toBeUndefined();
  });

  it('keeps at most maxSessions sessions and reloads an evicted one on demand', async () => {
    const pool = new SessionPool({ ...base, device: 'cpu', maxSessions: 1 }, silentLogger());
    pool.register({ name: 'a', load: async () => files.cls });
    pool.register({ name: 'b', load: async () => files.cls });
    await pool.acquire('a');
    expect(pool.loaded()).toEqual(['a']);
    await pool.acquire('b');
    expect(pool.loaded()).toEqual(['b']);
    const names = await pool.withSession('a', async (s) => s.inputNames);
    expect(names).toEqual(['x']);
    expect(pool.loaded()).toEqual(['a']);
    await pool.close();
  });
});
