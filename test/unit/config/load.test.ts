import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useScratchDir } from '../../helpers/scratchDir.js';
import { configSchema, loadConfig, listLeaves, envNameFor } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/util/errors.js';

const scratch = useScratchDir('miner-config-test-');

function configFile(content: unknown, name = 'devnet.config.json'): string {
  const dir = mkdtempSync(join(scratch(), 'cfg-'));
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig precedence', () => {
  it('uses schema defaults with no sources', () => {
    const cfg = loadConfig({ env: { HOME: '/home/op' } });
    expect(cfg.axon.port).toBe(8091);
    expect(cfg.network.preset).toBe('finney');
    expect(cfg.wallet).toEqual({ path: '/home/op/.bittensor/wallets', name: 'default', hotkey: 'default' });
  });

  it('applies defaults <- file <- env <- flags, key by key', () => {
    const file = configFile({ netuid: 7, axon: { port: 9001, concurrency: 8 }, log: { level: 'debug' } });
    const cfg = loadConfig({
      configFile: file,
      env: { MINER_AXON_PORT: '9002', MINER_LOG_LEVEL: 'warn' },
      flags: { 'axon.port': '9003' },
    });
    expect(cfg.netuid).toBe(7); // file only
    expect(cfg.axon.concurrency).toBe(8); // file only
    expect(cfg.log.level).toBe('warn'); // env beats file
    expect(cfg.axon.port).toBe(9003); // flag beats env and file
    expect(cfg.axon.maxConnections).toBe(2000); // default kept beside file values
  });

  it('accepts nested flag objects as well as dotted paths', () => {
    const cfg = loadConfig({ flags: { axon: { blacklist: { minStake: 5 } }, 'wallet.name': 'miner' } });
    expect(cfg.axon.blacklist.minStake).toBe(5);
    expect(cfg.axon.blacklist.requireValidatorPermit).toBe(true);
    expect(cfg.wallet.name).toBe('miner');
  });

  it('BT_WALLET_PATH replaces only the default wallet path, and ~ expands', () => {
    expect(loadConfig({ env: { BT_WALLET_PATH: '/srv/w' } }).wallet.path).toBe('/srv/w');
    const file = configFile({ wallet: { path: '~/mine' } });
    expect(loadConfig({ configFile: file, env: { BT_WALLET_PATH: '/srv/w', HOME: '/h' } }).wallet.path).toBe('/h/mine');
    expect(loadConfig({ env: { BT_WALLET_PATH: '/srv/w', MINER_WALLET_PATH: 'rel/w' } }).wallet.path).toBe('rel/w');
  });

  it('keeps relative paths as written (they resolve from the working directory)', () => {
    const file = configFile({ wallet: { path: '.devnet/wallets' }, cache: { disk: { dir: 'x/cache' } } });
    const cfg = loadConfig({ configFile: file });
    expect(cfg.wallet.path).toBe('.devnet/wallets');
    expect(cfg.cache.disk.dir).toBe('x/cache');
  });
});

describe('environment coercion', () => {
  it('derives names from the schema and coerces by leaf type', () => {
    const cfg = loadConfig({
      env: {
        MINER_AXON_MAX_PAYLOAD_BYTES: '2048',
        MINER_NETWORK_ENDPOINTS: 'ws://a:1, ws://b:2',
        MINER_LOG_PRETTY: 'true',
        MINER_CHAIN_ANNOUNCE_AXON: '0',
        MINER_INFERENCE_OCR_REC_WIDTH_BUCKETS: '100,200',
        MINER_AXON_BLACKLIST_ALLOW_HOTKEYS: '["5Abc"]',
        MINER_AXON_EXTERNAL_IP: '10.0.0.1',
        MINER_NETUID: '3',
        MINER_MONITOR_THRESHOLDS_P95_LATENCY_MS: '500',
      },
    });
    expect(cfg.axon.maxPayloadBytes).toBe(2048);
    expect(cfg.network.endpoints).toEqual(['ws://a:1', 'ws://b:2']);
    expect(cfg.log.pretty).toBe(true);
    expect(cfg.chain.announceAxon).toBe(false);
    expect(cfg.inference.ocr.recWidthBuckets).toEqual([100, 200]);
    expect(cfg.axon.blacklist.allowHotkeys).toEqual(['5Abc']);
    expect(cfg.axon.externalIp).toBe('10.0.0.1');
    expect(cfg.netuid).toBe(3);
    expect(cfg.monitor.thresholds.p95LatencyMs).toBe(500);
  });

  it('sets a record leaf as JSON', () => {
    const cfg = loadConfig({ env: { MINER_CACHE_SYNAPSES: '{"Dummy":{"policy":"off"}}' } });
    expect(cfg.cache.synapses['Dummy']?.policy).toBe('off');
  });

  it('ignores MINER_* secrets and switches that are not config, and empty values', () => {
    const cfg = loadConfig({
      env: { MINER_COLDKEY_PASSWORD: 'x', MINER_REDIS_PASSWORD: 'y', MINER_DEBUG: '1', MINER_CONFIG: 'f', MINER_AXON_PORT: '' },
    });
    expect(cfg.axon.port).toBe(8091);
  });

  it('maps every leaf to a distinct MINER_ name', () => {
    const leaves = listLeaves(configSchema);
    expect(new Set(leaves.map((l) => l.envName)).size).toBe(leaves.length);
    expect(envNameFor(['axon', 'maxPayloadBytes'])).toBe('MINER_AXON_MAX_PAYLOAD_BYTES');
    expect(envNameFor(['network', 'endpoints'])).toBe('MINER_NETWORK_ENDPOINTS');
  });
});

