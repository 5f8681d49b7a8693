/** Families about identity: validly signed requests with one field tampered, and bursts of forged claims to the validator's hotkey. */
import { randomBytes } from 'node:crypto';
import { expectOneOf, httpBytes, httpCase, signedHttp, signedWs, wsCase, type Family, type FuzzContext } from './caseKit.js';
import type { Heard } from './exchange.js';
import type { Rng } from './rng.js';
import { textFrame } from './wsWire.js';

/** 64 random bytes that pass the signature format filter, so the server must run the verify. */
export function wellFormedForgery(): string {
  const sig = randomBytes(64);
  sig[63] = (sig[63]! & 0x0f) | 0x80;
  return `0x${sig.toString('hex')}`;
}

const TAMPERS = [
  'nonce+1',
  'nonce-1',
  'hotkey=stranger',
  'hotkey=axon',
  'uuid',
  'signature bit',
  'body',
  'signed for another axon',
  'replay',
  'wrapBytes (valid)',
  'timeout (unsigned, valid)',
] as const;
type Tamper = (typeof TAMPERS)[number];

function flipBit(hex: string, rng: Rng): string {
  const i = rng.int(2, hex.length - 1);
  const c = parseInt(hex[i]!, 16) ^ (1 << rng.int(0, 3));
  return hex.slice(0, i) + c.toString(16) + hex.slice(i + 1);
}

const EXPECT: Partial<Record<Tamper, number[]>> = {
  'nonce+1': [401],
  'nonce-1': [401],
  'hotkey=stranger': [403],
  'hotkey=axon': [403],
  uuid: [401],
  'signature bit': [401],
  body: [401],
  'signed for another axon': [401],
};

function tamperWs(rng: Rng, ctx: FuzzContext, t: Tamper): Array<Record<string, unknown>> {
  const body = `{"dummy_input": ${rng.int(0, 99)}}`;
  const f = signedWs(
    rng,
    ctx,
    body,
    t === 'wrapBytes (valid)' ? { forge: { wrapBytes: true } } : t === 'signed for another axon' ? { forge: { signedAxonHotkey: ctx.stranger.address } } : {},
  );
  const d = f['dendrite'] as Record<string, string>;
  if (t === 'nonce+1') d['nonce'] = (BigInt(d['nonce']!) + 1n).toString();
  if (t === 'nonce-1') d['nonce'] = (BigInt(d['nonce']!) - 1n).toString();
  if (t === 'hotkey=stranger') d['hotkey'] = ctx.stranger.address;
  if (t === 'hotkey=axon') d['hotkey'] = ctx.axonHotkey;
  if (t === 'uuid') d['uuid'] = `${d['uuid']}x`;
  if (t === 'signature bit') d['signature'] = flipBit(d['signature']!, rng);
  if (t === 'body') f['body'] = body.replace('}', ', "x": 1}');
  if (t === 'timeout (unsigned, valid)') f['timeout'] = 3;
  return t === 'replay' ? [f, { ...f, id: `${String(f['id'])}r` }] : [f];
}

function tamperHttp(rng: Rng, ctx: FuzzContext, t: Tamper): Buffer {
  const s = signedHttp(
    rng,
    ctx,
    t === 'wrapBytes (valid)' ? { forge: { wrapBytes: true } } : t === 'signed for another axon' ? { forge: { signedAxonHotkey: ctx.stranger.address } } : {},
  );
  const h = s.headers;
  if (t === 'nonce+1') h['bt_header_dendrite_nonce'] = (BigInt(h['bt_header_dendrite_nonce']!) + 1n).toString();
  if (t === 'nonce-1') h['bt_header_dendrite_nonce'] = (BigInt(h['bt_header_dendrite_nonce']!) - 1n).toString();
  if (t === 'hotkey=stranger') h['bt_header_dendrite_hotkey'] = ctx.stranger.address;
  if (t === 'hotkey=axon') h['bt_header_dendrite_hotkey'] = ctx.axonHotkey;
  if (t === 'uuid') h['bt_header_dendrite_uuid'] = `${h['bt_header_dendrite_uuid']}x`;
  if (t === 'signature bit') h['bt_header_dendrite_signature'] = flipBit(h['bt_header_dendrite_signature']!, rng);
  if (t === 'body') h['computed_body_hash'] = rng.hex(64);
  if (t === 'timeout (unsigned, valid)') h['timeout'] = '3.0';
  const one = httpBytes('POST', '/Dummy', h, s.body);
  return t === 'replay' ? Buffer.concat([one, one]) : one;
}

const tampered: Family = {
  name: 'tampered-signed',
  gen: (rng, ctx) => {
    const t = rng.pick(TAMPERS);
    const e = EXPECT[t];
    const answers = t === 'replay' ? 2 : 1;
    const o = { answers, ...(e ? { expect: expectOneOf(e) } : {}) };
    if (rng.bool()) return httpCase('tampered-signed', `http ${t}`, tamperHttp(rng, ctx, t), o);
    return wsCase('tampered-signed', `ws ${t}`, ctx, tamperWs(rng, ctx, t), o);
  },
};

/** Forgeries must be refused as forgeries: no 200, and never a per-hotkey 429 charged to the claimed key. */
const noneAccepted =
  (ctx: FuzzContext) =>
  (h: Heard): string | null => {
    const all = [...h.http.filter((s) => s !== 101), ...h.ws];
    const bad = all.filter((s) => s !== 401 && s !== 503 && !(ctx.ipLimited && s === 429));
    return bad.length === 0 ? null : `forged claims answered ${[...new Set(bad)].join('/')} (${bad.length} of ${all.length})`;
  };

const forgedClaims: Family = {
  name: 'forged-claims',
  gen: (rng, ctx) => {
    const n = rng.int(20, 60);
    const kind = rng.pick(['unsigned', 'well-formed forged signature', "another key's signature"] as const);
    const note = `${n} x ${kind} claiming the validator`;
    // "another key's signature": the stranger signs, the request claims the validator.
    const opts = () =>
      kind === "another key's signature"
        ? { signer: ctx.stranger, forge: { dendriteHotkey: ctx.validator.address } }
        : { forge: { signature: kind === 'unsigned' ? '' : wellFormedForgery() } };
    if (rng.bool()) {
      const parts = Array.from({ length: n }, () => {
        const s = signedHttp(rng, ctx, opts());
        return httpBytes('POST', '/Dummy', s.headers, s.body);
      });
      return httpCase('forged-claims', `http ${note}`, Buffer.concat(parts), { answers: n, readMs: 3_000, expect: noneAccepted(ctx) });
    }
    const frames = Array.from({ length: n }, () => textFrame(JSON.stringify(signedWs(rng, ctx, '{"dummy_input": 1}', opts()))));
    return wsCase('forged-claims', `ws ${note}`, ctx, [Buffer.concat(frames)], { answers: n, readMs: 3_000, expect: noneAccepted(ctx) });
  },
};

export const AUTH_FAMILIES: Family[] = [tampered, forgedClaims];
