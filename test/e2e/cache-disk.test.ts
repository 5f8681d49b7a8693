import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/cache/index.js';
import { DiskTier } from '../../src/cache/diskTier.js';
import { silentLogger, systemClock } from '../../src/util/index.js';
import { CountingSynapse, cacheOpts, ctxFor, directExecutor, modulesFor, bodies } from '../unit/cache/cacheTestKit.js';

/**
 * A real process writes to the disk tier in a loop and is killed with SIGKILL in the middle;
 * a cache then starts on that directory. The writer runs the tier's own compiled code
 * (dist/src/cache/diskTier.js, built by `npm test`), not a re-implementation of it.
 */
const WRITER = (tierUrl: string): string => `
import { createHash } from 'node:crypto';
const { DiskTier } = await import(${JSON.stringify(tierUrl)});
const dir = process.argv[2];
const clock = { now: () => Date.now(), nowNs: () => 0n, monotonicMs: () => performance.now() };
const logger = { info() {}, warn() {}, debug() {}, error() {}, child() { return logger; } };
const tier = new DiskTier({ dir, maxBytes: 256 * 1024 * 1024, ttlMs: 3_600_000, maxPendingWrites: 32 }, { clock, logger });
await tier.open();
const big = 'x'.repeat(512 * 1024);
for (let i = 0; ; i++) {
  const key = createHash('sha256').update(String(i)).digest('hex');
  tier.set(key, { createdMs: Date.now(), expiresMs: Date.now() + 3_600_000, json: JSON.stringify({ i, big }) });
  if (i === 40) process.stdout.write('writing\\n');
  await new Promise((r) => setImmediate(r));
}
`;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'miner-cache-kill-'));
  const tierUrl = pathToFileURL(resolve('dist/src/cache/diskTier.js')).href;
  await writeFile(join(work, 'writer.mjs'), WRITER(tierUrl));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function killMidWrite(dir: string, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, [join(work, 'writer.mjs'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('writing')) ok();
    });
    child.once('exit', (code) => fail(new Error(`writer exited early with ${code}`)));
  });
  await new Promise((r) => setTimeout(r, afterMs));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('disk tier survives a writer killed mid-write', () => {
  it('no crash, partial files are removed, every surviving entry is whole', async () => {
    const dir = join(work, 'cache');
    let tmpLeft = 0;
    // Kill until a kill lands in the middle of a write (a temp file is left); usually the first.
    for (let attempt = 0; attempt < 8 && tmpLeft === 0; attempt++) {
      await killMidWrite(dir, 150 + attempt * 37);
      tmpLeft = (await readdir(dir)).filter((f) => f.endsWith('.tmp')).length;
    }
    expect(tmpLeft).toBeGreaterThan(0);
    const entriesBefore = (await readdir(dir)).filter((f) => f.endsWith('.entry'));
    expect(entriesBefore.length).toBeGreaterThan(0);

    // A torn entry file as a non-atomic writer or a power cut would leave it.
    const victim = join(dir, entriesBefore[0]!);
    const whole = await readFile(victim);
    await writeFile(victim, whole.subarray(0, Math.floor(whole.length / 2)));
    const future = new Date(Date.now() + 3_600_000);
    await utimes(victim, future, future);

    const clock = systemClock();
    const modules = modulesFor(clock);
    const cache = new ResponseCache(cacheOpts({ disk: { enabled: true, dir }, synapses: { Counting: { policy: 'shared' } } }), modules);
    await cache.start();
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toHaveLength(0);
    const ex = bodies(cache.wrap(directExecutor));
    expect((await ex.execute(new CountingSynapse(), { x: 1 }, ctxFor(clock)))['y']).toBe(2);
    await cache.stop();

    // Read every surviving entry through the tier: the torn one is a miss and goes, the rest decode.
    const tier = new DiskTier({ dir, maxBytes: 1e9, ttlMs: 3_600_000 }, { clock, logger: silentLogger() });
    await tier.open();
    let whole2 = 0;
    let missing = 0;
    for (const f of entriesBefore) {
      const e = await tier.get(f.slice(0, 64));
      if (e) {
        whole2++;
        expect((JSON.parse(e.json) as { big: string }).big).toHaveLength(512 * 1024);
      } else missing++;
    }
    expect(missing).toBe(1);
    expect(whole2).toBe(entriesBefore.length - 1);
    expect((await readdir(dir)).includes(entriesBefore[0]!)).toBe(false);
    expect(await tier.prune()).toMatchObject({ corrupt: 0, tempFiles: 0 });
    await tier.close();
  });
});
