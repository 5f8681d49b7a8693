/*
 * The daemon on the devnet, reachable by today's validators: an sr25519 and an ed25519
 * validator registered with a permit through //Alice query it in every form (btauth/1 with
 * both key types, a query string included), every tampering is refused with its status, an
 * OCR page over btauth/1 comes back with its lines, and valid traffic flows throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Dendrite, type DendriteQuery, type RawHttpAnswer } from '../../src/client/index.js';
import { buildBtAuthRequest, buildEpistulaRequest } from '../../src/client/signedHttpRequests.js';
import { systemClock } from '../../src/util/index.js';
import { invoicePage } from '../fixtures/ocr/invoicePage.js';
import { startTestDevnet, DEVNET_ROLES, type Devnet } from '../helpers/devnet.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from './chainSuite.js';

describe('every form against the daemon on the devnet', () => {
  const clock = systemClock();
  const miner = DEVNET_ROLES.minerHotkey.ss58;
  let dn: Devnet;
  let daemon: DaemonProcess;
  let sr: KeyringPair;
  let ed: KeyringPair;
  const dendrites: Dendrite[] = [];

  const dendrite = (pair: KeyringPair): Dendrite => {
    const d = new Dendrite({ pair }, { clock });
    dendrites.push(d);
    return d;
  };
  const q = (o: Partial<DendriteQuery> = {}): DendriteQuery => ({
    host: '127.0.0.1',
    port: daemon.axonPort,
    axonHotkey: miner,
    synapse: 'Dummy',
    body: { dummy_input: 7 },
    timeoutMs: 10_000,
    transport: 'http',
    ...o,
  });
  const send = (d: Dendrite, r: { target: string; headers: Record<string, string>; body: string }): Promise<RawHttpAnswer> =>
    d.sendHttpRaw('127.0.0.1', daemon.axonPort, { path: r.target, headers: r.headers, body: r.body }, 10_000);

  beforeAll(async () => {
    await cryptoWaitReady();
    sr = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(DEVNET_ROLES.validatorHotkey.uri);
    ed = new Keyring({ type: 'ed25519', ss58Format: 42 }).addFromUri('//Ferdie');
    dn = await startTestDevnet({ spec: 103, maxAllowedValidators: 8 });
    const uid = await dn.registerNeuron({ hotkeyAddress: ed.address, coldkeyUri: '//Ferdie', stakeTao: 500 });
    await dn.setValidatorPermit(uid, true);
    daemon = await DaemonProcess.forDevnet(dn, {
      axon: { routes: [{ path: '/v1/ocr', synapse: 'OCRSynapse', forms: ['btauth'] }] },
      chain: { syncEveryBlocks: 1 },
    });
    daemon.start();
    await daemon.waitForLog((r) => r.msg === 'miner serving');
    const edAnswer = dendrite(ed);
    await waitFor('the ed25519 validator admitted', async () => (await edAnswer.query(q({ form: 'btauth' }))).status === 200, 120_000);
  }, 300_000);

  afterAll(async () => {
    for (const d of dendrites) await d.close();
    await daemon?.cleanup();
    await dn?.stop();
  });

  it('answers a valid query in each form, btauth/1 with both key types and a query string', async () => {
    const bob = dendrite(sr);
    const fer = dendrite(ed);
    const answers = [
      await bob.query(q({ form: 'btauth', target: '/Dummy?stream=false' })),
      await fer.query(q({ form: 'btauth', target: '/Dummy?stream=false' })),
      await bob.query(q({ form: 'epistula' })),
    ];
    for (const a of answers) expect([a.status, a.body]).toEqual([200, { dummy_output: 14 }]);
    expect((await bob.query(q({ form: 'legacy' }))).body?.['dummy_output']).toBe(14);
    const ws = await bob.query(q({ form: 'ws' }));
    expect([ws.status, ws.verified]).toEqual([200, true]);
  });

  it('refuses each tampering with its status while valid traffic keeps flowing', async () => {
    const bob = dendrite(sr);
    const body = JSON.stringify({ dummy_input: 7 });
    const bt = { pair: sr, target: '/Dummy', bodyText: body, receiver: miner };
    const ep = { pair: sr, target: '/Dummy', bodyText: body, signedFor: miner };
    const nowNs = clock.nowNs();
    const stranger = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Unregistered');
    const cases: Array<[string, { target: string; headers: Record<string, string>; body: string }, number]> = [
      ['btauth tampered body', buildBtAuthRequest({ ...bt, forge: { signedBody: '{}' } }), 401],
      ['btauth tampered path', buildBtAuthRequest({ ...bt, forge: { signedTarget: '/Other' } }), 401],
      ['btauth tampered nonce', buildBtAuthRequest({ ...bt, forge: { signedNonce: nowNs - 1n } }), 401],
      ['btauth another receiver', buildBtAuthRequest({ ...bt, receiver: sr.address }), 401],
      ['btauth no receiver', buildBtAuthRequest({ ...bt, receiver: null }), 401],
      ['btauth stale', buildBtAuthRequest({ ...bt, nonce: nowNs - 11_000_000_000n }), 401],
      ['btauth future', buildBtAuthRequest({ ...bt, nonce: nowNs + 3_000_000_000n }), 401],
      ['btauth ed25519 signature declared sr25519', buildBtAuthRequest({ ...bt, pair: ed, cryptoHeader: null }), 401],
      ['btauth unsupported crypto', buildBtAuthRequest({ ...bt, cryptoHeader: 'ecdsa' }), 401],
      ['btauth unsupported version', buildBtAuthRequest({ ...bt, forge: { headers: { 'X-Bittensor-Version': '9' } } }), 401],
      ['btauth unregistered', buildBtAuthRequest({ ...bt, pair: stranger }), 403],
      ['epistula tampered body', buildEpistulaRequest({ ...ep, forge: { signedBody: '{}' } }), 401],
      ['epistula signed for another', buildEpistulaRequest({ ...ep, signedFor: sr.address }), 401],
      ['epistula stale', buildEpistulaRequest({ ...ep, timestampMs: clock.now() - 9_000 }), 401],
      ['epistula future', buildEpistulaRequest({ ...ep, timestampMs: clock.now() + 3_000 }), 401],
      ['epistula unregistered', buildEpistulaRequest({ ...ep, pair: stranger }), 403],
      ['no form at all', { target: '/Dummy', headers: { 'content-type': 'application/json' }, body }, 401],
    ];
    for (const [name, req, status] of cases) {
      expect([name, (await send(bob, req)).status]).toEqual([name, status]);
      expect((await bob.query(q({ form: 'btauth' }))).status).toBe(200);
    }
    for (const build of [() => buildBtAuthRequest(bt), () => buildEpistulaRequest(ep)]) {
      const once = build();
      expect((await send(bob, once)).status).toBe(200);
      expect((await send(bob, once)).status).toBe(401);
    }
    for (const form of ['legacy', 'ws', 'btauth', 'epistula'] as const) expect((await bob.query(q({ form }))).status).toBe(200);
  });

  it('answers an OCR page over btauth/1 on a subnet route with its lines', async () => {
    const page = await invoicePage(11);
    const a = await dendrite(ed).query(q({ form: 'btauth', synapse: 'OCRSynapse', target: '/v1/ocr', body: { base64_image: page.base64 }, timeoutMs: 60_000 }));
    expect(a.status).toBe(200);
    const lines = a.body?.['response'] as Array<{ text: string; position: number[] }>;
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.some((l) => /invoice/i.test(l.text))).toBe(true);
  });
});
