import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { useScratchDir } from '../../helpers/scratchDir.js';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../../../src/cli/options.js';
import { registerConfigCommand } from '../../../src/cli/commands/config.js';
import { reportFatal } from '../../../src/cli/report.js';
import { ConfigError } from '../../../src/util/errors.js';
import type { MinerConfig } from '../../../src/config/index.js';

const scratch = useScratchDir('miner-config-test-');

function parse(args: string[], env: NodeJS.ProcessEnv = {}): MinerConfig {
  let cfg: MinerConfig | undefined;
  const program = new Command().exitOverride();
  addCommonOptions(program.command('x')).action((opts: CommonOptions) => {
    cfg = configFromOptions(opts, env);
  });
  program.parse(['node', 'cli', 'x', ...args]);
  if (!cfg) throw new Error('action did not run');
  return cfg;
}

describe('addCommonOptions + configFromOptions', () => {
  it('maps every common flag onto the config', () => {
    const cfg = parse([
      '--network',
      'local',
      '--netuid',
      '5',
      '--wallet-path',
      '/w',
      '--wallet',
      'miner',
      '--hotkey',
      'hk',
      '--port',
      '9000',
      '--external-ip',
      '10.0.0.1',
      '--external-port',
      '9001',
      '--log-level',
      'debug',
      '--pretty',
      '--set',
      'axon.concurrency=7',
      '--set',
      'axon.blacklist.allowUnregistered=true',
    ]);
    expect(cfg.network).toEqual({ preset: 'local', endpoints: [] });
    expect(cfg.netuid).toBe(5);
    expect(cfg.wallet).toEqual({ path: '/w', name: 'miner', hotkey: 'hk' });
    expect(cfg.axon.port).toBe(9000);
    expect(cfg.axon.externalIp).toBe('10.0.0.1');
    expect(cfg.axon.externalPort).toBe(9001);
    expect(cfg.log).toEqual({ level: 'debug', pretty: true });
    expect(cfg.axon.concurrency).toBe(7);
    expect(cfg.axon.blacklist.allowUnregistered).toBe(true);
  });

  it('accepts the btcli-style aliases --wallet.name and --wallet.hotkey', () => {
    const cfg = parse(['--wallet.name', 'miner', '--wallet.hotkey', 'h2', '--wallet.path', '/p']);
    expect(cfg.wallet).toEqual({ path: '/p', name: 'miner', hotkey: 'h2' });
  });

  it('takes several --endpoint values in order', () => {
    const cfg = parse(['--endpoint', 'ws://127.0.0.1:1', 'ws://127.0.0.1:2']);
    expect(cfg.network.endpoints).toEqual(['ws://127.0.0.1:1', 'ws://127.0.0.1:2']);
  });

  it("reads the file from --config or MINER_CONFIG; --network alone drops the file's explicit list", () => {
    const dir = mkdtempSync(join(scratch(), 'opt-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ network: { preset: 'local', endpoints: ['ws://127.0.0.1:9944'] }, netuid: 9 }));
    expect(parse(['--config', file]).netuid).toBe(9);
    expect(parse([], { MINER_CONFIG: file }).network.endpoints).toEqual(['ws://127.0.0.1:9944']);
    expect(parse(['-c', file, '--network', 'test']).network).toEqual({ preset: 'test', endpoints: [] });
  });

  it('flags beat the environment', () => {
    expect(parse(['--port', '9005'], { MINER_AXON_PORT: '9004' }).axon.port).toBe(9005);
  });

  it('names the flag in errors', () => {
    expect(() => parse(['--port', 'eighty'])).toThrow(/"axon.port" in command-line flag --port/);
    expect(() => parse(['--set', 'axon.prot=1'])).toThrow(/unknown key "axon.prot" in command-line flag --set axon.prot=1/);
    expect(() => parse(['--set', 'novalue'])).toThrow(ConfigError);
  });
});

describe('subnet-miner config check', () => {
  function run(args: string[]): { out: string; err: unknown } {
    const program = new Command().exitOverride();
    registerConfigCommand(program);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let err: unknown;
    try {
      program.parse(['node', 'cli', 'config', 'check', ...args]);
    } catch (e) {
      err = e;
    }
    const out = log.mock.calls.map((c) => String(c[0])).join('\n');
    log.mockRestore();
    return { out, err };
  }

  it('prints the effective config as JSON with URL credentials redacted', () => {
    const { out, err } = run(['--network', 'local', '--set', 'cache.redis.url=redis://u:hunter2@127.0.0.1:6379']);
    expect(err).toBeUndefined();
    const printed = JSON.parse(out) as MinerConfig;
    expect(printed.network.preset).toBe('local');
    expect(printed.axon.port).toBe(8091);
    expect(out).not.toContain('hunter2');
  });

  it('throws a ConfigError that reportFatal turns into exit code 78', () => {
    const { err } = run(['--set', 'axon.prot=1']);
    expect(err).toBeInstanceOf(ConfigError);
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(reportFatal(err)).toBe(78);
    expect(String(spy.mock.calls[0]?.[0])).toMatch(/^error \[CONFIG_INVALID\]: config: unknown key "axon.prot"/);
    spy.mockRestore();
  });
});
