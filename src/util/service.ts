import type { Logger } from 'pino';

/** Every long-lived component: start() and stop() are idempotent. */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts services in order and stops them in reverse. A failed start stops what already
 * started, so a half-started daemon never lingers.
 */
export class ServiceGroup implements Service {
  readonly name = 'group';
  private readonly started: Service[] = [];
  private readonly services: Service[] = [];

  constructor(private readonly logger: Logger) {}

  add(service: Service): void {
    this.services.push(service);
  }

  async start(): Promise<void> {
    for (const s of this.services) {
      if (this.started.includes(s)) continue;
      const t0 = performance.now();
      try {
        await s.start();
      } catch (err) {
        this.logger.error({ service: s.name, err }, 'service start failed');
        await this.stop();
        throw err;
      }
      this.started.push(s);
      this.logger.debug({ service: s.name, ms: Math.round(performance.now() - t0) }, 'service started');
    }
  }

  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const s = this.started.pop()!;
      try {
        await s.stop();
        this.logger.debug({ service: s.name }, 'service stopped');
      } catch (err) {
        this.logger.error({ service: s.name, err }, 'service stop failed');
      }
    }
  }
}
