/** btauth/1 and Epistula v2 requests, validly signed, then one header, the body or the target broken. */
import type { KeyringPair } from '@polkadot/keyring/types';
import { buildBtAuthRequest, buildEpistulaRequest, type SignedHttpRequest } from '../../src/client/signedHttpRequests.js';
import { deepJson, expectOneOf, httpBytes, httpCase, type Family, type FuzzContext, type HeaderList, type Signer } from './caseKit.js';
import type { Rng } from './rng.js';

/** The builders take a pair; the fuzzer's signers are sr25519 address + sign function. */
const asPair = (s: Signer): KeyringPair => ({ address: s.address, type: 'sr25519' }) as unknown as KeyringPair;

const MUTATIONS = [
  'valid',
  'valid, header names in upper case',
  'duplicate hotkey header',
  'oversized header',
  'crypto spelled ED25519',
  'crypto ecdsa',
  'nonce not digits',
  'nonce with leading zeros',
  'nonce 40 digits',
  'nonce negative',
  'stale',
  'future',
  'signature not hex',
  'signature 0X',
  'signature empty',
  'hotkey not ss58',
  'receiver of another key',
  'tampered body',
  'tampered target',
  'replay',
  'deep body (signed)',
  'body not JSON (signed)',
  'body an array (signed)',
  'version 2',
  'no signed-for',
  'unknown route',
] as const;
type Mutation = (typeof MUTATIONS)[number];

const EXPECT: Partial<Record<Mutation, number[]>> = {
  valid: [200, 429],
  'valid, header names in upper case': [200, 429],
  'duplicate hotkey header': [400, 401, 403],
  'oversized header': [400, 401, 403],
  'crypto spelled ED25519': [401],
  'crypto ecdsa': [401],
  'nonce not digits': [401],
  'nonce with leading zeros': [401],
  'nonce 40 digits': [401],
  'nonce negative': [401],
  stale: [401],
  future: [401],
  'signature not hex': [401],
  'signature 0X': [401],
  'signature empty': [401],
  'hotkey not ss58': [401, 403],
  'receiver of another key': [401],
  'tampered body': [401],
  'tampered target': [401],
  'deep body (signed)': [400],
  'body not JSON (signed)': [400],
  'body an array (signed)': [400],
  'version 2': [401],
  'no signed-for': [401],
  'unknown route': [404],
};

function build(form: 'btauth' | 'epistula', rng: Rng, ctx: FuzzContext, m: Mutation): SignedHttpRequest {
  const bodyText =
    m === 'deep body (signed)'
      ? `{"dummy_input": 1, "x": ${deepJson(rng, rng.int(100, 20_000))}}`
      : m === 'body not JSON (signed)'
        ? '{"dummy_input": '
        : m === 'body an array (signed)'
          ? '[1, 2]'
          : `{"dummy_input": ${rng.int(0, 99)}}`;
  const target = m === 'unknown route' ? '/NoSuchRoute' : rng.bool() ? '/Dummy' : `/Dummy?q=${rng.hex(6)}`;
  const pair = asPair(ctx.validator);
  const sign = ctx.validator.sign;
  const nowMs = Number(ctx.nowNs() / 1_000_000n);
  if (form === 'btauth') {
    const nonce = m === 'stale' ? ctx.nowNs() - 30_000_000_000n : m === 'future' ? ctx.nowNs() + 30_000_000_000n : ctx.nowNs();
    const forge = m === 'tampered body' ? { signedBody: '{}' } : m === 'tampered target' ? { signedTarget: '/Other' } : {};
    return buildBtAuthRequest({
      pair,
      sign,
      target,
      bodyText,
      receiver: m === 'receiver of another key' ? ctx.stranger.address : ctx.axonHotkey,
      nonce,
      forge,
    });
  }
  const timestampMs = m === 'stale' ? nowMs - 30_000 : m === 'future' ? nowMs + 30_000 : nowMs;
  const forge = m === 'tampered body' ? { signedBody: '{}' } : {};
  const signedFor = m === 'receiver of another key' ? ctx.stranger.address : m === 'no signed-for' ? null : ctx.axonHotkey;
  return buildEpistulaRequest({ pair, sign, target, bodyText, signedFor, timestampMs, forge });
}

