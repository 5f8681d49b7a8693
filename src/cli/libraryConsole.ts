import { format } from 'node:util';
import { createRootLogger, silentLogger, type Logger } from '../util/index.js';

type ConsoleMethod = 'log' | 'info' | 'debug' | 'warn' | 'error';
const METHODS: readonly ConsoleMethod[] = ['log', 'info', 'debug', 'warn', 'error'];

/** A one-shot command's logger: pretty lines at --log-level, nothing without it. */
export function cliLogger(level: string | undefined): Logger {
  return level ? createRootLogger({ level, pretty: true }) : silentLogger();
}

/** A command's own output: straight to stdout, never through console (which libraries share). */
export function out(...args: unknown[]): void {
  process.stdout.write(`${format(...args)}\n`);
}

/**
 * Runs a one-shot command (status, register, query) with the console taken from libraries:
 * @polkadot/api writes `API/INIT`, `REGISTRY`, `API-WS` lines straight to the console, which
 * would land on the operator's stderr next to the command's answer. Here they become debug
 * log records (shown with --log-level debug, dropped otherwise). The command prints with out().
 * On failure the console is given back before the error propagates, so the CLI's own error
 * report reaches stderr; on success it stays routed, because the socket's last lines can
 * arrive after the command's promise settles and the process is about to exit anyway.
 */
export async function withLibraryConsole<T>(logger: Logger, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(METHODS.map((m) => [m, console[m]])) as Record<ConsoleMethod, (...a: unknown[]) => void>;
  const log = logger.child({ module: 'console' });
  for (const m of METHODS) {
    console[m] = (...args: unknown[]): void => {
      log.debug({ stream: m, text: format(...args) }, 'library console output');
    };
  }
  try {
    return await fn();
  } catch (err) {
    for (const m of METHODS) console[m] = saved[m];
    throw err;
  }
}
