import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';

/** What every constructor receives besides its options: no module reaches for globals. */
export interface CoreModules {
  logger: Logger;
  registry: Registry;
  clock: Clock;
  signal: AbortSignal;
}
