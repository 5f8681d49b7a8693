/*
 * The whole daemon as operators run it: `subnet-miner run` against a chopsticks devnet. It
 * syncs, announces its axon on chain, answers a validator in both forms, reports health and
 * metrics, and on SIGTERM under load answers every accepted request (200 or 503) and exits 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Dendrite } from '../../src/client/index.js';
import { systemClock } from '../../src/util/index.js';
import { startTestDevnet, DEVNET_ROLES, type Devnet } from '../helpers/devnet.js';
import { DaemonProcess } from '../helpers/daemon.js';

describe('daemon on the devnet', () => {
  let dn: Devnet;
  let daemon: DaemonProcess;
  let dendrite: Dendrite;
  const miner = DEVNET_ROLES.minerHotkey.ss58;

  beforeAll(async () => {
    await cryptoWaitReady();
    dn = await startTestDevnet({ spec: 103 });
    daemon = await DaemonProcess.forDevnet(dn, {
      inference: { ocr: { enabled: false } },
      shutdown: { drainMs: 5_000 },
      axon: {
        maxInflightPerConnection: 1024,
        rateLimit: { perHotkeyPerSec: 100_000, perHotkeyBurst: 100_000, perIpPerSec: 100_000, perIpBurst: 100_000 },
      },
    });
    daemon.start();
    await daemon.waitForLog((r) => r.msg === 'miner serving');
    const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(DEVNET_ROLES.validatorHotkey.uri);
    dendrite = new Dendrite({ pair }, { clock: systemClock() });
  });

  afterAll(async () => {
    await dendrite?.close();
    await daemon?.cleanup();
    await dn?.stop();
  });

  const query = (transport: 'ws' | 'http', n: number) =>
    dendrite.query({
      host: '127.0.0.1',
      port: daemon.axonPort,
      axonHotkey: miner,
      synapse: 'Dummy',
      body: { dummy_input: n },
      timeoutMs: 10_000,
      transport,
    });

  it('answers a validator over WebSocket (signed answer) and stock HTTP', async () => {
    const ws = await query('ws', 3);
    expect(ws.status).toBe(200);
    expect(ws.body?.['dummy_output']).toBe(6);
    expect(ws.verified).toBe(true);
    const http = await query('http', 21);
    expect(http.status).toBe(200);
    expect(http.body?.['dummy_output']).toBe(42);
  });

  it('keeps its output one JSON object per line: @polkadot console lines arrive as log records', () => {
    expect(daemon.stderr.filter((l) => /API\/INIT|RPC-CORE|API\/DECORATE|REGISTRY/.test(l))).toEqual([]);
    // Spec 103 has no Metadata runtime API, which @polkadot/api announces on every connect.
    expect(daemon.logs.some((r) => r['module'] === 'console' && String(r['text']).includes('API/INIT'))).toBe(true);
  });

  it('announced its axon on chain (10.0.0.1 and the axon port)', async () => {
    await daemon.waitForLog((r) => r.msg === 'axon announced on chain (serve_axon)' || r.msg === 'axon already announced on chain', 120_000);
    const raw = await dn.api.query['subtensorModule']!['axons']!(dn.netuid, miner);
    const info = (raw as unknown as { toJSON(): { ip: number | string; port: number } | null }).toJSON();
    expect(info).not.toBeNull();
    expect(BigInt(info!.ip)).toBe(167772161n);
    expect(info!.port).toBe(daemon.axonPort);
  });

  it('reports health and metrics on the admin port', async () => {
    const health = await fetch(`http://127.0.0.1:${daemon.adminPort}/health`);
    expect(health.status).toBe(200);
    const h = (await health.json()) as Record<string, unknown>;
    expect(h['serving']).toBe(true);
    expect(h['chainConnected']).toBe(true);
    expect(h['registered']).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${daemon.adminPort}/metrics`)).text();
    for (const name of ['miner_axon_requests_total', 'miner_chain_best_block_number', 'miner_chain_metagraph_age_seconds', 'process_cpu_seconds_total']) {
      expect(metrics).toContain(name);
    }
  });

  it('answers every accepted request with 200 or 503 on SIGTERM under load, then exits 0', async () => {
    const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(DEVNET_ROLES.validatorHotkey.uri);
    // Nonces must rise per hotkey+uuid; HTTP requests spread over sockets may arrive out of order,
    // so each HTTP caller gets its own uuid, as separate validator processes would have.
    const httpCallers = Array.from({ length: 50 }, () => new Dendrite({ pair }, { clock: systemClock() }));
    const settle = (p: Promise<{ status: number }>): Promise<number> =>
      p.then(
        (a) => a.status,
        (e: unknown) => {
          // A connection refused after the listener closed was never accepted: not a lost request.
          const code = (e as { code?: string }).code;
          return code === 'ECONNREFUSED' ? -1 : -2;
        },
      );
    const inflight: Promise<number>[] = [];
    for (let i = 0; i < 300; i++) inflight.push(settle(query('ws', i)));
    for (const [i, d] of httpCallers.entries()) {
      inflight.push(
        settle(
          d.query({
            host: '127.0.0.1',
            port: daemon.axonPort,
            axonHotkey: miner,
            synapse: 'Dummy',
            body: { dummy_input: i },
            timeoutMs: 10_000,
            transport: 'http',
          }),
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 20));
    daemon.signal('SIGTERM');
    const statuses = await Promise.all(inflight);
    await Promise.all(httpCallers.map((d) => d.close()));
    const lost = statuses.filter((s) => s === -2);
    const bad = statuses.filter((s) => s >= 0 && s !== 200 && s !== 503);
    expect(lost).toEqual([]);
    expect(bad).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(await daemon.waitExit()).toBe(0);
    expect(daemon.logs.some((r) => r.msg === 'miner stopped')).toBe(true);
  });
});
