/* `npm run devnet` (compiled script) end to end, and the status/register commands against it. Needs `npm run build` first. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWallet } from '../../src/wallet/index.js';
import { DEV_KEYS } from '../../packages/devnet/src/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
// The devnet package's bin (a shim importing dist/packages/devnet/src/main.js).
const SCRIPT = join(ROOT, 'packages', 'devnet', 'bin', 'subnet-miner-devnet.js');
const PORT = 19945;

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, MINER_COLDKEY_PASSWORD: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run devnet, then status and register against it (spec 103)', () => {
  let dir: string;
  let devnet: ChildProcess;
  let output = '';
  let chopsticksPid = 0;
  let config: string;

  beforeAll(async () => {
    if (!existsSync(SCRIPT) || !existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` first');
    dir = mkdtempSync(join(tmpdir(), 'chain-cli-'));
    config = join(dir, 'devnet.config.json');
    devnet = spawn(process.execPath, [SCRIPT], {
      cwd: ROOT,
      env: { ...process.env, DEVNET_PORT: String(PORT), DEVNET_OUT_DIR: dir, DEVNET_BLOCK_MS: '1000', DEVNET_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`devnet not ready:\n${output}`)), 240_000);
      const onData = (d: Buffer): void => {
        output += d.toString();
        if (output.includes('devnet ready')) {
          clearTimeout(timer);
          res();
        }
      };
      devnet.stdout?.on('data', onData);
      devnet.stderr?.on('data', onData);
      devnet.once('exit', (code) => rej(new Error(`devnet exited ${code}:\n${output}`)));
    });
    chopsticksPid = Number(/chopsticks pid (\d+)/.exec(output)?.[1]);
  });

  afterAll(async () => {
    if (devnet && devnet.exitCode === null) {
      devnet.kill('SIGKILL');
    }
    if (chopsticksPid && alive(chopsticksPid)) process.kill(chopsticksPid, 'SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints what it made and writes a config and owner-only wallets', () => {
    expect(output).toContain(`devnet ready at ws://127.0.0.1:${PORT}`);
    expect(output).toMatch(/miner: +hotkey \/\/Eve 5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw uid 1/);
    expect(existsSync(config)).toBe(true);
    const walk = (p: string): void => {
      const st = statSync(p);
      expect(st.mode & 0o077, p).toBe(0);
      if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    };
    walk(join(dir, '.devnet', 'wallets'));
  });

  it('status --json reports the registered miner', () => {
    const r = cli(['status', '--config', config, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout) as Record<string, any>;
    expect(j).toMatchObject({ hotkey: DEV_KEYS.eve.ss58, netuid: 1, specVersion: 103, source: 'storage', tempo: 10 });
    expect(j['standing']).toMatchObject({ registered: true, uid: 1, position: 1, validatorPermit: false });
    expect(j['neuron']).toMatchObject({ coldkey: DEV_KEYS.dave.ss58 });
    expect(typeof j['standing'].emissionRao).toBe('string');
  });

  it('status prints human text', () => {
    const r = cli(['status', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/registered +yes, uid 1/);
    expect(r.stdout).toMatch(/position +1 of 1 miners/);
  });

  it('register says the hotkey is already registered', () => {
    const r = cli(['register', '--config', config, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('already registered on netuid 1 as uid 1');
  });

  it('register shows the cost and says why spec 103 refuses burned_register', async () => {
    await writeWallet(join(dir, 'w'), 'extra', { coldkey: { seed: DEV_KEYS.dave.seed }, hotkeys: { default: { seed: DEV_KEYS.alice.seed } } });
    const r = cli(['register', '--config', config, '--wallet-path', join(dir, 'w'), '--wallet', 'extra', '--yes']);
    expect(r.stdout).toMatch(/cost +1 TAO burned/);
    expect(r.code).toBe(75); // EX_TEMPFAIL: the chain refused the transaction
    expect(r.stderr).toContain('error [CHAIN_REJECTED]');
    expect(r.stderr).toContain('subtensorModule.RegistrationDisabled');
  });

  it('status fails cleanly when the chain is unreachable', () => {
    const r = cli(['status', '--config', config, '--endpoint', 'ws://127.0.0.1:19949', '--set', 'chain.connectTimeoutMs=2000']);
    expect(r.code).toBe(69); // EX_UNAVAILABLE
    expect(r.stderr).toContain('error [CHAIN_UNAVAILABLE]');
    // Only the CLI's own error line: the socket's failed attempts stay out of stderr.
    expect(r.stderr).toMatch(/^error \[CHAIN_UNAVAILABLE\]: [^\n]*\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops chopsticks cleanly on SIGTERM', async () => {
    expect(alive(chopsticksPid)).toBe(true);
    const exited = new Promise<number | null>((res) => devnet.once('exit', (code) => res(code)));
    devnet.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(alive(chopsticksPid)).toBe(false);
  });
});
