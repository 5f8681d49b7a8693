import { describe, expect, it } from 'vitest';
import { encodeAddress } from '@polkadot/util-crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { btauthFreshness, parseBtAuthHeaders, isBtAuthRequest } from '../../../../src/axon/forms/btauth.js';
import { btauthPayload, sha256Hex } from '../../../../src/wire/index.js';
import { verifyEd25519 } from '../../../../src/axon/ed25519.js';
import { utf8, verifyAnyKey, makeSigner, toHex } from '../../../../src/wire/sr25519.js';
import { buildBtAuthRequest } from '../../../../src/client/signedHttpRequests.js';
import { ReplayStore } from '../../../../src/axon/replayStore.js';
import { ManualClock } from '../../../../src/util/index.js';
import { admitBtAuth, goldenKeys, incoming } from './formHelpers.js';

// Golden vector from the facts file ("Validators since SDK 11").
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
const ALICE_ED = '5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu';
const BODY = '{"prompt": "hello"}';
const BODY_SHA = '341c57448e531310fbbe83f44cea2a5e838bd9e8a6b82b269f01d0dbbc23c3cc';
const NONCE = 1752076800000000000n;
const NONCE_MS = 1752076800000;
const TARGET = '/generate?stream=false';
const ED_SIG = '0x1a6b631988bf1f7ea093ab9d5acf61f05c316d0b0e428b24b487b75a5f6ee0e1a56a26918fdf871b6cf09437e6588023a4ce423cf622621b2a7feee17612f704';

const keys = await goldenKeys();

function goldenRequest(ed: boolean, over: Partial<Parameters<typeof buildBtAuthRequest>[0]> = {}) {
  return buildBtAuthRequest({ pair: ed ? keys.aliceEd : keys.alice, target: TARGET, bodyText: BODY, receiver: BOB, nonce: NONCE, ...over });
}

describe('btauth/1 golden vector', () => {
  it('hashes the raw body and lays out the eight lines byte for byte', () => {
    expect(sha256Hex(BODY)).toBe(BODY_SHA);
    expect(sha256Hex(utf8(BODY))).toBe(BODY_SHA);
    const payload = btauthPayload({ scheme: 'sr25519', method: 'post', target: TARGET, bodySha256Hex: BODY_SHA, nonce: NONCE, sender: ALICE, receiver: BOB });
    expect(payload).toBe(`btauth/1\nsr25519\nPOST\n/generate?stream=false\n${BODY_SHA}\n1752076800000000000\n${ALICE}\n${BOB}`);
    expect(Buffer.from(payload, 'utf8').length).toBe(payload.length);
    expect(payload.endsWith('\n')).toBe(false);
    expect(
      btauthPayload({ scheme: 'ed25519', method: 'GET', target: '/', bodySha256Hex: BODY_SHA, nonce: '0', sender: ALICE, receiver: null }).split('\n'),
    ).toEqual(['btauth/1', 'ed25519', 'GET', '/', BODY_SHA, '0', ALICE, '-']);
  });

  it('//Alice ed25519 signs it exactly as the SDK does', () => {
    expect(keys.aliceEd.address).toBe(ALICE_ED);
    const payload = btauthPayload({
      scheme: 'ed25519',
      method: 'POST',
      target: TARGET,
      bodySha256Hex: BODY_SHA,
      nonce: NONCE,
      sender: ALICE_ED,
      receiver: BOB,
    });
    expect(toHex(keys.aliceEd.sign(utf8(payload)))).toBe(ED_SIG);
    const req = goldenRequest(true);
    expect(req.headers).toEqual({
      'Content-Type': 'application/json',
      'X-Bittensor-Version': '1',
      'X-Bittensor-Hotkey': ALICE_ED,
      'X-Bittensor-Receiver': BOB,
      'X-Bittensor-Nonce': '1752076800000000000',
      'X-Bittensor-Crypto': 'ed25519',
      'X-Bittensor-Signature': ED_SIG,
    });
    expect(verifyEd25519(keys.aliceEd.publicKey, utf8(payload), Buffer.from(ED_SIG.slice(2), 'hex'))).toBe(true);
  });

  it('//Alice sr25519 signature of the payload verifies (no crypto header sent)', () => {
    const req = goldenRequest(false);
    expect(req.headers['X-Bittensor-Crypto']).toBeUndefined();
    expect(keys.alice.address).toBe(ALICE);
    const payload = btauthPayload({ scheme: 'sr25519', method: 'POST', target: TARGET, bodySha256Hex: BODY_SHA, nonce: NONCE, sender: ALICE, receiver: BOB });
    const sig = Buffer.from(req.headers['X-Bittensor-Signature']!.slice(2), 'hex');
    expect(verifyAnyKey(keys.alice.publicKey, utf8(payload), sig)).toBe(true);
    expect(verifyAnyKey(keys.alice.publicKey, utf8(payload), keys.alice.sign(utf8(payload)))).toBe(true);
  });
});

