import type { MetagraphSnapshot, MetagraphSource } from '../chain/index.js';
import type { CoreModules, Logger, Service } from '../util/index.js';
import { CronJob, assertCron } from './cronJob.js';
import { moduleLogger } from './moduleLogger.js';
import type { MonitorMetrics, StandingMetrics } from '../metrics/index.js';
import { computeStanding, epochIndex, type ImmunityInput, type Standing } from './standing.js';

export interface StandingReporterOpts {
  /** The miner's hotkey (ss58). */
  hotkey: string;
  /** node-cron expression of the scheduled report (config `monitor.standingCron`). */
  cron: string;
  /** Overrides the unit emission is shown in (default: TAO on netuid 0, alpha elsewhere). */
  emissionUnit?: 'TAO' | 'alpha';
}

export interface StandingReporterModules extends CoreModules {
  metagraph: MetagraphSource;
  /** The monitor's metrics (standing gauges); null runs without. */
  metrics: MonitorMetrics | null;
  /** Immunity of the own uid when the chain reads it, e.g. `() => metagraphSync.standing()?.immunity`. */
  immunity?: () => ImmunityInput | null | undefined;
}

export type StandingReason = 'first-sync' | 'epoch' | 'sync' | 'schedule';

const round = (v: number, d = 6): number => Math.round(v * 10 ** d) / 10 ** d;
const roundOrNull = (v: number | null, d: number): number | null => (v === null ? null : round(v, d));

/**
 * Logs the miner's standing after every sync that saw a new epoch and on a schedule, keeps
 * the standing gauges current after every sync, and says loudly (error level, every time)
 * when the hotkey holds no uid.
 */
export class StandingReporter implements Service {
  readonly name = 'standing-reporter';
  private readonly log: Logger;
  private readonly job: CronJob;
  private readonly gauges: StandingMetrics | null;
  private unsubscribe: (() => void) | undefined;
  private lastEpoch: number | undefined;
  private lastReported: Standing | undefined;
  private latest: Standing | undefined;
  private everRegistered = false;

  constructor(
    private readonly opts: StandingReporterOpts,
    private readonly modules: StandingReporterModules,
  ) {
    assertCron(opts.cron, 'monitor.standingCron');
    this.log = moduleLogger(modules.logger);
    this.job = new CronJob(
      opts.cron,
      'standing-report',
      () => {
        this.reportNow('schedule');
      },
      this.log,
    );
    this.gauges = modules.metrics?.standing ?? null;
  }

  async start(): Promise<void> {
    if (this.unsubscribe) return;
    this.unsubscribe = this.modules.metagraph.onUpdate((snap) => {
      // A reporting fault must never reach the sync loop that calls listeners.
      try {
        this.onSync(snap);
      } catch (err) {
        this.log.error({ err }, 'standing update failed');
      }
    });
    const snap = this.modules.metagraph.current();
    if (snap) this.onSync(snap);
    this.job.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.job.stop();
  }

  /** The standing computed from the last snapshot seen, for /health and `status`. */
  current(): Standing | undefined {
    return this.latest;
  }

  /** Called after every successful metagraph sync; reports when the block crossed an epoch boundary. */
  onSync(snap: MetagraphSnapshot): void {
    const standing = this.update(snap);
    const epoch = epochIndex(snap.block, snap.tempo, snap.netuid);
    const prev = this.lastEpoch;
    this.lastEpoch = epoch;
    if (prev === undefined) this.emit(standing, 'first-sync', snap);
    else if (epoch > prev) this.emit(standing, 'epoch', snap);
    else if (!standing.registered) this.emitUnregistered(standing, 'sync', snap);
  }

  /** Logs a report from the current snapshot now; what the schedule calls. */
  reportNow(reason: StandingReason = 'schedule'): Standing | undefined {
    const snap = this.modules.metagraph.current();
    if (!snap) {
      this.log.info({ reason }, 'standing unknown: no metagraph snapshot yet');
      return undefined;
    }
    const standing = this.update(snap);
    this.emit(standing, reason, snap);
    return standing;
  }

