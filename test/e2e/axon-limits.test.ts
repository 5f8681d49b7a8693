/* Axon limits, internal errors, metrics and shutdown, over real sockets. */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Registry } from 'prom-client';
import { createMinerMetrics } from '../../src/metrics/index.js';
import { Dendrite, buildWsFrame, type DendriteQuery } from '../../src/client/index.js';
import { buildServingStack } from '../../src/node/index.js';
import { defaultSynapseRegistry } from '../../src/synapses/index.js';
import { createRootLogger, systemClock, type CoreModules } from '../../src/util/index.js';
import type { AxonConfig } from '../../src/config/index.js';
import { StaticMetagraph, axonConfig, coreModules, keys, neuron } from '../unit/axon/fixtures.js';

const clock = systemClock();
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function startAxon(over: Partial<AxonConfig> = {}, m: CoreModules = coreModules(clock)) {
  const k = await keys();
  const synapses = defaultSynapseRegistry();
  synapses.register({
    name: 'Boom',
    inputFields: [],
    modelId: 'b',
    parseInput: (b) => b,
    handle: async () => {
      throw new Error('secret internals at /srv/x.ts:12');
    },
  });
  synapses.register({
    name: 'Slow',
    inputFields: [],
    modelId: 's',
    parseInput: (b) => b,
    handle: (_i, ctx) =>
      new Promise((resolve) => {
        const t = setTimeout(() => resolve({ done: true }), 3_000);
        ctx.signal.addEventListener('abort', () => clearTimeout(t));
      }),
  });
  const registry = new Registry();
  const metrics = createMinerMetrics(registry);
  const { axon } = buildServingStack(
    { axon: axonConfig(over), scheduler: { queueLength: 4, concurrency: 1 } },
    {
      ...m,
      metrics,
      pair: k.eve,
      metagraph: new StaticMetagraph([neuron(0, k.bob.address, 100, true)]),
      synapses,
      observer: { observe: () => {} },
    },
  );
  await axon.start();
  cleanup.push(() => axon.stop());
  const dendrite = new Dendrite({ pair: k.bob }, { clock });
  cleanup.push(() => dendrite.close());
  const port = axon.address().port;
  const q = (over2: Partial<DendriteQuery> = {}): DendriteQuery => ({
    host: '127.0.0.1',
    port,
    axonHotkey: k.eve.address,
    synapse: 'Dummy',
    body: { dummy_input: 1 },
    timeoutMs: 5_000,
    transport: 'ws',
    ...over2,
  });
  return { axon, dendrite, port, q, k, m, registry };
}

