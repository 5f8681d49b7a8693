import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const UNIT = join(ROOT, 'systemd/subnet-miner.service');
const work = mkdtempSync(join(tmpdir(), 'systemd-unit-'));
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The unit as verify should see it: ExecStart must name an existing binary, so point it at this node when /usr/bin/node is absent. */
function verifiableCopy(text: string, name: string): string {
  const path = join(work, name);
  const fixed = existsSync('/usr/bin/node') ? text : text.replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `);
  writeFileSync(path, fixed);
  return path;
}

function verify(path: string): { status: number | null; problems: string[] } {
  const r = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8' });
  // verify also reports on unrelated units of the host; keep what concerns this file.
  const problems = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.includes(path) || l.includes('subnet-miner'));
  return { status: r.status, problems };
}

function directives(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) m.set(match[1]!, match[2]!);
  }
  return m;
}

describe('systemd unit', () => {
  const text = readFileSync(UNIT, 'utf8');

  it.skipIf(!hasAnalyze)('passes systemd-analyze verify without a warning', () => {
    const r = verify(verifiableCopy(text, 'subnet-miner.service'));
    expect(r.problems).toEqual([]);
    expect(r.status).toBe(0);
  });

  it.skipIf(!hasAnalyze)('the check catches a broken unit (negative control)', () => {
    const broken = text.replace('Restart=on-failure', 'Restart=sometimes').replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes');
    const r = verify(verifiableCopy(broken, 'subnet-miner.service'));
    expect(r.problems.join('\n')).toMatch(/restart specifier|Unknown key/);
  });

  it.skipIf(!hasAnalyze)('is hardened (systemd-analyze security exposure below 5)', () => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', verifiableCopy(text, 'subnet-miner.service')], { encoding: 'utf8' });
    const m = /Overall exposure level for \S+: ([0-9.]+)/.exec(`${r.stdout}${r.stderr}`);
    if (!m) return; // systemd older than 250 has no offline mode
    expect(Number(m[1])).toBeLessThan(5);
  });

  it('runs the compiled daemon as a dedicated user with the documented settings', () => {
    const d = directives(text);
    expect(d.get('ExecStart')).toBe('/usr/bin/node /opt/subnet-miner/dist/src/cli/main.js run --config /etc/subnet-miner/config.json');
    expect(d.get('User')).toBe('subnet-miner');
    expect(d.get('EnvironmentFile')).toBe('-/etc/subnet-miner/env');
    expect(d.get('Restart')).toBe('on-failure');
    expect(d.get('KillSignal')).toBe('SIGTERM');
    expect(d.get('NoNewPrivileges')).toBe('yes');
    expect(d.get('ProtectSystem')).toBe('strict');
    expect(d.get('ProtectHome')).toBe('read-only');
    expect(d.get('PrivateTmp')).toBe('yes');
    expect(d.get('LimitNOFILE')).toBe('65536');
    expect(d.get('StateDirectory')).toBe('subnet-miner');
    // The stop timeout must outlast the drain, with room for chain disconnect and log flush.
    const drainMs = configSchema.parse({}).shutdown.drainMs;
    expect(Number(d.get('TimeoutStopSec'))).toBeGreaterThanOrEqual(drainMs / 1000 + 30);
  });
});

describe('scripts/install.sh', () => {
  const script = join(ROOT, 'scripts/install.sh');
  const haveBuild = existsSync(join(ROOT, 'dist/src/cli/main.js'));

  it.skipIf(!hasShellcheck)('is shellcheck-clean (and so is monitor.sh)', () => {
    const r = spawnSync('shellcheck', [script, join(ROOT, 'scripts/monitor.sh')], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!haveBuild)('--dry-run prints every step and changes nothing', () => {
    const out = execFileSync('bash', [script, '--dry-run'], { encoding: 'utf8' });
    for (const step of [
      'useradd --system',
      'install -d -m 0750',
      'cp -a',
      '/etc/subnet-miner/config.json',
      '/etc/subnet-miner/env',
      '/etc/systemd/system/subnet-miner.service',
    ]) {
      expect(out).toContain(step);
    }
    expect(existsSync('/opt/subnet-miner.new')).toBe(false);
  });

  it.skipIf(!haveBuild)('installs into a staging root idempotently, and the installed unit verifies', () => {
    const stage = join(work, 'root');
    const args = [script, '--root', stage, '--use-checkout', '--node', process.execPath];
    const first = execFileSync('bash', args, { encoding: 'utf8' });
    expect(first).toContain('write');
    const unitPath = join(stage, 'etc/systemd/system/subnet-miner.service');
    const unit = readFileSync(unitPath, 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} ${ROOT}/dist/src/cli/main.js run --config /etc/subnet-miner/config.json`);
    expect(statSync(join(stage, 'var/lib/subnet-miner/wallets')).mode & 0o777).toBe(0o700);
    expect(statSync(join(stage, 'etc/subnet-miner/env')).mode & 0o777).toBe(0o640);
    // The config template is a valid config.
    const cfg = JSON.parse(readFileSync(join(stage, 'etc/subnet-miner/config.json'), 'utf8')) as unknown;
    expect(() => configSchema.parse(cfg)).not.toThrow();

    writeFileSync(join(stage, 'etc/subnet-miner/env'), 'MINER_NETUID=7\n');
    const second = execFileSync('bash', args, { encoding: 'utf8' });
    expect(second).toMatch(/keep: .*config\.json \(exists\)/);
    expect(second).toMatch(/keep: .*env \(exists\)/);
    expect(second).toMatch(/unit: .* unchanged/);
    expect(readFileSync(join(stage, 'etc/subnet-miner/env'), 'utf8')).toBe('MINER_NETUID=7\n');
    if (hasAnalyze) expect(verify(unitPath).problems).toEqual([]);
  });

  it('refuses unknown options', () => {
    const r = spawnSync('bash', [script, '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option');
  });
});
