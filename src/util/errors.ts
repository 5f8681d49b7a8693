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
  /** The message may reach a remote caller; otherwise callers see only the error id. */
  readonly publicMessage: boolean;
  /** Seconds a caller should wait before retrying (HTTP Retry-After), where that is known. */
  readonly retryAfterSec?: number;
}

export const ERROR_TABLE = {
  BAD_REQUEST: { status: 400, level: 'debug', metricLabel: 'bad_request', publicMessage: true },
  BAD_IMAGE: { status: 400, level: 'debug', metricLabel: 'bad_image', publicMessage: true },
  BAD_SIGNATURE: { status: 401, level: 'debug', metricLabel: 'bad_signature', publicMessage: true },
  BAD_NONCE: { status: 401, level: 'debug', metricLabel: 'bad_nonce', publicMessage: true },
  BLACKLISTED: { status: 403, level: 'debug', metricLabel: 'blacklisted', publicMessage: true },
  UNKNOWN_SYNAPSE: { status: 404, level: 'debug', metricLabel: 'unknown_synapse', publicMessage: true },
  DEADLINE_EXCEEDED: { status: 408, level: 'info', metricLabel: 'deadline', publicMessage: true },
  PAYLOAD_TOO_LARGE: { status: 413, level: 'debug', metricLabel: 'too_large', publicMessage: true },
  RATE_LIMITED: { status: 429, level: 'debug', metricLabel: 'rate_limited', publicMessage: true },
  OVERLOADED: { status: 503, level: 'warn', metricLabel: 'overloaded', publicMessage: true, retryAfterSec: 1 },
  NOT_READY: { status: 503, level: 'info', metricLabel: 'not_ready', publicMessage: true, retryAfterSec: 5 },
  SHUTTING_DOWN: { status: 503, level: 'info', metricLabel: 'shutting_down', publicMessage: true, retryAfterSec: 5 },
  INTERNAL: { status: 500, level: 'error', metricLabel: 'internal', publicMessage: false },
  INFERENCE_FAILED: { status: 500, level: 'error', metricLabel: 'inference_failed', publicMessage: false },
  CONFIG_INVALID: { status: 500, level: 'fatal', metricLabel: 'config_invalid', publicMessage: false },
  WALLET_INVALID: { status: 500, level: 'fatal', metricLabel: 'wallet_invalid', publicMessage: false },
  CHAIN_UNAVAILABLE: { status: 503, level: 'warn', metricLabel: 'chain_unavailable', publicMessage: false, retryAfterSec: 5 },
  CHAIN_REJECTED: { status: 500, level: 'error', metricLabel: 'chain_rejected', publicMessage: false },
  CACHE_UNAVAILABLE: { status: 500, level: 'warn', metricLabel: 'cache_unavailable', publicMessage: false },
  MODEL_LOAD_FAILED: { status: 500, level: 'fatal', metricLabel: 'model_load_failed', publicMessage: false },
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
  return err.spec.publicMessage ? err.message : `Internal Server Error #${err.errorId}`;
}