describe('btauth/1 checks the SDK makes', () => {
  const at = { receiver: BOB, nowMs: NONCE_MS + 500 };

  it('admits the golden requests of both schemes once, then refuses the replay', () => {
    const store = new ReplayStore({ maxEntries: 100, retainMs: 12_000 }, new ManualClock(NONCE_MS));
    for (const ed of [false, true]) {
      expect(admitBtAuth(goldenRequest(ed), { ...at, store })).toBe('ok');
      expect(admitBtAuth(goldenRequest(ed), { ...at, store })).toBe('replay');
    }
  });

  it('stale at nonce + 11 s, future at nonce - 3 s, fresh at the bounds', () => {
    expect(btauthFreshness(NONCE, NONCE_MS + 11_000, 10_000, 2_000)).toBe('stale');
    expect(btauthFreshness(NONCE, NONCE_MS + 10_000, 10_000, 2_000)).toBe('ok');
    expect(btauthFreshness(NONCE, NONCE_MS - 3_000, 10_000, 2_000)).toBe('future');
    expect(btauthFreshness(NONCE, NONCE_MS - 2_000, 10_000, 2_000)).toBe('ok');
    expect(btauthFreshness(NONCE + 1n, NONCE_MS - 2_000, 10_000, 2_000)).toBe('future');
    expect(btauthFreshness(NONCE - 1n, NONCE_MS + 10_000, 10_000, 2_000)).toBe('stale');
    expect(admitBtAuth(goldenRequest(true), { receiver: BOB, nowMs: NONCE_MS + 11_000 })).toBe('stale');
    expect(admitBtAuth(goldenRequest(false), { receiver: BOB, nowMs: NONCE_MS - 3_000 })).toBe('future');
  });

  it('keeps the nonce exact beyond 2^53', () => {
    const p = parseBtAuthHeaders(incoming(goldenRequest(false, { nonce: 18446744073709551615n }).headers));
    expect(p.ok && p.value.nonce).toBe(18446744073709551615n);
    expect(p.ok && p.value.nonceText).toBe('18446744073709551615');
  });

  it.each([false, true])('refuses tampered nonce, body, method and path (ed25519: %s)', (ed) => {
    const forged = [
      goldenRequest(ed, { forge: { signedNonce: NONCE - 1n } }),
      goldenRequest(ed, { forge: { signedBody: '{"prompt": "hellO"}' } }),
      goldenRequest(ed, { forge: { signedMethod: 'PUT' } }),
      goldenRequest(ed, { forge: { signedTarget: '/generate?stream=true' } }),
      goldenRequest(ed, { forge: { signedTarget: '/generate' } }),
      goldenRequest(ed, { forge: { signedSender: BOB } }),
      goldenRequest(ed, { forge: { signedReceiver: null } }),
      goldenRequest(ed, { forge: { signer: ed ? keys.bobEd : keys.bob } }),
    ];
    for (const req of forged) expect(admitBtAuth(req, at)).toBe('signature');
    const sent = goldenRequest(ed);
    expect(admitBtAuth({ ...sent, body: '{"prompt":"hello"}' }, at)).toBe('signature');
    expect(admitBtAuth({ ...sent, method: 'PUT' }, at)).toBe('signature');
    expect(admitBtAuth({ ...sent, target: '/generate' }, at)).toBe('signature');
    expect(admitBtAuth({ ...sent, method: 'post' }, at)).toBe('ok');
  });

  it('refuses an ed25519 signature presented as sr25519, and the reverse', () => {
    expect(admitBtAuth(goldenRequest(true, { cryptoHeader: 'sr25519' }), at)).toBe('signature');
    expect(admitBtAuth(goldenRequest(true, { cryptoHeader: null }), at)).toBe('signature');
    expect(admitBtAuth(goldenRequest(false, { cryptoHeader: 'ed25519' }), at)).toBe('signature');
    // Even with line 2 rewritten to the declared scheme, the other scheme's signature fails.
    expect(admitBtAuth(goldenRequest(true, { cryptoHeader: 'sr25519', forge: { signedScheme: 'sr25519' } }), at)).toBe('signature');
    expect(admitBtAuth(goldenRequest(false, { cryptoHeader: 'ed25519', forge: { signedScheme: 'ed25519' } }), at)).toBe('signature');
    // The two key types share the seed but not the public key; each is only checked its own way.
    const payload = utf8(
      btauthPayload({ scheme: 'ed25519', method: 'POST', target: TARGET, bodySha256Hex: BODY_SHA, nonce: NONCE, sender: ALICE_ED, receiver: BOB }),
    );
    const edSig = keys.aliceEd.sign(payload);
    expect(verifyAnyKey(keys.aliceEd.publicKey, payload, edSig)).toBe(false);
    expect(verifyEd25519(keys.alice.publicKey, payload, makeSigner(keys.alice)(payload))).toBe(false);
  });

  it('refuses a wrong or missing receiver', () => {
    expect(admitBtAuth(goldenRequest(false, { receiver: ALICE }), at)).toBe('receiver');
    expect(admitBtAuth(goldenRequest(true, { receiver: null }), at)).toBe('receiver');
    expect(admitBtAuth(goldenRequest(false, { forge: { headers: { 'X-Bittensor-Receiver': ALICE } } }), { receiver: ALICE, nowMs: at.nowMs })).toBe(
      'signature',
    );
  });
});

