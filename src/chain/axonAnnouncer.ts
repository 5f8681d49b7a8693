import type { KeyringPair } from '@polkadot/keyring/types';
import type { Logger } from 'pino';
import { MinerError, type CoreModules, type Service } from '../util/index.js';
import type { ChainClient } from './chainClient.js';
import { callByName } from './callByName.js';
import { num } from './codecValues.js';
import { decodeIp, encodeIp } from './ipEncoding.js';
import type { AxonInfo, MetagraphSnapshot, MetagraphSource } from './metagraphTypes.js';
import { chainErrorOf, submitExtrinsic } from './submitExtrinsic.js';

export interface AxonAnnouncerOpts {
  netuid: number;
  /** Address to announce; the chain refuses 127.0.0.1. Nothing is announced without one. */
  externalIp: string | undefined;
  externalPort: number;
  /** Version as an int (major*1e6 + minor*1e3 + patch). */
  version: number;
  enabled?: boolean;
  /** Give up after this many rejected calls (default 3); a restart tries again. */
  maxAttempts?: number;
  submitTimeoutMs?: number;
}

export interface AxonAnnouncerModules extends CoreModules {
  chain: ChainClient;
  metagraph: MetagraphSource;
  pair: KeyringPair;
}

const PROTOCOL = 4;
const TRANSIENT_LIMIT = 10;

export interface WantedAxon {
  ip: string;
  ipInt: bigint;
  ipType: 4 | 6;
  port: number;
  protocol: number;
  version: number;
}

/** True when the chain already holds this axon info (the SDK's rule: then serve_axon is skipped). */
export function axonMatches(onChain: AxonInfo | null, want: WantedAxon): boolean {
  if (!onChain) return false;
  return (
    onChain.ip === decodeIp(want.ipInt, want.ipType) &&
    onChain.port === want.port &&
    onChain.ipType === want.ipType &&
    onChain.protocol === want.protocol &&
    onChain.version === want.version
  );
}

/**
 * Announces the axon with serve_axon once the own neuron is in the metagraph and the chain's
 * axon info differs; waits out ServingRateLimit; a rejection is logged with the chain's error
 * name and never stops the daemon.
 */
export class AxonAnnouncer implements Service {
  readonly name = 'axon-announcer';
  private readonly log: Logger;
  private readonly want: WantedAxon | undefined;
  private unsub: (() => void) | undefined;
  private busy = false;
  private failures = 0;
  private transientFailures = 0;
  private notBeforeBlock = 0;
  private announcedAtBlock = -1;
  private running = false;
  private lastResult: { ok: boolean; block?: number; chainError?: string } | undefined;

  constructor(
    private readonly opts: AxonAnnouncerOpts,
    private readonly modules: AxonAnnouncerModules,
  ) {
    this.log = modules.logger;
    if (opts.externalIp) {
      const { ip, ipType } = encodeIp(opts.externalIp);
      this.want = { ip: opts.externalIp, ipInt: ip, ipType, port: opts.externalPort, protocol: PROTOCOL, version: opts.version };
    }
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (this.opts.enabled === false) {
      this.log.info('axon announcement disabled (chain.announceAxon=false)');
      return;
    }
    if (!this.want) {
      this.log.warn('axon.externalIp is not set: the axon is not announced on chain');
      return;
    }
    this.running = true;
    this.unsub = this.modules.metagraph.onUpdate((snap) => void this.consider(snap));
    const snap = this.modules.metagraph.current();
    if (snap) void this.consider(snap);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsub?.();
    this.unsub = undefined;
  }

  /** Outcome of the last serve_axon call, if any. */
  result(): { ok: boolean; block?: number; chainError?: string } | undefined {
    return this.lastResult;
  }

  private async consider(snap: MetagraphSnapshot): Promise<void> {
    const want = this.want;
    if (!this.running || !want || this.busy) return;
    if (this.failures >= (this.opts.maxAttempts ?? 3)) return;
    if (snap.block <= this.announcedAtBlock || snap.block < this.notBeforeBlock) return;
    const me = snap.byHotkey(this.modules.pair.address);
    if (!me) return;
    if (axonMatches(me.axon, want)) {
      if (this.announcedAtBlock < 0) this.log.info({ ip: want.ip, port: want.port, uid: me.uid }, 'axon already announced on chain');
      this.announcedAtBlock = snap.block;
      return;
    }
    this.busy = true;
    try {
      const limit = await this.servingRateLimit();
      const lastServed = me.axon?.block ?? 0;
      if (lastServed > 0 && snap.block < lastServed + limit) {
        this.notBeforeBlock = lastServed + limit;
        this.log.info({ lastServed, servingRateLimit: limit, notBeforeBlock: this.notBeforeBlock }, 'serve_axon waits for the serving rate limit');
        return;
      }
      await this.announce(want, me.uid, snap.block, limit);
    } finally {
      this.busy = false;
    }
  }

  private async servingRateLimit(): Promise<number> {
    try {
      const q = this.modules.chain.api().query['subtensorModule']?.['servingRateLimit'];
      return q ? num(await q(this.opts.netuid)) : 0;
    } catch {
      return 0;
    }
  }

  private async announce(want: WantedAxon, uid: number, block: number, limit: number): Promise<void> {
    const fields = { ip: want.ip, port: want.port, ipType: want.ipType, version: want.version, uid };
    try {
      const api = this.modules.chain.api();
      const tx = callByName(api, 'subtensorModule', 'serveAxon', {
        netuid: this.opts.netuid,
        version: want.version,
        ip: want.ipInt,
        port: want.port,
        ipType: want.ipType,
        protocol: want.protocol,
        placeholder1: 0,
        placeholder2: 0,
      });
      const inc = await submitExtrinsic(api, tx, this.modules.pair, { timeoutMs: this.opts.submitTimeoutMs ?? 120_000, signal: this.modules.signal });
      const at = (await api.rpc.chain.getHeader(inc.blockHash)).number.toNumber();
      this.announcedAtBlock = at;
      this.lastResult = { ok: true, block: at };
      this.log.info({ ...fields, block: at }, 'axon announced on chain (serve_axon)');
    } catch (err) {
      const chainError = chainErrorOf(err);
      const code = err instanceof MinerError ? err.code : 'INTERNAL';
      const message = err instanceof Error ? err.message : String(err);
      this.lastResult = { ok: false, ...(chainError ? { chainError } : {}) };
      if (chainError) {
        // The chain said no: try again only after the rate limit window, and give up after maxAttempts.
        this.failures++;
        this.notBeforeBlock = block + Math.max(limit, 10);
        this.log.error({ ...fields, code, chainError, err: message, attempt: this.failures }, 'serve_axon rejected; the miner keeps running');
      } else {
        // Connection trouble, not a verdict: retry a few blocks later, counted separately.
        this.transientFailures++;
        if (this.transientFailures >= TRANSIENT_LIMIT) this.failures = Number.MAX_SAFE_INTEGER;
        this.notBeforeBlock = block + 3;
        this.log.warn({ ...fields, code, err: message, attempt: this.transientFailures }, 'serve_axon failed; will retry');
      }
    }
  }
}
