import { setMaxListeners } from 'node:events';
import { rejection } from './rejection.js';
import { MinerError, toMinerError, type Clock, type Logger, type RequestObserver } from '../util/index.js';
import type { MetagraphSource } from '../chain/index.js';
import type { RequestContext, SynapseBody, SynapseExecutor, SynapseHandler } from '../synapse/index.js';
import { Blacklist, type BlacklistOpts } from './blacklist.js';
import { TokenBucketLimiter } from './rateLimiter.js';
import { NonceStore } from './nonceStore.js';
import { parseSignature, Ss58Cache } from '../wire/index.js';
import { legacyCredentials, type Credentials, type LegacyContext, type LegacyFields } from './credentials.js';
import { VerifyGate, type VerifyGateOpts } from './verifyGate.js';
import { ReplayStore } from './replayStore.js';
import type { Ed25519Verifier, SignatureVerifier } from './verifierPool.js';
import type { AxonMetrics } from '../metrics/index.js';

export type Transport = 'http' | 'ws';

export interface PipelineOpts {
  maxTimeoutMs: number;
  defaultTimeoutMs: number;
  blacklist: BlacklistOpts;
  rateLimit: { perHotkeyPerSec: number; perHotkeyBurst: number; perIpPerSec: number; perIpBurst: number; maxTrackedKeys: number };
  nonce: { maxFutureMs: number; allowedDeltaMs: number; maxEntries: number };
  verifyQueue: VerifyGateOpts;
  btauth: { maxAgeMs: number; maxFutureMs: number };
  epistula: { maxAgeMs: number; maxFutureMs: number };
  replay: { maxEntries: number };
}

export interface PipelineModules {
  logger: Logger;
  clock: Clock;
  metagraph: MetagraphSource;
  executor: SynapseExecutor;
  verifier: SignatureVerifier;
  verifyEd25519: Ed25519Verifier;
  metrics: AxonMetrics | null;
  observer: RequestObserver;
  axonHotkey: string;
  /** Aborted when the server stops: running requests are answered SHUTTING_DOWN. */
  shutdownSignal: AbortSignal;
}

/** What one connection has proven so far: the hotkey whose signature last verified on it. */
export interface ConnectionTrust {
  provenHotkey: string | undefined;
}

/** One request as every transport hands it over: its credentials still unchecked. */
export interface GateRequest {
  transport: Transport;
  ip: string;
  /** The connection's trust, read to pick a lane and updated once the signature verified. */
  trust: ConnectionTrust;
  synapse: SynapseHandler;
  credentials: Credentials;
  /** Effective timeout (see timeoutMs()). */
  timeoutMs: number;
  body: SynapseBody;
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

/**
 * The axon's admission, cheapest first, and nothing keyed by an identity charged before that
 * identity is proven: claimed hotkey on the blacklist (a lookup) -> credential shape, replay
 * window, body hash -> the IP's budget for unproven work (what the server saw itself) ->
 * signature, proven connections first -> replay key recorded -> the hotkey's rate limit ->
 * input parsing -> executor under the deadline. Every refusal is a MinerError whose code
 * gives the status.
 */
export class RequestPipeline {
  private readonly blacklist: Blacklist;
  private readonly ipLimiter: TokenBucketLimiter;
  private readonly hotkeyLimiter: TokenBucketLimiter;
  private readonly gate: VerifyGate;
  readonly nonces: NonceStore;
  /** btauth/1 and Epistula replay keys; kept past both forms' freshness windows. */
  readonly replays: ReplayStore;
  private readonly ss58 = new Ss58Cache();
  private seq = 0;
  private readonly idPrefix = Math.random().toString(36).slice(2, 6);

