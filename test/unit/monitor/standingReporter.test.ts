import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/util/index.js';
import { createMinerMetrics } from '../../../src/metrics/index.js';
import { StandingReporter } from '../../../src/monitor/index.js';
import { FakeMetagraph, captureLogger, neuron, snapshot } from './fixtures.js';

function setup() {
  const { logger, lines } = captureLogger();
  const clock = new ManualClock(1_700_000_010_000);
  const registry = new Registry();
  const metagraph = new FakeMetagraph();
  const reporter = new StandingReporter(
    { hotkey: 'hk2', cron: '0 */5 * * * *' },
    { logger, metrics: createMinerMetrics(registry).monitor, clock, signal: new AbortController().signal, metagraph },
  );
  return { lines, registry, metagraph, reporter, clock };
}

const others = [neuron(0, { validatorPermit: true, dividends: 1 }), neuron(1, { incentive: 0.4 }), neuron(3, { incentive: 0.2 })];
const me = (p: Parameters<typeof neuron>[1]) => neuron(2, { stake: 10, stakeRao: 10_000_000_000n, ...p });

describe('StandingReporter', () => {
  it('reports on the first sync and on every epoch boundary, with stable fields and deltas', async () => {
    const { lines, metagraph, reporter, registry } = setup();
    await reporter.start();
    // netuid 1, tempo 9: epochs run at blocks 8, 18, 28.
    metagraph.push(snapshot([...others, me({ incentive: 0.1, emissionRao: 1_000_000_000n })], { block: 5, tempo: 9 }));
    metagraph.push(snapshot([...others, me({ incentive: 0.1, emissionRao: 1_000_000_000n })], { block: 7, tempo: 9 }));
    metagraph.push(snapshot([...others, me({ incentive: 0.5, emissionRao: 4_000_000_000n, stake: 11 })], { block: 9, tempo: 9 }));
    metagraph.push(snapshot([...others, me({ incentive: 0.5, emissionRao: 4_000_000_000n })], { block: 12, tempo: 9 }));
    const reports = lines.filter((l) => l['msg'] === 'standing report');
    expect(reports.map((r) => r['reason'])).toEqual(['first-sync', 'epoch']);
    const [first, second] = reports;
    expect(first).toMatchObject({
      level: 'info',
      module: 'monitor',
      event: 'standing',
      hotkey: 'hk2',
      uid: 2,
      registered: true,
      incentive: 0.1,
      emissionPerEpochRao: '1000000000',
      emissionPerEpoch: 1,
      emissionUnit: 'alpha',
      epochsPerDay: 720,
      emissionPerDay: 720,
      stake: 10,
      dividends: 0,
      position: 3,
      minersCount: 3,
      positionText: '3 of 3',
      delta: null,
      block: 5,
      tempo: 9,
      metagraphAgeSeconds: 10,
      immunity: null,
    });
    expect(second).toMatchObject({ position: 1, positionText: '1 of 3', incentive: 0.5, emissionPerEpochRao: '4000000000' });
    expect(second?.['delta']).toEqual({ incentive: 0.4, dividends: 0, emissionPerEpochRao: 3_000_000_000, stake: 1, position: 2, blocks: 4 });
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/^miner_monitor_standing_incentive_ratio 0\.5$/m);
    expect(metrics).toMatch(/^miner_monitor_standing_emission_rao 4000000000$/m);
    expect(metrics).toMatch(/^miner_monitor_standing_position_number 1$/m);
    expect(metrics).toMatch(/^miner_monitor_standing_registered_bool 1$/m);
    await reporter.stop();
  });

  it('logs deregistration at error level on every sync that sees it', async () => {
    const { lines, metagraph, reporter, registry } = setup();
    await reporter.start();
    metagraph.push(snapshot([...others, me({ incentive: 0.3 })], { block: 100 }));
    metagraph.push(snapshot(others, { block: 101 }));
    metagraph.push(snapshot(others, { block: 102 }));
    reporter.reportNow();
    const errors = lines.filter((l) => l['level'] === 'error');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({
      msg: 'miner not registered on subnet',
      event: 'deregistered',
      registered: false,
      wasRegistered: true,
      lastUid: 2,
      hotkey: 'hk2',
      block: 101,
    });
    expect(await registry.metrics()).toMatch(/^miner_monitor_standing_registered_bool 0$/m);
    metagraph.push(snapshot([...others, me({ incentive: 0.3 })], { block: 103 }));
    expect(lines.filter((l) => l['level'] === 'error')).toHaveLength(3);
    expect(reporter.current()?.registered).toBe(true);
    await reporter.stop();
  });

  it('reports on the schedule from the current snapshot, and says when there is none', async () => {
    const { lines, metagraph, reporter } = setup();
    expect(reporter.reportNow()).toBeUndefined();
    expect(lines.at(-1)?.['msg']).toBe('standing unknown: no metagraph snapshot yet');
    metagraph.push(snapshot([...others, me({ incentive: 0.3 })], { block: 100 }));
    expect(reporter.reportNow()?.position).toBe(2);
    expect(lines.at(-1)).toMatchObject({ msg: 'standing report', reason: 'schedule' });
  });

  it('refuses a bad cron expression naming the key', () => {
    const { logger } = captureLogger();
    expect(
      () =>
        new StandingReporter(
          { hotkey: 'x', cron: 'every minute' },
          {
            logger,
            metrics: null,
            clock: new ManualClock(),
            signal: new AbortController().signal,
            metagraph: new FakeMetagraph(),
          },
        ),
    ).toThrow(/monitor\.standingCron/);
  });
});
