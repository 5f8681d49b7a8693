import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/cache/index.js';
import { systemClock } from '../../src/util/index.js';
import { CountingSynapse, cacheOpts, ctxFor, directExecutor, modulesFor, bodies } from '../unit/cache/cacheTestKit.js';
import { RedisServer, cachePort } from '../unit/cache/redisServer.js';

/** `subnet-miner cache stats|clear|prune` as an operator runs it: the built CLI, a real directory, a real Redis. */
const MAIN = resolve('dist/src/cli/main.js');
const redis = new RedisServer(cachePort(3), 'cli-test-pass');
let work: string;
let cfgFile: string;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((ok) => {
    execFile(
      process.execPath,
      [MAIN, 'cache', ...args, '--config', cfgFile],
      {
        env: { ...process.env, MINER_REDIS_PASSWORD: redis.password, ...env },
        timeout: 60_000,
      },
      (err, out, errOut) => ok({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out, err: errOut }),
    );
  });
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error('build first: npx tsc -p . (this test runs the built CLI)');
  work = await mkdtemp(join(tmpdir(), 'miner-cache-cli-'));
  await redis.start();
  const cache = { disk: { enabled: true, dir: join(work, 'responses') }, redis: { enabled: true, url: redis.url } };
  cfgFile = join(work, 'miner.json');
  await writeFile(cfgFile, JSON.stringify({ cache }));
  const clock = systemClock();
  const rc = new ResponseCache(cacheOpts({ ...cache, synapses: { Counting: { policy: 'shared' } } }, { redisPassword: redis.password }), modulesFor(clock));
  await rc.start();
  const ex = bodies(rc.wrap(directExecutor));
  for (const x of [1, 2, 3, 4]) await ex.execute(new CountingSynapse(), { x }, ctxFor(clock));
  await rc.flush();
  await new Promise((r) => setTimeout(r, 50));
  await rc.stop();
});
afterAll(async () => {
  await redis.kill();
  await rm(work, { recursive: true, force: true });
});

describe('subnet-miner cache', () => {
  it('stats counts the disk and Redis tiers and says where the memory tier lives', async () => {
    const r = await cli(['stats']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/memory tier: lives inside the running daemon/);
    expect(r.out).toMatch(/disk tier: .*responses: 4 entries/);
    expect(r.out).toMatch(/redis tier: redis:\/\/127\.0\.0\.1:\d+\/?: up, 4 entries/);
    expect(r.out + r.err).not.toContain(redis.password);
  });

  it('prune removes a corrupt entry; clear empties both tiers', async () => {
    const dir = join(work, 'responses');
    const victim = join(dir, (await readdir(dir)).find((f) => f.endsWith('.entry'))!);
    await writeFile(victim, 'SMC1 broken');
    const future = new Date(Date.now() + 3_600_000);
    await utimes(victim, future, future);
    const p = await cli(['prune']);
    expect(p.code).toBe(0);
    expect(p.out).toContain('removed 0 expired, 1 corrupt');
    const c = await cli(['clear', '--json']);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.out)).toEqual({ memory: 'in-daemon', disk: 3, redis: 4 });
    const s = await cli(['stats', '--json']);
    expect(JSON.parse(s.out)).toMatchObject({ disk: { entries: 0 }, redis: { state: 'up', entries: 0 } });
  });

  it('a wrong Redis password is reported and the command fails', async () => {
    const r = await cli(['stats'], { MINER_REDIS_PASSWORD: 'wrong' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/redis tier: .*down/);
  });
});
