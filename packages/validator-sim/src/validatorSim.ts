import type { KeyringPair } from '@polkadot/keyring/types';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { MetagraphSource } from '../../../src/chain/index.js';
import { type CoreModules, type Logger, type Service, toMinerError } from '../../../src/util/index.js';
import { InvoiceGenerator, type InvoicePage } from './invoiceGenerator.js';
import { minerTargets, type AddressOverrides, type DendriteClient, type DendriteForm, type MinerTarget } from './minerQuery.js';
import { scoreResponse, TUTORIAL_WEIGHTS, type PageScore } from './ocrReward.js';
import { currentBlock, normalizeWeights, readWeightParams, submitWeights, type ChainApiSource, type SetWeightsResult } from './weightSetter.js';

export interface ValidatorSimOpts {
  netuid: number;
  /** Blocks between two set_weights; default: the subnet's tempo. */
  tempo?: number;
  queryTimeoutMs: number;
  transport: 'http' | 'ws';
  /** The wire form to ask in (default: legacy for http, ws for ws). */
  form?: DendriteForm;
  /** Pages are generated from `${seed}:${round}`, so a run can be replayed. */
  seed: string | number;
  /** Pause between rounds (default 2000 ms). */
  roundIntervalMs?: number;
  /** Replaces every announced axon IP (the devnet miner announces 10.0.0.1 but listens on loopback). */
  hostOverride?: string;
  /** Per hotkey "host:port"; wins over hostOverride. */
  axonAddressOverride?: Record<string, string>;
  /** Weight of the newest reward in the moving average (the tutorial's default is 0.05). */
  movingAverageAlpha?: number;
  /** Stop after this many rounds (default: until stopped). */
  maxRounds?: number;
  /** set_weights version_key; never below the subnet's WeightsVersionKey. */
  versionKey?: number;
  /** Miners queried at once (default 16). */
  concurrency?: number;
  setWeightsTimeoutMs?: number;
}

export interface ValidatorSimModules extends CoreModules {
  /** The simulator keeps its own series, outside the miner's metrics. */
  registry: Registry;
  pair: KeyringPair;
  metagraph: MetagraphSource;
  chain: ChainApiSource;
  dendrite: DendriteClient;
  generator?: InvoiceGenerator;
}

export interface MinerRoundResult {
  readonly uid: number;
  readonly hotkey: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly score: PageScore;
  readonly movingAverage: number;
}

export interface RoundResult {
  readonly round: number;
  readonly labels: number;
  readonly miners: MinerRoundResult[];
  readonly weights?: SetWeightsResult;
}

/** Bounds the score table: subtensor subnets hold at most 4096 uids. */
const MAX_UIDS = 4096;

/**
 * A validator for a devnet: each round makes an invoice page, asks every served miner through
 * the dendrite, scores the answers with the tutorial's reward, keeps a moving average per uid
 * and sets weights once per tempo (respecting WeightsSetRateLimit).
 */
export class ValidatorSim implements Service {
  readonly name = 'validator-sim';
  private readonly log: Logger;
  private readonly generator: InvoiceGenerator;
  private readonly scores = new Map<number, { hotkey: string; value: number }>();
  private readonly listeners = new Set<(r: RoundResult) => void>();
  private readonly metrics: ReturnType<typeof createMetrics>;
  private loop: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private round = 0;
  private lastWeightsBlock: number | undefined;

