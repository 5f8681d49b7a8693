/*
 * Ingress hardening over real sockets: hostile bodies, throwing handlers and serialisers,
 * forged traffic that claims a validator's hotkey, frames over the limit, not-ready answers.
 * Nothing here may end the process (vitest fails a file on any uncaught error).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Dendrite, type DendriteQuery } from '../../src/client/index.js';
import { buildServingStack } from '../../src/node/index.js';
import { defaultSynapseRegistry } from '../../src/synapses/index.js';
import { systemClock, type CoreModules } from '../../src/util/index.js';
import type { AxonConfig } from '../../src/config/index.js';
import type { SynapseBody } from '../../src/synapse/index.js';
import { StaticMetagraph, axonConfig, coreModules, keys, neuron } from '../unit/axon/fixtures.js';

const clock = systemClock();
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function deepOutput(levels: number): SynapseBody {
  let v: Record<string, unknown> = {};
  const root = v;
  for (let i = 0; i < levels; i++) v = (v['x'] = {}) as Record<string, unknown>;
  return { deep: root };
}

/** Handlers that fail every way a handler or the answer's serialiser can. */
function hostileRegistry() {
  const reg = defaultSynapseRegistry();
  const add = (name: string, handle: () => Promise<SynapseBody>) => reg.register({ name, inputFields: [], modelId: name, parseInput: (b) => b, handle });
  add('ThrowSync', () => {
    throw new Error('sync boom');
  });
  add('ThrowAsync', async () => {
    throw new Error('async boom');
  });
  add('BigIntOutput', async () => ({ n: 10n }) as unknown as SynapseBody);
  add('ThrowingGetter', async () =>
    Object.defineProperty({}, 'x', {
      enumerable: true,
      get: () => {
        throw new Error('getter');
      },
    }),
  );
  add('CircularOutput', async () => {
    const o: Record<string, unknown> = {};
    o['self'] = o;
    return o;
  });
  add('DeepOutput', async () => deepOutput(200_000));
  return reg;
}

async function startAxon(over: Partial<AxonConfig> = {}, metagraph?: StaticMetagraph, m: CoreModules = coreModules(clock)) {
  const k = await keys();
  const mg = metagraph ?? new StaticMetagraph([neuron(0, k.bob.address, 100, true), neuron(1, k.alice.address, 50, true)]);
  const { axon } = buildServingStack(
    { axon: axonConfig({ maxPayloadBytes: 64 * 1024, ...over }), scheduler: { queueLength: 64, concurrency: 4 } },
    {
      ...m,
      metrics: null,
      pair: k.eve,
      metagraph: mg,
      synapses: hostileRegistry(),
      observer: { observe: () => {} },
    },
  );
  await axon.start();
  cleanup.push(() => axon.stop());
  const dendrite = new Dendrite({ pair: k.bob }, { clock });
  cleanup.push(() => dendrite.close());
  const port = axon.address().port;
  const q = (o: Partial<DendriteQuery> = {}): DendriteQuery => ({
    host: '127.0.0.1',
    port,
    axonHotkey: k.eve.address,
    synapse: 'Dummy',
    body: { dummy_input: 1 },
    timeoutMs: 5_000,
    transport: 'ws',
    ...o,
  });
  return { axon, dendrite, port, q, k };
}

const deepText = (levels: number): string => `{"dummy_input":1,"x":${'['.repeat(levels)}${']'.repeat(levels)}}`;

