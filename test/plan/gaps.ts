import { distance, type Point, type Stroke } from "../../src/geometry.ts";

/**
 * The longest stretch of a stroke without a strike, mm. A strike serves the stroke where it
 * lies within half a pitch of it (a strike of a crossing or a neighbouring stroke counts:
 * it is where the reader sees the dot).
 */
export function longestGap(stroke: Stroke, strikes: readonly Point[], pitch: number): number {
  const pts = stroke.closed ? [...stroke.points, stroke.points[0]!] : stroke.points;
  const at = [0];
  for (let i = 1; i < pts.length; i++) at.push(at[i - 1]! + distance(pts[i - 1]!, pts[i]!));
  const length = at[at.length - 1]!;
  const served: number[] = [];
  for (const q of strikes)
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const l2 = dx * dx + dy * dy;
      const t = l2 ? Math.max(0, Math.min(1, ((q.x - a.x) * dx + (q.y - a.y) * dy) / l2)) : 0;
      if (Math.hypot(a.x + dx * t - q.x, a.y + dy * t - q.y) <= pitch / 2 + 1e-9) served.push(at[i - 1]! + (at[i]! - at[i - 1]!) * t);
    }
  served.sort((x, y) => x - y);
  if (!served.length) return length;
  let gap = stroke.closed ? served[0]! + length - served[served.length - 1]! : Math.max(served[0]!, length - served[served.length - 1]!);
  for (let i = 1; i < served.length; i++) gap = Math.max(gap, served[i]! - served[i - 1]!);
  return gap;
}
