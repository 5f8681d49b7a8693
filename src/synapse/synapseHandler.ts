/**
 * The contract between the axon, the cache and the inference engine, in a leaf all of them
 * import. A synapse is a named
 * question type: the axon verifies and schedules, the cache dedups by the input fields,
 * the handler computes the output fields.
 */
export type CachePolicy = 'shared' | 'per-validator' | 'off';

export interface RequestContext {
  /** Short id used in logs and error bodies. */
  readonly requestId: string;
  readonly callerHotkey: string;
  /** Caller's stake in TAO (or alpha); higher leaves queues first. */
  readonly priority: number;
  /** Absolute deadline, in Clock.now() milliseconds. */
  readonly deadlineMs: number;
  /** Aborted when the deadline passes, the caller goes away or the daemon stops. */
  readonly signal: AbortSignal;
}

export type SynapseBody = Record<string, unknown>;

export interface SynapseHandler<I = unknown, O extends SynapseBody = SynapseBody> {
  /** Class name as validators send it: the HTTP path and the WebSocket `synapse` field. */
  readonly name: string;
  /** Names of the body fields that make up the question; cache keys use exactly these. */
  readonly inputFields: readonly string[];
  /**
   * Python `required_hash_fields`: body fields whose `str()` values the body hash covers.
   * Absent or empty (the common case) gives the sha3-256("") constant.
   */
  readonly requiredHashFields?: readonly string[];
  /** Identity of the model (file hash or configured version) for cache keys. */
  readonly modelId: string;
  /** Validates the body's input fields; throws MinerError('BAD_REQUEST' | 'BAD_IMAGE'). */
  parseInput(body: SynapseBody): I;
  /** Computes the output fields that get merged into the synapse body. */
  handle(input: I, ctx: RequestContext): Promise<O>;
}

/** How a caching executor answered one request. */
export type CacheOutcome = 'hit' | 'miss' | 'coalesced' | 'bypass';

export interface ExecuteResult {
  outputs: SynapseBody;
  /** Set by a caching executor: how it answered this request. */
  cache?: CacheOutcome;
}

/** Anything that can run a parsed request: the scheduler, or the cache wrapped around it. */
export interface SynapseExecutor {
  execute(synapse: SynapseHandler, input: unknown, ctx: RequestContext): Promise<ExecuteResult>;
}
