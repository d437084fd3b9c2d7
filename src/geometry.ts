/**
 * Plain geometry shared by every stage: millimetres, X right, Y away from the operator.
 * Points are `{x, y}` objects everywhere; polylines are arrays of points.
 */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A path the pin follows. Open strokes come from single-line fonts; closed ones from outlines. */
export interface Stroke {
  readonly points: readonly Point[];
  readonly closed: boolean;
}

export interface Box {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

export const EMPTY_BOX: Box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };

export function distance(a: Point, b: Point): number {
  // sqrt over hypot: hypot's overflow care costs ~5× on V8 and millimetres never overflow.
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  return Math.sqrt(dx * dx + dy * dy);
}

export function boxOf(points: Iterable<Point>, start: Box = EMPTY_BOX): Box {
  let { minX, minY, maxX, maxY } = start;
  for (const p of points) {
    if (p.x < minX) minX = p.x;
    if (p.y < minY) minY = p.y;
    if (p.x > maxX) maxX = p.x;
    if (p.y > maxY) maxY = p.y;
  }
  return { minX, minY, maxX, maxY };
}

export function unionBox(a: Box, b: Box): Box {
  return { minX: Math.min(a.minX, b.minX), minY: Math.min(a.minY, b.minY), maxX: Math.max(a.maxX, b.maxX), maxY: Math.max(a.maxY, b.maxY) };
}

export function isEmptyBox(b: Box): boolean {
  return !(b.maxX >= b.minX && b.maxY >= b.minY);
}

/** A 2-D affine transform [a b c d e f]: x' = a·x + c·y + e, y' = b·x + d·y + f (SVG order). */
export type Affine = readonly [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 1, 0, 0];

export function apply(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[2] * p.y + m[4], y: m[1] * p.x + m[3] * p.y + m[5] };
}

/** m·n: apply n first, then m. */
export function compose(m: Affine, n: Affine): Affine {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

export function translate(x: number, y: number): Affine {
  return [1, 0, 0, 1, x, y];
}

export function scale(sx: number, sy: number = sx): Affine {
  return [sx, 0, 0, sy, 0, 0];
}

/** Counter-clockwise rotation by `deg` degrees (profiles speak degrees; everything else radians). */
export function rotate(deg: number): Affine {
  const r = (deg * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  return [c, s, -s, c, 0, 0];
}

export function transformStroke(m: Affine, s: Stroke): Stroke {
  return { points: s.points.map((p) => apply(m, p)), closed: s.closed };
}

/** Length of a polyline, closing segment included for closed strokes. */
export function strokeLength(s: Stroke): number {
  let len = 0;
  for (let i = 1; i < s.points.length; i++) len += distance(s.points[i - 1]!, s.points[i]!);
  if (s.closed && s.points.length > 1) len += distance(s.points[s.points.length - 1]!, s.points[0]!);
  return len;
}
