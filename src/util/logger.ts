import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOpts {
  level: string;
  /** Human-readable output through pino-pretty (for terminals, not for journald). */
  pretty?: boolean;
  destination?: DestinationStream;
}

/** Paths that may hold key material anywhere in a log object. */
export const REDACT_PATHS = [
  'secretPhrase',
  'secretSeed',
  'privateKey',
  'password',
  'mnemonic',
  'seed',
  '*.secretPhrase',
  '*.secretSeed',
  '*.privateKey',
  '*.password',
  '*.mnemonic',
  '*.seed',
  'wallet.password',
  'redis.password',
  'cache.redis.password',
];

/** The one root logger of a process; subsystems take `root.child({ module })`. */
export function createRootLogger(opts: LoggerOpts): Logger {
  const base = {
    level: opts.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (opts.destination) return pino(base, opts.destination);
  if (opts.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: process.stdout.isTTY === true, translateTime: 'SYS:standard' } } });
  }
  return pino(base, pino.destination({ dest: 1, sync: false }));
}

/** A logger that drops everything; for tests and one-shot commands. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Writes out whatever the logger still buffers (async destination or pino-pretty transport);
 * call it last on shutdown, before the process exits. Resolves within `timeoutMs` whatever happens.
 */
export function flushLogger(logger: Logger, timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    try {
      logger.flush(() => done());
    } catch {
      done();
    }
  });
}