describe('axon limits and failure modes', () => {
  it('a handler failure is a 500 with an error id that matches the log line, never a stack', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createRootLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
    const { dendrite, q } = await startAxon({}, { ...coreModules(clock), logger });
    for (const transport of ['ws', 'http'] as const) {
      const a = await dendrite.query(q({ synapse: 'Boom', body: {}, transport }));
      expect(a.status).toBe(500);
      const id = /^Internal Server Error #([0-9a-f]{8})$/.exec(a.message)?.[1];
      expect(id).toBeDefined();
      expect(a.message).not.toContain('secret');
      expect(lines.some((l) => l['errorId'] === id && l['msg'] === 'request failed' && l['level'] === 'error')).toBe(true);
    }
    expect((await dendrite.query(q())).status).toBe(200);
  });

  it('queue full -> 503, and priority work still completes', async () => {
    const { dendrite, q } = await startAxon();
    // One runs (3 s), four wait in the queue, the rest find it full; the waiting ones expire unrun.
    const slow = Array.from({ length: 8 }, () => dendrite.query(q({ synapse: 'Slow', body: {}, timeoutMs: 3_500 })));
    const statuses = (await Promise.all(slow)).map((a) => a.status).sort();
    expect(statuses).toEqual([200, 408, 408, 408, 408, 503, 503, 503]);
  }, 60_000);

  it('at the per-IP cap, the oldest unproven connection makes room; proven ones are never dropped (503 instead)', async () => {
    const { port, q, k } = await startAxon({ maxConnectionsPerIp: 2 });
    const open = (): Promise<{ ws: WebSocket; status: number }> => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      return new Promise((resolve) => {
        ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0 }));
        ws.once('error', () => resolve({ ws, status: -1 }));
        ws.once('open', () => resolve({ ws, status: 101 }));
      });
    };
    const a = await open();
    const b = await open();
    const aClosed = new Promise((r) => a.ws.once('close', r));
    const c = await open();
    expect(c.status).toBe(101);
    await aClosed;
    b.ws.close();
    c.ws.close();
    await new Promise((r) => setTimeout(r, 200));
    // Two validator connections that proved their signature fill the cap: a newcomer is refused.
    const d1 = new Dendrite({ pair: k.bob }, { clock });
    const d2 = new Dendrite({ pair: k.bob }, { clock });
    cleanup.push(
      () => d1.close(),
      () => d2.close(),
    );
    expect((await d1.query(q())).status).toBe(200);
    expect((await d2.query(q())).status).toBe(200);
    expect((await open()).status).toBe(503);
    expect((await d1.query(q())).status).toBe(200);
  });

  it('a flood on one connection neither starves a validator nor loses frames (backpressure, not drops)', async () => {
    const { port, dendrite, q, k } = await startAxon({ maxInflightPerConnection: 64 });
    const flood = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
    await new Promise((r) => flood.once('open', r));
    const total = 5_000;
    let answered = 0;
    let refused = 0;
    let floodDoneAt = 0;
    const floodDone = new Promise<void>((resolve) => {
      flood.on('message', (d) => {
        answered++;
        // 403 (unregistered), or 429 while more than 64 of its frames were in flight at once.
        if ([403, 429].includes((JSON.parse(d.toString()) as { status: number }).status)) refused++;
        if (answered === total) {
          floodDoneAt = performance.now();
          resolve();
        }
      });
    });
    const base = clock.nowNs();
    for (let i = 0; i < total; i++) {
      flood.send(
        JSON.stringify(
          buildWsFrame({
            id: `f${i}`,
            synapse: 'Dummy',
            bodyText: '{"dummy_input": 1}',
            timeoutSec: 12,
            address: k.ferdie.address,
            sign: () => new Uint8Array(64),
            uuid: 'flood',
            nonce: base + BigInt(i),
            axonHotkey: k.eve.address,
          }),
        ),
      );
    }
    const valid: number[] = [];
    for (let i = 0; i < 10; i++) valid.push((await dendrite.query(q({ body: { dummy_input: i } }))).status);
    const validDoneAt = performance.now();
    await floodDone;
    flood.close();
    expect(valid).toEqual(Array(10).fill(200));
    expect(refused).toBe(total);
    // Served while the flood was still being worked through, not after it.
    expect(validDoneAt).toBeLessThan(floodDoneAt);
  }, 60_000);

  it('limits requests in flight per WS connection (429)', async () => {
    const { dendrite, q, port } = await startAxon({ maxInflightPerConnection: 1, queueLength: 10 });
    const first = dendrite.query(q({ synapse: 'Slow', body: {}, timeoutMs: 500 }));
    await new Promise((r) => setTimeout(r, 100));
    expect((await dendrite.query(q())).status).toBe(429);
    expect((await first).status).toBe(408);
    expect((await dendrite.query(q({ port }))).status).toBe(200);
  });

  it('closes a WS connection that sends a frame over twice the limit, others keep working', async () => {
    const { port, dendrite, q } = await startAxon({ maxPayloadBytes: 2048 });
    const raw = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await new Promise((r) => raw.once('open', r));
    const code = await new Promise<number>((resolve) => {
      raw.once('close', (c) => resolve(c));
      raw.send('x'.repeat(10_000));
    });
    expect(code).toBe(1009);
    expect((await dendrite.query(q())).status).toBe(200);
  });

  it('exports its metrics', async () => {
    const { dendrite, q, registry } = await startAxon();
    await dendrite.query(q());
    await dendrite.query(q({ synapse: 'Nope' }));
    const text = await registry.metrics();
    expect(text).toMatch(/miner_axon_requests_total\{synapse="Dummy",status="200",transport="ws"\} 1/);
    expect(text).toMatch(/miner_axon_rejected_total\{reason="unknown_synapse"\} 1/);
    expect(text).toContain('miner_axon_request_duration_seconds_bucket');
    expect(text).toMatch(/miner_axon_connections_count \d/);
    expect(text).toMatch(/miner_synapse_queue_depth_items 0/);
  });

  it('drain answers what is still running 503 and stops listening', async () => {
    const { axon, dendrite, q, port } = await startAxon();
    expect((await dendrite.query(q())).status).toBe(200);
    const slowWs = dendrite.query(q({ synapse: 'Slow', body: {}, timeoutMs: 20_000 }));
    const slowHttp = dendrite.query(q({ synapse: 'Slow', body: {}, timeoutMs: 20_000, transport: 'http' }));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await axon.drain(300);
    expect(Date.now() - t0).toBeLessThan(2_000);
    const [ws, http] = await Promise.all([slowWs, slowHttp]);
    expect(ws.status).toBe(503);
    expect(http.status).toBe(503);
    expect(axon.isServing()).toBe(false);
    const fresh = new Dendrite({ pair: (await keys()).bob }, { clock });
    expect((await fresh.query(q({ port }))).status).toBe(503);
    await fresh.close();
  });
});