describe('ingress hardening', () => {
  it('a validly signed body nested 200,000 levels deep is a 400 on both forms, and the axon keeps serving', async () => {
    const { dendrite, port, q } = await startAxon({ maxPayloadBytes: 1024 * 1024 });
    const frame = dendrite.wsFrame(q(), deepText(200_000));
    const ws = await dendrite.sendWsRaw('127.0.0.1', port, frame, frame['id'] as string, 5_000);
    expect(ws.status).toBe(400);
    expect(ws.message).toMatch(/nesting deeper than 64 levels/);
    const req = dendrite.httpRequest(q());
    const http = await dendrite.sendHttpRaw('127.0.0.1', port, { ...req, body: deepText(200_000) }, 5_000);
    expect(http.status).toBe(400);
    expect(JSON.parse(http.text).message).toMatch(/nesting deeper than 64 levels/);
    // The frame itself nested deep (not only the body string inside it).
    const deepFrame = JSON.stringify(frame).replace(/}$/, `,"junk":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const wf = await dendrite.sendWsRaw('127.0.0.1', port, deepFrame, frame['id'] as string, 5_000);
    expect(wf.status).toBe(400);
    for (const transport of ['ws', 'http'] as const) expect((await dendrite.query(q({ transport }))).status).toBe(200);
  });

  it('handlers and serialisers that throw, sync or async, answer 500 with an error id on both forms', async () => {
    const { dendrite, q } = await startAxon();
    for (const synapse of ['ThrowSync', 'ThrowAsync', 'BigIntOutput', 'ThrowingGetter', 'CircularOutput', 'DeepOutput']) {
      for (const transport of ['ws', 'http'] as const) {
        const a = await dendrite.query(q({ synapse, body: {}, transport }));
        expect([synapse, transport, a.status]).toEqual([synapse, transport, 500]);
        expect(a.message).toMatch(/^Internal Server Error #[0-9a-f]{8}$/);
      }
    }
    for (const transport of ['ws', 'http'] as const) expect((await dendrite.query(q({ transport }))).status).toBe(200);
  });

  it("forged requests claiming a validator's hotkey do not spend that validator's rate limit", async () => {
    const { dendrite, q, k } = await startAxon({
      rateLimit: { perHotkeyPerSec: 0.001, perHotkeyBurst: 6, perIpPerSec: 100_000, perIpBurst: 100_000, maxTrackedKeys: 1000 },
    });
    const forger = new Dendrite({ pair: k.alice }, { clock });
    cleanup.push(() => forger.close());
    const forged: Array<Promise<{ status: number }>> = [];
    for (let i = 0; i < 100; i++) {
      const transport = i % 2 === 0 ? 'ws' : 'http';
      // Alice signs while claiming Bob, or sends no signature at all.
      const forge = i % 4 < 2 ? { dendriteHotkey: k.bob.address } : { dendriteHotkey: k.bob.address, signature: '' };
      forged.push(forger.query(q({ transport, forge })));
    }
    const statuses = new Set((await Promise.all(forged)).map((a) => a.status));
    expect([...statuses]).toEqual([401]);
    for (let i = 0; i < 6; i++) expect((await dendrite.query(q({ transport: i % 2 ? 'ws' : 'http' }))).status).toBe(200);
    // The budget is real: the seventh proven request is over it.
    expect((await dendrite.query(q())).status).toBe(429);
  });

  it("junk on the validator's IP spends the IP's unproven budget, not the proven connections' way in", async () => {
    const { dendrite, q, k } = await startAxon({
      rateLimit: { perHotkeyPerSec: 100_000, perHotkeyBurst: 100_000, perIpPerSec: 0.001, perIpBurst: 3, maxTrackedKeys: 1000 },
    });
    expect((await dendrite.query(q({ transport: 'ws' }))).status).toBe(200);
    expect((await dendrite.query(q({ transport: 'http' }))).status).toBe(200);
    const forger = new Dendrite({ pair: k.alice }, { clock });
    cleanup.push(() => forger.close());
    const junk = await Promise.all(Array.from({ length: 20 }, () => forger.query(q({ forge: { dendriteHotkey: k.bob.address } }))));
    expect(junk.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(19);
    for (let i = 0; i < 10; i++) expect((await dendrite.query(q({ transport: i % 2 ? 'ws' : 'http' }))).status).toBe(200);
  });

  it('before the first metagraph sync: 503 that says the miner is starting, with Retry-After', async () => {
    const { dendrite, port, q } = await startAxon({}, new StaticMetagraph(undefined));
    const req = dendrite.httpRequest(q());
    const http = await dendrite.sendHttpRaw('127.0.0.1', port, req, 5_000);
    expect(http.status).toBe(503);
    expect(http.headers['retry-after']).toBe('5');
    expect(JSON.parse(http.text).message).toMatch(/miner is starting/);
    const frame = dendrite.wsFrame(q());
    const ws = await dendrite.sendWsRaw('127.0.0.1', port, frame, frame['id'] as string, 5_000);
    expect(ws.status).toBe(503);
    expect(ws.retryAfterSec).toBe(5);
    expect(ws.message).toMatch(/miner is starting/);
  });

  it('a frame over twice the limit is closed with 1009, every time; one within it gets a 413 answer', async () => {
    const { port, dendrite, q } = await startAxon({ maxPayloadBytes: 4 * 1024 });
    const codes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      await new Promise((r) => ws.once('open', r));
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      ws.on('error', () => {});
      ws.send(Buffer.alloc(8 * 1024 * 1024, 0x78), { binary: false });
      codes.push(await closed);
    }
    expect(new Set(codes)).toEqual(new Set([1009]));
    const frame = dendrite.wsFrame(q(), JSON.stringify({ dummy_input: 1, pad: 'y'.repeat(6 * 1024) }));
    const a = await dendrite.sendWsRaw('127.0.0.1', port, frame, frame['id'] as string, 5_000);
    expect(a.status).toBe(413);
  });
});
