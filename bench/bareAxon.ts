/**
 * A reference point for bench/axon.ts, not a product: the least a WebSocket axon must do per
 * request under our protocol (parse the frame, hash the body, verify the dendrite's
 * signature, run Dummy, hash and sign the answer, send it) in one thread, with no limits,
 * nonce store, blacklist, scheduler, metrics or logs. What it reaches on the same client and
 * cores is the floor the real axon's overhead is measured from.
 */
import { createHash } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { sr25519_sign, sr25519_verify } from '@polkadot-labs/schnorrkel-wasm';
import { decodeAddress } from '@polkadot/util-crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import { secretOf } from '../src/axon/index.js';

interface Frame {
  id: string;
  body: string;
  dendrite: { hotkey: string; nonce: string; uuid: string; signature: string };
}

const sha3 = (s: string): string => createHash('sha3-256').update(s).digest('hex');

export async function bareServerMain(axon: KeyringPair): Promise<void> {
  const secret = secretOf(axon)!;
  const keys = new Map<string, Uint8Array>();
  const stats = { served: 0, verifyMs: 0, signMs: 0 };
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) =>
    ws.on('message', (data: Buffer) => {
      const r = JSON.parse(data.toString()) as Frame;
      const d = r.dendrite;
      let pub = keys.get(d.hotkey);
      if (!pub) keys.set(d.hotkey, (pub = decodeAddress(d.hotkey)));
      const signed = Buffer.from(`${d.nonce}.${d.hotkey}.${axon.address}.${d.uuid}.${sha3(r.body)}`);
      let t0 = performance.now();
      const ok = sr25519_verify(pub, signed, Buffer.from(d.signature.slice(2), 'hex'));
      stats.verifyMs += performance.now() - t0;
      const body = JSON.parse(r.body) as { dummy_input: number; dummy_output?: number };
      body.dummy_output = body.dummy_input * 2;
      const out = JSON.stringify(body);
      const nonce = `${Date.now()}000000`;
      t0 = performance.now();
      const sig = sr25519_sign(axon.publicKey, secret, Buffer.from(`${nonce}.${axon.address}.${d.hotkey}.bare.${sha3(out)}`));
      stats.signMs += performance.now() - t0;
      ws.send(
        JSON.stringify({
          type: 'response',
          id: r.id,
          status: ok ? 200 : 401,
          message: ok ? 'Success' : 'Signature mismatch',
          body: out,
          processTimeMs: 0,
          axon: { hotkey: axon.address, nonce, uuid: 'bare', signature: `0x${Buffer.from(sig).toString('hex')}` },
        }),
      );
      stats.served++;
    }),
  );
  await new Promise((r) => wss.once('listening', r));
  const addr = wss.address();
  process.send?.({ port: addr !== null && typeof addr === 'object' ? addr.port : 0 });
  process.on('message', (msg) => {
    if (msg === 'stop') process.exit(0);
    if (msg === 'cpu') {
      const c = process.cpuUsage();
      process.send?.({ cpuUs: c.user + c.system, served: stats.served, verifyMs: stats.verifyMs, signMs: stats.signMs });
    }
  });
}
