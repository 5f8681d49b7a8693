import { createPublicKey, verify } from 'node:crypto';

/**
 * ed25519 verification through node:crypto (OpenSSL), importing the key as a JWK on each call.
 * Candidates, us per verify of a btauth/1 payload on the 2-core dev box at load ~0.5
 * (`npx vitest bench --run --project unit test/unit/axon/ed25519.bench.ts`: mean / min; and a
 * plain loop, best of 7 rounds of 1,000, for the bare calls):
 *   verifyEd25519 here (JWK import + screens) ... 205 / 134   (loop: import 11.5 + verify 154)
 *   node:crypto, SPKI DER import per call ....... 409 / 328   (loop: 314; the DER import is ~138)
 *   node:crypto, SPKI DER + KeyObject cache ..... 180 / 159   (loop: 157)
 *   libsodium-wrappers-sumo verify_detached ..... 222 / 130   (loop: 164)
 *   @polkadot/util-crypto ed25519Verify ......... 658 / 370   (loop: 476)
 * The JWK path is within noise of a cached key without holding any state, and needs no async
 * init (libsodium must await `ready`). OpenSSL checks S < L but, like util-crypto, accepts a
 * small-order public key, for which anyone can forge (identity key, R = identity, S = 0
 * verifies for every message). So the checks libsodium makes come first: canonical S, a
 * canonical public key of large order, and an R of large order; the tests check agreement
 * with libsodium on random and bit-flipped inputs.
 */

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
/** y of the two order-8 points; with 0, 1, p-1 (and p, p+1, non-canonical) they are all the torsion points. */
const Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;

function leHex(n: bigint): string {
  let out = '';
  for (let i = 0; i < 32; i++) {
    out += Number((n >> BigInt(8 * i)) & 0xffn)
      .toString(16)
      .padStart(2, '0');
  }
  return out;
}

/** Encodings (sign bit cleared) of every point of order 1, 2, 4 or 8, as libsodium lists them. */
const SMALL_ORDER: ReadonlySet<string> = new Set([0n, 1n, P - 1n, Y8, P - Y8, P, P + 1n].map(leHex));

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function withoutSignBit(point: Uint8Array): Uint8Array {
  const y = Uint8Array.from(point);
  y[31] = y[31]! & 0x7f;
  return y;
}

function hasSmallOrder(point: Uint8Array): boolean {
  return SMALL_ORDER.has(Buffer.from(withoutSignBit(point)).toString('hex'));
}

function isCanonicalPoint(point: Uint8Array): boolean {
  return littleEndian(withoutSignBit(point)) < P;
}

/** The screens libsodium applies before the curve arithmetic. */
export function ed25519InputsOk(pub: Uint8Array, sig: Uint8Array): boolean {
  if (pub.length !== 32 || sig.length !== 64) return false;
  if (littleEndian(sig.subarray(32)) >= L) return false;
  if (!isCanonicalPoint(pub) || hasSmallOrder(pub)) return false;
  return !hasSmallOrder(sig.subarray(0, 32));
}

/** True only for a valid signature; false, never a throw, on any hostile input. */
export function verifyEd25519(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (!(pub instanceof Uint8Array) || !(msg instanceof Uint8Array) || !(sig instanceof Uint8Array)) return false;
  if (!ed25519InputsOk(pub, sig)) return false;
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub).toString('base64url') }, format: 'jwk' });
    return verify(null, msg, key, sig);
  } catch {
    return false;
  }
}