  constructor(
    private readonly opts: ValidatorSimOpts,
    private readonly m: ValidatorSimModules,
  ) {
    this.log = m.logger;
    this.generator = m.generator ?? new InvoiceGenerator();
    this.metrics = createMetrics(m.registry);
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.abort = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, this.m.signal]);
    this.loop = this.runLoop(signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** Resolves when the loop ends by itself (maxRounds) or is stopped. */
  done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  onRound(listener: (r: RoundResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Current moving averages by uid. */
  movingAverages(): Map<number, number> {
    return new Map([...this.scores].map(([uid, s]) => [uid, s.value]));
  }

  /** Scores of uids still held by the hotkey that earned them: deregistered miners get no weight. */
  private currentScores(): Map<number, number> {
    const hotkeys = new Map((this.m.metagraph.current()?.neurons ?? []).map((n) => [n.uid, n.hotkey]));
    const out = new Map<number, number>();
    for (const [uid, s] of this.scores) if (hotkeys.get(uid) === s.hotkey) out.set(uid, s.value);
    return out;
  }

  private async runLoop(signal: AbortSignal): Promise<void> {
    const max = this.opts.maxRounds ?? Infinity;
    while (!signal.aborted && this.round < max) {
      try {
        await this.runRound(signal);
      } catch (err) {
        const e = toMinerError(err);
        this.log.error({ code: e.code, errorId: e.errorId, err }, 'validator round failed');
      }
      if (this.round < max) await sleep(this.opts.roundIntervalMs ?? 2_000, signal);
    }
  }

  /** One round: generate, query, score, and set weights when a tempo has passed. */
  async runRound(signal: AbortSignal = this.m.signal): Promise<RoundResult> {
    const round = ++this.round;
    const page = await this.generator.generate(`${this.opts.seed}:${round}`);
    const snap = this.m.metagraph.current();
    const targets = snap ? minerTargets(snap.neurons, this.m.pair.address, this.overrides()) : [];
    if (!snap) this.log.warn({ round }, 'no metagraph yet, nothing to query');
    const miners = await this.queryAll(targets, page, signal);
    for (const r of miners) {
      this.log.info(
        {
          round,
          uid: r.uid,
          status: r.status,
          score: round4(r.score.total),
          prediction: round4(r.score.prediction),
          text: round4(r.score.text),
          position: round4(r.score.position),
          font: round4(r.score.font),
          latencyMs: Math.round(r.latencyMs),
          movingAverage: round4(r.movingAverage),
        },
        'miner scored',
      );
    }
    const answered = miners.filter((r) => r.status === 200).length;
    const best = miners.reduce((b, r) => Math.max(b, r.score.total), 0);
    this.log.info({ round, labels: page.labels.length, miners: miners.length, answered, bestScore: round4(best) }, 'round scored');
    this.metrics.rounds.inc();
    const weights = signal.aborted ? undefined : await this.trySetWeights(signal);
    const result: RoundResult = { round, labels: page.labels.length, miners, ...(weights ? { weights } : {}) };
    for (const l of this.listeners) l(result);
    return result;
  }

  private overrides(): AddressOverrides {
    return { host: this.opts.hostOverride, byHotkey: this.opts.axonAddressOverride };
  }

  private async queryAll(targets: MinerTarget[], page: InvoicePage, signal: AbortSignal): Promise<MinerRoundResult[]> {
    const out: MinerRoundResult[] = [];
    const width = Math.max(1, this.opts.concurrency ?? 16);
    for (let i = 0; i < targets.length && !signal.aborted; i += width) {
      const batch = targets.slice(i, i + width);
      out.push(...(await Promise.all(batch.map((t) => this.queryOne(t, page)))));
    }
    return out;
  }

  private async queryOne(t: MinerTarget, page: InvoicePage): Promise<MinerRoundResult> {
    let status = 0;
    let latencyMs = this.opts.queryTimeoutMs;
    let response: unknown;
    try {
      const a = await this.m.dendrite.query({
        host: t.host,
        port: t.port,
        axonHotkey: t.hotkey,
        synapse: 'OCRSynapse',
        body: { base64_image: page.base64Image },
        timeoutMs: this.opts.queryTimeoutMs,
        transport: this.opts.transport,
        ...(this.opts.form ? { form: this.opts.form } : {}),
      });
      status = a.status;
      latencyMs = a.latencyMs;
      response = status === 200 ? a.body?.['response'] : undefined;
      if (status !== 200) this.log.debug({ uid: t.uid, status, message: a.message }, 'miner answered with an error');
    } catch (err) {
      const e = toMinerError(err);
      this.log.warn({ uid: t.uid, host: t.host, port: t.port, code: e.code, errorId: e.errorId }, 'miner query failed');
    }
    this.metrics.queries.inc({ status: String(status) });
    this.metrics.latency.observe(latencyMs / 1000);
    // The tutorial's clock is the validator's: round-trip time, not the miner's own process time.
    const score = scoreResponse(page.labels, response, latencyMs / 1000, TUTORIAL_WEIGHTS);
    return { uid: t.uid, hotkey: t.hotkey, status, latencyMs, score, movingAverage: this.updateScore(t, score.total) };
  }

  private updateScore(t: MinerTarget, reward: number): number {
    const alpha = this.opts.movingAverageAlpha ?? 0.05;
    const prev = this.scores.get(t.uid);
    // A new hotkey on a uid is a new miner: it starts from nothing.
    const base = prev && prev.hotkey === t.hotkey ? prev.value : 0;
    const value = alpha * reward + (1 - alpha) * base;
    if (!prev && this.scores.size >= MAX_UIDS) return value;
    this.scores.set(t.uid, { hotkey: t.hotkey, value });
    return value;
  }

  /** A chain outage must not lose the round's scores: log it and try again next round. */
  private async trySetWeights(signal: AbortSignal): Promise<SetWeightsResult | undefined> {
    try {
      return await this.maybeSetWeights(signal);
    } catch (err) {
      const e = toMinerError(err);
      this.log.warn({ code: e.code, errorId: e.errorId, message: e.message }, 'cannot set weights this round');
      return undefined;
    }
  }

  private async maybeSetWeights(signal: AbortSignal): Promise<SetWeightsResult | undefined> {
    const api = this.m.chain.api();
    const [block, params] = await Promise.all([currentBlock(api), readWeightParams(api, this.opts.netuid)]);
    const own = this.m.metagraph.current()?.byHotkey(this.m.pair.address);
    if (!own) {
      this.log.warn({ hotkey: this.m.pair.address, netuid: this.opts.netuid }, 'validator hotkey not registered, not setting weights');
      return undefined;
    }
    const tempo = this.opts.tempo ?? params.tempo;
    const last = Math.max(this.lastWeightsBlock ?? -Infinity, params.lastUpdate[own.uid] ?? -Infinity);
    const since = block - last;
    if (since < Math.max(tempo, params.rateLimit)) return undefined;
    const { uids, weights } = normalizeWeights(this.currentScores());
    if (uids.length === 0) {
      this.log.info({ block }, 'no miner has a score yet, not setting weights');
      return undefined;
    }
    const versionKey = Math.max(this.opts.versionKey ?? 0, params.versionKey);
    const res = await submitWeights(api, this.m.pair, {
      netuid: this.opts.netuid,
      uids,
      weights,
      versionKey,
      block,
      timeoutMs: this.opts.setWeightsTimeoutMs ?? 60_000,
      signal,
    });
    this.metrics.weights.inc({ result: res.ok ? 'ok' : 'rejected' });
    if (res.ok) {
      this.lastWeightsBlock = block;
      this.log.info({ block, uids, weights, versionKey, blockHash: res.blockHash }, 'weights set');
    } else {
      this.log.warn({ block, uids, weights, versionKey, code: res.code, chainError: res.chainError, message: res.message }, 'set_weights failed');
    }
    return res;
  }
}

function createMetrics(registry: Registry) {
  return {
    rounds: new Counter({ name: 'miner_validator_rounds_total', help: 'Validator simulator rounds run', registers: [registry] }),
    queries: new Counter({
      name: 'miner_validator_queries_total',
      help: 'Miner queries by answer status (0: no answer)',
      labelNames: ['status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'miner_validator_query_latency_seconds',
      help: 'Round-trip time of miner queries',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 12],
      registers: [registry],
    }),
    weights: new Counter({
      name: 'miner_validator_set_weights_total',
      help: 'set_weights calls by result',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}

function round4(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
