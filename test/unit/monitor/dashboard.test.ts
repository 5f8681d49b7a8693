import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../src/monitor/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Panel { id: number; type: string; targets?: Array<{ expr: string }>; gridPos: { x: number; y: number; w: number; h: number } }

describe('grafana dashboard', () => {
  const dash = JSON.parse(readFileSync(join(ROOT, 'dashboards/grafana-subnet-miner.json'), 'utf8')) as { panels: Panel[]; uid: string; title: string };

  it('is a well-formed dashboard with unique panel ids', () => {
    expect(dash.uid).toBe('subnet-miner');
    const ids = dash.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dash.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
  });

  it('queries only metrics some subsystem registers (no drift between code and dashboard)', async () => {
    const source = tsFiles(join(ROOT, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const defaults = new Set((await createMetricsRegistry().getMetricsAsJSON()).map((m) => m.name));
    const exprs = dash.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:miner|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!)));
    const unknown = [...used].filter((name) => {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return !defaults.has(name) && !defaults.has(base) && !source.includes(`'${name}'`) && !source.includes(`'${base}'`);
    });
    expect(unknown).toEqual([]);
    // Covers what the issue asks for: requests by status, latency quantiles, queue, batches, cache, standing, hardware, chain.
    for (const needed of ['miner_axon_requests_total', 'miner_axon_request_duration_seconds_bucket', 'miner_axon_queue_depth',
      'miner_inference_batch_size_bucket', 'miner_cache_requests_total', 'miner_standing_incentive_ratio', 'miner_standing_position',
      'miner_monitor_gpu_temperature_celsius', 'miner_chain_block_age_seconds', 'miner_metagraph_age_seconds']) {
      expect(used, needed).toContain(needed);
    }
  });
});
