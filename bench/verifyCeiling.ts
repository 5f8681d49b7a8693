/**
 * The bare sr25519 verification ceiling of this machine: schnorrkel-wasm verifying one
 * signature in a tight loop on one worker thread, then on two at once (the two-core ceiling
 * the axon is measured against), plus single-thread figures for the other verifiers.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { sr25519Verify as utilVerify } from '@polkadot/util-crypto';
import { sr25519Verify as wcVerify } from '@polkadot/wasm-crypto';
import { sr25519_sign, sr25519_verify } from '@polkadot-labs/schnorrkel-wasm';
import type { KeyringPair } from '@polkadot/keyring/types';
import { secretOf } from '../src/axon/index.js';

const LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const { sr25519_verify } = require(workerData.path);
const { pub, msg, sig, ms } = workerData;
// Half a second of warm-up: the first figures otherwise catch the CPU clocking up.
const w0 = performance.now();
while (performance.now() - w0 < 500) sr25519_verify(pub, msg, sig);
parentPort.once('message', () => {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) { if (!sr25519_verify(pub, msg, sig)) throw new Error('bad'); n++; }
  parentPort.postMessage((n * 1000) / (performance.now() - t0));
});
parentPort.postMessage('ready');
`;

async function threads(k: number, data: Record<string, unknown>): Promise<number> {
  const ws = Array.from({ length: k }, () => new Worker(LOOP, { eval: true, workerData: data }));
  await Promise.all(ws.map((w) => new Promise((r) => w.once('message', r))));
  const rates = await Promise.all(
    ws.map(
      (w) =>
        new Promise<number>((r) => {
          w.once('message', r);
          w.postMessage('go');
        }),
    ),
  );
  await Promise.all(ws.map((w) => w.terminate()));
  return rates.reduce((a, b) => a + b, 0);
}

function usPerOp(n: number, f: () => boolean): number {
  for (let i = 0; i < 20; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (!f()) throw new Error('verify failed');
  return ((performance.now() - t0) * 1000) / n;
}

export interface Ceiling {
  oneThreadPerSec: number;
  twoThreadsPerSec: number;
  signUs: number;
}

export async function measureVerifyCeiling(pair: KeyringPair, axonPair: KeyringPair): Promise<Ceiling> {
  const msg = new TextEncoder().encode(
    `${Date.now()}000000.${pair.address}.${axonPair.address}.uuid.a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a`,
  );
  const sig = pair.sign(msg);
  const data = { path: createRequire(import.meta.url).resolve('@polkadot-labs/schnorrkel-wasm'), pub: pair.publicKey, msg, sig, ms: 3000 };
  const one = await threads(1, data);
  const two = await threads(2, data);
  const wc = usPerOp(1000, () => wcVerify(sig, msg, pair.publicKey));
  const ut = usPerOp(100, () => utilVerify(msg, sig, pair.publicKey));
  const sk = usPerOp(2000, () => sr25519_verify(pair.publicKey, msg, sig));
  const secret = secretOf(axonPair)!;
  const signUs = usPerOp(2000, () => sr25519_sign(axonPair.publicKey, secret, msg).length === 64);
  console.log(
    `verify us/op (main thread): schnorrkel-wasm ${sk.toFixed(1)}, @polkadot/wasm-crypto ${wc.toFixed(1)}, util-crypto ${ut.toFixed(1)}; schnorrkel-wasm sign ${signUs.toFixed(1)}`,
  );
  console.log(
    `verify ceiling (schnorrkel-wasm, tight loop on worker threads): 1 thread ${one.toFixed(0)}/s (${(1e6 / one).toFixed(0)} us), 2 threads ${two.toFixed(0)}/s <- the two-core ceiling`,
  );
  return { oneThreadPerSec: one, twoThreadsPerSec: two, signUs };
}
