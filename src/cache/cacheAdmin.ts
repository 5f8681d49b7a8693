import type { CacheConfig } from '../config/index.js';
import type { CoreModules, Logger } from '../util/index.js';
import { DiskTier, type DiskPruneReport } from './diskTier.js';
import { RedisTier, redactUrl, type RedisState } from './redisTier.js';

export interface CacheAdminOptions extends CacheConfig {
  redisPassword?: string;
  /** One-shot commands may wait longer than a request would. */
  adminTimeoutMs?: number;
}

export interface CacheAdminStats {
  disk: { enabled: false } | { enabled: true; dir: string; entries: number; bytes: number; maxBytes: number };
  redis: { enabled: false } | { enabled: true; url: string; state: RedisState; entries?: number; error?: string };
}

export interface CacheAdminClear {
  disk?: number;
  redis?: number;
  redisError?: string;
}

export interface CacheAdminPrune {
  disk?: DiskPruneReport;
  redisNote?: string;
}

/**
 * The `subnet-miner cache` command's view: the configured disk and Redis tiers, opened from
 * outside the daemon. The memory tier lives inside a running daemon and is not reachable here.
 */
export class CacheAdmin {
  private readonly log: Logger;
  private readonly disk: DiskTier | undefined;
  private readonly redis: RedisTier | undefined;
  private readonly timeoutMs: number;

  constructor(
    private readonly opts: CacheAdminOptions,
    modules: CoreModules,
  ) {
    this.log = modules.logger;
    this.timeoutMs = opts.adminTimeoutMs ?? 5_000;
    const clock = modules.clock;
    this.disk = opts.disk.enabled ? new DiskTier(opts.disk, { clock, logger: this.log }) : undefined;
    this.redis = opts.redis.enabled
      ? new RedisTier({ ...opts.redis, timeoutMs: Math.max(opts.redis.timeoutMs, this.timeoutMs), password: opts.redisPassword }, { clock, logger: this.log })
      : undefined;
  }

  /** Opens the disk directory read-only (nothing removed) and tries Redis for up to the admin timeout. */
  async open(): Promise<void> {
    await this.disk?.open(false);
    if (this.redis) {
      await this.redis.start();
      await this.redis.waitUp(this.timeoutMs);
    }
  }

  async close(): Promise<void> {
    await this.disk?.close();
    await this.redis?.stop();
  }

  async stats(): Promise<CacheAdminStats> {
    const disk: CacheAdminStats['disk'] = this.disk
      ? { enabled: true, dir: this.disk.dir, entries: this.disk.entries, bytes: this.disk.bytes, maxBytes: this.disk.maxBytes }
      : { enabled: false };
    if (!this.redis) return { disk, redis: { enabled: false } };
    const url = redactUrl(this.opts.redis.url);
    try {
      return { disk, redis: { enabled: true, url, state: this.redis.status, entries: await this.redis.scanKeys(false) } };
    } catch (err) {
      return { disk, redis: { enabled: true, url, state: this.redis.status, error: errText(err) } };
    }
  }

  async clear(): Promise<CacheAdminClear> {
    const report: CacheAdminClear = {};
    if (this.disk) report.disk = await this.disk.clear();
    if (this.redis) {
      try {
        report.redis = await this.redis.scanKeys(true);
      } catch (err) {
        report.redisError = errText(err);
      }
    }
    return report;
  }

  async prune(): Promise<CacheAdminPrune> {
    const report: CacheAdminPrune = {};
    if (this.disk) report.disk = await this.disk.prune();
    if (this.redis) report.redisNote = 'redis expires entries itself; nothing to prune';
    return report;
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
