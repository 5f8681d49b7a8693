import { randomUUID } from 'node:crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import { systemClock, type Clock } from '../util/index.js';
import { btauthPayload, epistulaMessage, epistulaSecretMessages, makeSigner, sha256Hex, toHex, utf8, type SigScheme } from '../wire/index.js';

/** A signed request ready to send; header names as the Python SDKs spell them. */
export interface SignedHttpRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
  body: string;
}

/** Tampering hooks for tests: what is signed may differ from what is sent. */
export interface HeaderForge {
  /** Signs with this pair instead. */
  signer?: KeyringPair;
  /** Sends this signature text verbatim. */
  signature?: string;
  /** Header names (any case) to leave out. */
  omit?: readonly string[];
  /** Header values to set last (any case; replaces a header of the same name). */
  headers?: Readonly<Record<string, string>>;
}

export interface BtAuthForge extends HeaderForge {
  signedMethod?: string;
  signedTarget?: string;
  signedBody?: string;
  signedNonce?: bigint | string;
  signedSender?: string;
  signedReceiver?: string | null;
  /** The scheme written on line 2 of the signed payload (default: the signing key's). */
  signedScheme?: SigScheme;
}

export interface BtAuthRequestOpts {
  /** An sr25519 or ed25519 pair. */
  pair: KeyringPair;
  method?: string;
  /** Path plus optional `?query`, exactly as it will be sent. */
  target: string;
  bodyText: string;
  receiver: string | null;
  /** Default: clock.nowNs(). */
  nonce?: bigint;
  clock?: Clock;
  /** X-Bittensor-Crypto to send instead of the SDK's choice; null leaves it out. */
  cryptoHeader?: string | null;
  /** A prepared signer for `pair` (signerOf), to skip re-reading the secret per request. */
  sign?: (msg: Uint8Array) => Uint8Array;
  forge?: BtAuthForge;
}

export function schemeOf(pair: KeyringPair): SigScheme {
  if (pair.type === 'sr25519' || pair.type === 'ed25519') return pair.type;
  throw new TypeError(`Unsupported key type for signed HTTP: ${pair.type}`);
}

/** sr25519 through the fast signer; ed25519 pairs sign deterministically themselves. */
export function signerOf(pair: KeyringPair): (msg: Uint8Array) => Uint8Array {
  return pair.type === 'sr25519' ? makeSigner(pair) : (msg) => pair.sign(msg);
}

function signerFor(
  pair: KeyringPair,
  prepared: ((msg: Uint8Array) => Uint8Array) | undefined,
  forged: KeyringPair | undefined,
): (msg: Uint8Array) => Uint8Array {
  if (forged) return signerOf(forged);
  return prepared ?? signerOf(pair);
}

function applyForge(headers: Record<string, string>, f: HeaderForge): Record<string, string> {
  const drop = new Set([...(f.omit ?? []), ...Object.keys(f.headers ?? {})].map((n) => n.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!drop.has(name.toLowerCase())) out[name] = value;
  return { ...out, ...f.headers };
}

/**
 * A btauth/1 request as the SDK sends it: X-Bittensor-Crypto is left out for sr25519 (absent
 * means sr25519) and sent as `ed25519` for ed25519 keys; the receiver header only when bound.
 */
export function buildBtAuthRequest(o: BtAuthRequestOpts): SignedHttpRequest {
  const f = o.forge ?? {};
  const method = o.method ?? 'POST';
  const nonce = o.nonce ?? (o.clock ?? systemClock()).nowNs();
  const signingPair = f.signer ?? o.pair;
  const payload = btauthPayload({
    scheme: f.signedScheme ?? schemeOf(signingPair),
    method: f.signedMethod ?? method,
    target: f.signedTarget ?? o.target,
    bodySha256Hex: sha256Hex(f.signedBody ?? o.bodyText),
    nonce: f.signedNonce ?? nonce,
    sender: f.signedSender ?? o.pair.address,
    receiver: f.signedReceiver === undefined ? o.receiver : f.signedReceiver,
  });
  const signature = f.signature ?? toHex(signerFor(o.pair, o.sign, f.signer)(utf8(payload)));
  const crypto = o.cryptoHeader === undefined ? (schemeOf(o.pair) === 'ed25519' ? 'ed25519' : null) : o.cryptoHeader;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Bittensor-Version': '1',
    'X-Bittensor-Hotkey': o.pair.address,
    ...(o.receiver === null ? {} : { 'X-Bittensor-Receiver': o.receiver }),
    'X-Bittensor-Nonce': nonce.toString(),
    ...(crypto === null ? {} : { 'X-Bittensor-Crypto': crypto }),
    'X-Bittensor-Signature': signature,
  };
  return { method, target: o.target, headers: applyForge(headers, f), body: o.bodyText };
}

export interface EpistulaForge extends HeaderForge {
  signedBody?: string;
  signedUuid?: string;
  signedTimestamp?: string;
  signedFor?: string;
}

export interface EpistulaRequestOpts {
  /** Epistula is sr25519; another key type only makes sense to test refusal. */
  pair: KeyringPair;
  method?: string;
  target: string;
  bodyText: string;
  /** The miner's hotkey; '' or null sends an unbound request (no secret signatures). */
  signedFor: string | null;
  /** Default: randomUUID(). */
  uuid?: string;
  /** Default: clock.now(). */
  timestampMs?: number;
  clock?: Clock;
  /** How t is printed in the secret signatures (see epistulaSecretMessages). */
  secretStyle?: 'integer' | 'python-float';
  sign?: (msg: Uint8Array) => Uint8Array;
  forge?: EpistulaForge;
}

/** An Epistula v2 request as Apex's generate_header builds it. */
export function buildEpistulaRequest(o: EpistulaRequestOpts): SignedHttpRequest {
  const f = o.forge ?? {};
  const sign = signerFor(o.pair, o.sign, f.signer);
  const uuid = o.uuid ?? randomUUID();
  const timestampMs = o.timestampMs ?? (o.clock ?? systemClock()).now();
  const signedFor = o.signedFor ?? '';
  const message = epistulaMessage(
    sha256Hex(f.signedBody ?? o.bodyText),
    f.signedUuid ?? uuid,
    f.signedTimestamp ?? String(timestampMs),
    f.signedFor ?? signedFor,
  );
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Epistula-Version': '2',
    'Epistula-Timestamp': String(timestampMs),
    'Epistula-Uuid': uuid,
    'Epistula-Signed-By': o.pair.address,
    'Epistula-Request-Signature': f.signature ?? toHex(sign(utf8(message))),
  };
  if (signedFor !== '') {
    headers['Epistula-Signed-For'] = signedFor;
    epistulaSecretMessages(timestampMs, signedFor, o.secretStyle).forEach((m, i) => {
      headers[`Epistula-Secret-Signature-${i}`] = toHex(sign(utf8(m)));
    });
  }
  return { method: o.method ?? 'POST', target: o.target, headers: applyForge(headers, f), body: o.bodyText };
}
