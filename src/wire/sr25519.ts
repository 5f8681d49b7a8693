import { createRequire } from 'node:module';
import { sr25519_sign, sr25519_verify } from '@polkadot-labs/schnorrkel-wasm';
import { decodeAddress } from '@polkadot/util-crypto';
import { isReady, sr25519Verify as wcVerify, waitReady } from '@polkadot/wasm-crypto';
import { decodePair } from '@polkadot/keyring/pair/decode';
import type { KeyringPair } from '@polkadot/keyring/types';

/**
 * sr25519 through @polkadot-labs/schnorrkel-wasm: measured here at ~230 us per verify against
 * ~390 us for @polkadot/wasm-crypto and ~3 ms for util-crypto's JS path (bench/axon.ts), and
 * ~105 us per sign against ~1.2 ms for KeyringPair.sign. Both use the "substrate" context.
 */
export const SCHNORRKEL_MODULE_PATH = createRequire(import.meta.url).resolve('@polkadot-labs/schnorrkel-wasm');

const BYTES_PREFIX = new TextEncoder().encode('<Bytes>');
const BYTES_SUFFIX = new TextEncoder().encode('</Bytes>');
const encoder = new TextEncoder();

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** The message polkadot-js extensions sign when asked to sign raw bytes. */
export function wrapBytes(msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(BYTES_PREFIX.length + msg.length + BYTES_SUFFIX.length);
  out.set(BYTES_PREFIX, 0);
  out.set(msg, BYTES_PREFIX.length);
  out.set(BYTES_SUFFIX, BYTES_PREFIX.length + msg.length);
  return out;
}

const L_MINUS_2_252 = 27742317777372353535851937790883648493n;

/**
 * What schnorrkel's Signature::from_bytes accepts: the schnorrkel marker bit, and a scalar
 * that is either small (top nibble clear) or canonical. schnorrkel-wasm panics on anything
 * else (printing to stderr and leaking wasm stack), so nothing else may reach it.
 */
export function sigFormatOk(sig: Uint8Array): boolean {
  if (sig.length !== 64) return false;
  const top = sig[63]!;
  if ((top & 0x80) === 0) return false;
  const b31 = top & 0x7f;
  if ((b31 & 0xf0) === 0) return true;
  if (b31 !== 0x10) return false;
  let rest = 0n;
  for (let i = 62; i >= 32; i--) rest = (rest << 8n) | BigInt(sig[i]!);
  return rest < L_MINUS_2_252;
}

/**
 * schnorrkel-wasm verify for a public key already known to be a valid point (it panics on
 * invalid points); accepts a signature over the message or over `<Bytes>message</Bytes>`.
 */
export function verifyTrustedKey(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (pub.length !== 32 || !sigFormatOk(sig)) return false;
  try {
    return sr25519_verify(pub, msg, sig) || sr25519_verify(pub, wrapBytes(msg), sig);
  } catch {
    return false;
  }
}

/**
 * @polkadot/wasm-crypto verify: slower, but returns false instead of panicking on any
 * input, so it vets keys seen for the first time. Needs wasm-crypto's waitReady().
 */
export function verifyAnyKey(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (pub.length !== 32 || sig.length !== 64 || !isReady()) return false;
  try {
    return wcVerify(sig, msg, pub) || wcVerify(sig, wrapBytes(msg), pub);
  } catch {
    return false;
  }
}

export { waitReady as cryptoReady };

/** `0x` + 128 hex digits (the 0x is optional) -> 64 bytes, or null. */
export function parseSignature(hex: string): Uint8Array | null {
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (body.length !== 128 || !/^[0-9a-fA-F]+$/.test(body)) return null;
  return Uint8Array.from(Buffer.from(body, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** SS58 -> 32-byte public key, remembering up to `max` results (decoding hashes a checksum). */
export class Ss58Cache {
  private readonly map = new Map<string, Uint8Array | null>();
  constructor(private readonly max = 50_000) {}

  decode(address: string): Uint8Array | null {
    const hit = this.map.get(address);
    if (hit !== undefined) return hit;
    let pub: Uint8Array | null = null;
    if (address.length >= 46 && address.length <= 50) {
      try {
        const d = decodeAddress(address);
        pub = d.length === 32 ? d : null;
      } catch {
        pub = null;
      }
    }
    if (this.map.size >= this.max) {
      const first = this.map.keys().next();
      if (!first.done) this.map.delete(first.value);
    }
    this.map.set(address, pub);
    return pub;
  }
}

/** A KeyringPair's 64-byte secret for the fast signer; null when the pair is locked. */
export function secretOf(pair: KeyringPair): Uint8Array | null {
  try {
    const { secretKey } = decodePair(undefined, pair.encodePkcs8(), ['none']);
    return secretKey.length === 64 ? secretKey : null;
  } catch {
    return null;
  }
}

/** Signs with schnorrkel-wasm when the secret is readable, else through the pair. */
export function makeSigner(pair: KeyringPair, secret: Uint8Array | null = secretOf(pair)): (msg: Uint8Array) => Uint8Array {
  if (!secret || pair.type !== 'sr25519') return (msg) => pair.sign(msg);
  const pub = pair.publicKey;
  return (msg) => sr25519_sign(pub, secret, msg);
}
