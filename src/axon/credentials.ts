import { rejection } from './rejection.js';
import { MinerError } from '../util/index.js';
import type { NonceStore } from './nonceStore.js';
import { utf8 } from '../wire/index.js';

import type { SigScheme } from './forms/formTypes.js';

export type { SigScheme };

/**
 * Who a request claims to come from and what it signed, as one wire form reads it. The
 * pipeline runs every form's credentials the same way: blacklist by `hotkey`, `precheck`
 * (cheap, changes nothing), the signature over `message()`, then `commit` (records the
 * replay key only once the signature verified, so forgers cannot burn a caller's nonces).
 */
export interface Credentials {
  readonly hotkey: string | undefined;
  readonly scheme: SigScheme;
  /** `0x` hex as sent, or bytes a form already decoded; undefined when absent. */
  readonly signature: string | Uint8Array | undefined;
  /** Form-specific checks before any crypto (nonce shape and window, receiver, body hash); throws a rejection. */
  precheck(): void;
  /** The exact bytes the signature must cover. */
  message(): Uint8Array;
  /** Records the replay key after verification; throws a rejection when another request took it first. */
  commit(): void;
}

const NONCE_RE = /^\d{1,24}$/;

export interface LegacyFields {
  hotkey?: string | undefined;
  nonce?: string | undefined;
  uuid?: string | undefined;
  signature?: string | undefined;
}

export interface LegacyContext {
  nonces: NonceStore;
  axonHotkey: string;
  timeoutMs: number;
  /** The hash the signature covers; computed only once the cheap checks passed. */
  bodyHash: () => string;
  /** HTTP `computed_body_hash`, which must agree with ours when present. */
  claimedBodyHash?: string | undefined;
}

/**
 * SDK 10 credentials (`bt_header_dendrite_*`, and the same fields in our WebSocket frames):
 * `{nonce}.{dendrite}.{axon}.{uuid}.{body_hash}`, nonces strictly increasing per hotkey+uuid.
 */
export function legacyCredentials(f: LegacyFields, c: LegacyContext): Credentials {
  let nonce = 0n;
  let bodyHash = '';
  const uuid = f.uuid ?? '';
  const fail = (code: 'BAD_NONCE' | 'OVERLOADED', message: string): never => {
    throw code === 'OVERLOADED' ? new MinerError(code, message) : rejection(code, message);
  };
  return {
    hotkey: f.hotkey,
    scheme: 'sr25519',
    signature: f.signature,
    precheck() {
      if (f.nonce === undefined || !NONCE_RE.test(f.nonce)) fail('BAD_NONCE', 'Missing or malformed nonce');
      if (!f.uuid || f.uuid.length > 128) fail('BAD_NONCE', 'Missing or malformed uuid');
      nonce = BigInt(f.nonce!);
      const v = c.nonces.check(f.hotkey!, uuid, nonce, c.timeoutMs);
      if (!v.ok) fail(v.full ? 'OVERLOADED' : 'BAD_NONCE', v.full ? 'Service Unavailable: nonce store full' : v.reason);
      bodyHash = c.bodyHash();
      if (c.claimedBodyHash !== undefined && c.claimedBodyHash !== bodyHash) throw rejection('BAD_SIGNATURE', 'Body hash mismatch');
    },
    message: () => utf8(`${f.nonce}.${f.hotkey}.${c.axonHotkey}.${uuid}.${bodyHash}`),
    commit() {
      const v = c.nonces.commit(f.hotkey!, uuid, nonce, c.timeoutMs);
      if (!v.ok) throw rejection('BAD_NONCE', v.reason);
    },
  };
}