/** Header-level breakage applied to the built request (the signature stays over the original). */
function breakHeaders(form: 'btauth' | 'epistula', r: SignedHttpRequest, m: Mutation, ctx: FuzzContext, rng: Rng): HeaderList {
  const name = (k: string): string => (form === 'btauth' ? `X-Bittensor-${k}` : `Epistula-${k}`);
  const sigName = form === 'btauth' ? 'X-Bittensor-Signature' : 'Epistula-Request-Signature';
  const nonceName = form === 'btauth' ? 'X-Bittensor-Nonce' : 'Epistula-Timestamp';
  const h: Record<string, string> = { ...r.headers };
  const set = (k: string, v: string): void => void (h[k] = v);
  if (m === 'crypto spelled ED25519' && form === 'btauth') set('X-Bittensor-Crypto', 'ED25519');
  if (m === 'crypto ecdsa' && form === 'btauth') set('X-Bittensor-Crypto', 'ecdsa');
  if (m === 'nonce not digits') set(nonceName, `${h[nonceName]}x`);
  if (m === 'nonce with leading zeros') set(nonceName, `00${h[nonceName]}`);
  if (m === 'nonce 40 digits') set(nonceName, rng.digits(40));
  if (m === 'nonce negative') set(nonceName, `-${h[nonceName]}`);
  if (m === 'signature not hex') set(sigName, `0x${'zz'.repeat(64)}`);
  if (m === 'signature 0X') set(sigName, `0X${(h[sigName] ?? '').slice(2)}`);
  if (m === 'signature empty') set(sigName, '');
  if (m === 'hotkey not ss58') set(form === 'btauth' ? 'X-Bittensor-Hotkey' : 'Epistula-Signed-By', 'not-an-address');
  if (m === 'oversized header') set(form === 'btauth' ? 'X-Bittensor-Hotkey' : 'Epistula-Uuid', 'A'.repeat(rng.int(300, 4000)));
  if (m === 'version 2') set(name('Version'), form === 'btauth' ? '2' : '3');
  let list: HeaderList = Object.entries(h);
  if (m === 'valid, header names in upper case') list = list.map(([k, v]) => [k.toUpperCase(), v]);
  if (m === 'duplicate hotkey header') {
    const hk = form === 'btauth' ? 'X-Bittensor-Hotkey' : 'Epistula-Signed-By';
    list.push([hk, ctx.stranger.address]);
  }
  return list;
}

const signedForms: Family = {
  name: 'signed-forms',
  gen: (rng, ctx) => {
    const form = rng.pick(['btauth', 'epistula'] as const);
    const m = rng.pick(MUTATIONS);
    const r = build(form, rng, ctx, m);
    const one = httpBytes('POST', r.target, breakHeaders(form, r, m, ctx, rng), r.body);
    // Epistula signs neither the target nor a scheme: these leave its request valid.
    const noOp = (form === 'epistula' && (m === 'tampered target' || m.startsWith('crypto'))) || (form === 'btauth' && m === 'no signed-for');
    const e = noOp ? [200, 429] : EXPECT[m];
    if (m === 'replay') {
      return httpCase('signed-forms', `${form} replay`, Buffer.concat([one, one]), {
        answers: 2,
        expect: (h) => (h.http.at(-1) === 401 || h.http.at(-1) === 429 ? null : `replay answered ${h.http.join('+')}`),
      });
    }
    return httpCase('signed-forms', `${form} ${m}`, one, e ? { expect: expectOneOf(e) } : {});
  },
};

export const FORM_FAMILIES: Family[] = [signedForms];
