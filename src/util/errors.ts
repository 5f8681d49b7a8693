import { randomUUID } from 'node:crypto';

/**
 * Every error a caller can see has a stable code. One table maps the code to the wire
 * status, the log level, the metric label, whether the message is public, whether it counts
 * as a refusal and the CLI exit code, so the axon, the logs, the metrics and systemd agree;
 * nothing else keeps a list of codes.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface ErrorSpec {
  readonly status: number;
  readonly level: LogLevel;
  readonly metricLabel: string;
  /** The message may reach a remote caller; otherwise callers see only the error id. */
  readonly publicMessage: boolean;
  /** The axon refused the caller (counted in miner_axon_rejected_total) rather than failed it. */
  readonly rejection: boolean;
  /** Seconds a caller should wait before retrying (HTTP Retry-After), where that is known. */
  readonly retryAfterSec?: number;
  /**
   * Process exit status when this error ends a command or the daemon (sysexits.h values, so
   * systemd's RestartPreventExitStatus can tell "fix the setup" from "try again").
   */
  readonly exitCode: number;
}

/**
 * Exit statuses of the CLI. The error codes carry theirs in ERROR_TABLE; these are the exits
 * that are not errors, plus the names the unit file and docs use.
 */
export const EXIT_CODES = {
  /** Clean stop (drained) or a command that did its job. */
  OK: 0,
  /** A command that ran but whose answer was a failure (query got a non-200, cache saw Redis fail). */
  FAILED: 1,
  /** EX_USAGE: unknown option or command, a missing argument. */
  USAGE: 64,
  /** EX_NOHOST: `query --to` names an address no axon on the subnet announces. */
  AXON_NOT_FOUND: 68,
  /** EX_UNAVAILABLE: the chain could not be reached (transient: systemd restarts). */
  CHAIN_UNAVAILABLE: 69,
  /** EX_SOFTWARE: a bug (uncaught exception, internal error). */
  INTERNAL: 70,
  /** EX_OSFILE: a model could not be loaded (file missing, bad graph, no device). */
  MODEL_LOAD_FAILED: 72,
  /** EX_TEMPFAIL: the chain refused a transaction (registration closed, rate limit). */
  CHAIN_REJECTED: 75,
  /** EX_NOPERM: the wallet is missing, unreadable or readable by others. */
  WALLET_INVALID: 77,
  /** EX_CONFIG: the configuration is invalid. */
  CONFIG_INVALID: 78,
  /**
   * A second SIGTERM/SIGINT cut the drain short (128 + SIGTERM, as a shell reports it): an
   * operator's choice, not a failure, so the unit lists it in SuccessExitStatus.
   */
  FORCED_STOP: 143,
} as const;

