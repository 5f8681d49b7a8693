import { flushLogger, specFor, toMinerError, type Logger } from '../util/index.js';

/** The part of `process` the handlers use, so a test can stand in for it. */
export interface BugTarget {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (err: unknown) => void): void;
  exit(code: number): void;
}

/**
 * Request failures are answered inside their own request; what reaches these handlers is a
 * bug. A rejection nobody handled is logged and the miner keeps serving; an uncaught
 * exception may have left state half-changed, so it is logged at fatal with an error id and
 * the process exits EX_SOFTWARE for systemd to restart it, never silently.
 */
export function installBugHandlers(logger: Logger, target: BugTarget): void {
  target.on('unhandledRejection', (reason) => {
    const e = toMinerError(reason);
    logger.error({ errorId: e.errorId, err: reason }, 'unhandled promise rejection (a bug)');
  });
  target.on('uncaughtException', (err) => {
    const e = toMinerError(err);
    const exitCode = specFor('INTERNAL').exitCode;
    logger.fatal({ code: 'INTERNAL', errorId: e.errorId, exitCode, err }, 'uncaught exception (a bug), exiting');
    void flushLogger(logger, 1_000).finally(() => target.exit(exitCode));
  });
}
