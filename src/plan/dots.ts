import type { Point, Stroke } from "../geometry.ts";
import { distance } from "../geometry.ts";

/**
 * Strokes → dot positions for dot mode. Stroke ends and corners are always struck (they
 * carry the letter's shape); between them dots are spread evenly at no more than the pitch.
 * Afterwards no two strikes of a block are closer than half a pitch, so crossings and the
 * meeting points of strokes are struck once.
 */

/** A turn sharper than this keeps its vertex as a dot (degrees). */
export const CORNER_DEGREES = 35;

function turnDegrees(a: Point, b: Point, c: Point): number {
  const v1x = b.x - a.x;
  const v1y = b.y - a.y;
  const v2x = c.x - b.x;
  const v2y = c.y - b.y;
  const n = Math.hypot(v1x, v1y) * Math.hypot(v2x, v2y);
  if (n === 0) return 0;
  const cos = Math.max(-1, Math.min(1, (v1x * v2x + v1y * v2y) / n));
  return (Math.acos(cos) * 180) / Math.PI;
}

/** Evenly spaced dots along a polyline from its first to its last point, both included. */
function spread(points: readonly Point[], pitch: number, out: Point[]): void {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += distance(points[i - 1]!, points[i]!);
  const n = Math.max(1, Math.ceil(total / pitch - 1e-9));
  const step = total / n;
  let seg = 1;
  let segStart = 0; // arc length at points[seg-1]
  for (let k = 1; k < n; k++) {
    const target = k * step;
    while (seg < points.length - 1 && segStart + distance(points[seg - 1]!, points[seg]!) < target) {
      segStart += distance(points[seg - 1]!, points[seg]!);
      seg++;
    }
    const a = points[seg - 1]!;
    const b = points[seg]!;
    const len = distance(a, b);
    const t = len === 0 ? 0 : (target - segStart) / len;
    out.push({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
  }
  out.push(points[points.length - 1]!);
}

/** Dots along one stroke, in stroke order (closed strokes start and end at their first point). */
export function dotsAlongStroke(stroke: Stroke, pitch: number): Point[] {
  const pts = stroke.closed ? [...stroke.points, stroke.points[0]!] : [...stroke.points];
  if (pts.length === 0) return [];
  const out: Point[] = [pts[0]!];
  if (pts.length === 1) return out;
  // Split at corners; spread dots over each run between fixed points.
  let runStart = 0;
  for (let i = 1; i < pts.length - 1; i++) {
    if (turnDegrees(pts[i - 1]!, pts[i]!, pts[i + 1]!) > CORNER_DEGREES) {
      spread(pts.slice(runStart, i + 1), pitch, out);
      runStart = i;
    }
  }
  spread(pts.slice(runStart), pitch, out);
  // A closed stroke ends where it began: that strike is already there.
  if (stroke.closed && out.length > 1) out.pop();
  return out;
}

/**
 * Drops every dot closer than `minGap` to a dot already kept, in order. A uniform grid keeps
 * this linear in the number of dots.
 */
export function dropCrowdedDots(groups: readonly (readonly Point[])[], minGap: number): Point[][] {
  const cell = minGap;
  const grid = new Map<string, Point[]>();
  const key = (ix: number, iy: number) => `${ix},${iy}`;
  const out: Point[][] = [];
  for (const group of groups) {
    const kept: Point[] = [];
    for (const p of group) {
      const ix = Math.floor(p.x / cell);
      const iy = Math.floor(p.y / cell);
      let crowded = false;
      for (let dx = -1; dx <= 1 && !crowded; dx++)
        for (let dy = -1; dy <= 1 && !crowded; dy++)
          for (const q of grid.get(key(ix + dx, iy + dy)) ?? []) if (distance(p, q) < minGap - 1e-9) crowded = true;
      if (crowded) continue;
      kept.push(p);
      const k = key(ix, iy);
      const bucket = grid.get(k);
      if (bucket) bucket.push(p);
      else grid.set(k, [p]);
    }
    out.push(kept);
  }
  return out;
}
