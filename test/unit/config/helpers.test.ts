import { describe, expect, it } from 'vitest';
import { loadConfig, redactConfig, redactUrl, resolveEndpoints } from '../../../src/config/index.js';

describe('resolveEndpoints', () => {
  it('uses the preset when no list is given', () => {
    expect(resolveEndpoints(loadConfig({ flags: { 'network.preset': 'local' } }))).toEqual(['ws://127.0.0.1:9944']);
    expect(resolveEndpoints(loadConfig({}))).toEqual(['wss://entrypoint-finney.opentensor.ai:443']);
    expect(resolveEndpoints(loadConfig({ flags: { 'network.preset': 'test' } }))).toEqual(['wss://test.finney.opentensor.ai:443']);
  });

  it('an explicit list wins over the preset', () => {
    const cfg = loadConfig({ flags: { 'network.preset': 'finney', 'network.endpoints': ['ws://127.0.0.1:1', 'ws://127.0.0.1:2'] } });
    expect(resolveEndpoints(cfg)).toEqual(['ws://127.0.0.1:1', 'ws://127.0.0.1:2']);
  });
});

describe('redactConfig', () => {
  it('removes URL passwords and keeps the rest', () => {
    expect(redactUrl('redis://user:s3cret@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(redactUrl('redis://:s3cret@host:6379')).toBe('redis://:***@host:6379');
    expect(redactUrl('redis://tokenonly@host')).toBe('redis://***@host');
    expect(redactUrl('ws://127.0.0.1:9944')).toBe('ws://127.0.0.1:9944');
    const cfg = loadConfig({ flags: { 'cache.redis.url': 'redis://user:s3cret@host:6379', 'network.endpoints': ['wss://u:p4ss@node:443'] } });
    const out = JSON.stringify(redactConfig(cfg));
    expect(out).not.toContain('s3cret');
    expect(out).not.toContain('p4ss');
    expect(out).toContain('redis://user:***@host:6379');
    expect(cfg.cache.redis.url).toBe('redis://user:s3cret@host:6379'); // the original is untouched
  });
});
