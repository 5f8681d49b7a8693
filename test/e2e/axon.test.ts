import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { request } from 'node:http';
import { connect } from 'node:net';
import { EMPTY_BODY_HASH, type AxonServer } from '../../src/axon/index.js';
import { Dendrite, type DendriteQuery } from '../../src/client/index.js';
import { buildServingStack } from '../../src/node/index.js';
import { defaultSynapseRegistry } from '../../src/synapses/index.js';
import { systemClock, type RequestObservation } from '../../src/util/index.js';
import { StaticMetagraph, axonConfig, coreModules, keys, neuron } from '../unit/axon/fixtures.js';

const clock = systemClock();
let k: Awaited<ReturnType<typeof keys>>;
let axon: AxonServer;
let port: number;
let dendrite: Dendrite;
const observed: RequestObservation[] = [];

function q(over: Partial<DendriteQuery> = {}): DendriteQuery {
  return {
    host: '127.0.0.1',
    port,
    axonHotkey: k.eve.address,
    synapse: 'Dummy',
    body: { dummy_input: 21 },
    timeoutMs: 5_000,
    transport: 'ws',
    ...over,
  };
}

async function both(over: Partial<DendriteQuery>, d: Dendrite = dendrite): Promise<[number, number]> {
  const ws = await d.query(q({ ...over, transport: 'ws' }));
  const http = await d.query(q({ ...over, transport: 'http' }));
  return [ws.status, http.status];
}

/** A valid query succeeds: used between attacks to show the axon keeps serving. */
async function stillServing(): Promise<void> {
  const [a, b] = await both({});
  expect([a, b]).toEqual([200, 200]);
}

beforeAll(async () => {
  k = await keys();
  const m = coreModules(clock);
  const metagraph = new StaticMetagraph([
    neuron(0, k.bob.address, 1000, true),
    neuron(1, k.alice.address, 5, true),
    neuron(2, k.charlie.address, 500, false),
    neuron(3, k.eve.address, 0, false),
  ]);
  const synapses = defaultSynapseRegistry();
  synapses.register({
    name: 'Slow',
    inputFields: [],
    modelId: 'slow',
    parseInput: (b) => b,
    handle: (_i, ctx) =>
      new Promise((resolve) => {
        const t = setTimeout(() => resolve({ done: true }), 2_000);
        ctx.signal.addEventListener('abort', () => clearTimeout(t));
      }),
  });
  axon = buildServingStack(
    {
      axon: axonConfig({
        maxPayloadBytes: 64 * 1024,
        maxConnectionsPerIp: 1000,
        blacklist: { allowUnregistered: false, requireValidatorPermit: true, minStake: 10, allowHotkeys: [], denyHotkeys: [] },
        rateLimit: { perHotkeyPerSec: 1000, perHotkeyBurst: 1000, perIpPerSec: 5000, perIpBurst: 5000, maxTrackedKeys: 1000 },
      }),
      scheduler: { queueLength: 64, concurrency: 4 },
    },
    { ...m, pair: k.eve, metagraph, synapses, observer: { observe: (o) => observed.push(o) } },
  ).axon;
  await axon.start();
  port = axon.address().port;
  dendrite = new Dendrite({ pair: k.bob }, { clock });
});

afterAll(async () => {
  await dendrite.close();
  await axon.stop();
});

