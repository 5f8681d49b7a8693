import { createTask, validate, type ScheduledTask, type Logger as CronLogger } from 'node-cron';
import { ConfigError, type Logger } from '../util/index.js';

/** Throws a ConfigError naming the key when a node-cron expression does not parse. */
export function assertCron(expr: string, key: string): void {
  if (!validate(expr)) throw new ConfigError(`${key}: invalid cron expression "${expr}" (node-cron, seconds field first)`, { key });
}

function cronLogger(log: Logger): CronLogger {
  return {
    info: (m) => log.debug({ cron: m }, 'cron'),
    warn: (m) => log.warn({ cron: m }, 'cron warning'),
    error: (m, err) => log.warn({ cron: String(m), err: err?.message }, 'cron error'),
    debug: (m) => log.debug({ cron: String(m) }, 'cron'),
  };
}

/**
 * One node-cron schedule owned by a service: created on start(), destroyed on stop(), so no
 * task outlives its service in node-cron's process-wide registry. Runs never overlap, and a
 * failing run is logged, never thrown into the scheduler.
 */
export class CronJob {
  private task: ScheduledTask | undefined;

  constructor(
    private readonly expr: string,
    private readonly name: string,
    private readonly run: () => Promise<void> | void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.task) return;
    this.task = createTask(this.expr, () => this.safeRun(), {
      name: this.name,
      noOverlap: true,
      unref: true,
      suppressMissedWarning: true,
      logger: cronLogger(this.logger),
    });
    void this.task.start();
  }

  async stop(): Promise<void> {
    const t = this.task;
    this.task = undefined;
    if (t) await t.destroy();
  }

  private async safeRun(): Promise<void> {
    try {
      await this.run();
    } catch (err) {
      this.logger.error({ job: this.name, err }, 'scheduled job failed');
    }
  }
}
