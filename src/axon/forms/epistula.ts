import type { IncomingHttpHeaders } from 'node:http';
import {
  decodeSs58,
  fail,
  headerReader,
  isCanonicalDecimal,
  parseSignatureHex,
  type FormFailure,
  type FormParse,
  type Freshness,
  type Ss58Decoder,
} from './formTypes.js';

/**
 * Epistula v2 (SN1 Apex and others), see the facts file. Signatures are sr25519 only.
 * Failure codes follow btauth.ts: a header sent twice or oversized is 400 BAD_REQUEST; a
 * missing or malformed authentication header is 401 BAD_SIGNATURE; a timestamp or uuid that is
 * present but malformed (the replay fields) is 401 BAD_NONCE. The three secret signatures are
 * not read: they let a validator prove its identity without a body, which a miner never needs.
 */
export interface EpistulaHeaders {
  signedBy: string;
  /** The 32-byte public key `signedBy` decodes to. */
  signerPublicKey: Uint8Array;
  /** '' when the request is unbound (header absent or empty); the pipeline refuses that. */
  signedFor: string;
  timestampMs: number;
  /** The timestamp exactly as sent (canonical decimal); it is what was signed. */
  timestampText: string;
  uuid: string;
  signature: Uint8Array;
}

export const EPISTULA_VERSION = '2';
/** Milliseconds stay exact integers in a JS number up to 16 digits; 15 reaches year 33658. */
export const EPISTULA_TIMESTAMP_MAX_DIGITS = 15;
const UUID_SHAPE = /^[A-Za-z0-9-]{1,128}$/;

const H = {
  version: ['epistula-version', 'Epistula-Version'],
  timestamp: ['epistula-timestamp', 'Epistula-Timestamp'],
  uuid: ['epistula-uuid', 'Epistula-Uuid'],
  signedBy: ['epistula-signed-by', 'Epistula-Signed-By'],
  signedFor: ['epistula-signed-for', 'Epistula-Signed-For'],
  signature: ['epistula-request-signature', 'Epistula-Request-Signature'],
} as const;

type HeaderKey = keyof typeof H;

/** True when the request claims to be Epistula (whatever its shape). */
export function isEpistulaRequest(h: IncomingHttpHeaders): boolean {
  return h['epistula-version'] !== undefined;
}

const { read, required } = headerReader(H);

function shaped(h: IncomingHttpHeaders, key: HeaderKey, ok: (v: string) => boolean, code: FormFailure['code']): FormParse<string> {
  const r = required(h, key);
  if (!r.ok) return r;
  return ok(r.value) ? r : fail(code, `Malformed ${H[key][1]}`);
}

function parseSignedFor(h: IncomingHttpHeaders, decode: Ss58Decoder): FormParse<string> {
  const r = read(h, 'signedFor');
  if (!r.ok) return r;
  if (r.value === undefined || r.value === '') return { ok: true, value: '' };
  return decode(r.value) ? { ok: true, value: r.value } : fail('BAD_SIGNATURE', 'Malformed Epistula-Signed-For');
}

/** Reads and shape-checks the Epistula v2 headers; no crypto beyond the SS58 checksum. */
export function parseEpistulaHeaders(h: IncomingHttpHeaders, decode: Ss58Decoder = decodeSs58): FormParse<EpistulaHeaders> {
  const version = required(h, 'version');
  if (!version.ok) return version;
  if (version.value !== EPISTULA_VERSION) return fail('BAD_SIGNATURE', 'Unsupported Epistula-Version');
  const signedBy = required(h, 'signedBy');
  if (!signedBy.ok) return signedBy;
  const signerPublicKey = decode(signedBy.value);
  if (!signerPublicKey) return fail('BAD_SIGNATURE', 'Malformed Epistula-Signed-By');
  const signedFor = parseSignedFor(h, decode);
  if (!signedFor.ok) return signedFor;
  const timestamp = shaped(h, 'timestamp', (v) => isCanonicalDecimal(v, EPISTULA_TIMESTAMP_MAX_DIGITS), 'BAD_NONCE');
  if (!timestamp.ok) return timestamp;
  const uuid = shaped(h, 'uuid', (v) => UUID_SHAPE.test(v), 'BAD_NONCE');
  if (!uuid.ok) return uuid;
  const sigText = required(h, 'signature');
  if (!sigText.ok) return sigText;
  const signature = parseSignatureHex(sigText.value);
  if (!signature) return fail('BAD_SIGNATURE', 'Malformed Epistula-Request-Signature');
  return {
    ok: true,
    value: {
      signedBy: signedBy.value,
      signerPublicKey,
      signedFor: signedFor.value,
      timestampMs: Number(timestamp.value),
      timestampText: timestamp.value,
      uuid: uuid.value,
      signature,
    },
  };
}

/** Older than maxAgeMs is stale (Apex: 8,000 ms), more than maxFutureMs ahead is future. */
export function epistulaFreshness(timestampMs: number, nowMs: number, maxAgeMs: number, maxFutureMs: number): Freshness {
  if (timestampMs < nowMs - maxAgeMs) return 'stale';
  if (timestampMs > nowMs + maxFutureMs) return 'future';
  return 'ok';
}
