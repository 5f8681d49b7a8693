import { ApiPromise, type WsProvider } from '@polkadot/api';
import type { Header } from '@polkadot/types/interfaces';
import type { Logger } from 'pino';
import { MinerError, type CoreModules, type Service, type TimerHandle } from '../util/index.js';
import type { ChainClientMetrics } from '../metrics/index.js';
import { defineUnknownSignedExtensions } from './signedExtensions.js';
import { blockTimeOf } from './readPlan.js';
import { createProvider, socketError } from './wsProvider.js';

export interface ChainClientOpts {
  /** Tried in order; a failure moves to the next one. */
  endpoints: readonly string[];
  /** Rebuild the connection when no new block arrives for this long; default watchdogBlocks block times. */
  watchdogMs?: number | undefined;
  /** Without watchdogMs: rebuild after this many of the runtime's block times without a block (default 10). */
  watchdogBlocks?: number | undefined;
  connectTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export interface ChainState {
  readonly connected: boolean;
  readonly endpoint: string | undefined;
  readonly bestBlock: number | undefined;
  readonly lastBlockAtMs: number | undefined;
  readonly blockAgeMs: number | undefined;
  readonly specVersion: number | undefined;
  readonly reconnects: number;
  /** Block time the runtime states (BABE/Aura/Timestamp constants); undefined before connecting or when it states none. */
  readonly blockTimeMs: number | undefined;
  /** The watchdog limit in force. */
  readonly watchdogMs: number;
}

export interface BlockEvent {
  readonly number: number;
  readonly hash: string;
}

interface Connection {
  readonly gen: number;
  readonly endpoint: string;
  readonly provider: WsProvider;
  readonly api: ApiPromise;
  unsubHeads?: () => void;
  /** Resolves once this connection's socket has closed. */
  closed: Promise<void>;
}

const CLOSE_WAIT_MS = 2_000;
const DEFAULT_WATCHDOG_BLOCKS = 10;
/** Floor of the derived watchdog: a fast devnet's block time must not make reconnects flap. */
const MIN_WATCHDOG_MS = 30_000;
/** Only when a runtime states no block time at all (no BABE, Aura or Timestamp constant). */
const UNKNOWN_BLOCK_TIME_WATCHDOG_MS = 600_000;

export interface ChainClientModules extends CoreModules {
  /** The connection's part of the chain metrics; null runs without. */
  metrics: ChainClientMetrics | null;
}

const MAX_LISTENERS = 64;
const MAX_CACHED_METADATA = 4;

/**
 * One persistent connection to the chain. It owns at most one socket at any time: the old
 * provider is closed before a new one is made, and the provider's own auto-reconnect is off,
 * so reconnects (backoff with jitter, failover across endpoints, watchdog rebuilds) happen here only.
 */
export class ChainClient implements Service {
  readonly name = 'chain';
  private readonly log: Logger;
  private readonly metrics: ChainClientMetrics | null;
  private readonly listeners = new Set<(b: BlockEvent) => void>();
  private readonly connectedWaiters = new Set<() => void>();
  private readonly metadataCache: Record<string, `0x${string}`> = {};
  private conn: Connection | undefined;
  private closing: Promise<void> = Promise.resolve();
  private live = false;
  private gen = 0;
  private endpointIdx = 0;
  private failures = 0;
  private reconnects = 0;
  private running = false;
  private bestBlock: number | undefined;
  private lastBlockAtMs: number | undefined;
  private blockTimeMs: number | undefined;
  private reconnectTimer: TimerHandle | undefined;
  private watchdogTimer: TimerHandle | undefined;

  constructor(
    private readonly opts: ChainClientOpts,
    private readonly modules: ChainClientModules,
  ) {
    if (opts.endpoints.length === 0) throw new MinerError('CONFIG_INVALID', 'chain: no endpoints configured');
    this.log = modules.logger;
    this.metrics = modules.metrics;
    this.metrics?.blockAge.bind((g) => {
      const age = this.state().blockAgeMs;
      if (age !== undefined) g.set(age / 1000);
    });
  }

