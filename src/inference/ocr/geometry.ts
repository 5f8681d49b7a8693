export type Point = [number, number];

/** A rotated rectangle: centre, unit axis `u` (the one nearest the x axis), width along u, height along v. */
export interface RotatedRect {
  cx: number;
  cy: number;
  ux: number;
  uy: number;
  width: number;
  height: number;
}

const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** Andrew's monotone chain; returns the hull counter-clockwise without repeating the first point. */
export function convexHull(points: Point[]): Point[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length <= 2) return p;
  const lower: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Point[] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Orients a rectangle so that u points right and lies within 45 degrees of the x axis. */
function orient(r: RotatedRect): RotatedRect {
  let { ux, uy, width, height } = r;
  if (Math.abs(uy) > Math.abs(ux)) {
    [ux, uy] = [-uy, ux];
    [width, height] = [height, width];
  }
  if (ux < 0) {
    ux = -ux;
    uy = -uy;
  }
  return { ...r, ux, uy, width, height };
}

/** Minimum-area enclosing rectangle by rotating calipers over the hull's edges. */
export function minAreaRect(points: Point[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 0) return { cx: 0, cy: 0, ux: 1, uy: 0, width: 0, height: 0 };
  let best: RotatedRect | undefined;
  let bestArea = Infinity;
  const edges = hull.length === 1 ? 1 : hull.length;
  for (let i = 0; i < edges; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    let ex = b[0] - a[0];
    let ey = b[1] - a[1];
    const len = Math.hypot(ex, ey);
    if (len === 0) {
      ex = 1;
      ey = 0;
    } else {
      ex /= len;
      ey /= len;
    }
    let minU = Infinity,
      maxU = -Infinity,
      minV = Infinity,
      maxV = -Infinity;
    for (const p of hull) {
      const u = p[0] * ex + p[1] * ey;
      const v = -p[0] * ey + p[1] * ex;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { cx: cu * ex - cv * ey, cy: cu * ey + cv * ex, ux: ex, uy: ey, width: maxU - minU, height: maxV - minV };
    }
  }
  return orient(best!);
}

/** Grows a rectangle by the DB unclip distance (area x ratio / perimeter) on every side. */
export function unclip(r: RotatedRect, ratio: number): RotatedRect {
  const perimeter = 2 * (r.width + r.height);
  if (perimeter === 0) return r;
  const d = (r.width * r.height * ratio) / perimeter;
  return { ...r, width: r.width + 2 * d, height: r.height + 2 * d };
}

/** Corners in order top-left, top-right, bottom-right, bottom-left. */
export function corners(r: RotatedRect): [Point, Point, Point, Point] {
  const hx = (r.ux * r.width) / 2,
    hy = (r.uy * r.width) / 2;
  const vx = (-r.uy * r.height) / 2,
    vy = (r.ux * r.height) / 2;
  return [
    [r.cx - hx - vx, r.cy - hy - vy],
    [r.cx + hx - vx, r.cy + hy - vy],
    [r.cx + hx + vx, r.cy + hy + vy],
    [r.cx - hx + vx, r.cy - hy + vy],
  ];
}

export function scaleRect(r: RotatedRect, sx: number, sy: number): RotatedRect {
  // Small rotations only (documents): scale the axes' lengths by the matching factors.
  const ux = r.ux * sx,
    uy = r.uy * sy;
  const lu = Math.hypot(ux, uy);
  const vx = -r.uy * sx,
    vy = r.ux * sy;
  const lv = Math.hypot(vx, vy);
  return { cx: r.cx * sx, cy: r.cy * sy, ux: ux / lu, uy: uy / lu, width: r.width * lu, height: r.height * lv };
}
