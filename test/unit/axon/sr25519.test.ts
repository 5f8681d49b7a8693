import { describe, expect, it } from 'vitest';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, sr25519Verify } from '@polkadot/util-crypto';
import { sigFormatOk, verifyTrustedKey, verifyAnyKey, wrapBytes, utf8, makeSigner, secretOf } from '../../../src/wire/sr25519.js';
import { SafeVerifier, InlineVerifier } from '../../../src/axon/verifierPool.js';
import { CryptoWorkerPool } from '../../../src/axon/cryptoWorkerPool.js';
import { silentLogger } from '../../../src/util/index.js';

describe('sr25519 verification', async () => {
  await cryptoWaitReady();
  const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob');
  const msg = utf8('1.a.b.c.d');

  it('accepts plain and <Bytes>-wrapped signatures, refuses others', () => {
    expect(verifyTrustedKey(bob.publicKey, msg, bob.sign(msg))).toBe(true);
    expect(verifyTrustedKey(bob.publicKey, msg, bob.sign(wrapBytes(msg)))).toBe(true);
    expect(verifyTrustedKey(bob.publicKey, utf8('other'), bob.sign(msg))).toBe(false);
    expect(verifyAnyKey(bob.publicKey, msg, bob.sign(msg))).toBe(true);
  });

  it('the fast signer makes signatures the standard verifier accepts', () => {
    expect(verifyAnyKey(bob.publicKey, msg, makeSigner(bob)(msg))).toBe(true);
  });

  it('screens out signatures schnorrkel-wasm would panic on', () => {
    expect(sigFormatOk(bob.sign(msg))).toBe(true);
    expect(sigFormatOk(new Uint8Array(64).fill(0xab))).toBe(false);
    expect(sigFormatOk(new Uint8Array(64))).toBe(false);
    expect(sigFormatOk(new Uint8Array(63))).toBe(false);
  });

  it('SafeVerifier never feeds an unvetted key to the fast path', async () => {
    const v = new SafeVerifier(new InlineVerifier());
    const notAPoint = new Uint8Array(32).fill(0xff);
    expect(await v.verify(notAPoint, msg, bob.sign(msg))).toBe(false);
    expect(await v.verify(bob.publicKey, msg, new Uint8Array(64).fill(0xab))).toBe(false);
    expect(await v.verify(bob.publicKey, msg, bob.sign(msg))).toBe(true);
    expect(await v.verify(bob.publicKey, msg, bob.sign(msg))).toBe(true);
  });

  it('the worker pool verifies and resolves in submission order', async () => {
    const pool = new CryptoWorkerPool(2, null, null, silentLogger(), { inlineMaxShare: 0 });
    const sig = bob.sign(msg);
    const done: number[] = [];
    const jobs = Array.from({ length: 200 }, (_, i) =>
      pool.verify(bob.publicKey, msg, i % 7 === 0 ? new Uint8Array(64).fill(1) : sig).then((ok) => {
        done.push(i);
        return ok;
      }),
    );
    const oks = await Promise.all(jobs);
    expect(oks.filter((o) => !o)).toHaveLength(29);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(pool.inlineCount).toBe(0);
    await pool.close();
  });

  it('the worker pool verifies ed25519 on its threads too, refusing forgeries and sr25519 signatures', async () => {
    const ed = new Keyring({ type: 'ed25519' }).addFromUri('//Ferdie');
    const pool = new CryptoWorkerPool(1, null, null, silentLogger(), { inlineMaxShare: 0 });
    const good = ed.sign(msg);
    const bad = Uint8Array.from(good);
    bad[5] = bad[5]! ^ 1;
    const oks = await Promise.all([
      pool.verifyEd25519(ed.publicKey, msg, good),
      pool.verifyEd25519(ed.publicKey, msg, bad),
      pool.verifyEd25519(ed.publicKey, msg, bob.sign(msg)),
      pool.verifyEd25519(new Uint8Array(32), msg, new Uint8Array(64)),
    ]);
    expect(oks).toEqual([true, false, false, false]);
    expect(pool.inlineCount).toBe(0);
    await pool.close();
  });

  it('the worker pool signs with the axon key on workers, and inline at low rates', async () => {
    const key = { publicKey: bob.publicKey, secret: secretOf(bob)! };
    const workers = new CryptoWorkerPool(1, key, makeSigner(bob), silentLogger(), { inlineMaxShare: 0 });
    const sigs = await Promise.all(Array.from({ length: 50 }, (_, i) => workers.sign(utf8(`m${i}`))));
    sigs.forEach((sig, i) => expect(sr25519Verify(utf8(`m${i}`), sig, bob.publicKey)).toBe(true));
    expect(workers.inlineCount).toBe(0);
    await workers.close();

    let now = 0;
    const adaptive = new CryptoWorkerPool(1, key, makeSigner(bob), silentLogger(), { now: () => now, loop: () => 0 });
    // One job per second: far below the rate at which inline work would crowd the event loop.
    for (let i = 0; i < 5; i++) {
      now += 1_000;
      const sig = await adaptive.sign(utf8('slow'));
      expect(sr25519Verify(utf8('slow'), sig, bob.publicKey)).toBe(true);
    }
    expect(adaptive.inlineCount).toBe(5);
    await adaptive.close();
  });
});