  constructor(
    private readonly opts: PipelineOpts,
    private readonly m: PipelineModules,
  ) {
    // Every request in flight listens for shutdown; that many listeners is the design, not a leak.
    setMaxListeners(0, m.shutdownSignal);
    const rl = opts.rateLimit;
    this.blacklist = new Blacklist(opts.blacklist, m.metagraph);
    this.ipLimiter = new TokenBucketLimiter({ ratePerSec: rl.perIpPerSec, burst: rl.perIpBurst, maxKeys: rl.maxTrackedKeys }, m.clock);
    this.hotkeyLimiter = new TokenBucketLimiter({ ratePerSec: rl.perHotkeyPerSec, burst: rl.perHotkeyBurst, maxKeys: rl.maxTrackedKeys }, m.clock);
    this.gate = new VerifyGate(opts.verifyQueue);
    this.nonces = new NonceStore({ ...opts.nonce, maxTimeoutMs: opts.maxTimeoutMs }, m.clock);
    const windowMs = Math.max(opts.btauth.maxAgeMs + opts.btauth.maxFutureMs, opts.epistula.maxAgeMs + opts.epistula.maxFutureMs);
    this.replays = new ReplayStore({ maxEntries: opts.replay.maxEntries, retainMs: windowMs + 1_000 }, m.clock);
  }

  /** Effective timeout: the caller's, capped by config; the default when absent or invalid. */
  timeoutMs(timeoutSec: number | undefined): number {
    if (timeoutSec === undefined || !Number.isFinite(timeoutSec) || timeoutSec <= 0) return this.opts.defaultTimeoutMs;
    return Math.min(timeoutSec * 1000, this.opts.maxTimeoutMs);
  }

  /** SDK 10 credentials (HTTP `bt_header_dendrite_*`, WebSocket `dendrite`) bound to this axon's nonce window. */
  legacyCredentials(f: LegacyFields, c: Omit<LegacyContext, 'nonces' | 'axonHotkey'>): Credentials {
    return legacyCredentials(f, { ...c, nonces: this.nonces, axonHotkey: this.m.axonHotkey });
  }

  async run(req: GateRequest): Promise<GateResult> {
    const admitted = this.admit(req);
    await this.authenticate(req, admitted);
    return this.execute(req, admitted);
  }

  /**
   * The refusals that need only what the headers (or the WebSocket frame) claim, run before
   * the body is read or parsed, so junk costs the least: blacklist by the claimed hotkey, a
   * missing signature, and an unproven connection whose IP has no budget left. Charges nothing.
   */
  preAdmit(claim: { hotkey: string | undefined; signed: boolean }, ip: string, trust: ConnectionTrust): void {
    this.blacklisted(claim.hotkey);
    if (!claim.signed) throw rejection('BAD_SIGNATURE', 'Missing signature');
    if (trust.provenHotkey !== claim.hotkey && !this.ipLimiter.has(ip)) throw rejection('RATE_LIMITED', 'Too Many Requests');
  }

  /** The claimed hotkey's standing on the blacklist; throws the refusal. */
  private blacklisted(hotkey: string | undefined): { hotkey: string; stake: number } {
    if (!hotkey) throw rejection('BLACKLISTED', 'Forbidden. Key is blacklisted: Missing dendrite or hotkey.');
    const verdict = this.blacklist.check(hotkey);
    if (!verdict.ok) {
      if (verdict.unavailable) throw rejection('NOT_READY', 'Service Unavailable: miner is starting, metagraph not synced yet');
      throw rejection('BLACKLISTED', `Forbidden. Key is blacklisted: ${verdict.reason}.`);
    }
    return { hotkey, stake: verdict.stake };
  }

  private admit(req: GateRequest): { hotkey: string; stake: number; pub: Uint8Array; sig: Uint8Array } {
    const cred = req.credentials;
    const { hotkey, stake } = this.blacklisted(cred.hotkey);
    if (!cred.signature) throw rejection('BAD_SIGNATURE', 'Missing signature');
    const sig = typeof cred.signature === 'string' ? parseSignature(cred.signature) : cred.signature;
    if (!sig) throw rejection('BAD_SIGNATURE', 'Malformed signature');
    const pub = this.ss58.decode(hotkey);
    if (!pub) throw rejection('BAD_SIGNATURE', 'Malformed hotkey');
    cred.precheck();
    return { hotkey, stake, pub, sig };
  }

