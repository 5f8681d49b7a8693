import { describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { epistulaFreshness, isEpistulaRequest, parseEpistulaHeaders } from '../../../../src/axon/forms/epistula.js';
import { epistulaMessage, epistulaSecretMessages, sha256Hex } from '../../../../src/wire/index.js';
import { buildEpistulaRequest } from '../../../../src/client/signedHttpRequests.js';
import { ReplayStore } from '../../../../src/axon/replayStore.js';
import { ManualClock } from '../../../../src/util/index.js';
import { utf8, verifyAnyKey } from '../../../../src/wire/sr25519.js';
import { admitEpistula, goldenKeys, incoming } from './formHelpers.js';

const keys = await goldenKeys();
const BODY = '{"messages": [{"role": "user", "content": "hi"}]}';
const TS = 1752076801234;
const UUID = '0b5e7a7c-3f7e-4c41-9d0a-4a2f1e6b9c11';

function request(over: Partial<Parameters<typeof buildEpistulaRequest>[0]> = {}) {
  return buildEpistulaRequest({
    pair: keys.alice,
    target: '/v1/chat/completions',
    bodyText: BODY,
    signedFor: keys.bob.address,
    uuid: UUID,
    timestampMs: TS,
    ...over,
  });
}

describe('Epistula v2 message and freshness', () => {
  it('signs {sha256}.{uuid}.{timestamp}.{signed_for}', () => {
    const sha = sha256Hex(BODY);
    expect(epistulaMessage(sha, UUID, '1752076801234', keys.bob.address)).toBe(`${sha}.${UUID}.1752076801234.${keys.bob.address}`);
    expect(epistulaMessage(sha, UUID, '5', '')).toBe(`${sha}.${UUID}.5.`);
    const req = request();
    const sig = Buffer.from(req.headers['Epistula-Request-Signature']!.slice(2), 'hex');
    expect(verifyAnyKey(keys.alice.publicKey, utf8(epistulaMessage(sha, UUID, String(TS), keys.bob.address)), sig)).toBe(true);
  });

  it('secret signatures cover {t-1}, {t}, {t+1} with t = ceil(timestamp / 10000) * 10000', () => {
    const b = keys.bob.address;
    expect(epistulaSecretMessages(TS, b)).toEqual([`1752076809999.${b}`, `1752076810000.${b}`, `1752076810001.${b}`]);
    expect(epistulaSecretMessages(1752076810000, b)[1]).toBe(`1752076810000.${b}`);
    expect(epistulaSecretMessages(TS, b, 'python-float')).toEqual([`1752076809999.0.${b}`, `1752076810000.0.${b}`, `1752076810001.0.${b}`]);
    const req = request();
    epistulaSecretMessages(TS, b).forEach((m, i) => {
      const sig = Buffer.from(req.headers[`Epistula-Secret-Signature-${i}`]!.slice(2), 'hex');
      expect(verifyAnyKey(keys.alice.publicKey, utf8(m), sig)).toBe(true);
    });
  });

  it('stale past maxAge, future past maxFuture, fresh at the bounds', () => {
    expect(epistulaFreshness(TS, TS + 8_000, 8_000, 2_000)).toBe('ok');
    expect(epistulaFreshness(TS, TS + 8_001, 8_000, 2_000)).toBe('stale');
    expect(epistulaFreshness(TS, TS - 2_000, 8_000, 2_000)).toBe('ok');
    expect(epistulaFreshness(TS, TS - 2_001, 8_000, 2_000)).toBe('future');
  });
});

describe('Epistula v2 admission', () => {
  const at = { receiver: keys.bob.address, nowMs: TS + 100 };

  it('admits a good request once, then refuses the replay', () => {
    const store = new ReplayStore({ maxEntries: 10, retainMs: 10_000 }, new ManualClock(TS));
    expect(admitEpistula(request(), { ...at, store })).toBe('ok');
    expect(admitEpistula(request(), { ...at, store })).toBe('replay');
    expect(admitEpistula(request({ uuid: 'another-uuid' }), { ...at, store })).toBe('ok');
  });

  it('refuses tampering, other keys, unbound and misbound requests', () => {
    for (const forge of [
      { signedBody: '{}' },
      { signedUuid: 'x' },
      { signedTimestamp: String(TS + 1) },
      { signedFor: '' },
      { signer: keys.bob },
      { signer: keys.aliceEd },
    ]) {
      expect(admitEpistula(request({ forge }), at)).toBe('signature');
    }
    expect(admitEpistula({ ...request(), body: `${BODY} ` }, at)).toBe('signature');
    expect(admitEpistula(request({ signedFor: null }), at)).toBe('receiver');
    expect(admitEpistula(request({ signedFor: keys.alice.address }), at)).toBe('receiver');
    expect(admitEpistula(request(), { ...at, nowMs: TS + 9_000 })).toBe('stale');
  });

  it('an unbound request parses with signedFor "" and carries no secret signatures', () => {
    const req = request({ signedFor: null });
    expect(Object.keys(req.headers).filter((k) => k.startsWith('Epistula-Secret') || k === 'Epistula-Signed-For')).toEqual([]);
    const p = parseEpistulaHeaders(incoming(req.headers));
    expect(p.ok && p.value.signedFor).toBe('');
    expect(admitEpistula(req, { receiver: '', nowMs: TS })).toBe('ok');
  });
});

describe('parseEpistulaHeaders', () => {
  const good = incoming(request().headers);
  const with_ = (over: Record<string, string | string[] | undefined>): IncomingHttpHeaders => ({ ...good, ...over });
  const code = (h: IncomingHttpHeaders): string => {
    const p = parseEpistulaHeaders(h);
    return p.ok ? 'ok' : p.code;
  };

  it('reads good headers', () => {
    const p = parseEpistulaHeaders(good);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value).toMatchObject({ signedBy: keys.alice.address, signedFor: keys.bob.address, timestampMs: TS, timestampText: String(TS), uuid: UUID });
    expect(p.value.signerPublicKey).toEqual(keys.alice.publicKey);
    expect(isEpistulaRequest(good)).toBe(true);
    expect(isEpistulaRequest({})).toBe(false);
  });

  it.each(['epistula-version', 'epistula-timestamp', 'epistula-uuid', 'epistula-signed-by', 'epistula-request-signature'])(
    'missing or empty %s is BAD_SIGNATURE',
    (name) => {
      expect(code(with_({ [name]: undefined }))).toBe('BAD_SIGNATURE');
      expect(code(with_({ [name]: '' }))).toBe('BAD_SIGNATURE');
    },
  );

  it.each(['epistula-version', 'epistula-timestamp', 'epistula-uuid', 'epistula-signed-by', 'epistula-signed-for', 'epistula-request-signature'])(
    'a duplicated or oversized %s is BAD_REQUEST',
    (name) => {
      const v = String(good[name]);
      expect(code(with_({ [name]: [v, v] }))).toBe('BAD_REQUEST');
      expect(code(with_({ [name]: `${v}, ${v}` }))).toBe('BAD_REQUEST');
      expect(code(with_({ [name]: 'a'.repeat(257) }))).toBe('BAD_REQUEST');
    },
  );

  it('version must be exactly 2', () => {
    for (const v of ['1', '02', '2.0', 'v2']) expect(code(with_({ 'epistula-version': v }))).toBe('BAD_SIGNATURE');
  });

  it('timestamp: canonical decimal ms of at most 15 digits; uuid: 1..128 of [A-Za-z0-9-]', () => {
    for (const v of ['-1', '+5', '01', '1.5', '1e12', '1752076801234.0', '1234567890123456', 'now'])
      expect(code(with_({ 'epistula-timestamp': v }))).toBe('BAD_NONCE');
    expect(code(with_({ 'epistula-timestamp': '123456789012345' }))).toBe('ok');
    for (const v of ['a b', 'a_b', 'a.b', 'é', '{x}', 'a'.repeat(129)]) expect(code(with_({ 'epistula-uuid': v }))).toBe('BAD_NONCE');
    for (const v of ['a', 'A-1', 'a'.repeat(128)]) expect(code(with_({ 'epistula-uuid': v }))).toBe('ok');
  });

  it('signed-by and signed-for must be ss58 (signed-for may be empty); signature 0x + 128 hex', () => {
    expect(code(with_({ 'epistula-signed-by': 'nope' }))).toBe('BAD_SIGNATURE');
    expect(code(with_({ 'epistula-signed-for': 'nope' }))).toBe('BAD_SIGNATURE');
    expect(code(with_({ 'epistula-signed-for': '' }))).toBe('ok');
    const hex = String(good['epistula-request-signature']).slice(2);
    for (const v of [hex, `0x${hex.slice(2)}`, `0x${hex}00`, `0x${hex.slice(1)}z`])
      expect(code(with_({ 'epistula-request-signature': v }))).toBe('BAD_SIGNATURE');
  });

  it('failure messages never echo what was sent', () => {
    for (const name of Object.keys(good).filter((n) => n.startsWith('epistula-') && !n.startsWith('epistula-secret'))) {
      const p = parseEpistulaHeaders(with_({ [name]: 'Zz9Zz9!' }));
      expect(p.ok).toBe(false);
      if (!p.ok) expect(p.message).toMatch(/^(Missing|Malformed|Unsupported|Duplicate or oversized) Epistula-[A-Za-z-]+$/);
    }
  });
});
