/** The flood bench's printout: the validator's answers per phase and form, the junk, the verdict against issue 10's goal. */
import type { JunkReport } from './junkClient.js';
import { pct, type ProbeSample } from './probe.js';

export const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');

export type PhaseStats = Map<string, { ok: number; sent: number; p99: number }>;

export function phaseTable(samples: ProbeSample[]): { lines: string[]; byKey: Map<string, { ok: number; sent: number; p99: number }> } {
  const lines = ['phase  form  sent  200   answered  p50 ms  p99 ms  statuses'];
  const byKey = new Map<string, { ok: number; sent: number; p99: number }>();
  for (const phase of ['calm', 'flood', 'after', 'closed-loop']) {
    if (!samples.some((x) => x.phase === phase)) continue;
    for (const form of ['ws', 'http'] as const) {
      const xs = samples.filter((s) => s.phase === phase && s.form === form);
      const ok = xs.filter((s) => s.status === 200);
      const counts = new Map<number, number>();
      for (const s of xs) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
      const p99 = pct(
        ok.map((s) => s.ms),
        99,
      );
      byKey.set(`${phase}/${form}`, { ok: ok.length, sent: xs.length, p99 });
      lines.push(
        `${phase.padEnd(6)} ${form.padEnd(5)} ${String(xs.length).padStart(4)} ${String(ok.length).padStart(4)}  ${(xs.length ? (100 * ok.length) / xs.length : 0).toFixed(1).padStart(6)} %  ${fmt(
          pct(
            ok.map((s) => s.ms),
            50,
          ),
        ).padStart(6)}  ${fmt(p99).padStart(6)}  ${[...counts].map(([k, v]) => `${k < 0 ? 'error' : k} x${v}`).join(', ')}`,
      );
    }
  }
  return { lines, byKey };
}

export function junkLine(label: string, seconds: number, reports: JunkReport[]): { line: string; refusedPerSec: number } {
  const sent = reports.reduce((a, r) => a + r.sent, 0);
  const answered = reports.reduce((a, r) => a + r.answered, 0);
  const mix = new Map<string, number>();
  for (const r of reports) for (const [k, v] of Object.entries(r.statuses)) if (v > 0) mix.set(`${r.form} ${k}`, (mix.get(`${r.form} ${k}`) ?? 0) + v);
  const extra = reports.map((r) => `${r.form}: ${r.reconnects} reconnects, ${r.skipped} not written (backlog)`).join('; ');
  const refusedPerSec = answered / seconds;
  return {
    refusedPerSec,
    line: `${label}: offered ${(sent / seconds).toFixed(0)}/s, answered ${refusedPerSec.toFixed(0)}/s; ${[...mix]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} x${v}`)
      .join(', ')}; ${extra}`,
  };
}

export function verdict(
  byKey: Map<string, { ok: number; sent: number; p99: number }>,
  floodRefused: number,
  closedRefused: number | null,
  offered: number,
): void {
  const parts: string[] = [];
  let pass = true;
  for (const form of ['ws', 'http']) {
    const f = byKey.get(`flood/${form}`)!;
    const c = byKey.get(`calm/${form}`)!;
    const share = f.sent ? (100 * f.ok) / f.sent : 0;
    const ratio = f.p99 / c.p99;
    const ok = share >= 99 && ratio <= 3;
    pass &&= ok;
    parts.push(
      `${form}: ${share.toFixed(1)} % answered in flood (goal >= 99), p99 ${fmt(f.p99)} ms = ${fmt(ratio)}x calm ${fmt(c.p99)} ms (goal <= 3x) ${ok ? 'ok' : 'MISSED'}`,
    );
  }
  const refused = closedRefused ?? floodRefused;
  const junkOk = refused >= 20_000;
  pass &&= junkOk;
  parts.push(
    `junk refused ${floodRefused.toFixed(0)}/s at the offered ${offered}/s${closedRefused === null ? '' : `, ${closedRefused.toFixed(0)}/s closed loop`} (goal >= 20,000/s) ${junkOk ? 'ok' : 'MISSED'}`,
  );
  console.log(`\nVERDICT ${pass ? 'PASS' : 'FAIL'}: ${parts.join('; ')}`);
}
