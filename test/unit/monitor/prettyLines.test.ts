import { describe, expect, it } from 'vitest';
import { prettyDestination, reportSummary } from '../../../src/monitor/index.js';

const serving = {
  level: 'info',
  time: '2026-01-01T00:00:00.000Z',
  pid: 1,
  module: 'serving',
  msg: 'serving report',
  event: 'serving',
  windowSeconds: 60,
  requests: 600,
  requestsPerSecond: 10,
  errorRatio: 0.005,
  byStatus: { '200': 597, '503': 3 },
  latencyMs: { p50: 4.2, p95: 12.5, p99: 40 },
  cache: { hit: 10, miss: 30, hitRate: 0.25 },
  queueDepth: 2,
  synapses: { Dummy: { requests: 600 } },
  transports: { http: 300, ws: 300 },
  batches: null,
};

function capture(details: boolean): string[] {
  const out: string[] = [];
  const d = prettyDestination({ details, colorize: false, write: (s) => out.push(s) });
  d.write(`${JSON.stringify(serving)}\n`);
  d.write(`${JSON.stringify({ level: 'info', time: serving.time, pid: 1, module: 'node', msg: 'miner serving', port: 8091 })}\n`);
  return out;
}

describe('--pretty output', () => {
  it('summarises a serving report on one line', () => {
    expect(reportSummary(serving)).toBe('600 req in 60s (10/s) p50/p95/p99=4.2/12.5/40ms errors=0.5% status=200:597,503:3 cache hit=25% queue=2');
    const [report, other] = capture(false);
    expect(report!.trim().split('\n')).toHaveLength(1);
    expect(report).toContain('serving report: 600 req in 60s');
    expect(other).toContain('miner serving');
    expect(other).toContain('port');
  });

  it('shows the report details when asked (debug level)', () => {
    const [report] = capture(true);
    expect(report!.split('\n').length).toBeGreaterThan(3);
    expect(report).toContain('byStatus');
  });

  it('leaves messages it does not know alone', () => {
    expect(reportSummary({ msg: 'something else' })).toBeUndefined();
  });
});
