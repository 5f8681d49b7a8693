import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

interface Panel {
  id: number;
  type: string;
  targets?: Array<{ expr: string }>;
  gridPos: { x: number; y: number; w: number; h: number };
}

describe('grafana dashboard', () => {
  const dash = JSON.parse(readFileSync(join(ROOT, 'dashboards/grafana-subnet-miner.json'), 'utf8')) as { panels: Panel[]; uid: string; title: string };

  it('is a well-formed dashboard with unique panel ids', () => {
    expect(dash.uid).toBe('subnet-miner');
    const ids = dash.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dash.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
  });

  // That every queried series is exported is checked in test/unit/metrics/metricNames.test.ts.
  it('covers requests by status, latency quantiles, queue, batches, cache, standing, hardware and chain', () => {
    const exprs = dash.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:miner|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!)));
    for (const needed of [
      'miner_axon_requests_total',
      'miner_axon_request_duration_seconds_bucket',
      'miner_synapse_queue_depth_items',
      'miner_inference_batch_size_items_bucket',
      'miner_cache_requests_total',
      'miner_monitor_standing_incentive_ratio',
      'miner_monitor_standing_position_number',
      'miner_monitor_gpu_temperature_celsius',
      'miner_chain_block_age_seconds',
      'miner_chain_metagraph_age_seconds',
    ]) {
      expect(used, needed).toContain(needed);
    }
  });
});
