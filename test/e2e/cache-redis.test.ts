import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CacheAdmin, ResponseCache } from '../../src/cache/index.js';
import { systemClock, type Logger } from '../../src/util/index.js';
import { pino } from 'pino';
import { CountingSynapse, cacheOpts, ctxFor, directExecutor, modulesFor, bodies } from '../unit/cache/cacheTestKit.js';
import { RedisServer, cachePort } from '../unit/cache/redisServer.js';

const server = new RedisServer(cachePort(0), 'test-pass-123');
const PASSWORD = server.password;
const URL = server.url;
const startRedis = (): Promise<void> => server.start();
const killRedis = (): Promise<void> => server.kill();
const admin = () => server.client();

/** A logger that remembers messages, to check state changes are logged once, not per request. */
function recordingLogger(lines: string[]): Logger {
  return pino(
    { level: 'info' },
    {
      write: (s: string) => {
        lines.push((JSON.parse(s) as { msg: string }).msg);
      },
    },
  );
}

const caches: ResponseCache[] = [];
async function makeCache(lines?: string[], timeoutMs = 50) {
  const clock = systemClock();
  const modules = modulesFor(clock);
  if (lines) modules.logger = recordingLogger(lines);
  const cache = new ResponseCache(
    cacheOpts({ synapses: { Counting: { policy: 'shared' } }, redis: { enabled: true, url: URL, timeoutMs } }, { redisPassword: PASSWORD }),
    modules,
  );
  await cache.start();
  caches.push(cache);
  return { cache, ex: bodies(cache.wrap(directExecutor)), clock, modules };
}

beforeAll(startRedis);
afterEach(async () => {
  for (const c of caches.splice(0)) await c.stop();
});
afterAll(killRedis);

/** Waits (bounded) until the background SETs have landed; returns the keys. */
async function redisKeys(atLeast: number): Promise<string[]> {
  const r = admin();
  const until = Date.now() + 3_000;
  let keys: string[] = [];
  while (Date.now() < until) {
    keys = await r.keys('subnet-miner:resp:*');
    if (keys.length >= atLeast) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  r.disconnect();
  return keys;
}

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await p;
  return [v, performance.now() - t0];
}