  /**
   * Only the IP, which the server observed itself, is charged before the signature verified;
   * a connection that already proved this hotkey skips that budget, so junk sharing the
   * validator's IP (NAT, load balancers) cannot spend the validator's way in.
   */
  private async authenticate(req: GateRequest, a: { hotkey: string; pub: Uint8Array; sig: Uint8Array }): Promise<void> {
    const proven = req.trust.provenHotkey === a.hotkey;
    if (!proven && !this.ipLimiter.take(req.ip)) throw rejection('RATE_LIMITED', 'Too Many Requests');
    const msg = req.credentials.message();
    // Only the scheme the request declared: an ed25519 signature is never tried as sr25519.
    const task = req.credentials.scheme === 'ed25519' ? () => this.m.verifyEd25519(a.pub, msg, a.sig) : () => this.m.verifier.verify(a.pub, msg, a.sig);
    const ok = await this.gate.verify(task, proven);
    if (!ok) {
      if (proven) req.trust.provenHotkey = undefined;
      throw rejection('BAD_SIGNATURE', 'Signature mismatch');
    }
    req.credentials.commit();
    req.trust.provenHotkey = a.hotkey;
    req.onAuthenticated?.();
    if (!this.hotkeyLimiter.take(a.hotkey)) throw rejection('RATE_LIMITED', 'Too Many Requests');
  }

  private async execute(req: GateRequest, a: { hotkey: string; stake: number }): Promise<GateResult> {
    const deadlineMs = req.receivedAtMs + req.timeoutMs;
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
    const timer = this.m.clock.setTimeout(
      () => controller.abort(rejection('DEADLINE_EXCEEDED', 'Request Timeout: deadline passed')),
      Math.max(0, deadlineMs - this.m.clock.now()),
    );
    const ctx: RequestContext = { requestId, callerHotkey: a.hotkey, priority: a.stake, deadlineMs, signal: controller.signal };
    try {
      // A handler that throws synchronously becomes this request's rejection, like an async one.
      const result = await Promise.resolve().then(() => this.m.executor.execute(req.synapse, input, ctx));
      const outputs = result.outputs;
      if (typeof outputs !== 'object' || outputs === null) throw new MinerError('INTERNAL', 'handler returned no outputs');
      return result.cache === undefined ? { outputs, requestId } : { outputs, requestId, cache: result.cache };
    } finally {
      this.m.clock.clearTimer(timer);
      req.signal.removeEventListener('abort', onAbort);
      stop.removeEventListener('abort', onAbort);
    }
  }

  /** Metrics, observer and log line for one answered request. */
  record(
    synapse: string,
    transport: Transport,
    status: number,
    startedMonoMs: number,
    err?: unknown,
    cache?: GateResult['cache'],
    form: string = transport,
  ): void {
    const durationMs = this.m.clock.monotonicMs() - startedMonoMs;
    this.m.metrics?.requests.inc({ synapse, status: String(status), transport });
    this.m.metrics?.forms.inc({ form, status: String(status) });
    this.m.metrics?.duration.observe({ synapse, transport }, durationMs / 1000);
    if (err !== undefined) {
      const me = toMinerError(err);
      if (me.spec.rejection) this.m.metrics?.rejected.inc({ reason: me.spec.metricLabel });
      // Refusals log at debug: under a flood, skip building lines nobody will write.
      if (this.m.logger.isLevelEnabled(me.spec.level)) {
        const log = this.m.logger[me.spec.level].bind(this.m.logger);
        log(
          { errorId: me.errorId, code: me.code, synapse, transport, form, status, err: me.spec.status >= 500 ? (me.cause ?? me) : undefined },
          'request failed',
        );
      }
    }
    try {
      this.m.observer.observe(cache === undefined ? { synapse, status, durationMs, transport } : { synapse, status, durationMs, transport, cache });
    } catch (e) {
      this.m.logger.warn({ err: e }, 'request observer threw');
    }
  }

  /** Periodic housekeeping: expired nonces and replay keys. */
  sweep(): void {
    while (this.nonces.sweep()) {
      /* keep sweeping while the old end is expired */
    }
    this.replays.sweep();
  }
}
