import { describe, expect, it } from 'vitest';
import { hungarianMaxReward, hungarianMinCost } from '../src/hungarian.js';
import { createRng } from '../src/prng.js';

function cost(m: number[][], a: number[]): number {
  return a.reduce((s, j, i) => (j >= 0 ? s + (m[i]?.[j] ?? 0) : s), 0);
}

/** Exhaustive optimum over injective row -> column maps (rows <= cols) for small matrices. */
function bruteMin(m: number[][]): number {
  const rows = m.length;
  const cols = m[0]?.length ?? 0;
  let best = Infinity;
  const used = new Array<boolean>(cols).fill(false);
  const rec = (i: number, acc: number): void => {
    if (i === rows) {
      best = Math.min(best, acc);
      return;
    }
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      used[j] = true;
      rec(i + 1, acc + (m[i]?.[j] ?? 0));
      used[j] = false;
    }
  };
  rec(0, 0);
  return best;
}

function transpose(m: number[][]): number[][] {
  return (m[0] ?? []).map((_, j) => m.map((r) => r[j] ?? 0));
}

describe('hungarian', () => {
  it('solves a classic 3x3 instance', () => {
    const m = [
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ];
    const a = hungarianMinCost(m);
    expect(a).toEqual([1, 0, 2]);
    expect(cost(m, a)).toBe(5);
  });

  it('maximises reward for a 3x3 instance', () => {
    const r = [
      [0.9, 0.1, 0.0],
      [0.2, 0.8, 0.3],
      [0.0, 0.7, 0.6],
    ];
    expect(hungarianMaxReward(r)).toEqual([0, 1, 2]);
  });

  it('handles more columns than rows (extra predictions left out)', () => {
    const m = [
      [10, 1, 7, 8],
      [3, 9, 2, 6],
    ];
    const a = hungarianMinCost(m);
    expect(a).toEqual([1, 2]);
  });

  it('handles more rows than columns (labels left unmatched get -1)', () => {
    const m = [
      [5, 9],
      [1, 8],
      [7, 2],
    ];
    const a = hungarianMinCost(m);
    expect(a).toEqual([-1, 0, 1]);
    expect(cost(m, a)).toBe(3);
  });

  it('matches brute force on random rectangular matrices', () => {
    const rng = createRng('hungarian');
    for (let t = 0; t < 60; t++) {
      const rows = rng.int(1, 6);
      const cols = rng.int(1, 6);
      const m = Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.int(0, 20)));
      const a = hungarianMinCost(m);
      const assigned = a.filter((j) => j >= 0);
      expect(assigned.length).toBe(Math.min(rows, cols));
      expect(new Set(assigned).size).toBe(assigned.length);
      const opt = rows <= cols ? bruteMin(m) : bruteMin(transpose(m));
      expect(cost(m, a)).toBe(opt);
    }
  });

  it('returns empty assignments for empty input', () => {
    expect(hungarianMinCost([])).toEqual([]);
    expect(hungarianMinCost([[], []])).toEqual([-1, -1]);
  });
});