describe('axon over real sockets', () => {
  it('answers a valid query in both forms, WS answers signed', async () => {
    const ws = await dendrite.query(q());
    expect(ws.status).toBe(200);
    expect(ws.body?.['dummy_output']).toBe(42);
    expect(ws.body?.['dummy_input']).toBe(21);
    expect(ws.verified).toBe(true);
    const http = await dendrite.query(q({ transport: 'http' }));
    expect(http.status).toBe(200);
    expect(http.message).toBe('Success');
    expect(http.body?.['dummy_output']).toBe(42);
    const axonTerm = http.body?.['axon'] as Record<string, unknown>;
    expect(axonTerm['status_code']).toBe(200);
    expect(axonTerm['status_message']).toBe('Success');
    expect(typeof axonTerm['process_time']).toBe('number');
    expect(observed.some((o) => o.status === 200 && o.transport === 'http' && o.synapse === 'Dummy')).toBe(true);
  });

  it('many requests in flight on one WS connection', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => dendrite.query(q({ body: { dummy_input: i } }))));
    expect(answers.map((a) => a.body?.['dummy_output'])).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });

  it('refuses a forged signature (401)', async () => {
    const bad = `0x${'ab'.repeat(64)}`;
    expect(await both({ forge: { signature: bad } })).toEqual([401, 401]);
    await stillServing();
  });

  it('refuses a signature by another key (401)', async () => {
    expect(await both({ forge: { signer: k.ferdie } })).toEqual([401, 401]);
  });

  it('refuses a request addressed to another axon hotkey (401)', async () => {
    expect(await both({ forge: { signedAxonHotkey: k.dave.address } })).toEqual([401, 401]);
  });

  it('refuses a missing signature (401)', async () => {
    expect(await both({ forge: { signature: '' } })).toEqual([401, 401]);
  });

  it('refuses a replayed nonce (401) over both forms', async () => {
    const frame = dendrite.wsFrame(q());
    const first = await dendrite.sendWsRaw('127.0.0.1', port, frame, frame['id'] as string, 5_000);
    expect(first.status).toBe(200);
    const again = { ...frame, id: 'replay' };
    const second = await dendrite.sendWsRaw('127.0.0.1', port, again, 'replay', 5_000);
    expect(second.status).toBe(401);
    const req = dendrite.httpRequest(q());
    expect((await dendrite.sendHttpRaw('127.0.0.1', port, req, 5_000)).status).toBe(200);
    expect((await dendrite.sendHttpRaw('127.0.0.1', port, req, 5_000)).status).toBe(401);
    await stillServing();
  });

  it('refuses stale and far-future nonces (401)', async () => {
    const stale = clock.nowNs() - 60_000_000_000n;
    const fresh = new Dendrite({ pair: k.bob }, { clock });
    expect(await both({ forge: { nonce: stale } }, fresh)).toEqual([401, 401]);
    const future = clock.nowNs() + 3_600_000_000_000n;
    expect(await both({ forge: { nonce: future } }, fresh)).toEqual([401, 401]);
    await fresh.close();
    await stillServing();
  });

  it('refuses unregistered, non-validator and low-stake hotkeys (403)', async () => {
    const ferdie = new Dendrite({ pair: k.ferdie }, { clock });
    const charlie = new Dendrite({ pair: k.charlie }, { clock });
    const alice = new Dendrite({ pair: k.alice }, { clock });
    const r = await ferdie.query(q());
    expect(r.status).toBe(403);
    expect(r.message).toContain('Forbidden. Key is blacklisted');
    expect((await ferdie.query(q({ transport: 'http' }))).status).toBe(403);
    expect(await both({}, charlie)).toEqual([403, 403]);
    expect(await both({}, alice)).toEqual([403, 403]);
    await Promise.all([ferdie.close(), charlie.close(), alice.close()]);
    await stillServing();
  });

  it('answers unknown synapse 404, malformed JSON 400, oversize 413', async () => {
    expect(await both({ synapse: 'Nope' })).toEqual([404, 404]);
    const ws = await dendrite.sendWsRaw('127.0.0.1', port, '{"type":"request","id":"m1",', 'm1', 5_000);
    expect(ws.status).toBe(400);
    const req = dendrite.httpRequest(q());
    const http = await dendrite.sendHttpRaw('127.0.0.1', port, { ...req, body: '{not json' }, 5_000);
    expect(http.status).toBe(400);
    expect(JSON.parse(http.text)).toHaveProperty('message');
    const big = 'x'.repeat(70 * 1024);
    expect(await both({ body: { dummy_input: 1, pad: big } })).toEqual([413, 413]);
    const badInput = await both({ body: { dummy_input: 'three' } });
    expect(badInput).toEqual([400, 400]);
    await stillServing();
  });

  it('answers 408 when the deadline passes before the handler finishes', async () => {
    const [ws, http] = await both({ synapse: 'Slow', body: {}, timeoutMs: 300 });
    expect([ws, http]).toEqual([408, 408]);
    await stillServing();
  });

  it('rate limits per hotkey (429) while others keep flowing', async () => {
    const m = coreModules(clock);
    const metagraph = new StaticMetagraph([neuron(0, k.bob.address, 100, true), neuron(1, k.alice.address, 100, true)]);
    const { axon: small } = buildServingStack(
      {
        axon: axonConfig({ rateLimit: { perHotkeyPerSec: 1, perHotkeyBurst: 5, perIpPerSec: 1000, perIpBurst: 1000, maxTrackedKeys: 10 } }),
        scheduler: { queueLength: 8, concurrency: 2 },
      },
      { ...m, pair: k.eve, metagraph, synapses: defaultSynapseRegistry(), observer: { observe: () => {} } },
    );
    await small.start();
    const p2 = small.address().port;
    const bob = new Dendrite({ pair: k.bob }, { clock });
    const alice = new Dendrite({ pair: k.alice }, { clock });
    const statuses = await Promise.all(Array.from({ length: 10 }, () => bob.query(q({ port: p2 })).then((a) => a.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect((await alice.query(q({ port: p2 }))).status).toBe(200);
    await Promise.all([bob.close(), alice.close()]);
    await small.stop();
  });

  it('answers an HTTP request built byte for byte like the Python dendrite', async () => {
    const nonce = clock.nowNs().toString();
    const uuid = 'c0ffee00-0000-11ef-8000-000000000001';
    const message = `${nonce}.${k.bob.address}.${k.eve.address}.${uuid}.${EMPTY_BODY_HASH}`;
    const signature = `0x${Buffer.from(k.bob.sign(new TextEncoder().encode(message))).toString('hex')}`;
    const body = `{"name": "Dummy", "timeout": 12.0, "total_size": 0, "header_size": 0, "dendrite": {"status_code": null, "status_message": null, "process_time": null, "ip": "10.0.0.1", "port": null, "version": 10002000, "nonce": ${nonce}, "uuid": "${uuid}", "hotkey": "${k.bob.address}", "signature": "${signature}"}, "axon": {"status_code": null, "status_message": null, "process_time": null, "ip": "127.0.0.1", "port": ${port}, "version": null, "nonce": null, "uuid": null, "hotkey": "${k.eve.address}", "signature": null}, "computed_body_hash": "", "dummy_input": 3, "dummy_output": null}`;
    const headers: Record<string, string> = {
      Host: `127.0.0.1:${port}`,
      'User-Agent': 'Python/3.11 aiohttp/3.9.5',
      Accept: '*/*',
      'Accept-Encoding': 'gzip, deflate',
      name: 'Dummy',
      timeout: '12.0',
      bt_header_axon_ip: '127.0.0.1',
      bt_header_axon_port: String(port),
      bt_header_axon_hotkey: k.eve.address,
      bt_header_dendrite_ip: '10.0.0.1',
      bt_header_dendrite_version: '10002000',
      bt_header_dendrite_nonce: nonce,
      bt_header_dendrite_uuid: uuid,
      bt_header_dendrite_hotkey: k.bob.address,
      bt_header_dendrite_signature: signature,
      bt_header_input_obj_dummy_input: 'MA==',
      computed_body_hash: EMPTY_BODY_HASH,
      header_size: '640',
      total_size: '3456',
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
    };
    const res = await new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, method: 'POST', path: '/Dummy', headers }, (resp) => {
        let text = '';
        resp.on('data', (c: Buffer) => (text += c.toString()));
        resp.on('end', () => resolve({ status: resp.statusCode ?? 0, headers: resp.headers, text }));
      });
      r.on('error', reject);
      r.end(body);
    });
    expect(res.status).toBe(200);
    expect(res.headers['bt_header_axon_status_code']).toBe('200');
    expect(res.headers['bt_header_axon_status_message']).toBe('Success');
    expect(Number(res.headers['bt_header_axon_process_time'])).toBeGreaterThanOrEqual(0);
    const out = JSON.parse(res.text) as Record<string, any>;
    // What pydantic needs to rebuild Dummy: every base field present with the right type.
    expect(out).toMatchObject({ name: 'Dummy', timeout: 12, total_size: 0, header_size: 0, computed_body_hash: '', dummy_input: 3, dummy_output: 6 });
    for (const term of [out['axon'], out['dendrite']]) {
      for (const f of ['status_code', 'port', 'version', 'nonce']) expect(term[f] === null || Number.isInteger(term[f])).toBe(true);
      for (const f of ['status_message', 'ip', 'uuid', 'hotkey', 'signature']) expect(term[f] === null || typeof term[f] === 'string').toBe(true);
    }
    expect(out['axon']['status_code']).toBe(200);
    expect(out['axon']['hotkey']).toBe(k.eve.address);
    // The nonce survives as the exact integer, not a rounded double.
    expect(res.text).toContain(`"nonce":${nonce}`);
  });

  it('survives garbage on the socket and keeps serving', async () => {
    const reply = await new Promise<string>((resolve) => {
      let got = '';
      const s = connect(port, '127.0.0.1', () => s.write('GARBAGE\r\n\r\n\x00\x01'));
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('end', () => resolve(got));
      s.on('error', () => resolve(got));
      setTimeout(() => {
        s.destroy();
        resolve(got);
      }, 3000);
    });
    expect(reply).toMatch(/^HTTP\/1.1 400/);
    const raw = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await new Promise((r) => raw.once('open', r));
    const got: string[] = [];
    raw.on('message', (d) => got.push(d.toString()));
    raw.send(Buffer.from([1, 2, 3]), { binary: true });
    raw.send('[]');
    raw.send('{"type":"request","id":"x","synapse":"Dummy","body":5}');
    await new Promise((r) => setTimeout(r, 200));
    expect(got.map((g) => JSON.parse(g).status)).toEqual([400, 400, 400]);
    raw.close();
    await stillServing();
  });
});
