import { MinerError, type ErrorCode } from '../util/index.js';

/**
 * A MinerError for a refused request, built without a stack trace: floods of refusals
 * spent an eighth of the axon's time capturing stacks nobody reads.
 */
export function rejection(code: ErrorCode, message: string): MinerError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new MinerError(code, message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
