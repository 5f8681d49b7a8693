import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.js';
import { createMonitor, type HealthReport, type Monitor } from '../../src/monitor/index.js';
import { createMetricsRegistry, createMinerMetrics } from '../../src/metrics/index.js';
import { silentLogger, systemClock } from '../../src/util/index.js';
import { FakeMetagraph, neuron, snapshot } from '../unit/monitor/fixtures.js';

/** Metric names and /health fields as docs/operations.md documents them: the two must agree. */
const DOC = readFileSync(resolve(import.meta.dirname, '../../docs/operations.md'), 'utf8');
function between(start: string, end: string): string {
  const a = DOC.indexOf(start);
  const b = DOC.indexOf(end, a);
  if (a < 0 || b < 0) throw new Error(`docs/operations.md lacks the section ${start}`);
  return DOC.slice(a, b);
}
const DOCUMENTED_METRICS = [
  ...[...between('Monitor (this subsystem):', 'GPU gauges have no samples').matchAll(/^\| `([a-z_]+)`/gm)].map((m) => m[1]!),
  ...[...between("Node's default metrics", 'Monitor (this subsystem):').matchAll(/`((?:process|nodejs)_[a-z0-9_]+)`/g)].map((m) => m[1]!),
];
const DOCUMENTED_HEALTH_FIELDS = [...between('## Health', '## Monitor configuration').matchAll(/^\| `([A-Za-z]+)`/gm)].map((m) => m[1]!);

describe('admin server (real sockets, ephemeral port)', () => {
  let monitor: Monitor;
  let base: string;
  let health: HealthReport;
  const metagraph = new FakeMetagraph();

  beforeAll(async () => {
    const cfg = configSchema.parse({ monitor: { admin: { port: 0 }, thresholds: { diskPercent: 0.001 } } }).monitor;
    const registry = createMetricsRegistry();
    const modules = {
      logger: silentLogger(),
      registry,
      metrics: createMinerMetrics(registry).monitor,
      clock: systemClock(),
      signal: new AbortController().signal,
    };
    health = {
      chainConnected: true,
      lastBlockAgeSeconds: 3.4,
      bestBlock: 1234,
      registered: true,
      uid: 2,
      modelsLoaded: ['ocr-det', 'ocr-rec'],
      queueDepth: 3,
      serving: true,
      metagraphAgeSeconds: 12,
      device: 'cpu',
    };
    monitor = createMonitor(cfg, { hotkey: 'hk2', metagraph, health: () => health, version: '0.1.0' }, modules);
    metagraph.push(snapshot([neuron(1, { incentive: 0.2 }), neuron(2, { incentive: 0.7, emissionRao: 5n })], { block: 1234, syncedAtMs: Date.now() }));
    for (const s of monitor.services) await s.start();
    monitor.stats.observe({ synapse: 'Dummy', status: 200, durationMs: 3, transport: 'ws', cache: 'hit' });
    await monitor.serving.reportNow();
    await monitor.hardware.sample();
    const a = monitor.admin!.address()!;
    expect(a.address).toBe('127.0.0.1');
    expect(a.port).toBeGreaterThan(0);
    base = `http://127.0.0.1:${a.port}`;
  });

  afterAll(async () => {
    for (const s of [...monitor.services].reverse()) await s.stop();
  });

  it('GET /metrics serves Prometheus text with the documented names', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const names = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    expect(DOCUMENTED_METRICS.length).toBeGreaterThan(25);
    const missing = DOCUMENTED_METRICS.filter((n) => !names.has(n));
    // GPU gauges have no series on a host without a GPU, but their TYPE lines are there.
    expect(missing).toEqual([]);
    expect(text).toMatch(/^miner_monitor_standing_position_number 1$/m);
  });

  it('GET /health has the documented fields and is 200 while serving', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(DOCUMENTED_HEALTH_FIELDS.length).toBe(14);
    for (const f of DOCUMENTED_HEALTH_FIELDS) expect(body, f).toHaveProperty(f);
    expect(body).toMatchObject({
      status: 'ok',
      reasons: [],
      serving: true,
      chainConnected: true,
      lastBlockAgeSeconds: 3.4,
      registered: true,
      uid: 2,
      modelsLoaded: true,
      models: ['ocr-det', 'ocr-rec'],
      queueDepth: 3,
      metagraphAgeSeconds: 12,
      version: '0.1.0',
      device: 'cpu',
    });
    // The disk threshold was set below the real usage: the hardware monitor's alarm shows here without extra wiring.
    expect(body['alarms']).toEqual(['disk']);
  });

  it('GET /health is 503 when not serving', async () => {
    health = { ...health, serving: false, chainConnected: false, lastBlockAgeSeconds: null };
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable', serving: false, chainConnected: false, lastBlockAgeSeconds: null });
    health = { ...health, serving: true, chainConnected: true };
  });

  it('answers 404 elsewhere, 405 for other methods, and stays up after junk', async () => {
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${base}/health`, { method: 'POST', body: 'x'.repeat(100_000) })).status).toBe(405);
    expect((await fetch(`${base}/health?x=1`)).status).toBe(200);
  });

  it('answers 500 with an error id when the health provider throws', async () => {
    const saved = health;
    health = undefined as unknown as HealthReport;
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { message: string }).message).toMatch(/^Internal Server Error #[0-9a-f]{8}$/);
    health = saved;
  });

  it('scripts/monitor.sh prints health and standing from the live listener', async () => {
    // Asynchronously: the listener lives in this process and must keep answering meanwhile.
    // No subnet-miner unit on a test host: monitor.sh says so with exit 3 (0 where there is no systemctl to ask).
    const r = await promisify(execFile)(
      'bash',
      [resolve(import.meta.dirname, '../../scripts/monitor.sh'), '--admin', base, '--since', '-1min', '--errors', '2'],
      { encoding: 'utf8', timeout: 60_000 },
    ).then(
      (ok) => ({ ...ok, code: 0 }),
      (err: { stdout: string; stderr: string; code: number }) => ({ stdout: err.stdout, stderr: err.stderr, code: err.code }),
    );
    expect([0, 3]).toContain(r.code);
    expect(r.stdout).toContain(`exit ${r.code}`);
    expect(r.stdout).toMatch(/== health/);
    expect(r.stdout).toMatch(/chainConnected\s+true/);
    expect(r.stdout).toMatch(/queueDepth\s+3/);
    expect(r.stdout).toMatch(/miner_monitor_standing_position_number 1/);
    expect(r.stdout).toMatch(/== disk/);
    expect(r.stdout).toMatch(/== last 2 errors/);
  });

  it('start and stop are idempotent, and the port is released', async () => {
    const admin = monitor.admin!;
    await admin.start();
    const port = admin.address()!.port;
    await admin.stop();
    await admin.stop();
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    await admin.start();
    base = `http://127.0.0.1:${admin.address()!.port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
