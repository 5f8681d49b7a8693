/*
 * What the daemon tells an operator, checked against a real devnet: /health is 503 with its
 * reasons while the chain is unreachable and "miner serving" waits for the truth; the
 * README's devnet `query` example works as written; a second SIGTERM while OCR pages run
 * exits with the documented forced-stop code instead of a native abort.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Dendrite } from '../../src/client/index.js';
import { EXIT_CODES, systemClock } from '../../src/util/index.js';
import { DEVNET_ROLES, TcpProxy, endpointPort, startTestDevnet, type Devnet } from '../helpers/devnet.js';
import { CLI, DaemonProcess, ROOT } from '../helpers/daemon.js';
import { invoicePage } from '../fixtures/ocr/invoicePage.js';

// The daemon's config gives up on the chain after 2 s (to start fast while it is cut); a one-shot command on two busy cores needs longer.
const queryEnv = { ...process.env, MINER_CHAIN_CONNECT_TIMEOUT_MS: '30000' };

/** The CLI as a child process; asynchronous, because the chain proxy lives in this process's event loop. */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: queryEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      res({ status, stdout, stderr });
    });
  });
}

async function health(port: number): Promise<{ code: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  return { code: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function waitFor(what: string, pred: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('operator truth: the daemon on a devnet behind a cuttable chain link', () => {
  let dn: Devnet;
  let proxy: TcpProxy;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    await cryptoWaitReady();
    dn = await startTestDevnet({ spec: 103 });
    proxy = new TcpProxy(endpointPort(dn.endpoint));
    await proxy.up();
    await proxy.down(); // the port stays reserved for up() later; the daemon starts with the chain unreachable
    daemon = await DaemonProcess.forDevnet({ endpoint: proxy.endpoint, netuid: dn.netuid } as Devnet, {
      chain: { connectTimeoutMs: 2_000, reconnectMinMs: 200, reconnectMaxMs: 1_000, syncEveryBlocks: 1 },
      shutdown: { drainMs: 60_000 },
      axon: { rateLimit: { perHotkeyPerSec: 1_000, perHotkeyBurst: 1_000 } },
    });
    daemon.start();
  }, 120_000);

  afterAll(async () => {
    await daemon?.cleanup();
    await proxy?.down();
    await dn?.stop();
  });

  it('answers /health 503 with the reasons while the chain is down, and says it does not serve yet', async () => {
    await daemon.waitForLog((r) => r.msg === 'miner started, not serving yet', 240_000);
    const h = await health(daemon.adminPort);
    expect(h.code).toBe(503);
    expect(h.body).toMatchObject({ status: 'unavailable', serving: false, chainConnected: false });
    expect(h.body['reasons']).toEqual(expect.arrayContaining(['chain_down', 'metagraph_not_synced']));
    expect(daemon.logs.some((r) => r.msg === 'miner serving')).toBe(false);
  }, 300_000);

  it('turns 200 "ok" once the chain is back, and only then logs "miner serving"', async () => {
    await proxy.up();
    const serving = await daemon.waitForLog((r) => r.msg === 'miner serving', 120_000);
    expect(serving['module']).toBe('node');
    const h = await health(daemon.adminPort);
    expect(h.code).toBe(200);
    expect(h.body).toMatchObject({ status: 'ok', reasons: [], serving: true, chainConnected: true, registered: true });
  }, 150_000);

  it("runs the README's devnet query example as written (validator wallet by default, axon found by the miner's hotkey)", async () => {
    await daemon.waitForLog((r) => r.msg === 'axon announced on chain (serve_axon)' || r.msg === 'axon already announced on chain', 120_000);
    // README: node dist/src/cli/main.js query --config devnet.config.json --synapse Dummy --body '{"dummy_input": 3}' --to 127.0.0.1:8091
    const r = await cli(['query', '--config', daemon.configPath, '--synapse', 'Dummy', '--body', '{"dummy_input": 3}', '--to', `127.0.0.1:${daemon.axonPort}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^status: +200 /m);
    expect(r.stdout).toContain('"dummy_output":6');
    expect(r.stdout).toContain(`wallet validator`);
    expect(r.stdout).toContain(`axon:       ${DEVNET_ROLES.minerHotkey.ss58} (by config wallet)`);
    // An address nobody announces, with a wallet whose hotkey announced nothing: its own code.
    const miss = await cli([
      'query',
      '--config',
      daemon.configPath,
      '--wallet',
      'validator',
      '--synapse',
      'Dummy',
      '--body',
      '{"dummy_input": 3}',
      '--to',
      '127.0.0.1:1',
    ]);
    expect(miss.status).toBe(EXIT_CODES.AXON_NOT_FOUND);
    expect(miss.stderr).toContain('error [AXON_NOT_FOUND]');
  }, 200_000);

  it('a second SIGTERM while OCR pages run exits with the forced-stop code, not a native abort', async () => {
    const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(DEVNET_ROLES.validatorHotkey.uri);
    const dendrite = new Dendrite({ pair }, { clock: systemClock() });
    const page = await invoicePage(3);
    const answers = Array.from({ length: 4 }, () =>
      dendrite
        .query({
          host: '127.0.0.1',
          port: daemon.axonPort,
          axonHotkey: DEVNET_ROLES.minerHotkey.ss58,
          synapse: 'OCRSynapse',
          body: { base64_image: page.base64 },
          timeoutMs: 60_000,
          transport: 'http',
        })
        .catch(() => undefined),
    );
    try {
      await waitFor(
        'an OCR run in flight',
        async () => {
          const b = (await health(daemon.adminPort)).body;
          return (b['devices'] as Array<{ queue: number }> | undefined)?.some((d) => d.queue > 0) ?? false;
        },
        60_000,
      );
      daemon.signal('SIGTERM');
      await daemon.waitForLog((r) => r.msg === 'shutdown requested', 10_000);
      daemon.signal('SIGTERM');
      const code = await daemon.waitExit();
      expect(daemon.stderr.join('\n')).not.toMatch(/terminate called|Napi::Error|Aborted/);
      expect(code).toBe(EXIT_CODES.FORCED_STOP);
      expect(daemon.logs.find((r) => r.msg === 'second signal, forcing exit')).toMatchObject({
        level: 'warn',
        module: 'cli',
        exitCode: EXIT_CODES.FORCED_STOP,
      });
    } finally {
      await Promise.all(answers);
      await dendrite.close();
    }
  }, 150_000);
});
