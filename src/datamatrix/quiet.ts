import { PeenmarkError } from "../errors.ts";
import type { Box, Point } from "../geometry.ts";

/**
 * The quiet zone (ISO/IEC 16022: bare surface at least one module wide around the symbol)
 * must stay bare: no other block's marks in it, and all of it on the part inside the work area.
 * The quiet polygon is the rotated symbol grown by the quiet zone (DatamatrixPlan.quietBox.polygon).
 */
export interface BlockExtent {
  readonly id: string;
  /** The axis-aligned box of the block's marks, mm. */
  readonly box: Box;
  /**
   * The marks themselves, when known: polylines the pin follows (a single point is a strike).
   * Checked exactly, so that a rotated or arc block whose box covers the symbol but whose
   * marks stay clear is not refused.
   */
  readonly marks?: readonly (readonly Point[])[];
  /** How the operator knows the block, when not by its id. */
  readonly label?: string;
}

/** Marks touching the quiet zone's edge are allowed; overlap deeper than this (mm) is not. */
const TOUCH = 1e-6;

export function checkQuietZone(
  block: { readonly id: string; readonly polygon: readonly Point[] },
  others: readonly BlockExtent[],
  workArea: { readonly width: number; readonly height: number },
): void {
  const outside = block.polygon.filter((p) => p.x < -TOUCH || p.y < -TOUCH || p.x > workArea.width + TOUCH || p.y > workArea.height + TOUCH);
  if (outside.length > 0) {
    const p = outside[0]!;
    throw new PeenmarkError(
      "E_OUT_OF_BOUNDS",
      `Data Matrix block "${block.id}": its quiet zone reaches (${fmt(p.x)}, ${fmt(p.y)}) mm, outside the ${fmt(workArea.width)} × ${fmt(workArea.height)} mm work area; move the block's origin or use a smaller module`,
      { where: block.id, details: { corner: p, workArea } },
    );
  }
  for (const other of others) {
    if (other.id === block.id) continue;
    const hit = other.marks ? other.marks.some((m) => convexOverlapsConvex(block.polygon, m)) : convexOverlapsBox(block.polygon, other.box);
    if (hit)
      throw new PeenmarkError(
        "E_OVERLAP",
        `Data Matrix block "${block.id}": ${other.label ?? `block "${other.id}"`} lies inside its quiet zone (the symbol needs bare metal all round it); move one of the two blocks`,
        { where: block.id, details: { other: other.id, otherBox: other.box } },
      );
  }
}

function fmt(v: number): string {
  return String(Number(v.toFixed(3)));
}

/** Separating-axis test between a convex polygon and an axis-aligned box; touching does not count. */
export function convexOverlapsBox(polygon: readonly Point[], box: Box): boolean {
  const rect: Point[] = [
    { x: box.minX, y: box.minY },
    { x: box.maxX, y: box.minY },
    { x: box.maxX, y: box.maxY },
    { x: box.minX, y: box.maxY },
  ];
  return separatingAxes(polygon, rect).every((axis) => overlapOn(axis, polygon, rect));
}

/** Whether a polyline (or a single point) enters a convex polygon; touching does not count. */
export function convexOverlapsConvex(polygon: readonly Point[], polyline: readonly Point[]): boolean {
  if (polyline.length === 1) return separatingAxes(polygon, polyline).every((axis) => overlapOn(axis, polygon, polyline));
  for (let i = 1; i < polyline.length; i++) {
    const seg = [polyline[i - 1]!, polyline[i]!];
    if (separatingAxes(polygon, seg).every((axis) => overlapOn(axis, polygon, seg))) return true;
  }
  return false;
}

/** Edge normals of both shapes (and the axes), the candidate separating axes. */
function separatingAxes(a: readonly Point[], b: readonly Point[]): Point[] {
  const axes: Point[] = [{ x: 1, y: 0 }, { x: 0, y: 1 }];
  for (const shape of [a, b])
    for (let i = 0; i < shape.length; i++) {
      const p = shape[i]!, q = shape[(i + 1) % shape.length]!;
      const len = Math.hypot(q.x - p.x, q.y - p.y);
      if (len > 0) axes.push({ x: -(q.y - p.y) / len, y: (q.x - p.x) / len });
    }
  return axes;
}

function overlapOn(axis: Point, a: readonly Point[], b: readonly Point[]): boolean {
  const [p0, p1] = project(a, axis);
  const [q0, q1] = project(b, axis);
  return !(p1 <= q0 + TOUCH || q1 <= p0 + TOUCH);
}

function project(points: readonly Point[], axis: Point): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const p of points) {
    const v = p.x * axis.x + p.y * axis.y;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
