import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { Registry } from 'prom-client';
import { createMinerMetrics } from '../../../src/metrics/index.js';
import { LRUCache } from '@polkadot/rpc-provider';
import { ChainClient } from '../../../src/chain/chainClient.js';
import { createProvider } from '../../../src/chain/wsProvider.js';
import { ManualClock, MinerError, silentLogger, type Clock } from '../../../src/util/index.js';
import { captureLogger } from '../monitor/fixtures.js';

/** A WebSocket server that accepts and never answers: the client's connect attempts time out. */
class SilentServer {
  readonly wss: WebSocketServer;
  accepted = 0;
  open = 0;
  constructor(private readonly track: { open: number; maxOpen: number }) {
    this.wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    this.wss.on('connection', (ws) => {
      this.accepted++;
      this.open++;
      this.track.open++;
      this.track.maxOpen = Math.max(this.track.maxOpen, this.track.open);
      ws.on('close', () => {
        this.open--;
        this.track.open--;
      });
    });
  }
  listening(): Promise<void> {
    return new Promise((r) => (this.wss.address() ? r() : this.wss.once('listening', () => r())));
  }
  get endpoint(): string {
    return `ws://127.0.0.1:${(this.wss.address() as { port: number }).port}`;
  }
  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

const servers: SilentServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function client(endpoints: string[], clock: Clock, registry = new Registry(), logger = silentLogger()): ChainClient {
  return new ChainClient(
    { endpoints, watchdogMs: 60_000, connectTimeoutMs: 300, reconnectMinMs: 50, reconnectMaxMs: 200 },
    { logger, metrics: createMinerMetrics(registry).chain.client, clock, signal: new AbortController().signal },
  );
}

/** Waits for socket I/O (never for time: the client's timers run on the manual clock). */
const until = (cond: () => boolean): Promise<void> => vi.waitFor(() => expect(cond()).toBe(true), { timeout: 5_000, interval: 1 });

/** The backoff delays the client logged, in order. */
const delays = (lines: Array<Record<string, unknown>>): number[] =>
  lines.filter((l) => l['msg'] === 'chain reconnect scheduled').map((l) => l['delayMs'] as number);

/**
 * Drives one failed attempt: the server saw the socket, the connect timeout passes on the
 * manual clock, the socket closes, and the logged backoff elapses.
 */
async function failAttempt(
  clock: ManualClock,
  seen: () => number,
  track: { open: number },
  lines: Array<Record<string, unknown>>,
  timeoutMs: number,
): Promise<number> {
  const n = seen();
  await until(() => seen() === n && track.open === 1);
  const logged = delays(lines).length;
  await clock.advanceAsync(timeoutMs);
  await until(() => track.open === 0 && delays(lines).length === logged + 1);
  const delay = delays(lines)[logged]!;
  await clock.advanceAsync(delay - 1);
  expect(seen()).toBe(n);
  await clock.advanceAsync(1);
  await until(() => seen() === n + 1);
  return delay;
}

describe('ChainClient connection management', () => {
  it('fails over across endpoints with backoff, never holding two sockets', async () => {
    const track = { open: 0, maxOpen: 0 };
    const a = new SilentServer(track);
    const b = new SilentServer(track);
    servers.push(a, b);
    await Promise.all([a.listening(), b.listening()]);
    const registry = new Registry();
    const clock = new ManualClock();
    const { logger, lines } = captureLogger();
    const c = client([a.endpoint, b.endpoint], clock, registry, logger);
    const started = c.start();
    const seen = () => a.accepted + b.accepted;
    await until(() => seen() === 1);
    for (let i = 0; i < 4; i++) {
      await failAttempt(clock, seen, track, lines, 300);
      if (i === 0) await started;
    }
    const st = c.state();
    expect(st.connected).toBe(false);
    expect(() => c.api()).toThrow(MinerError);
    try {
      c.api();
    } catch (e) {
      expect((e as MinerError).code).toBe('CHAIN_UNAVAILABLE');
    }
    expect(a.accepted).toBeGreaterThanOrEqual(2);
    expect(b.accepted).toBeGreaterThanOrEqual(2);
    expect(Math.abs(a.accepted - b.accepted)).toBeLessThanOrEqual(1);
    expect(track.maxOpen).toBe(1);
    expect(st.reconnects).toBeGreaterThanOrEqual(3);
    expect(await registry.getSingleMetricAsString('miner_chain_connected_bool')).toContain('miner_chain_connected_bool 0');
    await c.stop();
    await until(() => track.open === 0);
    const accepted = seen();
    await clock.advanceAsync(10_000);
    expect(seen()).toBe(accepted);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('backs off exponentially up to reconnectMaxMs', async () => {
    const track = { open: 0, maxOpen: 0 };
    const a = new SilentServer(track);
    servers.push(a);
    await a.listening();
    const clock = new ManualClock();
    const { logger, lines } = captureLogger();
    const c = new ChainClient(
      { endpoints: [a.endpoint], watchdogMs: 60_000, connectTimeoutMs: 100, reconnectMinMs: 100, reconnectMaxMs: 800 },
      { logger, metrics: null, clock, signal: new AbortController().signal },
    );
    const started = c.start();
    await until(() => a.accepted === 1);
    const gaps: number[] = [];
    for (let k = 0; k < 6; k++) {
      gaps.push(await failAttempt(clock, () => a.accepted, track, lines, 100));
      if (k === 0) await started;
    }
    await c.stop();
    // jitter keeps each delay within [50%, 100%] of min * 2^k, capped at the max
    for (const [k, g] of gaps.entries()) {
      const cap = Math.min(800, 100 * 2 ** k);
      expect(g).toBeGreaterThanOrEqual(cap * 0.5);
      expect(g).toBeLessThanOrEqual(cap);
    }
  });

  it('refuses an empty endpoint list', () => {
    expect(() => client([], new ManualClock())).toThrow(MinerError);
  });
});

describe('createProvider', () => {
  // Unconnected, every call fails at once; the provider still caches the failed promise, which is
  // what lets the test count hits without a node.
  const call = (p: ReturnType<typeof createProvider>, method: string, params: unknown[]) => p.send(method, params, true).catch(() => undefined);

  it('keeps one at-block result: a call repeated after another one goes to the node again', async () => {
    const p = createProvider('ws://127.0.0.1:9', 1000);
    await call(p, 'state_getRuntimeVersion', ['0xaa']);
    await call(p, 'state_call', ['NeuronInfoRuntimeApi_get_neurons_lite', '0x', '0xaa']);
    await call(p, 'state_getRuntimeVersion', ['0xaa']);
    expect(p.stats.total.cached).toBe(0);
    await call(p, 'state_getRuntimeVersion', ['0xaa']);
    expect(p.stats.total.cached).toBe(1);
  });
});

describe("polkadot's LRUCache (why the provider's cache is one entry)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // If this starts failing, rpc-provider's LRU honours its TTL again and PROVIDER_CALL_CACHE_ENTRIES can be revisited.
  it('keeps entries long past their 30 s TTL once a hit has moved its tail', () => {
    vi.useFakeTimers();
    const cache = new LRUCache(1024, 30_000);
    const call = (key: string): void => {
      if (!cache.get(key)) cache.set(key, key);
    };
    // An hour of a chain client's pattern: a few new at-block keys each 12 s block, two keys that recur.
    for (let s = 0; s < 3600; s++) {
      vi.advanceTimersByTime(1000);
      if (s % 12 === 0) for (let i = 0; i < 5; i++) call(`at-${s}-${i}`);
      if (s % 12 === 0) call('fixed-a');
      if (s % 31 === 0) call('fixed-b');
    }
    // a working 30 s TTL would leave about a dozen
    expect(cache.lengthData).toBeGreaterThan(1000);
  });

  it('holds exactly one entry at capacity 1, whatever the mix of hits and misses', () => {
    vi.useFakeTimers();
    const cache = new LRUCache(1, 30_000);
    for (let i = 0; i < 2000; i++) {
      vi.advanceTimersByTime((i * 7919) % 2000);
      const key = `k${(i * 31) % 17}`;
      if (!cache.get(key)) cache.set(key, i);
      expect(cache.lengthData).toBeLessThanOrEqual(1);
    }
  });
});
