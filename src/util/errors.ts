import { randomUUID } from 'node:crypto';

/**
 * Every error a caller can see has a stable code. One table maps the code to the wire
 * status, the log level and the metric label, so the axon, the logs and the metrics agree.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface ErrorSpec {
  readonly status: number;
  readonly level: LogLevel;
  readonly metricLabel: string;
}

export const ERROR_TABLE = {
  BAD_REQUEST: { status: 400, level: 'debug', metricLabel: 'bad_request' },
  BAD_IMAGE: { status: 400, level: 'debug', metricLabel: 'bad_image' },
  BAD_SIGNATURE: { status: 401, level: 'debug', metricLabel: 'bad_signature' },
  BAD_NONCE: { status: 401, level: 'debug', metricLabel: 'bad_nonce' },
  BLACKLISTED: { status: 403, level: 'debug', metricLabel: 'blacklisted' },
  UNKNOWN_SYNAPSE: { status: 404, level: 'debug', metricLabel: 'unknown_synapse' },
  DEADLINE_EXCEEDED: { status: 408, level: 'info', metricLabel: 'deadline' },
  PAYLOAD_TOO_LARGE: { status: 413, level: 'debug', metricLabel: 'too_large' },
  RATE_LIMITED: { status: 429, level: 'debug', metricLabel: 'rate_limited' },
  OVERLOADED: { status: 503, level: 'warn', metricLabel: 'overloaded' },
  SHUTTING_DOWN: { status: 503, level: 'info', metricLabel: 'shutting_down' },
  INTERNAL: { status: 500, level: 'error', metricLabel: 'internal' },
  INFERENCE_FAILED: { status: 500, level: 'error', metricLabel: 'inference_failed' },
  CONFIG_INVALID: { status: 500, level: 'fatal', metricLabel: 'config_invalid' },
  WALLET_INVALID: { status: 500, level: 'fatal', metricLabel: 'wallet_invalid' },
  CHAIN_UNAVAILABLE: { status: 503, level: 'warn', metricLabel: 'chain_unavailable' },
  CHAIN_REJECTED: { status: 500, level: 'error', metricLabel: 'chain_rejected' },
  CACHE_UNAVAILABLE: { status: 500, level: 'warn', metricLabel: 'cache_unavailable' },
  MODEL_LOAD_FAILED: { status: 500, level: 'fatal', metricLabel: 'model_load_failed' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export class MinerError extends Error {
  readonly code: ErrorCode;
  /** Short id shown to callers and written in the log line, so the two can be matched. */
  readonly errorId: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.errorId = randomUUID().slice(0, 8);
    this.details = opts.details;
  }

  get spec(): ErrorSpec {
    return ERROR_TABLE[this.code];
  }
}

export class ConfigError extends MinerError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFIG_INVALID', message, { details });
  }
}

export class WalletError extends MinerError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('WALLET_INVALID', message, { details });
  }
}

export class ChainError extends MinerError {}
export class AxonError extends MinerError {}
export class InferenceError extends MinerError {}
export class CacheError extends MinerError {}

/** Wraps anything thrown into a MinerError; unknown errors become INTERNAL and keep the cause for the log. */
export function toMinerError(err: unknown): MinerError {
  if (err instanceof MinerError) return err;
  return new MinerError('INTERNAL', 'Internal Server Error', { cause: err });
}

export function specFor(code: ErrorCode): ErrorSpec {
  return ERROR_TABLE[code];
}

/** The message a remote caller may see: never a stack trace; internal errors carry only their id. */
export function publicMessage(err: MinerError): string {
  if (err.spec.status >= 500 && err.code !== 'OVERLOADED' && err.code !== 'SHUTTING_DOWN') {
    return `Internal Server Error #${err.errorId}`;
  }
  return err.message;
}
