/*
 * The operator's tools without a chain: a fatal start-up error under `run` is one `fatal` line
 * with its code and the exit status from ERROR_TABLE; `install.sh --dry-run --external-ip`
 * prints a config that announces; `monitor.sh` exit codes follow the unit, the admin
 * listener and /health (systemctl and journalctl stubbed on PATH, /health served here).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.js';
import { EXIT_CODES } from '../../src/util/index.js';
import { duplicateKeys } from '../helpers/strictJson.js';
import { CLI, ROOT } from '../helpers/daemon.js';

const work = mkdtempSync(join(tmpdir(), 'operator-scripts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runCli(args: string[]): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: work });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => res({ code, lines: out.split('\n').filter(Boolean), stderr: err }));
  });
}

describe('run: a fatal start-up error', () => {
  it('a world-readable hotkey gives one fatal line with code, message and fix, and exit 77', async () => {
    const wallets = join(work, 'wallets');
    cpSync(join(ROOT, 'wallets.example'), wallets, { recursive: true });
    chmodSync(join(wallets, 'miner'), 0o700);
    chmodSync(join(wallets, 'miner', 'hotkeys'), 0o700);
    chmodSync(join(wallets, 'miner', 'hotkeys', 'default'), 0o644);
    const r = await runCli(['run', '--endpoint', 'ws://127.0.0.1:1', '--wallet-path', wallets, '--wallet', 'miner', '--set', 'monitor.admin.enabled=false']);
    expect(r.code).toBe(EXIT_CODES.WALLET_INVALID);
    for (const line of r.lines) expect(duplicateKeys(line), line).toEqual([]);
    const records = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const rec of records) expect(typeof rec['module'], JSON.stringify(rec)).toBe('string');
    const fatal = records.filter((rec) => rec['level'] === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({
      module: 'cli',
      msg: 'miner failed to start',
      code: 'WALLET_INVALID',
      exitCode: 77,
      fix: expect.stringContaining('chmod 600'),
    });
    expect(String(fatal[0]!['message'])).toContain('is accessible by group or others (mode 0644)');
    expect(records.some((rec) => rec['module'] === 'console')).toBe(false);
  });

  it('a config error before any logger exists is the same kind of line, exit 78', async () => {
    const r = await runCli(['run', '--set', 'axon.prot=1']);
    expect(r.code).toBe(EXIT_CODES.CONFIG_INVALID);
    expect(r.lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toMatchObject([
      { level: 'fatal', module: 'cli', code: 'CONFIG_INVALID', fix: expect.stringContaining('axon.port') },
    ]);
  });

  it('config check warns on stderr when nothing will be announced on a real network, and not on a devnet', async () => {
    const finney = await runCli(['config', 'check', '--network', 'finney']);
    expect(finney.code).toBe(0);
    expect(finney.stderr).toContain('warning [nothing_announced]: nothing will be announced');
    expect(JSON.parse(finney.lines.join('\n'))).toHaveProperty('axon');
    expect((await runCli(['config', 'check', '--network', 'finney', '--external-ip', '203.0.113.7'])).stderr).toBe('');
    expect((await runCli(['config', 'check', '--network', 'local'])).stderr).toBe('');
  });

  it('--version prints the version; an unknown command is a usage error', async () => {
    expect((await runCli(['--version'])).lines).toEqual(['0.1.0']);
    expect((await runCli(['frobnicate'])).code).toBe(EXIT_CODES.USAGE);
  });
});

describe('scripts/install.sh --dry-run --external-ip', () => {
  it('prints a config that announces the address, and that config is valid', () => {
    const r = spawnSync(
      'bash',
      [
        join(ROOT, 'scripts/install.sh'),
        '--dry-run',
        '--root',
        join(work, 'stage'),
        '--external-ip',
        '203.0.113.7',
        '--external-port',
        '443',
        '--netuid',
        '27',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const json = /config \(\/etc\/subnet-miner\/config\.json\):\n((?: {4}.*\n)+)/.exec(r.stdout)?.[1];
    expect(json).toBeDefined();
    const cfg = configSchema.parse(JSON.parse(json!));
    expect(cfg.axon).toMatchObject({ externalIp: '203.0.113.7', externalPort: 443, port: 8091 });
    expect(cfg.netuid).toBe(27);
    expect(r.stdout).not.toContain('announce nothing');
  });

  it('without an address it says nothing will be announced; a loopback address is refused', () => {
    const none = spawnSync('bash', [join(ROOT, 'scripts/install.sh'), '--dry-run', '--root', join(work, 'stage2')], { encoding: 'utf8', input: '' });
    expect(none.status).toBe(0);
    expect(none.stdout).toContain('the miner will announce nothing');
    const loop = spawnSync('bash', [join(ROOT, 'scripts/install.sh'), '--dry-run', '--external-ip', '127.0.0.1'], { encoding: 'utf8' });
    expect(loop.status).not.toBe(0);
    expect(loop.stderr).toContain('loopback');
  });
});

describe('scripts/monitor.sh exit codes', () => {
  const bin = join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  let healthBody = '{"status":"ok","reasons":[]}';
  let healthCode = 200;
  let server: Server | undefined;

  /** systemctl stub: `show -p LoadState`/`ActiveState --value` answer from env; journalctl prints nothing. */
  function stubs(load: string, active: string): void {
    writeFileSync(
      join(bin, 'systemctl'),
      `#!/bin/sh\ncase "$*" in *LoadState*) echo ${load} ;; *ActiveState*--value*) echo ${active} ;; *) echo ActiveState=${active} ;; esac\n`,
    );
    writeFileSync(join(bin, 'journalctl'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'systemctl'), 0o755);
    chmodSync(join(bin, 'journalctl'), 0o755);
  }

  async function monitor(admin: string): Promise<{ code: number | null; out: string }> {
    return new Promise((res) => {
      const child = spawn('bash', [join(ROOT, 'scripts/monitor.sh'), '--admin', admin], { env: { ...process.env, PATH: `${bin}:${process.env['PATH']}` } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => res({ code, out }));
    });
  }

  afterAll(() => server?.close());

  it('0 when active and healthy, 1 degraded, 5 unavailable, 4 without the admin listener, 3 for a missing or inactive unit', async () => {
    server = createServer((_req, res) => {
      res.writeHead(healthCode, { 'content-type': 'application/json' });
      res.end(healthBody);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const admin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    stubs('loaded', 'active');
    expect((await monitor(admin)).code).toBe(0);
    healthBody = '{"status":"degraded","reasons":["chain_down"]}';
    expect((await monitor(admin)).code).toBe(1);
    healthBody = '{"status":"unavailable","reasons":["chain_down","metagraph_not_synced"]}';
    healthCode = 503;
    const down = await monitor(admin);
    expect(down.code).toBe(5);
    expect(down.out).toContain('metagraph_not_synced');
    expect((await monitor('http://127.0.0.1:1')).code).toBe(4);
    stubs('loaded', 'failed');
    expect((await monitor(admin)).code).toBe(3);
    stubs('not-found', 'inactive');
    const missing = await monitor(admin);
    expect(missing.code).toBe(3);
    expect(missing.out).toContain('not found');
  });

  it('says "no data" when it cannot read the journal', async () => {
    stubs('loaded', 'active');
    writeFileSync(join(bin, 'journalctl'), '#!/bin/sh\necho "Hint: You are currently not seeing messages from other users and the system." >&2\nexit 0\n');
    const r = await monitor('http://127.0.0.1:1');
    expect(r.out).toMatch(/no data: no permission to read the journal/);
    expect(r.out).not.toMatch(/^ {2}none$/m);
  });
});
