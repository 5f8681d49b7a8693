import { getTasks } from 'node-cron';
import { describe, expect, it } from 'vitest';
import { CronJob, assertCron } from '../../../src/monitor/index.js';
import { captureLogger } from './fixtures.js';

describe('CronJob', () => {
  // Cron strings stay with node-cron (calendar semantics); the test drives the registered task
  // itself instead of waiting for the wall clock.
  it('registers one task on its schedule, survives a throwing run, and leaves no task behind after stop', async () => {
    const { logger, lines } = captureLogger();
    let runs = 0;
    const job = new CronJob(
      '* * * * * *',
      'test-job',
      () => {
        runs++;
        throw new Error('boom');
      },
      logger,
    );
    const before = new Set(getTasks().values());
    job.start();
    job.start();
    const added = [...getTasks().values()].filter((t) => !before.has(t));
    expect(added).toHaveLength(1);
    const task = added[0]!;
    const next = task.getNextRun();
    expect(next).not.toBeNull();
    expect(next!.getTime() - Date.now()).toBeLessThanOrEqual(1_000);
    await task.execute().catch(() => undefined);
    await task.execute().catch(() => undefined);
    expect(runs).toBe(2);
    expect(lines.filter((l) => l['msg'] === 'scheduled job failed').length).toBe(2);
    await job.stop();
    await job.stop();
    expect(getTasks().size).toBe(before.size);
    expect([...getTasks().values()]).not.toContain(task);
  });

  it('validates expressions', () => {
    expect(() => assertCron('*/30 * * * * *', 'k')).not.toThrow();
    expect(() => assertCron('61 * * * * *', 'monitor.healthCron')).toThrow(/monitor\.healthCron/);
  });
});
