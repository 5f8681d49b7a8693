import { createHash } from 'node:crypto';

/**
 * The messages a dendrite signs and an axon verifies, for the signed HTTP forms (btauth/1,
 * Epistula v2) and the legacy protocol version: one definition both sides of the wire import,
 * so a client and the server cannot drift apart.
 */

/** Bittensor version as the Python SDK writes it (10.2.0 -> 10002000): the protocol we speak. */
export const BITTENSOR_PROTOCOL_VERSION = 10_002_000;

export type SigScheme = 'sr25519' | 'ed25519';

export interface BtAuthPayloadParts {
  scheme: SigScheme;
  method: string;
  /** The request target exactly as sent: path plus `?query`. */
  target: string;
  bodySha256Hex: string;
  nonce: bigint | string;
  sender: string;
  receiver: string | null;
}

/** The eight signed lines, joined by `\n` with no trailing newline. */
export function btauthPayload(p: BtAuthPayloadParts): string {
  return ['btauth/1', p.scheme, p.method.toUpperCase(), p.target, p.bodySha256Hex, p.nonce.toString(), p.sender, p.receiver ?? '-'].join('\n');
}

/** Lower-case hex sha256 of the raw bytes (a string is hashed as UTF-8). */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Apex derives the secret signatures' time from 10-second windows. */
export const EPISTULA_SECRET_WINDOW_MS = 10_000;

/** The signed request message: `{sha256}.{uuid}.{timestamp}.{signed_for}`. */
export function epistulaMessage(bodySha256Hex: string, uuid: string, timestampText: string, signedFor: string): string {
  return `${bodySha256Hex}.${uuid}.${timestampText}.${signedFor}`;
}

/**
 * The three secret-signature messages, `{t-1}.{signed_for}`, `{t}.{signed_for}`,
 * `{t+1}.{signed_for}` with t = ceil(timestamp / 10000) * 10000, as the facts file words it.
 * 'python-float' reproduces Apex's Python, where t is a float and prints as `1752076810000.0`.
 */
export function epistulaSecretMessages(timestampMs: number, signedFor: string, style: 'integer' | 'python-float' = 'integer'): [string, string, string] {
  const t = Math.ceil(timestampMs / EPISTULA_SECRET_WINDOW_MS) * EPISTULA_SECRET_WINDOW_MS;
  const fmt = (n: number): string => (style === 'python-float' ? `${n}.0` : `${n}`);
  return [`${fmt(t - 1)}.${signedFor}`, `${fmt(t)}.${signedFor}`, `${fmt(t + 1)}.${signedFor}`];
}
