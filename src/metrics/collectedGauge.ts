import { Gauge, type Registry } from 'prom-client';

/**
 * A gauge read at scrape time. The builder registers it before its source exists, so the
 * service that owns the state binds the reader later; until then a scrape leaves it alone.
 */
export interface CollectedGauge<L extends string = string> {
  readonly gauge: Gauge<L>;
  bind(read: (gauge: Gauge<L>) => void): void;
}

export function collectedGauge<L extends string = string>(
  registry: Registry,
  cfg: { name: string; help: string; labelNames?: readonly L[] },
): CollectedGauge<L> {
  let read: ((gauge: Gauge<L>) => void) | undefined;
  const gauge = new Gauge<L>({
    ...cfg,
    labelNames: cfg.labelNames ?? [],
    registers: [registry],
    collect(this: Gauge<L>) {
      read?.(this);
    },
  });
  return {
    gauge,
    bind: (r) => {
      read = r;
    },
  };
}
