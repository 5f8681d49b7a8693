import { setMaxListeners } from 'node:events';
import { rejection } from './rejection.js';
import { MinerError, toMinerError, type Clock, type Logger, type RequestObserver } from '../util/index.js';
import type { MetagraphSource } from '../chain/metagraphTypes.js';
import type { RequestContext, SynapseBody, SynapseExecutor, SynapseHandler } from './synapse.js';
import { Blacklist, type BlacklistOpts } from './blacklist.js';
import { TokenBucketLimiter } from './rateLimiter.js';
import { NonceStore } from './nonceStore.js';
import { parseSignature, Ss58Cache, utf8 } from './sr25519.js';
import type { SignatureVerifier } from './verifierPool.js';
import type { AxonMetrics, Transport } from './axonMetrics.js';

export interface PipelineOpts {
  maxTimeoutMs: number;
  defaultTimeoutMs: number;
  blacklist: BlacklistOpts;
  rateLimit: { perHotkeyPerSec: number; perHotkeyBurst: number; perIpPerSec: number; perIpBurst: number; maxTrackedKeys: number };
  nonce: { maxFutureMs: number; allowedDeltaMs: number; maxEntries: number };
}

export interface PipelineModules {
  logger: Logger;
  clock: Clock;
  metagraph: MetagraphSource;
  executor: SynapseExecutor;
  verifier: SignatureVerifier;
  metrics: AxonMetrics;
  observer: RequestObserver;
  axonHotkey: string;
  /** Aborted when the server stops: running requests are answered SHUTTING_DOWN. */
  shutdownSignal: AbortSignal;
}

/** One request as both transports hand it over: identity fields still unchecked strings. */
export interface GateRequest {
  transport: Transport;
  ip: string;
  synapse: SynapseHandler;
  hotkey: string | undefined;
  nonce: string | undefined;
  uuid: string | undefined;
  signature: string | undefined;
  /** Seconds, as the caller sent it; undefined: the configured default. */
  timeoutSec: number | undefined;
  body: SynapseBody;
  /** The hash the signature must cover, computed only once the cheap checks passed. */
  bodyHash: () => string;
  /** HTTP `computed_body_hash` header, which must agree with ours when present. */
  claimedBodyHash?: string | undefined;
  receivedAtMs: number;
  /** Aborted when the caller goes away or the server stops. */
  signal: AbortSignal;
  /** Called once the signature verified, so a transport knows the caller is who it claims. */
  onAuthenticated?: () => void;
}

export interface GateResult {
  outputs: SynapseBody;
  requestId: string;
  /** How the cache answered, when the executor is a caching one. */
  cache?: 'hit' | 'miss' | 'coalesced' | 'bypass';
}

const NONCE_RE = /^\d{1,24}$/;

/**
 * The axon's checks, cheapest first: blacklist (snapshot lookup) -> rate limits -> nonce
 * window -> body hash -> sr25519 -> input parsing -> executor under the deadline. Every
 * refusal is a MinerError whose code gives the status.
 */
export class RequestPipeline {
  private readonly blacklist: Blacklist;
  private readonly ipLimiter: TokenBucketLimiter;
  private readonly hotkeyLimiter: TokenBucketLimiter;
  readonly nonces: NonceStore;
  private readonly ss58 = new Ss58Cache();
  private seq = 0;
  private readonly idPrefix = Math.random().toString(36).slice(2, 6);

  constructor(private readonly opts: PipelineOpts, private readonly m: PipelineModules) {
    // Every request in flight listens for shutdown; that many listeners is the design, not a leak.
    setMaxListeners(0, m.shutdownSignal);
    const rl = opts.rateLimit;
    this.blacklist = new Blacklist(opts.blacklist, m.metagraph);
    this.ipLimiter = new TokenBucketLimiter({ ratePerSec: rl.perIpPerSec, burst: rl.perIpBurst, maxKeys: rl.maxTrackedKeys }, m.clock);
    this.hotkeyLimiter = new TokenBucketLimiter(
      { ratePerSec: rl.perHotkeyPerSec, burst: rl.perHotkeyBurst, maxKeys: rl.maxTrackedKeys },
      m.clock,
    );
    this.nonces = new NonceStore({ ...opts.nonce, maxTimeoutMs: opts.maxTimeoutMs }, m.clock);
  }

  /** Effective timeout: the caller's, capped by config; the default when absent or invalid. */
  timeoutMs(timeoutSec: number | undefined): number {
    if (timeoutSec === undefined || !Number.isFinite(timeoutSec) || timeoutSec <= 0) return this.opts.defaultTimeoutMs;
    return Math.min(timeoutSec * 1000, this.opts.maxTimeoutMs);
  }

  async run(req: GateRequest): Promise<GateResult> {
    const admitted = this.admit(req);
    await this.authenticate(req, admitted);
    return this.execute(req, admitted);
  }