  /** Starts connecting; resolves once connected or after connectTimeoutMs (reconnects go on in the background). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.modules.signal.addEventListener('abort', () => void this.stop(), { once: true });
    const interval = this.opts.watchdogMs ? Math.max(250, Math.min(5_000, Math.floor(this.opts.watchdogMs / 4))) : 1_000;
    this.watchdogTimer = this.modules.clock.setInterval(() => this.checkWatchdog(), interval, { unref: true });
    void this.connect();
    const ok = await this.waitConnected(this.opts.connectTimeoutMs);
    if (!ok) this.log.warn({ endpoints: this.opts.endpoints }, 'chain not reachable yet; retrying in the background');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.modules.clock.clearTimer(this.reconnectTimer);
    this.modules.clock.clearTimer(this.watchdogTimer);
    this.gen++;
    await this.teardown();
    this.metrics?.connected.set(0);
    this.log.info('chain client stopped');
    for (const w of this.connectedWaiters) w();
    this.connectedWaiters.clear();
  }

  state(): ChainState {
    const now = this.modules.clock.now();
    return {
      connected: this.live,
      endpoint: this.conn?.endpoint,
      bestBlock: this.bestBlock,
      lastBlockAtMs: this.lastBlockAtMs,
      blockAgeMs: this.lastBlockAtMs === undefined ? undefined : Math.max(0, now - this.lastBlockAtMs),
      specVersion: this.live ? this.conn?.api.runtimeVersion.specVersion.toNumber() : undefined,
      reconnects: this.reconnects,
      blockTimeMs: this.blockTimeMs,
      watchdogMs: this.watchdogMs(),
    };
  }

  /** The configured limit, else watchdogBlocks of the chain's own block time (never an assumed one). */
  private watchdogMs(): number {
    if (this.opts.watchdogMs) return this.opts.watchdogMs;
    if (this.blockTimeMs === undefined) return UNKNOWN_BLOCK_TIME_WATCHDOG_MS;
    return Math.max(MIN_WATCHDOG_MS, this.blockTimeMs * (this.opts.watchdogBlocks ?? DEFAULT_WATCHDOG_BLOCKS));
  }

  /** The live API; MinerError CHAIN_UNAVAILABLE while disconnected. */
  api(): ApiPromise {
    if (!this.live || !this.conn) throw new MinerError('CHAIN_UNAVAILABLE', 'not connected to the chain');
    return this.conn.api;
  }

