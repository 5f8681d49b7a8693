import type { Logger } from 'pino';
import type { Clock } from './clock.js';

/**
 * What every constructor receives besides its options: no module reaches for globals. Metrics
 * are not here: each subsystem's modules name its own part of `MinerMetrics` (or null).
 */
export interface CoreModules {
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
}
