import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, createMinerMetrics } from '../../../src/metrics/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
// src/metrics builds the series; it is nobody's subsystem.
const SUBSYSTEMS = readdirSync(join(ROOT, 'src')).filter((f) => f !== 'metrics' && statSync(join(ROOT, 'src', f)).isDirectory());
/** The units a name may end in; a new unit is a deliberate change to this list. */
const UNITS = [
  'seconds',
  'bytes',
  'total',
  'ratio',
  'count',
  'items',
  'elements',
  'batches',
  'celsius',
  'watts',
  'info',
  'bool',
  'number',
  'rao',
  'tao',
  'per_second',
];
const NAME = new RegExp(`^miner_(${SUBSYSTEMS.join('|')})_[a-z0-9_]+_(${UNITS.join('|')})$`);

async function exported(): Promise<Array<{ name: string; type: string }>> {
  const registry = new Registry();
  createMinerMetrics(registry);
  return (await registry.getMetricsAsJSON()).map((m) => ({ name: m.name, type: String(m.type) }));
}

describe('miner metric names', () => {
  it('follow miner_<subsystem>_<noun>_<unit> with a subsystem that is a folder under src', async () => {
    const metrics = await exported();
    expect(metrics.length).toBeGreaterThan(40);
    const bad = metrics.filter((m) => !NAME.test(m.name)).map((m) => m.name);
    expect(bad).toEqual([]);
  });

  it('end in _total exactly when they are counters, and no histogram ends in a suffix Prometheus adds', async () => {
    for (const m of await exported()) {
      expect(m.name.endsWith('_total'), m.name).toBe(m.type === 'counter');
      if (m.type === 'histogram') expect(m.name, m.name).not.toMatch(/_(count|sum|bucket)$/);
    }
  });

  it('are all listed in docs/operations.md', async () => {
    const docs = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    const missing = (await exported()).map((m) => m.name).filter((n) => !docs.includes(`\`${n}\``) && !docs.includes(`\`${n}{`));
    expect(missing).toEqual([]);
  });

  it('cover every series the Grafana dashboard queries', async () => {
    const dash = JSON.parse(readFileSync(join(ROOT, 'dashboards/grafana-subnet-miner.json'), 'utf8')) as {
      panels: Array<{ targets?: Array<{ expr: string }> }>;
    };
    const names = new Set([...(await exported()).map((m) => m.name), ...(await createMetricsRegistry().getMetricsAsJSON()).map((m) => m.name)]);
    const exprs = dash.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:miner|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!)));
    const unknown = [...used].filter((n) => !names.has(n) && !names.has(n.replace(/_(bucket|sum|count)$/, '')));
    expect(unknown).toEqual([]);
  });
});
