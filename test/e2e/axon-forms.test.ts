/*
 * btauth/1 and Epistula v2 beside the legacy form, over real sockets, through the one
 * admission pipeline: every refusal the SDK's conformance checks name, for both key types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { AxonServer } from '../../src/axon/index.js';
import { Dendrite, type DendriteQuery, type RawHttpAnswer } from '../../src/client/index.js';
import { buildBtAuthRequest, buildEpistulaRequest } from '../../src/client/signedHttpRequests.js';
import { buildServingStack } from '../../src/node/index.js';
import { defaultSynapseRegistry } from '../../src/synapses/index.js';
import { systemClock } from '../../src/util/index.js';
import { StaticMetagraph, axonConfig, coreModules, keys, neuron } from '../unit/axon/fixtures.js';

const clock = systemClock();
let k: Awaited<ReturnType<typeof keys>>;
let edValidator: KeyringPair;
let edStranger: KeyringPair;
let axon: AxonServer;
let port: number;
const dendrites: Dendrite[] = [];

function dendrite(pair: KeyringPair): Dendrite {
  const d = new Dendrite({ pair }, { clock });
  dendrites.push(d);
  return d;
}

beforeAll(async () => {
  k = await keys();
  const ed = new Keyring({ type: 'ed25519', ss58Format: 42 });
  edValidator = ed.addFromUri('//Ferdie');
  edStranger = ed.addFromUri('//Dave');
  const m = coreModules(clock);
  const metagraph = new StaticMetagraph([neuron(0, k.bob.address, 1000, true), neuron(1, edValidator.address, 500, true), neuron(2, k.eve.address, 0, false)]);
  axon = buildServingStack(
    {
      axon: axonConfig({
        routes: [
          { path: '/v1/double', synapse: 'Dummy', forms: ['btauth'] },
          { path: '/v1/any', synapse: 'Dummy', forms: ['legacy', 'btauth', 'epistula'] },
        ],
        rateLimit: { perHotkeyPerSec: 10_000, perHotkeyBurst: 10_000, perIpPerSec: 10_000, perIpBurst: 10_000, maxTrackedKeys: 1000 },
      }),
      scheduler: { queueLength: 64, concurrency: 4 },
    },
    { ...m, pair: k.eve, metagraph, synapses: defaultSynapseRegistry(), observer: { observe: () => {} } },
  ).axon;
  await axon.start();
  port = axon.address().port;
});

afterAll(async () => {
  for (const d of dendrites) await d.close();
  await axon.stop();
});

const q = (o: Partial<DendriteQuery> = {}): DendriteQuery => ({
  host: '127.0.0.1',
  port,
  axonHotkey: k.eve.address,
  synapse: 'Dummy',
  body: { dummy_input: 7 },
  timeoutMs: 5_000,
  transport: 'http',
  ...o,
});

async function send(d: Dendrite, r: { target: string; headers: Record<string, string>; body: string }): Promise<RawHttpAnswer> {
  return d.sendHttpRaw('127.0.0.1', port, { path: r.target, headers: r.headers, body: r.body }, 5_000);
}

const body = JSON.stringify({ dummy_input: 7 });

describe('btauth/1 and Epistula v2 beside the legacy form', () => {
  it('answers a valid query in every form with the synapse outputs', async () => {
    const bob = dendrite(k.bob);
    const ed = dendrite(edValidator);
    const answers = [
      await bob.query(q({ form: 'btauth', target: '/Dummy?trace=1&x=%20y' })),
      await ed.query(q({ form: 'btauth' })),
      await bob.query(q({ form: 'epistula' })),
    ];
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body).toEqual({ dummy_output: 14 });
    }
    expect((await bob.query(q({ form: 'legacy' }))).body?.['dummy_output']).toBe(14);
    expect((await bob.query(q({ form: 'ws' }))).body?.['dummy_output']).toBe(14);
  });

  it('serves configured subnet routes, in the forms each route accepts', async () => {
    const bob = dendrite(k.bob);
    expect((await bob.query(q({ form: 'btauth', target: '/v1/double' }))).status).toBe(200);
    const ep = await bob.query(q({ form: 'epistula', target: '/v1/double' }));
    expect([ep.status, ep.code]).toEqual([401, 'BAD_SIGNATURE']);
    const legacy = bob.httpRequest(q());
    expect((await send(bob, { target: '/v1/double', headers: legacy.headers, body: legacy.body })).status).toBe(401);
    expect((await bob.query(q({ form: 'epistula', target: '/v1/any?q=1' }))).status).toBe(200);
    expect((await bob.query(q({ form: 'btauth', target: '/v1/nowhere' }))).status).toBe(404);
  });

  it('refuses a request that carries no form, or two', async () => {
    const bob = dendrite(k.bob);
    const plain = await send(bob, { target: '/Dummy', headers: { 'content-type': 'application/json' }, body });
    expect(plain.status).toBe(401);
    expect(JSON.parse(plain.text).message).toMatch(/no authentication headers/);
    const r = bob.signedRequest(q(), 'btauth');
    const both = await send(bob, { target: '/Dummy', headers: { ...r.headers, 'Epistula-Version': '2' }, body: r.body });
    expect(both.status).toBe(400);
  });

  for (const [label, signer] of [
    ['sr25519', () => k.bob],
    ['ed25519', () => edValidator],
  ] as const) {
    it(`btauth/1 (${label}) refuses every tampering, with a JSON {code, message} that echoes nothing`, async () => {
      const pair = signer();
      const d = dendrite(pair);
      const base = { pair, target: '/Dummy', bodyText: body, receiver: k.eve.address };
      const nowNs = clock.nowNs();
      const cases: Array<[string, Parameters<typeof buildBtAuthRequest>[0], number]> = [
        ['tampered body', { ...base, forge: { signedBody: '{"dummy_input": 8}' } }, 401],
        ['tampered path', { ...base, forge: { signedTarget: '/Dummy?x=1' } }, 401],
        ['tampered method', { ...base, forge: { signedMethod: 'PUT' } }, 401],
        ['tampered nonce', { ...base, forge: { signedNonce: nowNs - 5n } }, 401],
        ['another receiver', { ...base, receiver: k.bob.address }, 401],
        ['no receiver', { ...base, receiver: null }, 401],
        ['stale', { ...base, nonce: nowNs - 11_000_000_000n }, 401],
        ['future', { ...base, nonce: nowNs + 3_000_000_000n }, 401],
        ['other scheme declared', { ...base, cryptoHeader: label === 'sr25519' ? 'ed25519' : 'sr25519' }, 401],
        ['unsupported crypto', { ...base, cryptoHeader: 'secp256k1' }, 401],
        ['missing version', { ...base, forge: { omit: ['X-Bittensor-Version'] } }, 401],
        ['unsupported version', { ...base, forge: { headers: { 'X-Bittensor-Version': '2' } } }, 401],
        ['missing signature', { ...base, forge: { omit: ['X-Bittensor-Signature'] } }, 401],
      ];
      for (const [name, opts, status] of cases) {
        const r = buildBtAuthRequest(opts);
        const a = await send(d, r);
        expect([name, a.status]).toEqual([name, status]);
        const j = JSON.parse(a.text) as { code?: string; message: string };
        // Without X-Bittensor-Version the request is no btauth/1 request: it gets the plain refusal.
        if (name !== 'missing version') expect(typeof j.code).toBe('string');
        expect(a.text).not.toContain(r.headers['X-Bittensor-Signature'] ?? '0x');
      }
      const stranger = buildBtAuthRequest({ ...base, pair: label === 'sr25519' ? k.charlie : edStranger });
      expect((await send(d, stranger)).status).toBe(403);
      const once = buildBtAuthRequest(base);
      expect((await send(d, once)).status).toBe(200);
      const replay = await send(d, once);
      expect([replay.status, JSON.parse(replay.text).message]).toEqual([401, 'Replayed request']);
    });
  }

  it('Epistula v2 refuses every tampering', async () => {
    const d = dendrite(k.bob);
    const base = { pair: k.bob, target: '/Dummy', bodyText: body, signedFor: k.eve.address };
    const now = clock.now();
    const cases: Array<[string, Parameters<typeof buildEpistulaRequest>[0], number]> = [
      ['tampered body', { ...base, forge: { signedBody: '{}' } }, 401],
      ['tampered uuid', { ...base, forge: { signedUuid: 'other' } }, 401],
      ['tampered timestamp', { ...base, forge: { signedTimestamp: String(now - 1) } }, 401],
      ['signed for another miner', { ...base, signedFor: k.bob.address }, 401],
      ['unbound', { ...base, signedFor: null }, 401],
      ['stale', { ...base, timestampMs: now - 9_000 }, 401],
      ['future', { ...base, timestampMs: now + 3_000 }, 401],
      ['ed25519 key', { ...base, pair: edValidator }, 401],
      ['missing version', { ...base, forge: { omit: ['Epistula-Version'] } }, 401],
      ['unsupported version', { ...base, forge: { headers: { 'Epistula-Version': '3' } } }, 401],
    ];
    for (const [name, opts, status] of cases) {
      const a = await send(d, buildEpistulaRequest(opts));
      expect([name, a.status]).toEqual([name, status]);
    }
    expect((await send(d, buildEpistulaRequest({ ...base, pair: k.charlie }))).status).toBe(403);
    const once = buildEpistulaRequest(base);
    expect((await send(d, once)).status).toBe(200);
    expect((await send(d, once)).status).toBe(401);
  });

  it('bounded bodies and not-ready answers hold in the new forms too', async () => {
    const bob = dendrite(k.bob);
    const deep = `{"dummy_input":1,"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    const r = buildBtAuthRequest({ pair: k.bob, target: '/Dummy', bodyText: deep, receiver: k.eve.address });
    const a = await send(bob, r);
    expect(a.status).toBe(400);
    expect(JSON.parse(a.text)).toMatchObject({ code: 'BAD_REQUEST' });
    expect((await bob.query(q({ form: 'btauth' }))).status).toBe(200);
  });
});
