import { mkdtemp, readdir, rm, stat, utimes, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResponseCache } from '../../../src/cache/index.js';
import { DiskTier } from '../../../src/cache/diskTier.js';
import { systemClock, silentLogger } from '../../../src/util/index.js';
import { CountingSynapse, ManualClock, cacheOpts, ctxFor, directExecutor, modulesFor, bodies } from './cacheTestKit.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'miner-cache-disk-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const diskCfg = (extra: Record<string, unknown> = {}) => ({
  synapses: { Counting: { policy: 'shared' } },
  disk: { enabled: true, dir, ...extra },
});

async function dirBytes(d: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(d)) n += (await stat(join(d, f)).catch(() => ({ size: 0 }))).size;
  return n;
}

describe('disk tier', () => {
  it('answers survive a restart (memory is gone, disk answers and promotes)', async () => {
    const clock = systemClock();
    const syn = new CountingSynapse();
    const c1 = new ResponseCache(cacheOpts(diskCfg()), modulesFor(clock));
    await c1.start();
    await bodies(c1.wrap(directExecutor)).execute(syn, { x: 10 }, ctxFor(clock));
    await c1.stop();
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.entry'))).toHaveLength(1);

    const c2 = new ResponseCache(cacheOpts(diskCfg()), modulesFor(clock));
    await c2.start();
    const ctx = ctxFor(clock);
    const ans = await c2.wrap(directExecutor).execute(syn, { x: 10 }, ctx);
    expect(ans.outputs['y']).toBe(20);
    expect(syn.runs).toBe(1);
    expect(ans.cache).toBe('hit');
    expect(c2.stats().hitsByTier.disk).toBe(1);
    expect(c2.stats().memory.entries).toBe(1);
    await c2.stop();
  });

  it('a corrupt, truncated or empty entry file is a miss and is removed, never a crash', async () => {
    const clock = systemClock();
    const syn = new CountingSynapse();
    const c1 = new ResponseCache(cacheOpts(diskCfg()), modulesFor(clock));
    await c1.start();
    const ex1 = bodies(c1.wrap(directExecutor));
    for (const x of [1, 2, 3]) await ex1.execute(syn, { x, pad: 500 }, ctxFor(clock));
    await c1.stop();
    const entries = (await readdir(dir)).filter((f) => f.endsWith('.entry')).sort();
    expect(entries).toHaveLength(3);
    const [f1, f2, f3] = entries.map((f) => join(dir, f)) as [string, string, string];
    const whole = await readFile(f1);
    await writeFile(f1, whole.subarray(0, whole.length - 100));
    const flipped = Buffer.from(await readFile(f2));
    flipped[flipped.length - 10]! ^= 0x01;
    await writeFile(f2, flipped);
    await writeFile(f3, Buffer.from('SMC1 garbage'));
    // Keep the expiry the cache keeps in mtime; rewriting a file would otherwise mark it expired.
    const future = new Date(Date.now() + 3_600_000);
    for (const f of [f1, f2, f3]) await utimes(f, future, future);

    const modules = modulesFor(clock);
    const c2 = new ResponseCache(cacheOpts(diskCfg()), modules);
    await c2.start();
    const ex2 = bodies(c2.wrap(directExecutor));
    for (const x of [1, 2, 3]) expect((await ex2.execute(syn, { x, pad: 500 }, ctxFor(clock)))['y']).toBe(2 * x);
    expect(syn.runs).toBe(6);
    await c2.flush();
    expect(await modules.registry.getSingleMetricAsString('miner_cache_errors_total')).toMatch(/tier="disk"} 3/);
    await c2.stop();
    // The broken files were replaced by fresh, intact entries.
    const c3 = new ResponseCache(cacheOpts(diskCfg()), modulesFor(clock));
    await c3.start();
    const ex3 = bodies(c3.wrap(directExecutor));
    for (const x of [1, 2, 3]) await ex3.execute(syn, { x, pad: 500 }, ctxFor(clock));
    expect(syn.runs).toBe(6);
    await c3.stop();
  });

  it('expired files are not served and are removed at start; TTL follows the injected clock', async () => {
    const clock = new ManualClock();
    const syn = new CountingSynapse();
    const cfg = diskCfg({ ttlMs: 5_000 });
    const c1 = new ResponseCache(cacheOpts({ ...cfg, memory: { ttlMs: 1_000 } }), modulesFor(clock));
    await c1.start();
    const ex = bodies(c1.wrap(directExecutor));
    await ex.execute(syn, { x: 1 }, ctxFor(clock));
    await c1.flush();
    clock.advance(2_000);
    await ex.execute(syn, { x: 1 }, ctxFor(clock));
    expect(syn.runs).toBe(1);
    expect(c1.stats().hitsByTier.disk).toBe(1);
    clock.advance(3_001);
    await ex.execute(syn, { x: 1 }, ctxFor(clock));
    expect(syn.runs).toBe(2);
    await c1.stop();
    clock.advance(10_000);
    const tier = new DiskTier({ dir, maxBytes: 1e9, ttlMs: 5_000 }, { clock, logger: silentLogger() });
    await tier.open();
    expect(tier.entries).toBe(0);
    expect((await readdir(dir)).filter((f) => f.endsWith('.entry'))).toHaveLength(0);
  });

  it('the directory stays within its byte bound under a stream of large answers', async () => {
    const clock = systemClock();
    const maxBytes = 300_000;
    const modules = modulesFor(clock);
    const c = new ResponseCache(cacheOpts({ ...diskCfg({ maxBytes }), memory: { maxBytes: 1_000_000 } }), modules);
    await c.start();
    const ex = bodies(c.wrap(directExecutor));
    const syn = new CountingSynapse();
    for (let i = 0; i < 60; i++) {
      await ex.execute(syn, { x: i, pad: 40_000 + i * 100 }, ctxFor(clock));
      if (i % 5 === 0) await c.flush();
      expect(await dirBytes(dir)).toBeLessThanOrEqual(maxBytes);
    }
    await c.flush();
    expect(await dirBytes(dir)).toBeLessThanOrEqual(maxBytes);
    expect(c.stats().disk!.bytes).toBe(await dirBytes(dir));
    expect(await modules.registry.getSingleMetricAsString('miner_cache_evictions_total')).toMatch(/tier="disk"} [1-9]\d*/);
    await c.stop();
    // A restart with a smaller bound trims the directory at once.
    const tier = new DiskTier({ dir, maxBytes: 100_000, ttlMs: 86_400_000 }, { clock, logger: silentLogger() });
    await tier.open();
    expect(await dirBytes(dir)).toBeLessThanOrEqual(100_000);
    await tier.close();
  });

  it('clear removes every entry; prune finds corrupt files and stale temp files', async () => {
    const clock = systemClock();
    const tier = new DiskTier({ dir, maxBytes: 1e9, ttlMs: 60_000 }, { clock, logger: silentLogger() });
    await tier.open();
    const e = { createdMs: clock.now(), expiresMs: clock.now() + 60_000, json: '{"a":1}' };
    tier.set('a'.repeat(64), e);
    tier.set('b'.repeat(64), e);
    await tier.flush();
    expect((await tier.get('a'.repeat(64)))?.json).toBe('{"a":1}');
    await writeFile(join(dir, `${'b'.repeat(64)}.entry`), 'not an entry');
    // A temp file left by a writer that no longer exists (pid 2^22+1 is never a live pid here).
    await writeFile(join(dir, `.${'c'.repeat(64)}.4194305.abcdef.tmp`), 'partial');
    await writeFile(join(dir, 'unrelated.txt'), 'keep me');
    const report = await tier.prune();
    expect(report).toMatchObject({ corrupt: 1, tempFiles: 1, expired: 0 });
    expect(await tier.clear()).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['unrelated.txt']);
    await tier.close();
  });

  it('an unusable directory stops start-up with a config error that says how to fix it', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const c = new ResponseCache(cacheOpts({ disk: { enabled: true, dir: join(file, 'sub') } }), modulesFor());
    await expect(c.start()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('cache.disk.enabled=false') });
    await c.stop();
  });
});
