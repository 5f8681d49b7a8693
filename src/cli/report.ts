import type { CommanderError } from 'commander';
import { describeError, EXIT_CODES, MinerError } from '../util/index.js';

/**
 * The one place a one-shot command's failure reaches the terminal: `error [CODE]: message`,
 * then `fix: ...` when the error names one (the daemon logs the same fields on its fatal line).
 * Returns the exit status from ERROR_TABLE. Never a stack trace unless MINER_DEBUG=1.
 */
export function reportFatal(err: unknown): number {
  const debug = process.env['MINER_DEBUG'] === '1';
  const d = describeError(err);
  console.error(`error [${d.code}]: ${d.message}${d.fix ? `; fix: ${d.fix}` : ''}`);
  if (debug) {
    const detail = err instanceof MinerError ? err.cause : err instanceof Error ? err.stack : undefined;
    if (detail !== undefined) console.error(detail);
  }
  return d.exitCode;
}

/**
 * commander's own exits: help and --version are 0, anything it refuses (unknown option,
 * missing argument) is a usage error.
 */
export function commanderExitCode(err: CommanderError): number {
  if (err.exitCode === 0) return EXIT_CODES.OK;
  return EXIT_CODES.USAGE;
}