  onBlock(listener: (b: BlockEvent) => void): () => void {
    if (this.listeners.size >= MAX_LISTENERS) throw new Error('chain: too many block listeners');
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves true once connected, false after timeoutMs or on stop. */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.live) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        this.modules.clock.clearTimer(timer);
        this.connectedWaiters.delete(done);
        resolve(this.live);
      };
      const timer = this.modules.clock.setTimeout(done, timeoutMs);
      this.connectedWaiters.add(done);
    });
  }

  /** Drops the current connection and connects again (to the next endpoint); used by the watchdog. */
  rebuild(reason: string): void {
    if (!this.running) return;
    this.lost(this.gen, reason);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    const gen = ++this.gen;
    const endpoint = this.opts.endpoints[this.endpointIdx % this.opts.endpoints.length]!;
    await this.teardown();
    if (gen !== this.gen || !this.running) return;
    this.log.debug({ endpoint, attempt: this.failures + 1 }, 'chain connecting');
    const provider = createProvider(endpoint, Math.max(this.opts.connectTimeoutMs, 30_000));
    const api = new ApiPromise({ provider, noInitWarn: true, metadata: { ...this.metadataCache } });
    // The API rejects isReadyOrError on a socket error; connection failures are handled in open().
    api.isReadyOrError.catch(() => undefined);
    const closed = new Promise<void>((resolve) => {
      provider.on('disconnected', () => resolve());
    });
    const conn: Connection = { gen, endpoint, provider, api, closed };
    this.conn = conn;
    try {
      await this.open(conn);
    } catch (err) {
      if (gen !== this.gen) return;
      this.log.warn({ endpoint, err: err instanceof Error ? err.message : String(err) }, 'chain connect failed');
      this.lost(gen, 'connect failed');
    }
  }

  private async open(conn: Connection): Promise<void> {
    const { provider, api } = conn;
    const clock = this.modules.clock;
    await new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(() => fail(new Error(`no connection within ${this.opts.connectTimeoutMs} ms`)), this.opts.connectTimeoutMs);
      const offErr = provider.on('error', (e: unknown) => fail(socketError(e)));
      const offDisc = provider.on('disconnected', () => fail(new Error('socket closed')));
      function fail(e: Error): void {
        clock.clearTimer(timer);
        offErr();
        offDisc();
        reject(e);
      }
      api.isReady.then(() => {
        clock.clearTimer(timer);
        offErr();
        offDisc();
        resolve();
      }, fail);
      provider.connect().catch(fail);
    });
    if (conn.gen !== this.gen) return;
    defineUnknownSignedExtensions(api);
    this.rememberMetadata(api);
    this.blockTimeMs = blockTimeOf((api.runtimeMetadata.asLatest as unknown as { pallets: Parameters<typeof blockTimeOf>[0] }).pallets)?.ms;
    provider.on('disconnected', () => this.lost(conn.gen, 'socket closed'));
    provider.on('error', () => this.lost(conn.gen, 'socket error'));
    conn.unsubHeads = await api.rpc.chain.subscribeNewHeads((h) => this.onHeader(conn, h));
    if (conn.gen !== this.gen) return;
    this.live = true;
    this.failures = 0;
    this.lastBlockAtMs = this.modules.clock.now();
    this.metrics?.connected.set(1);
    this.log.info(
      {
        endpoint: conn.endpoint,
        specVersion: api.runtimeVersion.specVersion.toNumber(),
        chain: api.runtimeChain.toString(),
        blockTimeMs: this.blockTimeMs ?? null,
        watchdogMs: this.watchdogMs(),
      },
      'chain connected',
    );
    if (this.blockTimeMs === undefined && !this.opts.watchdogMs) {
      this.log.warn({ watchdogMs: this.watchdogMs() }, 'runtime states no block time; fix: set chain.watchdogMs');
    }
    for (const w of [...this.connectedWaiters]) w();
  }

  private rememberMetadata(api: ApiPromise): void {
    const key = `${api.genesisHash.toHex()}-${api.runtimeVersion.specVersion.toString()}`;
    if (this.metadataCache[key]) return;
    const keys = Object.keys(this.metadataCache);
    if (keys.length >= MAX_CACHED_METADATA) delete this.metadataCache[keys[0]!];
    this.metadataCache[key] = api.runtimeMetadata.toHex();
  }

  private onHeader(conn: Connection, header: Header): void {
    if (conn.gen !== this.gen) return;
    const number = header.number.toNumber();
    if (this.bestBlock !== undefined && number <= this.bestBlock && this.live) return;
    this.bestBlock = number;
    this.lastBlockAtMs = this.modules.clock.now();
    this.metrics?.bestBlock.set(number);
    const ev: BlockEvent = { number, hash: header.hash.toHex() };
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (err) {
        this.log.error({ err }, 'block listener failed');
      }
    }
  }

  private lost(gen: number, reason: string): void {
    if (gen !== this.gen || !this.running) return;
    this.gen++;
    const endpoint = this.conn?.endpoint;
    if (this.live) this.log.warn({ endpoint, reason }, 'chain disconnected');
    this.live = false;
    this.metrics?.connected.set(0);
    void this.teardown();
    this.failures++;
    this.reconnects++;
    this.metrics?.reconnects.inc();
    if (this.opts.endpoints.length > 1) this.endpointIdx = (this.endpointIdx + 1) % this.opts.endpoints.length;
    const delay = this.backoffMs();
    this.log.info({ reason, nextEndpoint: this.opts.endpoints[this.endpointIdx], delayMs: delay }, 'chain reconnect scheduled');
    this.modules.clock.clearTimer(this.reconnectTimer);
    this.reconnectTimer = this.modules.clock.setTimeout(() => void this.connect(), delay);
  }

  /** Exponential in consecutive failures, capped, with jitter in [50%, 100%] so that many miners do not reconnect in step. */
  private backoffMs(): number {
    const exp = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectMinMs * 2 ** Math.min(this.failures - 1, 30));
    return Math.round(exp * (0.5 + Math.random() * 0.5));
  }

  private checkWatchdog(): void {
    if (!this.live || this.lastBlockAtMs === undefined) return;
    const age = this.modules.clock.now() - this.lastBlockAtMs;
    const limit = this.watchdogMs();
    if (age > limit) {
      this.log.warn({ endpoint: this.conn?.endpoint, blockAgeMs: age, watchdogMs: limit }, 'no new block, rebuilding chain connection');
      this.rebuild('watchdog');
    }
  }

  /** Closes the current connection; a new one is only made after this settles (one socket at a time). */
  private teardown(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    this.live = false;
    if (conn) {
      const prev = this.closing;
      this.closing = prev.then(async () => {
        try {
          conn.unsubHeads?.();
        } catch {
          // the socket may already be gone
        }
        await conn.api.disconnect().catch(() => undefined);
        let timer: TimerHandle | undefined;
        await Promise.race([
          conn.closed,
          new Promise<void>((r) => {
            timer = this.modules.clock.setTimeout(r, CLOSE_WAIT_MS);
          }),
        ]);
        this.modules.clock.clearTimer(timer);
      });
    }
    return this.closing;
  }
}
