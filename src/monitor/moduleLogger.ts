import type { Logger } from '../util/index.js';

/** The logger with module "monitor", unless the wiring already gave it a module of its own. */
export function moduleLogger(logger: Logger): Logger {
  return typeof logger.bindings()['module'] === 'string' ? logger : logger.child({ module: 'monitor' });
}