  private admit(req: GateRequest): { hotkey: string; stake: number; nonce: bigint; uuid: string; timeoutMs: number } {
    const hotkey = req.hotkey;
    if (!hotkey) throw rejection('BLACKLISTED', 'Forbidden. Key is blacklisted: Missing dendrite or hotkey.');
    const verdict = this.blacklist.check(hotkey);
    if (!verdict.ok) {
      if (verdict.unavailable) throw rejection('CHAIN_UNAVAILABLE', 'Service Unavailable: metagraph not synced yet');
      throw rejection('BLACKLISTED', `Forbidden. Key is blacklisted: ${verdict.reason}.`);
    }
    if (!this.ipLimiter.take(req.ip) || !this.hotkeyLimiter.take(hotkey)) {
      throw rejection('RATE_LIMITED', 'Too Many Requests');
    }
    if (req.nonce === undefined || !NONCE_RE.test(req.nonce)) throw rejection('BAD_NONCE', 'Missing or malformed nonce');
    if (!req.uuid || req.uuid.length > 128) throw rejection('BAD_NONCE', 'Missing or malformed uuid');
    const nonce = BigInt(req.nonce);
    const timeoutMs = this.timeoutMs(req.timeoutSec);
    const nv = this.nonces.check(hotkey, req.uuid, nonce, timeoutMs);
    if (!nv.ok) throw new MinerError(nv.full ? 'OVERLOADED' : 'BAD_NONCE', nv.full ? 'Service Unavailable: nonce store full' : nv.reason);
    return { hotkey, stake: verdict.stake, nonce, uuid: req.uuid, timeoutMs };
  }

  private async authenticate(req: GateRequest, a: { hotkey: string; nonce: bigint; uuid: string; timeoutMs: number }): Promise<void> {
    if (!req.signature) throw rejection('BAD_SIGNATURE', 'Missing signature');
    const sig = parseSignature(req.signature);
    if (!sig) throw rejection('BAD_SIGNATURE', 'Malformed signature');
    const pub = this.ss58.decode(a.hotkey);
    if (!pub) throw rejection('BAD_SIGNATURE', 'Malformed hotkey');
    const bodyHash = req.bodyHash();
    if (req.claimedBodyHash !== undefined && req.claimedBodyHash !== bodyHash) {
      throw rejection('BAD_SIGNATURE', 'Body hash mismatch');
    }
    const message = `${req.nonce}.${a.hotkey}.${this.m.axonHotkey}.${a.uuid}.${bodyHash}`;
    if (!(await this.m.verifier.verify(pub, utf8(message), sig))) {
      throw rejection('BAD_SIGNATURE', 'Signature mismatch');
    }
    const committed = this.nonces.commit(a.hotkey, a.uuid, a.nonce, a.timeoutMs);
    if (!committed.ok) throw rejection('BAD_NONCE', committed.reason);
    req.onAuthenticated?.();
  }

  private async execute(req: GateRequest, a: { hotkey: string; stake: number; timeoutMs: number }): Promise<GateResult> {
    const deadlineMs = req.receivedAtMs + a.timeoutMs;
    if (this.m.clock.now() >= deadlineMs) throw rejection('DEADLINE_EXCEEDED', 'Request Timeout: deadline passed');
    let input: unknown;
    try {
      input = req.synapse.parseInput(req.body);
    } catch (err) {
      throw err instanceof MinerError ? err : new MinerError('BAD_REQUEST', 'Invalid synapse input', { cause: err });
    }
    const requestId = `${this.idPrefix}${(this.seq++).toString(36)}`;
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(rejection('SHUTTING_DOWN', 'Service Unavailable: request cancelled'));
    const stop = this.m.shutdownSignal;
    if (req.signal.aborted || stop.aborted) onAbort();
    req.signal.addEventListener('abort', onAbort, { once: true });
    stop.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => controller.abort(rejection('DEADLINE_EXCEEDED', 'Request Timeout: deadline passed')),
      Math.max(0, deadlineMs - this.m.clock.now()),
    );
    const ctx: RequestContext = { requestId, callerHotkey: a.hotkey, priority: a.stake, deadlineMs, signal: controller.signal };
    try {
      const outputs = await this.m.executor.execute(req.synapse, input, ctx);
      if (typeof outputs !== 'object' || outputs === null) throw new MinerError('INTERNAL', 'handler returned no outputs');
      const cache = this.m.executor.outcomeFor?.(ctx);
      return cache === undefined ? { outputs, requestId } : { outputs, requestId, cache };
    } finally {
      clearTimeout(timer);
      req.signal.removeEventListener('abort', onAbort);
      stop.removeEventListener('abort', onAbort);
    }
  }

  /** Metrics, observer and log line for one answered request. */
  record(
    synapse: string, transport: Transport, status: number, startedMonoMs: number, err?: unknown,
    cache?: GateResult['cache'],
  ): void {
    const durationMs = this.m.clock.monotonicMs() - startedMonoMs;
    this.m.metrics.requests.inc({ synapse, status: String(status), transport });
    this.m.metrics.duration.observe({ synapse, transport }, durationMs / 1000);
    if (err !== undefined) {
      const me = toMinerError(err);
      if (me.spec.status < 500 || me.code === 'OVERLOADED' || me.code === 'SHUTTING_DOWN' || me.code === 'CHAIN_UNAVAILABLE') {
        this.m.metrics.rejected.inc({ reason: me.spec.metricLabel });
      }
      // Refusals log at debug: under a flood, skip building lines nobody will write.
      if (this.m.logger.isLevelEnabled(me.spec.level)) {
        const log = this.m.logger[me.spec.level].bind(this.m.logger);
        log({ errorId: me.errorId, code: me.code, synapse, transport, status, err: me.spec.status >= 500 ? (me.cause ?? me) : undefined }, 'request failed');
      }
    }
    try {
      this.m.observer.observe(cache === undefined ? { synapse, status, durationMs, transport } : { synapse, status, durationMs, transport, cache });
    } catch (e) {
      this.m.logger.warn({ err: e }, 'request observer threw');
    }
  }

  /** Periodic housekeeping: expired nonces. */
  sweep(): void {
    while (this.nonces.sweep()) {
      /* keep sweeping while the old end is expired */
    }
  }
}
