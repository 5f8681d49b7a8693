import { MinerError } from '../util/index.js';

/**
 * The one place a command's failure reaches the terminal: a MinerError prints its code and
 * message (the fix is in the message), anything else prints its message and an error id.
 * Never a stack trace unless MINER_DEBUG=1.
 */
export function reportFatal(err: unknown): number {
  const debug = process.env['MINER_DEBUG'] === '1';
  if (err instanceof MinerError) {
    console.error(`error [${err.code}]: ${err.message}`);
    if (debug && err.cause) console.error(err.cause);
    return err.code === 'CONFIG_INVALID' ? 78 : err.code === 'WALLET_INVALID' ? 77 : 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  console.error(`error [INTERNAL]: ${e.message}`);
  if (debug) console.error(e.stack);
  return 1;
}