describe('errors name the key, the source and the fix', () => {
  it('unknown key in the file', () => {
    const file = configFile({ axon: { prot: 1 } });
    const err = configErrorOf(() => loadConfig({ configFile: file }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('unknown key "axon.prot"');
    expect(err.message).toContain('devnet.config.json');
    expect(err.message).toContain('axon.port'); // the suggestion
  });

  it('unknown top-level key in the file', () => {
    const err = configErrorOf(() => loadConfig({ configFile: configFile({ netuidd: 1 }) }));
    expect(err.message).toContain('unknown key "netuidd"');
  });

  it('unknown key inside a record value in the file', () => {
    const err = configErrorOf(() => loadConfig({ configFile: configFile({ cache: { synapses: { Dummy: { polcy: 'off' } } } }) }));
    expect(err.message).toContain('unknown key "cache.synapses.Dummy.polcy"');
  });

  it('unknown MINER_ variable in the environment', () => {
    const err = configErrorOf(() => loadConfig({ env: { MINER_AXON_PROT: '1' } }));
    expect(err.message).toContain('MINER_AXON_PROT');
    expect(err.message).toContain('environment');
    expect(err.message).toContain('MINER_AXON_PORT');
  });

  it('unknown flag path', () => {
    const err = configErrorOf(() => loadConfig({ flags: { 'axon.prot': '1' }, flagSources: { 'axon.prot': '--set axon.prot=1' } }));
    expect(err.message).toContain('unknown key "axon.prot"');
    expect(err.message).toContain('--set axon.prot=1');
  });

  it('bad value from the file, the env and a flag, each naming its source', () => {
    const file = configFile({ axon: { port: 70000 } });
    expect(configErrorOf(() => loadConfig({ configFile: file })).message).toMatch(/"axon.port" in .*devnet\.config\.json/);
    expect(configErrorOf(() => loadConfig({ env: { MINER_AXON_PORT: 'abc' } })).message).toContain('"axon.port" in environment variable MINER_AXON_PORT');
    expect(configErrorOf(() => loadConfig({ env: { MINER_AXON_PORT: '0' } })).message).toContain('"axon.port" in environment variable MINER_AXON_PORT');
    expect(configErrorOf(() => loadConfig({ flags: { 'log.level': 'loud' }, flagSources: { 'log.level': '--log-level' } })).message).toContain(
      '"log.level" in command-line flag --log-level',
    );
    expect(configErrorOf(() => loadConfig({ env: { MINER_LOG_PRETTY: 'maybe' } })).message).toContain('true or false');
  });

  it('a value overridden by a higher layer is blamed on that layer', () => {
    const file = configFile({ netuid: 1 });
    const err = configErrorOf(() => loadConfig({ configFile: file, env: { MINER_NETUID: '-1' } }));
    expect(err.message).toContain('MINER_NETUID');
  });

  it('missing file and bad JSON', () => {
    expect(configErrorOf(() => loadConfig({ configFile: '/nonexistent/x.json' })).message).toContain('/nonexistent/x.json');
    expect(configErrorOf(() => loadConfig({ configFile: configFile('{ nope') })).message).toContain('not valid JSON');
    expect(configErrorOf(() => loadConfig({ configFile: configFile('[1]') })).message).toContain('JSON object');
  });

  it('bad wallet name with a path separator', () => {
    expect(configErrorOf(() => loadConfig({ flags: { 'wallet.name': '../x' } })).message).toContain('wallet.name');
  });
});

describe('non-config MINER_ variables', () => {
  it('ignores test prefixes and secret suffixes but not a misspelt config name', () => {
    expect(() => loadConfig({ env: { MINER_TEST_FOO: 'x', MINER_E2E_BAR: 'y', MINER_SOMETHING_TOKEN: 'z' } })).not.toThrow();
    expect(() => loadConfig({ env: { MINER_NETUDI: '' } })).toThrow(/MINER_NETUDI.*MINER_NETUID/);
  });
});

describe('maps keep their default entries', () => {
  it('setting one synapse policy keeps the other default entries', () => {
    const cfg = loadConfig({ flags: { 'cache.synapses.Dummy.policy': 'off' } });
    expect(cfg.cache.synapses['Dummy']?.policy).toBe('off');
    expect(cfg.cache.synapses['OCRSynapse']?.policy).toBe('shared');
    const file = configFile({ cache: { synapses: { Custom: { policy: 'per-validator' } } } });
    const fromFile = loadConfig({ configFile: file });
    expect(Object.keys(fromFile.cache.synapses).sort()).toEqual(['Custom', 'Dummy', 'OCRSynapse']);
  });
});
