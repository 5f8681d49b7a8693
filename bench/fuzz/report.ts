/** The fuzz run's summary table: cases and outcome classes per family, failures with case numbers, rate. */
import type { FuzzSummary } from './runner.js';

export function formatSummary(s: FuzzSummary, seed: number, replay: string): string {
  const lines: string[] = [];
  const fams = new Map<string, { cases: number; failed: number; outcomes: Map<string, number>; ms: number }>();
  for (const r of s.results) {
    const f = fams.get(r.family) ?? { cases: 0, failed: 0, outcomes: new Map(), ms: 0 };
    f.cases++;
    f.ms += r.ms;
    if (r.failure) f.failed++;
    f.outcomes.set(r.outcome, (f.outcomes.get(r.outcome) ?? 0) + 1);
    fams.set(r.family, f);
  }
  const w = Math.max(8, ...[...fams.keys()].map((k) => k.length));
  lines.push(`${'family'.padEnd(w)}  cases  fail  avg ms  outcomes (count)`);
  for (const [name, f] of [...fams].sort((a, b) => a[0].localeCompare(b[0]))) {
    const top = [...f.outcomes]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} x${v}`)
      .join('; ');
    lines.push(`${name.padEnd(w)}  ${String(f.cases).padStart(5)}  ${String(f.failed).padStart(4)}  ${(f.ms / f.cases).toFixed(0).padStart(6)}  ${top}`);
  }
  const all = new Map<string, number>();
  for (const r of s.results) all.set(r.outcome, (all.get(r.outcome) ?? 0) + 1);
  lines.push(
    '',
    `outcome classes: ${[...all]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} x${v}`)
      .join('; ')}`,
  );
  lines.push(`valid checks (validator over HTTP and WS): ${s.checks.passed} passed, ${s.checks.failed} failed; daemon deaths: ${s.deaths}`);
  if (s.failures.length > 0) {
    lines.push('', `FAILURES (${s.failures.length}):`);
    for (const f of s.failures.slice(0, 60))
      lines.push(`  ${f.n === null ? '      -' : `#${String(f.n).padStart(6)}`}  ${f.family}  ${f.note}\n      -> ${f.why}`);
    if (s.failures.length > 60) lines.push(`  ... ${s.failures.length - 60} more`);
    const nums = s.failures.filter((f) => f.n !== null).map((f) => f.n!);
    if (nums.length > 0) lines.push(`  replay one: ${replay} --seed ${seed} --case ${nums[0]}`);
  }
  if (s.stoppedEarly) lines.push(`stopped early: ${s.stoppedEarly}`);
  lines.push(
    `${s.results.length} cases in ${s.seconds.toFixed(1)} s (${(s.results.length / Math.max(s.seconds, 1e-9)).toFixed(1)} cases/s), seed ${seed}: ${s.failures.length === 0 ? 'PASS' : 'FAIL'}`,
  );
  return lines.join('\n');
}
