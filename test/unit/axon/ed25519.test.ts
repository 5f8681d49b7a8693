import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, ed25519Verify } from '@polkadot/util-crypto';
import sodium from 'libsodium-wrappers-sumo';
import { ed25519InputsOk, verifyEd25519 } from '../../../src/axon/ed25519.js';
import { utf8 } from '../../../src/wire/sr25519.js';

await cryptoWaitReady();
await sodium.ready;
const pair = new Keyring({ type: 'ed25519' }).addFromUri('//Alice');
const msg = utf8('btauth/1\ned25519\nPOST\n/\n00\n1\na\n-');
const sig = pair.sign(msg);

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;
function le(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}
function sodiumVerify(pub: Uint8Array, m: Uint8Array, s: Uint8Array): boolean {
  try {
    return sodium.crypto_sign_verify_detached(s, m, pub);
  } catch {
    return false;
  }
}

describe('verifyEd25519', () => {
  it('accepts a good signature and refuses any tampering', () => {
    expect(verifyEd25519(pair.publicKey, msg, sig)).toBe(true);
    expect(verifyEd25519(pair.publicKey, utf8('other'), sig)).toBe(false);
    const bad = Uint8Array.from(sig);
    bad[10] = bad[10]! ^ 1;
    expect(verifyEd25519(pair.publicKey, msg, bad)).toBe(false);
  });

  it('refuses the small-order-key forgery that OpenSSL and util-crypto accept', () => {
    const identity = le(1n);
    const forged = new Uint8Array(64);
    forged.set(identity, 0);
    expect(ed25519Verify(msg, forged, identity)).toBe(true);
    expect(verifyEd25519(identity, msg, forged)).toBe(false);
    for (const y of [0n, 1n, P - 1n, Y8, P - Y8, P, P + 1n]) {
      for (const signBit of [0, 0x80]) {
        const point = le(y);
        point[31] = point[31]! | signBit;
        const s = new Uint8Array(64);
        s.set(point, 0);
        expect(verifyEd25519(point, msg, s)).toBe(false);
        expect(sodiumVerify(point, msg, s)).toBe(false);
        const rSmall = Uint8Array.from(sig);
        rSmall.set(point, 0);
        expect(verifyEd25519(pair.publicKey, msg, rSmall)).toBe(false);
      }
    }
  });

  it('refuses a non-canonical S (S + L) and a non-canonical key', () => {
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
    const malleable = Uint8Array.from(sig);
    malleable.set(le(s + L), 32);
    expect(verifyEd25519(pair.publicKey, msg, malleable)).toBe(false);
    expect(ed25519InputsOk(pair.publicKey, malleable)).toBe(false);
    expect(ed25519InputsOk(le(P + 2n), sig)).toBe(false);
    expect(ed25519InputsOk(pair.publicKey, sig)).toBe(true);
  });

  it('never throws on 1000 hostile inputs, and agrees with libsodium', () => {
    const lens = [0, 1, 31, 32, 33, 63, 64, 65, 128];
    for (let i = 0; i < 1000; i++) {
      const pick = () => (Math.random() < 0.6 ? -1 : lens[i % lens.length]!);
      const pl = pick(),
        sl = pick();
      const pub = pl < 0 ? (i % 3 === 0 ? pair.publicKey : randomBytes(32)) : randomBytes(pl);
      const s = sl < 0 ? (i % 5 === 0 ? Uint8Array.from(sig).fill(i & 0xff, 0, 1) : randomBytes(64)) : randomBytes(sl);
      const m = i % 7 === 0 ? msg : randomBytes(i % 50);
      let got: boolean | string;
      try {
        got = verifyEd25519(pub, m, s);
      } catch (err) {
        got = `threw ${String(err)}`;
      }
      expect(got).toBe(sodiumVerify(pub, m, s));
    }
    expect(verifyEd25519(undefined as unknown as Uint8Array, msg, sig)).toBe(false);
    expect(verifyEd25519(pair.publicKey, 'x' as unknown as Uint8Array, sig)).toBe(false);
  });

  it('agrees with libsodium on single-bit flips of key, signature and message', () => {
    for (let bit = 0; bit < 512; bit += 3) {
      const s = Uint8Array.from(sig);
      s[bit >> 3] = s[bit >> 3]! ^ (1 << (bit & 7));
      expect(verifyEd25519(pair.publicKey, msg, s)).toBe(sodiumVerify(pair.publicKey, msg, s));
      if (bit < 256) {
        const pub = Uint8Array.from(pair.publicKey);
        pub[bit >> 3] = pub[bit >> 3]! ^ (1 << (bit & 7));
        expect(verifyEd25519(pub, msg, sig)).toBe(sodiumVerify(pub, msg, sig));
      }
    }
  });
});
