/**
 * Minimum-cost assignment (Kuhn-Munkres with potentials, shortest augmenting paths), O(n^2 m)
 * for an n x m matrix with n <= m; wider-than-tall matrices are solved transposed.
 * Returns, for each row, the column it gets (-1 when there are more rows than columns and
 * the row is left out).
 */
export function hungarianMinCost(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  const cols = rows === 0 ? 0 : (cost[0]?.length ?? 0);
  if (rows === 0) return [];
  if (cols === 0) return new Array<number>(rows).fill(-1);
  if (rows <= cols) return solve(rows, cols, (i, j) => at(cost, i, j));
  const colToRow = solve(cols, rows, (i, j) => at(cost, j, i));
  const rowToCol = new Array<number>(rows).fill(-1);
  colToRow.forEach((r, c) => {
    if (r >= 0) rowToCol[r] = c;
  });
  return rowToCol;
}

/** Same, maximising the total (the tutorial matches by maximum section reward). */
export function hungarianMaxReward(reward: readonly (readonly number[])[]): number[] {
  return hungarianMinCost(reward.map((row) => row.map((v) => -v)));
}

function at(m: readonly (readonly number[])[], i: number, j: number): number {
  const v = m[i]?.[j];
  if (v === undefined || Number.isNaN(v)) throw new RangeError(`cost matrix has no finite value at ${i},${j}`);
  return v;
}

/** n <= m; 1-based arrays as in the classic formulation, index 0 is the virtual start. */
function solve(n: number, m: number, c: (i: number, j: number) => number): number[] {
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: row matched to column j (0 = none)
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0] as number;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = c(i0 - 1, j - 1) - (u[i0] as number) - (v[j] as number);
        if (cur < (minv[j] as number)) {
          minv[j] = cur;
          way[j] = j0;
        }
        if ((minv[j] as number) < delta) {
          delta = minv[j] as number;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j] as number] = (u[p[j] as number] as number) + delta;
          v[j] = (v[j] as number) - delta;
        } else {
          minv[j] = (minv[j] as number) - delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0] as number;
      p[j0] = p[j1] as number;
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowToCol = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) {
    const r = p[j] as number;
    if (r > 0) rowToCol[r - 1] = j - 1;
  }
  return rowToCol;
}
