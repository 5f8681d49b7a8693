import { bench, describe } from 'vitest';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, ed25519Verify } from '@polkadot/util-crypto';
import sodium from 'libsodium-wrappers-sumo';
import { verifyEd25519 } from '../../../src/axon/ed25519.js';
import { utf8 } from '../../../src/wire/sr25519.js';

// The candidates measured for src/axon/ed25519.ts (run: npx vitest bench --run test/unit/axon/ed25519.bench.ts).
await cryptoWaitReady();
await sodium.ready;
const pair = new Keyring({ type: 'ed25519' }).addFromUri('//Alice');
const msg = utf8(
  'btauth/1\ned25519\nPOST\n/generate?stream=false\n341c57448e531310fbbe83f44cea2a5e838bd9e8a6b82b269f01d0dbbc23c3cc\n1752076800000000000\n5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu\n5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty',
);
const sig = pair.sign(msg);
const pub = pair.publicKey;
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const cache = new Map<string, KeyObject>();

function spkiCached(): boolean {
  const id = Buffer.from(pub).toString('latin1');
  let key = cache.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: 'der', type: 'spki' });
    cache.set(id, key);
  }
  return verify(null, msg, key, sig);
}

describe('ed25519 verify', () => {
  bench('verifyEd25519 (node:crypto, JWK per call, with screens)', () => void verifyEd25519(pub, msg, sig));
  bench(
    'node:crypto, SPKI DER per call',
    () => void verify(null, msg, createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: 'der', type: 'spki' }), sig),
  );
  bench('node:crypto, SPKI DER + KeyObject cache', () => void spkiCached());
  bench('libsodium-wrappers-sumo', () => void sodium.crypto_sign_verify_detached(sig, msg, pub));
  bench('@polkadot/util-crypto ed25519Verify', () => void ed25519Verify(msg, sig, pub));
});
