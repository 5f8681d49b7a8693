import type { IncomingHttpHeaders } from 'node:http';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import { btauthFreshness, parseBtAuthHeaders } from '../../../../src/axon/forms/btauth.js';
import { epistulaFreshness, parseEpistulaHeaders } from '../../../../src/axon/forms/epistula.js';
import { btauthPayload, epistulaMessage, sha256Hex } from '../../../../src/wire/index.js';
import { verifyEd25519 } from '../../../../src/axon/ed25519.js';
import { btauthReplayKey, epistulaReplayKey, type ReplayStore } from '../../../../src/axon/replayStore.js';
import { utf8, verifyAnyKey } from '../../../../src/wire/sr25519.js';
import type { SignedHttpRequest } from '../../../../src/client/signedHttpRequests.js';

export interface GoldenKeys {
  alice: KeyringPair;
  bob: KeyringPair;
  aliceEd: KeyringPair;
  bobEd: KeyringPair;
}

export async function goldenKeys(): Promise<GoldenKeys> {
  await cryptoWaitReady();
  const sr = new Keyring({ type: 'sr25519' });
  const ed = new Keyring({ type: 'ed25519' });
  return { alice: sr.addFromUri('//Alice'), bob: sr.addFromUri('//Bob'), aliceEd: ed.addFromUri('//Alice'), bobEd: ed.addFromUri('//Bob') };
}

/** Header names as Node hands them to a server: lower-cased. */
export function incoming(headers: Record<string, string>): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

export interface Expect {
  receiver: string;
  nowMs: number;
  store?: ReplayStore;
}

/** The admission steps the facts file orders, as the pipeline will run them; a string says why refused. */
export function admitBtAuth(req: SignedHttpRequest, x: Expect): 'ok' | string {
  const p = parseBtAuthHeaders(incoming(req.headers));
  if (!p.ok) return p.code;
  const h = p.value;
  if (h.receiver !== x.receiver) return 'receiver';
  const fresh = btauthFreshness(h.nonce, x.nowMs, 10_000, 2_000);
  if (fresh !== 'ok') return fresh;
  const payload = utf8(
    btauthPayload({
      scheme: h.scheme,
      method: req.method,
      target: req.target,
      bodySha256Hex: sha256Hex(req.body),
      nonce: h.nonce,
      sender: h.hotkey,
      receiver: h.receiver,
    }),
  );
  const verify = h.scheme === 'ed25519' ? verifyEd25519 : verifyAnyKey;
  if (!verify(h.hotkeyPublicKey, payload, h.signature)) return 'signature';
  return x.store ? x.store.record(btauthReplayKey(h.hotkey, h.nonceText)) : 'ok';
}

export function admitEpistula(req: SignedHttpRequest, x: Expect): 'ok' | string {
  const p = parseEpistulaHeaders(incoming(req.headers));
  if (!p.ok) return p.code;
  const h = p.value;
  if (h.signedFor !== x.receiver) return 'receiver';
  const fresh = epistulaFreshness(h.timestampMs, x.nowMs, 8_000, 2_000);
  if (fresh !== 'ok') return fresh;
  const msg = utf8(epistulaMessage(sha256Hex(req.body), h.uuid, h.timestampText, h.signedFor));
  if (!verifyAnyKey(h.signerPublicKey, msg, h.signature)) return 'signature';
  return x.store ? x.store.record(epistulaReplayKey(h.signedBy, h.uuid)) : 'ok';
}