export const ERROR_TABLE = {
  BAD_REQUEST: { status: 400, level: 'debug', metricLabel: 'bad_request', publicMessage: true, rejection: true, exitCode: EXIT_CODES.FAILED },
  BAD_IMAGE: { status: 400, level: 'debug', metricLabel: 'bad_image', publicMessage: true, rejection: true, exitCode: EXIT_CODES.FAILED },
  BAD_SIGNATURE: { status: 401, level: 'debug', metricLabel: 'bad_signature', publicMessage: true, rejection: true, exitCode: EXIT_CODES.FAILED },
  BAD_NONCE: { status: 401, level: 'debug', metricLabel: 'bad_nonce', publicMessage: true, rejection: true, exitCode: EXIT_CODES.FAILED },
  BLACKLISTED: { status: 403, level: 'debug', metricLabel: 'blacklisted', publicMessage: true, rejection: true, exitCode: EXIT_CODES.FAILED },
  UNKNOWN_SYNAPSE: { status: 404, level: 'debug', metricLabel: 'unknown_synapse', publicMessage: true, rejection: true, exitCode: EXIT_CODES.FAILED },
  DEADLINE_EXCEEDED: { status: 408, level: 'info', metricLabel: 'deadline', publicMessage: true, rejection: true, exitCode: EXIT_CODES.FAILED },
  PAYLOAD_TOO_LARGE: { status: 413, level: 'debug', metricLabel: 'too_large', publicMessage: true, rejection: true, exitCode: EXIT_CODES.FAILED },
  RATE_LIMITED: { status: 429, level: 'debug', metricLabel: 'rate_limited', publicMessage: true, rejection: true, exitCode: EXIT_CODES.FAILED },
  OVERLOADED: { status: 503, level: 'warn', metricLabel: 'overloaded', publicMessage: true, rejection: true, retryAfterSec: 1, exitCode: EXIT_CODES.FAILED },
  NOT_READY: { status: 503, level: 'info', metricLabel: 'not_ready', publicMessage: true, rejection: true, retryAfterSec: 5, exitCode: EXIT_CODES.FAILED },
  SHUTTING_DOWN: {
    status: 503,
    level: 'info',
    metricLabel: 'shutting_down',
    publicMessage: true,
    rejection: true,
    retryAfterSec: 5,
    exitCode: EXIT_CODES.FAILED,
  },
  INTERNAL: { status: 500, level: 'error', metricLabel: 'internal', publicMessage: false, rejection: false, exitCode: EXIT_CODES.INTERNAL },
  INFERENCE_FAILED: { status: 500, level: 'error', metricLabel: 'inference_failed', publicMessage: false, rejection: false, exitCode: EXIT_CODES.INTERNAL },
  CONFIG_INVALID: { status: 500, level: 'fatal', metricLabel: 'config_invalid', publicMessage: false, rejection: false, exitCode: EXIT_CODES.CONFIG_INVALID },
  WALLET_INVALID: { status: 500, level: 'fatal', metricLabel: 'wallet_invalid', publicMessage: false, rejection: false, exitCode: EXIT_CODES.WALLET_INVALID },
  CHAIN_UNAVAILABLE: {
    status: 503,
    level: 'warn',
    metricLabel: 'chain_unavailable',
    publicMessage: false,
    rejection: true,
    retryAfterSec: 5,
    exitCode: EXIT_CODES.CHAIN_UNAVAILABLE,
  },
  AXON_NOT_FOUND: { status: 404, level: 'warn', metricLabel: 'axon_not_found', publicMessage: true, rejection: true, exitCode: EXIT_CODES.AXON_NOT_FOUND },
  USAGE: { status: 400, level: 'error', metricLabel: 'usage', publicMessage: true, rejection: true, exitCode: EXIT_CODES.USAGE },
  CHAIN_REJECTED: { status: 500, level: 'error', metricLabel: 'chain_rejected', publicMessage: false, rejection: false, exitCode: EXIT_CODES.CHAIN_REJECTED },
  CACHE_UNAVAILABLE: { status: 500, level: 'warn', metricLabel: 'cache_unavailable', publicMessage: false, rejection: false, exitCode: EXIT_CODES.FAILED },
  MODEL_LOAD_FAILED: {
    status: 500,
    level: 'fatal',
    metricLabel: 'model_load_failed',
    publicMessage: false,
    rejection: false,
    exitCode: EXIT_CODES.MODEL_LOAD_FAILED,
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** Details whose fields callers read, typed per code; other codes carry free-form details for the log. */
export interface ErrorDetailsByCode {
  /** `chainError`: the chain's `section.Name` for the refusal (register and serve read it). */
  CHAIN_REJECTED: { chainError: string };
}

export type ErrorDetails<C extends ErrorCode> = C extends keyof ErrorDetailsByCode ? ErrorDetailsByCode[C] : Record<string, unknown>;

export class MinerError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  /** Short id shown to callers and written in the log line, so the two can be matched. */
  readonly errorId: string;
  readonly details: ErrorDetails<C> | undefined;

  constructor(code: C, message: string, opts: { cause?: unknown; details?: ErrorDetails<C> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.errorId = randomUUID().slice(0, 8);
    this.details = opts.details;
  }

  get spec(): ErrorSpec {
    return ERROR_TABLE[this.code];
  }

  /** Narrows to one code, so that code's typed details can be read. */
  is<K extends ErrorCode>(code: K): this is MinerError<K> {
    return (this.code as ErrorCode) === code;
  }
}

export class ConfigError extends MinerError<'CONFIG_INVALID'> {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFIG_INVALID', message, { details });
  }
}

export class WalletError extends MinerError<'WALLET_INVALID'> {
  constructor(message: string, details?: Record<string, unknown>) {
    super('WALLET_INVALID', message, { details });
  }
}

/** Wraps anything thrown into a MinerError; unknown errors become INTERNAL and keep the cause for the log. */
export function toMinerError(err: unknown): MinerError {
  if (err instanceof MinerError) return err;
  return new MinerError('INTERNAL', 'Internal Server Error', { cause: err });
}

export function specFor(code: ErrorCode): ErrorSpec {
  return ERROR_TABLE[code];
}

/** The exit status for anything thrown: its code's column, INTERNAL's for the unknown. */
export function exitCodeFor(err: unknown): number {
  return specFor(err instanceof MinerError ? err.code : 'INTERNAL').exitCode;
}

/** Whether anything thrown counts as a refusal of the caller (the table's rejection column). */
export function isRejection(err: unknown): boolean {
  return err instanceof MinerError && err.spec.rejection;
}

/**
 * An error as operators read it: the code, the message and the fix, split where messages say
 * "; fix: ...". `status`, `run`'s fatal line and every command's error report use this.
 */
export function describeError(err: unknown): { code: ErrorCode; message: string; fix?: string; exitCode: number } {
  const e = err instanceof MinerError ? err : null;
  const text = e ? e.message : err instanceof Error ? err.message : String(err);
  const at = text.indexOf('; fix: ');
  const message = at < 0 ? text : text.slice(0, at);
  const base = { code: e?.code ?? 'INTERNAL', message, exitCode: exitCodeFor(err) } as const;
  return at < 0 ? base : { ...base, fix: text.slice(at + '; fix: '.length) };
}

/** The message a remote caller may see: never a stack trace; internal errors carry only their id. */
export function publicMessage(err: MinerError): string {
  return err.spec.publicMessage ? err.message : `Internal Server Error #${err.errorId}`;
}