describe('parseBtAuthHeaders', () => {
  const good = incoming(goldenRequest(false).headers);
  const with_ = (over: Record<string, string | string[] | undefined>): IncomingHttpHeaders => ({ ...good, ...over });
  const code = (h: IncomingHttpHeaders): string => {
    const p = parseBtAuthHeaders(h);
    return p.ok ? 'ok' : p.code;
  };

  it('reads good headers', () => {
    const p = parseBtAuthHeaders(good);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.hotkey).toBe(ALICE);
    expect(p.value.hotkeyPublicKey).toEqual(keys.alice.publicKey);
    expect(p.value.receiver).toBe(BOB);
    expect(p.value.nonce).toBe(NONCE);
    expect(p.value.scheme).toBe('sr25519');
    expect(p.value.signature).toHaveLength(64);
    expect(isBtAuthRequest(good)).toBe(true);
    expect(isBtAuthRequest({ host: 'x' })).toBe(false);
  });

  it('absent receiver is null, absent crypto is sr25519', () => {
    const p = parseBtAuthHeaders(with_({ 'x-bittensor-receiver': undefined, 'x-bittensor-crypto': undefined }));
    expect(p.ok && p.value.receiver).toBeNull();
    expect(p.ok && p.value.scheme).toBe('sr25519');
  });

  it.each(['x-bittensor-version', 'x-bittensor-hotkey', 'x-bittensor-nonce', 'x-bittensor-signature'])('missing or empty %s is 401 BAD_SIGNATURE', (name) => {
    expect(code(with_({ [name]: undefined }))).toBe('BAD_SIGNATURE');
    expect(code(with_({ [name]: '' }))).toBe('BAD_SIGNATURE');
  });

  it.each(['x-bittensor-version', 'x-bittensor-hotkey', 'x-bittensor-receiver', 'x-bittensor-nonce', 'x-bittensor-crypto', 'x-bittensor-signature'])(
    'a duplicated or oversized %s is 400 BAD_REQUEST',
    (name) => {
      const v = name === 'x-bittensor-crypto' ? 'sr25519' : String(good[name]);
      expect(code(with_({ [name]: [v, v] }))).toBe('BAD_REQUEST');
      expect(code(with_({ [name]: [v] }))).toBe('BAD_REQUEST');
      expect(code(with_({ [name]: `${v}, ${v}` }))).toBe('BAD_REQUEST');
      expect(code(with_({ [name]: 'x'.repeat(257) }))).toBe('BAD_REQUEST');
      expect(code(with_({ [name]: '9'.repeat(100_000) }))).toBe('BAD_REQUEST');
    },
  );

  it('version must be exactly 1', () => {
    for (const v of ['2', '0', '01', '1.0', 'v1', '1 ', 'one']) expect(code(with_({ 'x-bittensor-version': v }))).toBe('BAD_SIGNATURE');
  });

  it('accepts only the listed crypto spellings', () => {
    const scheme = (v: string) => {
      const p = parseBtAuthHeaders(with_({ 'x-bittensor-crypto': v }));
      return p.ok ? p.value.scheme : p.code;
    };
    expect(['sr25519', 'SR25519', '1', 'ed25519'].map(scheme)).toEqual(['sr25519', 'sr25519', 'sr25519', 'ed25519']);
    for (const v of ['ED25519', 'Ed25519', 'Sr25519', 'sR25519', 'sr-25519', 'schnorrkel', '0', '2', 'ecdsa', ' sr25519', 'sr25519 ', '']) {
      expect(scheme(v)).toBe('BAD_SIGNATURE');
    }
  });

  it('nonce: digits only, no sign, no leading zeros, at most 20 digits', () => {
    for (const v of ['-1', '+1', '01', '00', '1e18', '1.5', '0x10', '123456789012345678901', 'abc', ' 1', '1 2', '１２３', '1_000']) {
      expect(code(with_({ 'x-bittensor-nonce': v }))).toBe('BAD_NONCE');
    }
    for (const v of ['0', '7', '99999999999999999999']) expect(code(with_({ 'x-bittensor-nonce': v }))).toBe('ok');
  });

  it('hotkey and receiver must be 32-byte ss58', () => {
    const flipped = ALICE.slice(0, 10) + (ALICE[10] === 'a' ? 'b' : 'a') + ALICE.slice(11);
    const bad = [
      'not-an-address',
      flipped,
      ALICE.slice(0, 47),
      `${ALICE}1`,
      toHex(keys.alice.publicKey),
      encodeAddress(new Uint8Array(33).fill(2)),
      encodeAddress(new Uint8Array(8).fill(1)),
      ALICE.replace('5', '0'),
      'I'.repeat(48),
    ];
    for (const v of bad) {
      expect(code(with_({ 'x-bittensor-hotkey': v }))).toBe('BAD_SIGNATURE');
      expect(code(with_({ 'x-bittensor-receiver': v }))).toBe('BAD_SIGNATURE');
    }
    expect(code(with_({ 'x-bittensor-receiver': '' }))).toBe('BAD_SIGNATURE');
  });

  it('signature must be 0x + 128 hex digits', () => {
    const hex = String(good['x-bittensor-signature']).slice(2);
    for (const v of [hex, `0X${hex}`, `0x${hex.slice(1)}`, `0x${hex}0`, `0x${hex.slice(1)}g`, `0x ${hex.slice(1)}`, '0x', `x${hex}`]) {
      expect(code(with_({ 'x-bittensor-signature': v }))).toBe('BAD_SIGNATURE');
    }
    expect(code(with_({ 'x-bittensor-signature': `0x${hex.toUpperCase()}` }))).toBe('ok');
  });

  it('failure messages are fixed strings that never echo what was sent', () => {
    const secret = 'Zz9Zz9';
    for (const name of [
      'x-bittensor-version',
      'x-bittensor-hotkey',
      'x-bittensor-receiver',
      'x-bittensor-nonce',
      'x-bittensor-crypto',
      'x-bittensor-signature',
    ]) {
      for (const v of [secret, `${secret},${secret}`, [secret, secret]]) {
        const p = parseBtAuthHeaders(with_({ [name]: v }));
        expect(p.ok).toBe(false);
        if (!p.ok) expect(p.message).toMatch(/^(Missing|Malformed|Unsupported|Duplicate or oversized) X-Bittensor-[A-Za-z]+$/);
      }
    }
  });
});
