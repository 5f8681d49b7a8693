import { getTasks } from 'node-cron';
import { describe, expect, it } from 'vitest';
import { CronJob, assertCron } from '../../../src/monitor/index.js';
import { captureLogger } from './fixtures.js';

describe('CronJob', () => {
  it('runs on its schedule, survives a throwing run, and leaves no task behind after stop', async () => {
    const { logger, lines } = captureLogger();
    let runs = 0;
    const job = new CronJob('* * * * * *', 'test-job', () => {
      runs++;
      throw new Error('boom');
    }, logger);
    const before = getTasks().size;
    job.start();
    job.start();
    expect(getTasks().size).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 2_300));
    await job.stop();
    await job.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(lines.filter((l) => l['msg'] === 'scheduled job failed').length).toBe(runs);
    expect(getTasks().size).toBe(before);
    const after = runs;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(runs).toBe(after);
  });

  it('validates expressions', () => {
    expect(() => assertCron('*/30 * * * * *', 'k')).not.toThrow();
    expect(() => assertCron('61 * * * * *', 'monitor.healthCron')).toThrow(/monitor\.healthCron/);
  });
});
