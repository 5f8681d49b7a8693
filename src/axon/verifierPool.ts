import type { Logger } from '../util/index.js';
import { verifyAnyKey, verifyTrustedKey } from '../wire/index.js';
import { verifyEd25519 } from './ed25519.js';
import { CryptoWorkerPool, type SigningKey } from './cryptoWorkerPool.js';

export interface SignatureVerifier {
  verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean>;
  close(): Promise<void>;
}

/** ed25519 checks (btauth/1), on the same threads as sr25519 when there are any. */
export type Ed25519Verifier = (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => Promise<boolean>;

/** Verifies on the calling thread; only for keys vetted by SafeVerifier. */
export class InlineVerifier implements SignatureVerifier {
  verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
    return Promise.resolve(verifyTrustedKey(pub, msg, sig));
  }
  async close(): Promise<void> {}
}

/**
 * Front of every verifier: a key seen for the first time is checked with the panic-free
 * (slower) wasm-crypto verify, and only keys that have produced a valid signature go to
 * the fast schnorrkel path (inline or on workers). Malformed signatures never reach it.
 */
export class SafeVerifier implements SignatureVerifier {
  private readonly trusted = new Set<string>();

  constructor(
    private readonly fast: SignatureVerifier,
    private readonly maxKeys = 10_000,
  ) {}

  verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
    const key = Buffer.from(pub.buffer, pub.byteOffset, pub.byteLength).toString('hex');
    if (this.trusted.has(key)) return this.fast.verify(pub, msg, sig);
    const ok = verifyAnyKey(pub, msg, sig);
    if (ok) {
      if (this.trusted.size >= this.maxKeys) this.trusted.clear();
      this.trusted.add(key);
    }
    return Promise.resolve(ok);
  }

  close(): Promise<void> {
    return this.fast.close();
  }
}

export interface AxonCrypto {
  verifier: SignatureVerifier;
  verifyEd25519: Ed25519Verifier;
  /** Signs the axon's WebSocket answers. */
  sign(msg: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Verification (behind SafeVerifier) and answer signing: on `workers` threads when there are
 * any (jobs still run inline while the rate is low), on the event loop otherwise.
 */
export function createAxonCrypto(workers: number, key: SigningKey | null, inlineSign: (msg: Uint8Array) => Uint8Array, logger: Logger): AxonCrypto {
  if (workers <= 0) {
    return {
      verifier: new SafeVerifier(new InlineVerifier()),
      verifyEd25519: (pub, msg, sig) => Promise.resolve(verifyEd25519(pub, msg, sig)),
      sign: (msg) => Promise.resolve(inlineSign(msg)),
      close: async () => {},
    };
  }
  const pool = new CryptoWorkerPool(workers, key, inlineSign, logger);
  return {
    verifier: new SafeVerifier(pool),
    verifyEd25519: (pub, msg, sig) => pool.verifyEd25519(pub, msg, sig),
    sign: (msg) => pool.sign(msg),
    close: () => pool.close(),
  };
}
