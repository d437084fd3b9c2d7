import type { Point } from "../geometry.ts";

/**
 * Adaptive Bézier flattening: subdivide until the control points lie within `tol` of the
 * chord. The tolerance comes from the dot pitch (a deviation well under a dot is invisible
 * once struck), so small text gets few segments and large text stays smooth.
 * Points are appended to `out` without the start point.
 */
const MAX_DEPTH = 16;

function lineDistance(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy);
  if (len === 0) return Math.hypot(p.x - a.x, p.y - a.y);
  return Math.abs((p.x - a.x) * dy - (p.y - a.y) * dx) / len;
}

const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

export function flattenQuadratic(p0: Point, p1: Point, p2: Point, tol: number, out: Point[], depth = 0): void {
  if (depth >= MAX_DEPTH || lineDistance(p1, p0, p2) <= tol) {
    out.push(p2);
    return;
  }
  const a = mid(p0, p1);
  const b = mid(p1, p2);
  const m = mid(a, b);
  flattenQuadratic(p0, a, m, tol, out, depth + 1);
  flattenQuadratic(m, b, p2, tol, out, depth + 1);
}

export function flattenCubic(p0: Point, p1: Point, p2: Point, p3: Point, tol: number, out: Point[], depth = 0): void {
  if (depth >= MAX_DEPTH || Math.max(lineDistance(p1, p0, p3), lineDistance(p2, p0, p3)) <= tol) {
    out.push(p3);
    return;
  }
  const a = mid(p0, p1);
  const b = mid(p1, p2);
  const c = mid(p2, p3);
  const ab = mid(a, b);
  const bc = mid(b, c);
  const m = mid(ab, bc);
  flattenCubic(p0, a, ab, m, tol, out, depth + 1);
  flattenCubic(m, bc, c, p3, tol, out, depth + 1);
}
