import type { DestinationStream } from 'pino';
import PinoPretty from 'pino-pretty';

type Rec = Record<string, unknown>;

const num = (v: unknown, digits = 3): string => (typeof v === 'number' && Number.isFinite(v) ? String(Number(v.toFixed(digits))) : '-');
const obj = (v: unknown): Rec => (typeof v === 'object' && v !== null ? (v as Rec) : {});
const mib = (v: unknown): string => (typeof v === 'number' ? `${Math.round(v / 1_048_576)}MiB` : '-');

function standing(r: Rec): string {
  return (
    `uid=${String(r['uid'])} incentive=${num(r['incentive'], 4)} emission/epoch=${String(r['emissionPerEpoch'] ?? '-')} ` +
    `${String(r['emissionUnit'] ?? '')} (~${String(r['emissionPerDay'] ?? '-')}/day) position=${String(r['positionText'] ?? '-')} ` +
    `stake=${String(r['stake'] ?? '-')} block=${String(r['block'])} (${String(r['reason'] ?? '')})`
  );
}

function serving(r: Rec): string {
  const lat = obj(r['latencyMs']);
  const cache = obj(r['cache']);
  const statuses =
    Object.entries(obj(r['byStatus']))
      .map(([k, v]) => `${k}:${String(v)}`)
      .join(',') || 'none';
  return (
    `${String(r['requests'])} req in ${String(r['windowSeconds'])}s (${num(r['requestsPerSecond'], 2)}/s) ` +
    `p50/p95/p99=${num(lat['p50'], 1)}/${num(lat['p95'], 1)}/${num(lat['p99'], 1)}ms errors=${num(Number(r['errorRatio'] ?? 0) * 100, 2)}% ` +
    `status=${statuses} cache hit=${cache['hitRate'] === null || cache['hitRate'] === undefined ? '-' : `${num(Number(cache['hitRate']) * 100, 1)}%`} ` +
    `queue=${typeof r['queueDepth'] === 'number' ? String(r['queueDepth']) : JSON.stringify(r['queueDepth'] ?? null)}`
  );
}

function hardware(r: Rec): string {
  const gpus = Array.isArray(r['gpus']) ? (r['gpus'] as Rec[]) : [];
  const gpu = gpus.map((g) => `gpu${String(g['index'])} ${num(Number(g['utilization'] ?? 0) * 100, 0)}% ${String(g['temperatureC'] ?? '-')}C`).join(' ');
  return (
    `cpu=${num(Number(r['cpuLoadRatio'] ?? 0) * 100, 0)}% mem=${num(Number(r['memoryUsedRatio'] ?? 0) * 100, 0)}% ` +
    `rss=${mib(r['processRssBytes'])} heap=${mib(r['processHeapUsedBytes'])} native=${mib(r['processNativeBytes'])} ` +
    `disk=${num(Number(r['diskUsedRatio'] ?? 0) * 100, 0)}% lag=${num(r['eventLoopLagMs'], 1)}ms${gpu ? ` ${gpu}` : ''}` +
    `${Array.isArray(r['alarms']) && r['alarms'].length ? ` alarms=${(r['alarms'] as string[]).join(',')}` : ''}`
  );
}

const SUMMARIES: Record<string, (r: Rec) => string> = {
  'standing report': standing,
  'serving report': serving,
  'hardware report': hardware,
};

/** One readable line for a periodic report (the demo's lines are the model); undefined for other messages. */
export function reportSummary(rec: Rec): string | undefined {
  const f = SUMMARIES[String(rec['msg'] ?? '')];
  if (!f) return undefined;
  try {
    return f(rec);
  } catch {
    return undefined;
  }
}

const ENVELOPE = new Set(['level', 'time', 'pid', 'module', 'msg', 'hostname']);

/**
 * `--pretty` output: pino-pretty for ordinary lines, and for the periodic reports one summary
 * line; their full fields follow only with `details` (the daemon passes it at debug level and
 * below), so a report is never a 50-line key dump by default.
 */
export function prettyDestination(opts: { details: boolean; colorize: boolean; write: (s: string) => void }): DestinationStream {
  const pretty = PinoPretty.prettyFactory({
    colorize: opts.colorize,
    translateTime: 'SYS:standard',
    ignore: 'pid,hostname,module',
    messageFormat: '{if module}[{module}] {end}{msg}',
  });
  const write = opts.write;
  return {
    write(line: string): void {
      let rec: Rec;
      try {
        rec = JSON.parse(line) as Rec;
      } catch {
        write(line);
        return;
      }
      const summary = reportSummary(rec);
      if (summary === undefined) {
        write(pretty(rec));
        return;
      }
      const head: Rec = { level: rec['level'], time: rec['time'], module: rec['module'], msg: `${String(rec['msg'])}: ${summary}` };
      const details = Object.fromEntries(Object.entries(rec).filter(([k]) => !ENVELOPE.has(k)));
      write(pretty(opts.details ? { ...head, ...details } : head));
    },
  };
}
