import type { Logger } from '../util/index.js';
import type { Gauge } from 'prom-client';

export interface AlarmSpec {
  /** Stable name, logged as `alarm` and used as the metric label. */
  readonly name: string;
  /** Crossed when the value rises above this. */
  readonly threshold: number;
  /** Unit of value and threshold, logged as `unit`. */
  readonly unit: string;
}

export interface AlarmOpts {
  /** Recovery needs the value below threshold minus this fraction of it, so a value that hovers at the line does not flap. */
  hysteresisRatio: number;
}

export type AlarmTransition = 'crossed' | 'recovered' | null;

/**
 * Threshold alarms with hysteresis: one warn line when a value crosses its threshold, one
 * info line when it has recovered, nothing in between however often it is sampled.
 */
export class ThresholdAlarms {
  private readonly specs = new Map<string, AlarmSpec>();
  private readonly active = new Map<string, boolean>();

  constructor(
    specs: readonly AlarmSpec[],
    private readonly opts: AlarmOpts,
    private readonly modules: { logger: Logger; gauge?: Gauge<'alarm'> | undefined },
  ) {
    for (const s of specs) this.specs.set(s.name, s);
    for (const s of specs) this.modules.gauge?.set({ alarm: s.name }, 0);
  }

  /** Feeds one sample; null or NaN (value unknown) leaves the state alone. */
  update(name: string, value: number | null | undefined, extra: Record<string, unknown> = {}): AlarmTransition {
    const spec = this.specs.get(name);
    if (!spec || value === null || value === undefined || !Number.isFinite(value)) return null;
    const wasActive = this.active.get(name) ?? false;
    if (!wasActive && value > spec.threshold) {
      this.setActive(spec, true);
      this.modules.logger.warn({ alarm: name, value: round(value), threshold: spec.threshold, unit: spec.unit, ...extra }, 'threshold crossed');
      return 'crossed';
    }
    const recoverBelow = spec.threshold - Math.abs(spec.threshold) * this.opts.hysteresisRatio;
    if (wasActive && value < recoverBelow) {
      this.setActive(spec, false);
      this.modules.logger.info({ alarm: name, value: round(value), threshold: spec.threshold, unit: spec.unit, ...extra }, 'threshold recovered');
      return 'recovered';
    }
    return null;
  }

  isActive(name: string): boolean {
    return this.active.get(name) ?? false;
  }

  /** Names of alarms now crossed, for /health and the serving report. */
  activeNames(): string[] {
    return [...this.active].filter(([, on]) => on).map(([n]) => n);
  }

  private setActive(spec: AlarmSpec, on: boolean): void {
    this.active.set(spec.name, on);
    this.modules.gauge?.set({ alarm: spec.name }, on ? 1 : 0);
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
