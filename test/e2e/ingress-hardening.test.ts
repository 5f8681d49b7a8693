/*
 * Ingress hardening against the real daemon on a devnet (issue 10): a validly signed request
 * nested 200,000 levels deep is a 400 on both forms and the process lives; forged requests
 * claiming the validator's hotkey do not spend its per-hotkey budget; a frame over twice the
 * payload limit closes with 1009 (never 1006) and one between 1x and 2x is a 413; a request
 * before the first metagraph sync is a 503 with Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Dendrite, type DendriteQuery } from '../../src/client/index.js';
import { systemClock } from '../../src/util/index.js';
import { startTestDevnet, DEVNET_ROLES, TcpProxy, endpointPort, type Devnet } from '../helpers/devnet.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { httpBytes, signedHttp, signedWs } from '../../bench/fuzz/caseKit.js';
import { wellFormedForgery } from '../../bench/fuzz/familiesAuth.js';
import { runExchange } from '../../bench/fuzz/exchange.js';
import { makeContext } from '../../bench/fuzz/runner.js';
import { Rng } from '../../bench/fuzz/rng.js';
import { textFrame, upgradeRequest } from '../../bench/fuzz/wsWire.js';

const MAX_PAYLOAD = 1024 * 1024;
const miner = DEVNET_ROLES.minerHotkey.ss58;
const clock = systemClock();

describe('ingress hardening on the devnet', () => {
  let dn: Devnet;
  let bob: KeyringPair;
  let ferdie: KeyringPair;

  beforeAll(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    bob = keyring.addFromUri(DEVNET_ROLES.validatorHotkey.uri);
    ferdie = keyring.addFromUri('//Ferdie');
    dn = await startTestDevnet({ spec: 103 });
  });

  afterAll(async () => {
    await dn?.stop();
  });

  const query = (port: number, transport: 'ws' | 'http', n: number): Omit<DendriteQuery, 'transport'> & { transport: 'ws' | 'http' } => ({
    host: '127.0.0.1',
    port,
    axonHotkey: miner,
    synapse: 'Dummy',
    body: { dummy_input: n },
    timeoutMs: 10_000,
    transport,
  });

  it('(d) answers 503 with Retry-After before the first metagraph sync, then serves once the chain is back', async () => {
    const proxy = new TcpProxy(endpointPort(dn.endpoint));
    await proxy.up();
    const endpoint = proxy.endpoint;
    await proxy.down();
    const daemon = await DaemonProcess.forDevnet(dn, {
      network: { endpoints: [endpoint] },
      chain: { connectTimeoutMs: 1_000, reconnectMinMs: 200, reconnectMaxMs: 1_000 },
      inference: { ocr: { enabled: false } },
    });
    const dendrite = new Dendrite({ pair: bob }, { clock });
    try {
      daemon.start();
      await daemon.waitForLog((r) => r.msg === 'axon listening', 60_000);
      const http = await dendrite.sendHttpRaw('127.0.0.1', daemon.axonPort, dendrite.httpRequest(query(daemon.axonPort, 'http', 1)), 10_000);
      expect(http.status, http.text).toBe(503);
      expect(Number(http.headers['retry-after'])).toBeGreaterThan(0);
      const frame = dendrite.wsFrame(query(daemon.axonPort, 'ws', 2));
      const ws = await dendrite.sendWsRaw('127.0.0.1', daemon.axonPort, frame, frame['id'] as string, 10_000);
      expect(ws.status, ws.message).toBe(503);
      expect((ws as unknown as { retryAfterSec?: number }).retryAfterSec).toBeGreaterThan(0);
      await proxy.up();
      let last = 0;
      for (let t0 = Date.now(); Date.now() - t0 < 90_000; await new Promise((r) => setTimeout(r, 500))) {
        last = (await dendrite.query({ ...query(daemon.axonPort, 'ws', 3) })).status;
        if (last === 200) break;
      }
      expect(last).toBe(200);
    } finally {
      await dendrite.close();
      await daemon.cleanup();
      await proxy.down();
    }
  });

  describe('serving daemon (1 MiB payload limit, per-IP limits out of the way, per-hotkey limits at their defaults)', () => {
    let daemon: DaemonProcess;
    let dendrite: Dendrite;

    beforeAll(async () => {
      daemon = await DaemonProcess.forDevnet(dn, {
        inference: { ocr: { enabled: false } },
        axon: { maxPayloadBytes: MAX_PAYLOAD, rateLimit: { perIpPerSec: 1_000_000, perIpBurst: 1_000_000 } },
      });
      daemon.start();
      await daemon.waitForLog((r) => r.msg === 'miner serving');
      dendrite = new Dendrite({ pair: bob }, { clock });
    });

    afterAll(async () => {
      await dendrite?.close();
      await daemon?.cleanup();
    });

    it('(c) a frame over 2x the payload limit closes with 1009, 20 times out of 20; one between 1x and 2x is a 413', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 20; i++) codes.push(await oversizeClose(daemon.axonPort, 2 * MAX_PAYLOAD + 1 + i * 4096));
      expect(codes).toEqual(new Array(20).fill(1009));
      const mid = Buffer.alloc(Math.floor(1.5 * MAX_PAYLOAD), 0x78);
      mid.write('{"type":"request","id":"mid","pad":"', 0, 'latin1');
      mid.write('"}', mid.length - 2, 'latin1');
      const resp = await dendrite.sendWsRaw('127.0.0.1', daemon.axonPort, mid.toString('latin1'), 'mid', 10_000);
      expect(resp.status).toBe(413);
      expect((await dendrite.query({ ...query(daemon.axonPort, 'ws', 5) })).status).toBe(200);
    });

    it("(b) 500 forged or unsigned requests claiming the validator's hotkey do not spend its per-hotkey budget", async () => {
      const ctx = makeContext({ port: daemon.axonPort, axonHotkey: miner, maxPayloadBytes: MAX_PAYLOAD }, bob, ferdie);
      const rng = new Rng(7);
      const forge = (i: number) => ({ forge: { signature: i % 2 === 0 ? '' : wellFormedForgery() } });
      const wsFrames = Array.from({ length: 250 }, (_, i) => textFrame(JSON.stringify(signedWs(rng, ctx, '{"dummy_input": 1}', { ...forge(i), id: `f${i}` }))));
      const httpConns = Array.from({ length: 5 }, (_, c) =>
        Buffer.concat(
          Array.from({ length: 50 }, (_, i) => {
            const s = signedHttp(rng, ctx, forge(c * 50 + i));
            return httpBytes('POST', '/Dummy', s.headers, s.body);
          }),
        ),
      );
      const forged = await Promise.all([
        runExchange('127.0.0.1', daemon.axonPort, {
          kind: 'ws',
          steps: [{ write: upgradeRequest(daemon.axonPort) }, { write: Buffer.concat(wsFrames) }],
          readMs: 10_000,
          answers: 250,
        }),
        ...httpConns.map((bytes) => runExchange('127.0.0.1', daemon.axonPort, { kind: 'http', steps: [{ write: bytes }], readMs: 10_000, answers: 50 })),
      ]);
      const statuses = [...forged[0]!.ws, ...forged.slice(1).flatMap((h) => h.http)];
      expect(statuses).toHaveLength(500);
      // Refused as forgeries (401), or shed while unproven work queues (503): never served, never a per-hotkey 429.
      expect(statuses.filter((s) => s !== 401 && s !== 503)).toEqual([]);
      // Within the same second, the validator's real queries: its burst of 100 is untouched.
      const http = Array.from({ length: 40 }, (_, i) => new Dendrite({ pair: bob }, { clock }).query(query(daemon.axonPort, 'http', i)).then((a) => a.status));
      const ws = Array.from({ length: 40 }, (_, i) => dendrite.query(query(daemon.axonPort, 'ws', i)).then((a) => a.status));
      expect(await Promise.all([...http, ...ws])).toEqual(new Array(80).fill(200));
    });

    it('(a) a validly signed body nested 200,000 levels deep is a 400 on both forms, and the daemon lives on', async () => {
      const deep = '['.repeat(200_000) + ']'.repeat(200_000);
      const req = dendrite.httpRequest(query(daemon.axonPort, 'http', 1));
      req.body = `${req.body.slice(0, -1)}, "deep": ${deep}}`;
      const http = await dendrite.sendHttpRaw('127.0.0.1', daemon.axonPort, req, 20_000);
      expect(http.status, http.text.slice(0, 200)).toBe(400);
      const frame = dendrite.wsFrame(query(daemon.axonPort, 'ws', 2), `{"dummy_input": 2, "deep": ${deep}}`);
      const ws = await dendrite.sendWsRaw('127.0.0.1', daemon.axonPort, frame, frame['id'] as string, 20_000);
      expect(ws.status, ws.message).toBe(400);
      await new Promise((r) => setTimeout(r, 500));
      expect(daemon.exitCode).toBeNull();
      for (const transport of ['http', 'ws'] as const) {
        const a = await dendrite.query(query(daemon.axonPort, transport, 21));
        expect(a.status, `${transport}: ${a.message}`).toBe(200);
        expect(a.body?.['dummy_output']).toBe(42);
      }
    });
  });
});

/** Sends one text frame of `size` bytes with the ws client and resolves with the close code it gets. */
function oversizeClose(port: number, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no close within 15 s'));
    }, 15_000);
    ws.on('error', () => {});
    ws.on('open', () => ws.send(Buffer.alloc(size, 0x20).toString('latin1')));
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