describe('redis tier against a real redis-server', () => {
  it('two miner processes share answers through Redis', async () => {
    const a = await makeCache();
    const b = await makeCache();
    expect(a.cache.stats().redis?.state).toBe('up');
    const syn = new CountingSynapse();
    await a.ex.execute(syn, { x: 7 }, ctxFor(a.clock));
    await redisKeys(1);
    const ctx = ctxFor(b.clock, 'OtherValidator');
    const got = await b.cache.wrap(directExecutor).execute(syn, { x: 7 }, ctx);
    expect(got.outputs['y']).toBe(14);
    expect(syn.runs).toBe(1);
    expect(got.cache).toBe('hit');
    expect(b.cache.stats().hitsByTier.redis).toBe(1);
    // Promoted: the next lookup on b is a memory hit.
    await b.ex.execute(syn, { x: 7 }, ctxFor(b.clock));
    expect(b.cache.stats().hitsByTier.memory).toBe(1);
    const r = admin();
    const keys = await r.keys('subnet-miner:resp:*');
    expect(keys).toHaveLength(1);
    const pttl = await r.pttl(keys[0]!);
    expect(pttl).toBeGreaterThan(500_000);
    r.disconnect();
  });

  it('a slow Redis (CLIENT PAUSE) degrades to a miss within the timeout, never a stalled request', async () => {
    const lines: string[] = [];
    const { ex, clock, modules } = await makeCache(lines, 50);
    const syn = new CountingSynapse();
    const r = admin();
    await r.call('CLIENT', 'PAUSE', '1500', 'ALL');
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const [v, ms] = await timed(ex.execute(syn, { x: 100 + i }, ctxFor(clock)));
      expect(v['y']).toBe(200 + 2 * i);
      times.push(ms);
    }
    expect(Math.max(...times)).toBeLessThan(400);
    // After a few timeouts the tier is skipped: later misses cost nothing.
    expect(times.slice(4).every((t) => t < 45)).toBe(true);
    expect(await modules.registry.getSingleMetricAsString('miner_cache_errors_total')).toMatch(/tier="redis"} [1-9]/);
    expect(lines.filter((l) => l === 'redis cache tier slow, skipped for a while')).toHaveLength(1);
    await r.call('CLIENT', 'UNPAUSE');
    r.disconnect();
  });

  it('Redis down mid-test: requests are still answered; it comes back on its own; state logged once', async () => {
    const lines: string[] = [];
    const { cache, ex, clock } = await makeCache(lines);
    const syn = new CountingSynapse();
    await ex.execute(syn, { x: 1 }, ctxFor(clock));
    await killRedis();
    const times: number[] = [];
    const ask = async (i: number): Promise<void> => {
      const [v, ms] = await timed(ex.execute(syn, { x: 1000 + i }, ctxFor(clock)));
      expect(v['y']).toBe(2000 + 2 * i);
      times.push(ms);
    };
    // Right after the kill the client may not have seen the socket close yet: still answered.
    for (let i = 0; i < 5; i++) await ask(i);
    const noticeBy = Date.now() + 5_000;
    while (cache.stats().redis?.state === 'up' && Date.now() < noticeBy) await new Promise((r) => setTimeout(r, 20));
    expect(cache.stats().redis?.state).toBe('down');
    for (let i = 5; i < 20; i++) await ask(i);
    expect(Math.max(...times)).toBeLessThan(300);
    expect(cache.stats().redis?.state).toBe('down');
    expect(lines.filter((l) => l === 'redis cache tier unavailable, lookups skip it')).toHaveLength(1);
    await startRedis();
    const until = Date.now() + 10_000;
    while (cache.stats().redis?.state !== 'up' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(cache.stats().redis?.state).toBe('up');
    expect(lines.filter((l) => l === 'redis cache tier connected')).toHaveLength(2);
    await ex.execute(syn, { x: 5_000 }, ctxFor(clock));
    expect(await redisKeys(1)).toHaveLength(1);
  });

  it('a Redis that is not running at start delays nothing; a wrong password is an unavailable tier', async () => {
    await killRedis();
    const t0 = performance.now();
    const { cache, ex, clock } = await makeCache();
    expect(performance.now() - t0).toBeLessThan(1_500);
    const [v, ms] = await timed(ex.execute(new CountingSynapse(), { x: 3 }, ctxFor(clock)));
    expect(v['y']).toBe(6);
    expect(ms).toBeLessThan(250);
    expect(cache.stats().redis?.state).not.toBe('up');
    await startRedis();
    const modules = modulesFor();
    const bad = new ResponseCache(cacheOpts({ redis: { enabled: true, url: URL } }, { redisPassword: 'wrong' }), modules);
    await bad.start();
    caches.push(bad);
    expect(bad.stats().redis?.state).not.toBe('up');
  });

  it("CacheAdmin (the cache CLI) counts and clears only this miner's keys", async () => {
    const { ex, clock } = await makeCache();
    const syn = new CountingSynapse();
    for (const x of [1, 2, 3]) await ex.execute(syn, { x }, ctxFor(clock));
    await redisKeys(3);
    const r = admin();
    await r.set('other-app:key', 'keep');
    const cfg = cacheOpts({ redis: { enabled: true, url: URL } }, { redisPassword: PASSWORD });
    const adm = new CacheAdmin(cfg, modulesFor());
    await adm.open();
    expect((await adm.stats()).redis).toMatchObject({ enabled: true, state: 'up', entries: 3 });
    expect(await adm.clear()).toEqual({ redis: 3 });
    expect((await adm.stats()).redis).toMatchObject({ entries: 0 });
    await adm.close();
    expect(await r.get('other-app:key')).toBe('keep');
    r.disconnect();
  });
});