  private update(snap: MetagraphSnapshot): Standing {
    const s = computeStanding(snap, this.opts.hotkey, {
      ...(this.opts.emissionUnit ? { emissionUnit: this.opts.emissionUnit } : {}),
      immunity: this.immunity(),
    });
    this.latest = s;
    const g = this.gauges;
    g?.registered.set(s.registered ? 1 : 0);
    g?.miners.set(s.minersCount);
    g?.incentive.set(s.incentive);
    g?.emission.set(Number(s.emissionPerEpochRao));
    g?.stake.set(s.stake);
    g?.dividends.set(s.dividends);
    g?.position.set(s.position ?? 0);
    g?.uid.set(s.uid ?? -1);
    return s;
  }

  private emit(s: Standing, reason: StandingReason, snap: MetagraphSnapshot): void {
    if (!s.registered) {
      this.emitUnregistered(s, reason, snap);
      return;
    }
    this.everRegistered = true;
    this.log.info({ event: 'standing', reason, ...this.fields(s, snap), delta: this.delta(s) }, 'standing report');
    this.lastReported = s;
  }

  private emitUnregistered(s: Standing, reason: StandingReason, snap: MetagraphSnapshot): void {
    this.log.error(
      {
        event: 'deregistered',
        reason,
        hotkey: this.opts.hotkey,
        netuid: s.netuid,
        block: s.block,
        registered: false,
        wasRegistered: this.everRegistered,
        lastUid: this.lastReported?.uid ?? null,
        minersCount: s.minersCount,
        metagraphAgeSeconds: this.ageSeconds(snap),
      },
      'miner not registered on subnet',
    );
  }

  private fields(s: Standing, snap: MetagraphSnapshot): Record<string, unknown> {
    return {
      hotkey: this.opts.hotkey,
      netuid: s.netuid,
      block: s.block,
      tempo: s.tempo,
      epoch: epochIndex(s.block, s.tempo, s.netuid),
      registered: true,
      uid: s.uid,
      incentive: round(s.incentive),
      dividends: round(s.dividends),
      emissionPerEpochRao: s.emissionPerEpochRao.toString(),
      emissionPerEpoch: round(s.emissionPerEpoch, 9),
      emissionPerDay: s.emissionPerDay === null ? null : round(s.emissionPerDay, 6),
      emissionUnit: s.emissionUnit,
      epochsPerDay: s.epochsPerDay === null ? null : round(s.epochsPerDay, 3),
      blockTimeMs: s.blockTimeMs,
      stake: round(s.stake, 9),
      stakeRao: s.stakeRao.toString(),
      stakeUnit: s.stakeUnit,
      alphaPriceTao: s.alphaPriceTao,
      stakeValueTao: roundOrNull(s.stakeValueTao, 9),
      emissionPerEpochValueTao: roundOrNull(s.emissionPerEpochValueTao, 9),
      emissionPerDayValueTao: roundOrNull(s.emissionPerDayValueTao, 6),
      validatorPermit: s.validatorPermit,
      position: s.position,
      minersCount: s.minersCount,
      positionText: `${s.position} of ${s.minersCount}`,
      active: s.active,
      immunity: s.immunity,
      metagraphAgeSeconds: this.ageSeconds(snap),
    };
  }

  private delta(s: Standing): Record<string, number> | null {
    const p = this.lastReported;
    if (!p?.registered) return null;
    return {
      incentive: round(s.incentive - p.incentive),
      dividends: round(s.dividends - p.dividends),
      emissionPerEpochRao: Number(s.emissionPerEpochRao - p.emissionPerEpochRao),
      stake: round(s.stake - p.stake, 9),
      // Positive: the miner moved up.
      position: (p.position ?? 0) - (s.position ?? 0),
      blocks: s.block - p.block,
    };
  }

  private immunity(): ImmunityInput | null {
    try {
      return this.modules.immunity?.() ?? null;
    } catch {
      return null;
    }
  }

  private ageSeconds(snap: MetagraphSnapshot): number {
    return Math.max(0, Math.round((this.modules.clock.now() - snap.syncedAtMs) / 1000));
  }
}
