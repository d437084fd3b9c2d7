import { PeenmarkError } from "../errors.ts";
import type { Point, Stroke } from "../geometry.ts";
import type { PlacedBlock } from "../layout/layout.ts";
import type { TextBlock } from "../profile/schema.ts";
import type { Machine } from "../profile/station.ts";
import { strikeGlyph } from "./dots.ts";
import { orderItems, type MoveCost, type OrderItem } from "./order.ts";
import type { Op } from "./program.ts";

/**
 * Plan one placed text block: dot trains or scribe paths, the travel order, and the checks
 * that must hold before anything is streamed (work area, force).
 */
export interface BlockPlan {
  readonly id: string;
  readonly mode: "dot" | "scribe";
  readonly ops: readonly Op[];
  /** The items the travel order ran over (strokes or dots), for travel bounds in benchmarks. */
  readonly items: readonly OrderItem[];
  /** The glyph of each item. */
  readonly groupOf: readonly number[];
  /** Where the head was when the block's order began (the park position or the previous block's end). */
  readonly from: Point;
  /** Effective dot pitch, mm (the grid for dot-matrix fonts; feed ÷ frequency for scribe). */
  readonly pitch: number;
  /** Scribe feed, mm/min (undefined in dot mode). */
  readonly feed: number | undefined;
  /**
   * What is struck of each glyph (index as in PlacedBlock.glyphInfo), work-area mm: its
   * strikes in dot mode, the points of its scribe paths and its single strikes in scribe
   * mode. Heights, spacing and collisions are measured on these.
   */
  readonly glyphMarks: readonly (readonly Point[])[];
}

export function checkForce(blockId: string, force: number, m: Machine): void {
  if (force < m.force.min || force > m.force.max)
    throw new PeenmarkError("E_FORCE_RANGE", `block "${blockId}" asks for force ${force} %, and this head strikes between ${m.force.min} % and ${m.force.max} %: change the block's force`, {
      where: blockId,
      details: { force, min: m.force.min, max: m.force.max },
    });
}

/** Every point must lie inside the work area; the error names the block and the worst point. */
export function checkBounds(blockId: string, points: Iterable<Point>, m: Machine): void {
  const { width, height } = m.workArea;
  let worst: Point | undefined;
  let worstOut = 0;
  for (const p of points) {
    const out = Math.max(-p.x, p.x - width, -p.y, p.y - height);
    if (out > 1e-6 && out > worstOut) {
      worstOut = out;
      worst = p;
    }
  }
  if (worst)
    throw new PeenmarkError(
      "E_OUT_OF_BOUNDS",
      `block "${blockId}" reaches (${worst.x.toFixed(2)}, ${worst.y.toFixed(2)}) mm, ${worstOut.toFixed(2)} mm outside the ${width} × ${height} mm work area: move its origin, shorten the text or make it smaller`,
      { where: blockId, details: { x: worst.x, y: worst.y, outside: worstOut } },
    );
}

/**
 * What the travel order minimises on this head: the time of its rapids (rest to rest, the
 * axis limits of the station; src/plan/order.ts says why that is the Chebyshev length's
 * function, not the length's).
 */
export function moveCost(m: Machine): MoveCost {
  return { kind: "time", rate: m.rapidRate / 60, acceleration: m.acceleration };
}

/** A text block, or a logo (a placed block of one glyph, struck as single-line strokes). */
export type PlannedBlock = Pick<TextBlock, "id" | "force" | "mode" | "pitch">;

export function planTextBlock(block: PlannedBlock, placed: PlacedBlock, m: Machine, from: Point): BlockPlan {
  checkForce(block.id, block.force, m);
  const dotMatrix = placed.fontKind === "dot-matrix";
  const mode = dotMatrix ? "dot" : block.mode;
  const items: OrderItem[] = [];
  const payload: (readonly Point[])[] = [];
  const groupOf: number[] = [];
  let pitch = block.pitch;
  let feed: number | undefined;

  const glyphMarks: Point[][] = placed.glyphInfo.map(() => []);
  const add = (pts: readonly Point[], glyph: number) => {
    items.push({ start: pts[0]!, end: pts[pts.length - 1]!, reversible: true });
    payload.push(pts);
    groupOf.push(glyph);
    const marks = glyphMarks[glyph]!;
    for (const p of pts) marks.push(p);
  };

  if (mode === "dot") {
    pitch = dotMatrix && placed.gridPitch ? placed.gridPitch : block.pitch;
    const strokesOf = placed.glyphInfo.map(() => [] as Stroke[]);
    const dotsOf = placed.glyphInfo.map(() => [] as Point[]);
    placed.strokes.forEach((st, i) => strokesOf[placed.strokeGlyph[i]!]!.push(st));
    placed.dots.forEach((d, i) => dotsOf[placed.dotGlyph[i]!]!.push(d));
    placed.glyphInfo.forEach((g, gi) => {
      // A dot-matrix glyph strikes its grid as drawn; strokes get their strikes spread.
      const struck = strikeGlyph(strokesOf[gi]!, dotsOf[gi]!, g, pitch);
      for (const d of struck.dots) add([d], gi);
      for (const t of struck.trains) if (t.length) add(t, gi);
    });
  } else {
    // Scribe: the dot train's pitch is feed ÷ strike frequency.
    feed = Math.min(block.pitch * m.strikeFrequency * 60, m.maxMarkFeed);
    pitch = feed / 60 / m.strikeFrequency;
    for (const [i, s] of placed.strokes.entries()) {
      const pts = s.closed ? [...s.points, s.points[0]!] : s.points;
      if (pts.length < 2) continue;
      add(pts, placed.strokeGlyph[i]!);
    }
    placed.dots.forEach((d, i) => add([d], placed.dotGlyph[i]!));
  }

  checkBounds(block.id, payload.flat(), m);

  const ops: Op[] = [];
  for (const v of orderItems(items, from, { cost: moveCost(m) })) {
    const pts = v.reversed ? [...payload[v.index]!].reverse() : payload[v.index]!;
    if (mode === "scribe" && pts.length > 1) ops.push({ kind: "scribe", points: pts, force: block.force, feed: feed!, block: block.id });
    else for (const p of pts) ops.push({ kind: "strike", at: p, force: block.force, block: block.id });
  }
  return { id: block.id, mode, ops, items, groupOf, from, pitch, feed, glyphMarks };
}
