import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Registry } from 'prom-client';
import { createMinerMetrics } from '../../../src/metrics/index.js';
import { ChainClient } from '../../../src/chain/chainClient.js';
import { MinerError, silentLogger, systemClock } from '../../../src/util/index.js';

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

function client(endpoints: string[], registry = new Registry()): ChainClient {
  return new ChainClient(
    { endpoints, watchdogMs: 60_000, connectTimeoutMs: 300, reconnectMinMs: 50, reconnectMaxMs: 200 },
    { logger: silentLogger(), metrics: createMinerMetrics(registry).chain.client, clock: systemClock(), signal: new AbortController().signal },
  );
}

describe('ChainClient connection management', () => {
  it('fails over across endpoints with backoff, never holding two sockets', async () => {
    const track = { open: 0, maxOpen: 0 };
    const a = new SilentServer(track);
    const b = new SilentServer(track);
    servers.push(a, b);
    await Promise.all([a.listening(), b.listening()]);
    const registry = new Registry();
    const c = client([a.endpoint, b.endpoint], registry);
    await c.start();
    await new Promise((r) => setTimeout(r, 2_500));
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
    await new Promise((r) => setTimeout(r, 200));
    expect(track.open).toBe(0);
    const accepted = a.accepted + b.accepted;
    await new Promise((r) => setTimeout(r, 600));
    expect(a.accepted + b.accepted).toBe(accepted);
  });

  it('backs off exponentially up to reconnectMaxMs', async () => {
    const track = { open: 0, maxOpen: 0 };
    const a = new SilentServer(track);
    servers.push(a);
    await a.listening();
    const times: number[] = [];
    a.wss.on('connection', () => times.push(Date.now()));
    const c = new ChainClient(
      { endpoints: [a.endpoint], watchdogMs: 60_000, connectTimeoutMs: 100, reconnectMinMs: 100, reconnectMaxMs: 800 },
      { logger: silentLogger(), metrics: null, clock: systemClock(), signal: new AbortController().signal },
    );
    await c.start();
    await new Promise((r) => setTimeout(r, 3_500));
    await c.stop();
    const gaps = times.slice(1).map((t, i) => t - times[i]! - 100);
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    // jitter keeps each delay within [50%, 100%] of min * 2^k, capped at the max
    for (const [k, g] of gaps.entries()) {
      const cap = Math.min(800, 100 * 2 ** k);
      expect(g).toBeGreaterThanOrEqual(cap * 0.5 - 30);
      expect(g).toBeLessThanOrEqual(cap + 150);
    }
  });

  it('refuses an empty endpoint list', () => {
    expect(() => client([])).toThrow(MinerError);
  });
});
