import type { IncomingHttpHeaders } from 'node:http';
import { decodeSs58, fail, headerReader, isCanonicalDecimal, parseSignatureHex, type FormParse, type Freshness, type Ss58Decoder } from './formTypes.js';
import type { SigScheme } from '../../wire/index.js';

/**
 * btauth/1 (Bittensor SDK 11 signed HTTP), see the facts file. Failure codes: a header sent
 * twice or longer than MAX_FORM_HEADER_CHARS is an HTTP-level fault (400 BAD_REQUEST); a
 * missing or malformed authentication header is 401 BAD_SIGNATURE, except a nonce that is
 * present but malformed, which is 401 BAD_NONCE. Header values are case-sensitive: only the
 * spellings the SDK lists are accepted (so `ED25519` and `Sr25519` are malformed), and the
 * signature must start with a lower-case `0x`. SS58 prefixes are not checked here: the
 * metagraph lookup and the receiver comparison are by string, so another prefix fails there.
 */
export interface BtAuthHeaders {
  hotkey: string;
  /** The 32-byte public key `hotkey` decodes to. */
  hotkeyPublicKey: Uint8Array;
  receiver: string | null;
  nonce: bigint;
  /** The nonce exactly as sent (canonical decimal, so equal to nonce.toString()). */
  nonceText: string;
  scheme: SigScheme;
  signature: Uint8Array;
}

export const BTAUTH_VERSION = '1';
/** Nanoseconds since the epoch fit in 19 digits until 2286; 20 allows any u64. */
export const BTAUTH_NONCE_MAX_DIGITS = 20;

const H = {
  version: ['x-bittensor-version', 'X-Bittensor-Version'],
  hotkey: ['x-bittensor-hotkey', 'X-Bittensor-Hotkey'],
  receiver: ['x-bittensor-receiver', 'X-Bittensor-Receiver'],
  nonce: ['x-bittensor-nonce', 'X-Bittensor-Nonce'],
  crypto: ['x-bittensor-crypto', 'X-Bittensor-Crypto'],
  signature: ['x-bittensor-signature', 'X-Bittensor-Signature'],
} as const;

const SCHEME_SPELLINGS: ReadonlyMap<string, SigScheme> = new Map([
  ['sr25519', 'sr25519'],
  ['SR25519', 'sr25519'],
  ['1', 'sr25519'],
  ['ed25519', 'ed25519'],
]);

/** True when the request claims to be btauth/1 (whatever its shape). */
export function isBtAuthRequest(h: IncomingHttpHeaders): boolean {
  return h['x-bittensor-version'] !== undefined;
}

const { read, required } = headerReader(H);

interface Address {
  text: string;
  pub: Uint8Array;
}

function decodeAddr(text: string, key: 'hotkey' | 'receiver', decode: Ss58Decoder): FormParse<Address> {
  const pub = decode(text);
  return pub ? { ok: true, value: { text, pub } } : fail('BAD_SIGNATURE', `Malformed ${H[key][1]}`);
}

function parseHotkey(h: IncomingHttpHeaders, decode: Ss58Decoder): FormParse<Address> {
  const r = required(h, 'hotkey');
  return r.ok ? decodeAddr(r.value, 'hotkey', decode) : r;
}

/** Absent is allowed here (null); whether the receiver is required is the pipeline's call. */
function parseReceiver(h: IncomingHttpHeaders, decode: Ss58Decoder): FormParse<Address | null> {
  const r = read(h, 'receiver');
  if (!r.ok) return r;
  if (r.value === undefined) return { ok: true, value: null };
  return decodeAddr(r.value, 'receiver', decode);
}

function parseNonce(h: IncomingHttpHeaders): FormParse<bigint> {
  const r = required(h, 'nonce');
  if (!r.ok) return r;
  if (!isCanonicalDecimal(r.value, BTAUTH_NONCE_MAX_DIGITS)) return fail('BAD_NONCE', 'Malformed X-Bittensor-Nonce');
  return { ok: true, value: BigInt(r.value) };
}

function parseScheme(h: IncomingHttpHeaders): FormParse<SigScheme> {
  const r = read(h, 'crypto');
  if (!r.ok) return r;
  if (r.value === undefined) return { ok: true, value: 'sr25519' };
  const scheme = SCHEME_SPELLINGS.get(r.value);
  return scheme ? { ok: true, value: scheme } : fail('BAD_SIGNATURE', 'Malformed X-Bittensor-Crypto');
}

function parseSig(h: IncomingHttpHeaders): FormParse<Uint8Array> {
  const r = required(h, 'signature');
  if (!r.ok) return r;
  const sig = parseSignatureHex(r.value);
  return sig ? { ok: true, value: sig } : fail('BAD_SIGNATURE', 'Malformed X-Bittensor-Signature');
}

/** Reads and shape-checks the btauth/1 headers; no crypto beyond the SS58 checksum. */
export function parseBtAuthHeaders(h: IncomingHttpHeaders, decode: Ss58Decoder = decodeSs58): FormParse<BtAuthHeaders> {
  const version = required(h, 'version');
  if (!version.ok) return version;
  if (version.value !== BTAUTH_VERSION) return fail('BAD_SIGNATURE', 'Unsupported X-Bittensor-Version');
  const hotkey = parseHotkey(h, decode);
  if (!hotkey.ok) return hotkey;
  const receiver = parseReceiver(h, decode);
  if (!receiver.ok) return receiver;
  const nonce = parseNonce(h);
  if (!nonce.ok) return nonce;
  const scheme = parseScheme(h);
  if (!scheme.ok) return scheme;
  const signature = parseSig(h);
  if (!signature.ok) return signature;
  return {
    ok: true,
    value: {
      hotkey: hotkey.value.text,
      hotkeyPublicKey: hotkey.value.pub,
      receiver: receiver.value?.text ?? null,
      nonce: nonce.value,
      nonceText: nonce.value.toString(),
      scheme: scheme.value,
      signature: signature.value,
    },
  };
}

const NS_PER_MS = 1_000_000n;

/** Older than maxAgeMs is stale, more than maxFutureMs ahead is future; the bounds are fresh. */
export function btauthFreshness(nonceNs: bigint, nowMs: number, maxAgeMs: number, maxFutureMs: number): Freshness {
  const nowNs = BigInt(Math.floor(nowMs)) * NS_PER_MS;
  if (nonceNs < nowNs - BigInt(Math.floor(maxAgeMs)) * NS_PER_MS) return 'stale';
  if (nonceNs > nowNs + BigInt(Math.floor(maxFutureMs)) * NS_PER_MS) return 'future';
  return 'ok';
}
