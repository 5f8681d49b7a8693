import type { Command } from 'commander';
import { CacheAdmin, type CacheAdminStats } from '../../cache/index.js';
import { EXIT_CODES, silentLogger, systemClock } from '../../util/index.js';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../options.js';

type CacheCliOptions = CommonOptions & { json?: boolean };

const MEMORY_NOTE =
  'memory tier: lives inside the running daemon and is not reachable from here ' +
  "(its numbers are in the daemon's status log and miner_cache_* metrics; restarting the daemon empties it)";

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function printStats(s: CacheAdminStats): void {
  console.log(MEMORY_NOTE);
  if (s.disk.enabled) {
    console.log(`disk tier: ${s.disk.dir}: ${s.disk.entries} entries, ${mib(s.disk.bytes)} of ${mib(s.disk.maxBytes)}`);
  } else console.log('disk tier: disabled (cache.disk.enabled=false)');
  if (!s.redis.enabled) console.log('redis tier: disabled (cache.redis.enabled=false)');
  else if (s.redis.error) console.log(`redis tier: ${s.redis.url}: ${s.redis.state}, ${s.redis.error}`);
  else console.log(`redis tier: ${s.redis.url}: ${s.redis.state}, ${s.redis.entries ?? 0} entries`);
}

async function withAdmin(opts: CacheCliOptions, fn: (admin: CacheAdmin) => Promise<unknown>): Promise<void> {
  const config = configFromOptions(opts);
  const admin = new CacheAdmin(
    { ...config.cache, redisPassword: process.env['MINER_REDIS_PASSWORD'] || undefined },
    { logger: silentLogger(), clock: systemClock(), signal: new AbortController().signal },
  );
  await admin.open();
  try {
    await fn(admin);
  } finally {
    await admin.close();
  }
}

async function runStats(opts: CacheCliOptions): Promise<void> {
  await withAdmin(opts, async (admin) => {
    const s = await admin.stats();
    if (opts.json) console.log(JSON.stringify({ memory: 'in-daemon', ...s }, null, 2));
    else printStats(s);
    if (s.redis.enabled && s.redis.error) process.exitCode = EXIT_CODES.FAILED;
  });
}

async function runClear(opts: CacheCliOptions): Promise<void> {
  await withAdmin(opts, async (admin) => {
    const r = await admin.clear();
    if (opts.json) return void console.log(JSON.stringify({ memory: 'in-daemon', ...r }, null, 2));
    if (r.disk !== undefined) console.log(`disk tier: removed ${r.disk} entries`);
    if (r.redis !== undefined) console.log(`redis tier: removed ${r.redis} keys`);
    if (r.redisError) console.log(`redis tier: not cleared: ${r.redisError}`);
    if (r.disk === undefined && r.redis === undefined && !r.redisError) console.log('no disk or redis tier configured');
    console.log(`${MEMORY_NOTE}; a running daemon keeps serving its memory tier until its TTL or a restart`);
    if (r.redisError) process.exitCode = EXIT_CODES.FAILED;
  });
}

async function runPrune(opts: CacheCliOptions): Promise<void> {
  await withAdmin(opts, async (admin) => {
    const r = await admin.prune();
    if (opts.json) return void console.log(JSON.stringify({ memory: 'in-daemon', ...r }, null, 2));
    if (r.disk) {
      const d = r.disk;
      console.log(`disk tier: removed ${d.expired} expired, ${d.corrupt} corrupt, ${d.tempFiles} stale temp files, ${d.evicted} over the byte bound`);
    } else console.log('disk tier: disabled (cache.disk.enabled=false)');
    if (r.redisNote) console.log(`redis tier: ${r.redisNote}`);
    console.log(`${MEMORY_NOTE}; the daemon prunes it itself every minute`);
  });
}

/** `subnet-miner cache stats|clear|prune`: the configured disk and Redis tiers, from outside the daemon. */
export function registerCacheCommand(program: Command): void {
  const cache = program.command('cache').description('inspect, empty or prune the response cache (disk and Redis tiers; memory lives in the daemon)');
  const sub = (name: string, desc: string, run: (o: CacheCliOptions) => Promise<void>): void => {
    addCommonOptions(cache.command(name).description(desc))
      .option('--json', 'print JSON instead of text')
      .action((o: CacheCliOptions) => run(o));
  };
  sub('stats', 'entries and bytes per configured tier', runStats);
  sub('clear', "remove every stored answer from the disk tier and this miner's Redis keys", runClear);
  sub('prune', 'remove expired, corrupt and over-budget disk entries and stale temp files', runPrune);
}
