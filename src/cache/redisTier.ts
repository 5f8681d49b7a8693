import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MinerError, type Clock } from '../util/index.js';
import { decodeEntry, encodeEntry, type StoredEntry } from './storedEntry.js';

export interface RedisTierOpts {
  url: string;
  keyPrefix: string;
  timeoutMs: number;
  ttlMs: number;
  /** From MINER_REDIS_PASSWORD; never from the config file. */
  password?: string;
}

export interface RedisTierHooks {
  clock: Clock;
  logger: Logger;
  onError?: (op: string, err: unknown) => void;
}

export type RedisState = 'stopped' | 'connecting' | 'up' | 'down';

/** After this many timeouts in a row the tier is skipped for a while instead of costing every request. */
const TRIP_AFTER = 3;
const TRIP_MS = 1_000;
const SCAN_COUNT = 500;

/**
 * Answers shared through Redis between miner processes. Commands never queue while the link is
 * down and time out after `timeoutMs`, so a dead or slow Redis costs a miss, not a stalled
 * request; the client reconnects on its own. State changes are logged once each.
 */
export class RedisTier {
  private client: Redis | undefined;
  private state: RedisState = 'stopped';
  private timeoutsInRow = 0;
  private skipUntil = 0;
  private readonly log: Logger;

  constructor(
    private readonly opts: RedisTierOpts,
    private readonly hooks: RedisTierHooks,
  ) {
    this.log = hooks.logger;
  }

  get status(): RedisState {
    return this.state;
  }

  /** Connects, waiting at most the connect timeout; a Redis that is down is retried in the background. */
  async start(): Promise<void> {
    if (this.client) return;
    const client = new Redis(this.opts.url, {
      password: this.opts.password,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: this.opts.timeoutMs,
      connectTimeout: Math.max(this.opts.timeoutMs, 1_000),
      enableReadyCheck: true,
      disconnectTimeout: 200,
      retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
    });
    this.client = client;
    this.state = 'connecting';
    client.on('ready', () => this.setState('up'));
    client.on('error', (err: Error) => this.setState('down', err));
    client.on('close', () => this.setState('down'));
    await client.connect().catch((err: unknown) => this.setState('down', err));
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.state = 'stopped';
    const quit = client.quit().catch(() => undefined);
    const timer = new Promise((r) => setTimeout(r, this.opts.timeoutMs * 4).unref());
    await Promise.race([quit, timer]);
    client.disconnect();
  }

  private setState(next: RedisState, err?: unknown): void {
    if (this.state === next || this.state === 'stopped') return;
    const was = this.state;
    this.state = next;
    const url = redactUrl(this.opts.url);
    if (next === 'up') this.log.info({ url, was }, 'redis cache tier connected');
    else this.log.warn({ url, was, err: errMessage(err) }, 'redis cache tier unavailable, lookups skip it');
  }

  private usable(): Redis | undefined {
    if (this.state !== 'up' || !this.client) return undefined;
    if (this.skipUntil > this.hooks.clock.monotonicMs()) return undefined;
    return this.client;
  }

  private failed(op: string, err: unknown): void {
    this.hooks.onError?.(op, err);
    if (!/timed out/i.test(errMessage(err))) return;
    this.timeoutsInRow++;
    if (this.timeoutsInRow === TRIP_AFTER) {
      this.skipUntil = this.hooks.clock.monotonicMs() + TRIP_MS;
      this.log.warn({ timeoutMs: this.opts.timeoutMs }, 'redis cache tier slow, skipped for a while');
    } else if (this.timeoutsInRow > TRIP_AFTER) {
      this.skipUntil = this.hooks.clock.monotonicMs() + TRIP_MS;
    }
  }

  private succeeded(): void {
    if (this.timeoutsInRow >= TRIP_AFTER) this.log.info('redis cache tier responsive again');
    this.timeoutsInRow = 0;
  }

  private redisKey(key: string): string {
    return `${this.opts.keyPrefix}resp:${key}`;
  }

  /** True when the tier was asked (hit or miss counts); false when it was skipped. */
  get available(): boolean {
    return this.usable() !== undefined;
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    const client = this.usable();
    if (!client) return undefined;
    let buf: Buffer | null;
    try {
      buf = await client.getBuffer(this.redisKey(key));
      this.succeeded();
    } catch (err) {
      this.failed('get', err);
      return undefined;
    }
    if (!buf) return undefined;
    const e = decodeEntry(buf);
    if (!e || e.expiresMs <= this.hooks.clock.now()) {
      if (!e) this.hooks.onError?.('corrupt', new Error('corrupt entry'));
      client.del(this.redisKey(key)).catch(() => {});
      return undefined;
    }
    return e;
  }

  set(key: string, e: StoredEntry): void {
    const client = this.usable();
    if (!client) return;
    const ttl = Math.min(this.opts.ttlMs, e.expiresMs - this.hooks.clock.now());
    if (ttl <= 0) return;
    const expiresMs = Math.min(e.expiresMs, this.hooks.clock.now() + ttl);
    client.set(this.redisKey(key), encodeEntry({ ...e, expiresMs }), 'PX', Math.ceil(ttl)).then(
      () => this.succeeded(),
      (err: unknown) => this.failed('set', err),
    );
  }

  /** Counts (and with `remove`, deletes) this miner's keys, scanning instead of KEYS. */
  async scanKeys(remove: boolean): Promise<number> {
    const client = this.client;
    if (!client || this.state !== 'up') throw new MinerError('CACHE_UNAVAILABLE', `redis is ${this.state}`);
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(this.opts.keyPrefix)}resp:*`, 'COUNT', SCAN_COUNT);
      cursor = next;
      n += keys.length;
      if (remove && keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
    return n;
  }

  /** Waits up to `ms` while the first connection attempt is still under way (for one-shot commands). */
  async waitUp(ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (this.state === 'connecting' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.state === 'up';
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : err === undefined ? '' : String(err);
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

/** The URL without credentials, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparsable url)';
  }
}
