import { describe, expect, it } from 'vitest';
import { announceWarnings, configSchema, isLocalNetwork } from '../../../src/config/index.js';

const cfg = (over: Record<string, unknown>) => configSchema.parse(over);

describe('announceWarnings', () => {
  it('warns on a real network when nothing will be announced', () => {
    const w = announceWarnings(cfg({ network: { preset: 'finney' } }));
    expect(w.map((x) => x.warning)).toEqual(['nothing_announced']);
    expect(w[0]!.fix).toContain('axon.externalIp');
  });

  it('is quiet on a local devnet and when an address is announced', () => {
    expect(isLocalNetwork(cfg({ network: { endpoints: ['ws://127.0.0.1:9944'] } }))).toBe(true);
    expect(announceWarnings(cfg({ network: { preset: 'local' } }))).toEqual([]);
    expect(announceWarnings(cfg({ network: { preset: 'finney' }, axon: { externalIp: '203.0.113.7' } }))).toEqual([]);
  });

  it('warns when announcing is off or the address is loopback', () => {
    expect(announceWarnings(cfg({ network: { preset: 'test' }, axon: { externalIp: '203.0.113.7' }, chain: { announceAxon: false } }))[0]?.warning).toBe(
      'nothing_announced',
    );
    expect(announceWarnings(cfg({ network: { endpoints: ['wss://node.example:443'] }, axon: { externalIp: '127.0.0.1' } }))[0]?.warning).toBe(
      'announce_loopback',
    );
  });
});
