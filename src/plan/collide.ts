import { PeenmarkError } from "../errors.ts";
import { distance, type Point } from "../geometry.ts";
import type { PlacedBlock } from "../layout/layout.ts";
import { MIN_GAP } from "./dots.ts";
import type { BlockPlan } from "./plan.ts";

/**
 * What would strike over itself, measured on what is struck (each glyph's strikes or
 * scribe paths, in the glyph's own frame):
 * - glyphs of one line closer than half a pitch (MIN_GAP): the pin would strike one letter
 *   into the next (a negative charSpacing, a tight kerning pair, an arc too tight);
 * - glyphs of different lines of a block, or of different blocks, whose craters would come
 *   within a pin's diameter of each other: a descender into the line below, an accent into
 *   the line above, a maker's arc running into the serial. The test is on each glyph's box
 *   in its own frame (centres of its strikes, grown by half a pin diameter each side), so a
 *   descender is refused when it reaches into the other line's letters even where it passes
 *   between two of their strikes.
 */
export interface GlyphBox {
  readonly block: string;
  /** How the operator knows the block, when not by its id. */
  readonly label: string | undefined;
  /** Index of the glyph in its block (PlacedBlock.glyphInfo). */
  readonly glyph: number;
  readonly char: string;
  readonly line: number;
  readonly column: number;
  /** The glyph's frame and the extent of its marks in it, mm. */
  readonly along: Point;
  readonly up: Point;
  readonly a0: number;
  readonly a1: number;
  readonly u0: number;
  readonly u1: number;
}

const dot = (p: Point, d: Point) => p.x * d.x + p.y * d.y;

export function glyphBoxes(blockId: string, placed: PlacedBlock, plan: BlockPlan, label?: string): GlyphBox[] {
  const out: GlyphBox[] = [];
  placed.glyphInfo.forEach((g, i) => {
    const marks = plan.glyphMarks[i] ?? [];
    if (!marks.length) return;
    let a0 = Infinity, a1 = -Infinity, u0 = Infinity, u1 = -Infinity;
    for (const p of marks) {
      const a = dot(p, g.along);
      const u = dot(p, g.up);
      if (a < a0) a0 = a;
      if (a > a1) a1 = a;
      if (u < u0) u0 = u;
      if (u > u1) u1 = u;
    }
    out.push({ block: blockId, label, glyph: i, char: g.char, line: g.line, column: g.column, along: g.along, up: g.up, a0, a1, u0, u1 });
  });
  return out;
}

/** Corners of a box grown by `grow` on every side, work-area mm. */
function corners(b: GlyphBox, grow: number): Point[] {
  const at = (a: number, u: number) => ({ x: a * b.along.x + u * b.up.x, y: a * b.along.y + u * b.up.y });
  return [at(b.a0 - grow, b.u0 - grow), at(b.a1 + grow, b.u0 - grow), at(b.a1 + grow, b.u1 + grow), at(b.a0 - grow, b.u1 + grow)];
}

/** How deep two boxes (each grown by `grow`) overlap, mm: 0 when apart or touching (separating axes). */
function overlap(p: GlyphBox, q: GlyphBox, grow: number): number {
  const cp = corners(p, grow);
  const cq = corners(q, grow);
  let depth = Infinity;
  for (const axis of [p.along, p.up, q.along, q.up]) {
    let p0 = Infinity, p1 = -Infinity, q0 = Infinity, q1 = -Infinity;
    for (const c of cp) {
      const v = dot(c, axis);
      p0 = Math.min(p0, v);
      p1 = Math.max(p1, v);
    }
    for (const c of cq) {
      const v = dot(c, axis);
      q0 = Math.min(q0, v);
      q1 = Math.max(q1, v);
    }
    depth = Math.min(depth, Math.min(p1, q1) - Math.max(p0, q0));
    if (depth <= 1e-9) return 0;
  }
  return depth;
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return distance(p, { x: a.x + dx * t, y: a.y + dy * t });
}

/** Closest approach of two glyphs' marks: strike to strike, or between scribe paths. */
function closest(placed: PlacedBlock, plan: BlockPlan, i: number, j: number): number {
  let best = Infinity;
  if (plan.mode === "dot") {
    for (const p of plan.glyphMarks[i]!) for (const q of plan.glyphMarks[j]!) best = Math.min(best, distance(p, q));
    return best;
  }
  // Scribe: the glyph's paths, each a polyline; a single point is a strike.
  const paths = (g: number) => {
    const out: Point[][] = [];
    placed.strokes.forEach((s, k) => {
      if (placed.strokeGlyph[k] === g) out.push(s.closed ? [...s.points, s.points[0]!] : [...s.points]);
    });
    placed.dots.forEach((d, k) => {
      if (placed.dotGlyph[k] === g) out.push([d]);
    });
    return out;
  };
  const A = paths(i);
  const B = paths(j);
  const pointToPath = (p: Point, path: readonly Point[]) => {
    if (path.length === 1) return distance(p, path[0]!);
    let d = Infinity;
    for (let k = 1; k < path.length; k++) d = Math.min(d, distanceToSegment(p, path[k - 1]!, path[k]!));
    return d;
  };
  // Two polylines come closest at a vertex of one of them (segments that cross are at 0: a vertex test misses a clean crossing, checked below).
  for (const a of A) for (const b of B) {
    for (const p of a) best = Math.min(best, pointToPath(p, b));
    for (const q of b) best = Math.min(best, pointToPath(q, a));
    for (let k = 1; k < a.length; k++) for (let m = 1; m < b.length; m++) if (segmentsCross(a[k - 1]!, a[k]!, b[m - 1]!, b[m]!)) return 0;
  }
  return best;
}

function segmentsCross(a: Point, b: Point, c: Point, d: Point): boolean {
  const o = (p: Point, q: Point, r: Point) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
}

const q = (c: string) => JSON.stringify(c);
const mm = (v: number) => `${v.toFixed(2)} mm`;

/** Glyphs of one block: neighbours on a line must not strike into each other, lines must keep apart. */
export function checkGlyphCollisions(blockId: string, placed: PlacedBlock, plan: BlockPlan, pinDiameter: number): void {
  const boxes = glyphBoxes(blockId, placed, plan);
  const minGap = MIN_GAP * plan.pitch;
  for (let x = 0; x < boxes.length; x++)
    for (let y = x + 1; y < boxes.length; y++) {
      const p = boxes[x]!;
      const r = boxes[y]!;
      if (p.line === r.line) {
        if (overlap(p, r, minGap / 2) === 0) continue;
        const d = closest(placed, plan, p.glyph, r.glyph);
        if (d < minGap - 1e-9)
          throw new PeenmarkError(
            "E_LAYOUT",
            `block "${blockId}": ${q(p.char)} and ${q(r.char)} on line ${p.line + 1} strike ${mm(d)} apart, closer than half the pitch (${mm(minGap)}): they would strike over each other; raise the block's charSpacing${plan.mode === "dot" ? " or lower its pitch" : ""}`,
            { where: blockId, details: { line: p.line + 1, chars: [p.char, r.char], columns: [p.column, r.column], distance: d, minimum: minGap } },
          );
      } else {
        const depth = overlap(p, r, pinDiameter / 2);
        if (depth > 0) {
          const [hi, lo] = p.line < r.line ? [p, r] : [r, p];
          throw new PeenmarkError(
            "E_LAYOUT",
            `block "${blockId}": ${q(hi.char)} of line ${hi.line + 1} comes within the pin's diameter (${mm(pinDiameter)}) of ${q(lo.char)} on line ${lo.line + 1} (by ${mm(depth)}): descenders, accents or the lines themselves would run into each other; raise the block's lineSpacing`,
            { where: blockId, details: { lines: [hi.line + 1, lo.line + 1], chars: [hi.char, lo.char], depth, pinDiameter } },
          );
        }
      }
    }
}

/** Glyphs of different blocks must keep a pin's diameter between their craters. */
export function checkBlockCollisions(boxes: readonly GlyphBox[], pinDiameter: number): void {
  for (let x = 0; x < boxes.length; x++)
    for (let y = x + 1; y < boxes.length; y++) {
      const p = boxes[x]!;
      const r = boxes[y]!;
      if (p.block === r.block) continue;
      const depth = overlap(p, r, pinDiameter / 2);
      if (depth > 0) {
        const name = (b: GlyphBox) => b.label ?? `block "${b.block}"`;
        throw new PeenmarkError(
          "E_OVERLAP",
          `${name(p)} (${q(p.char)}, line ${p.line + 1}) comes within the pin's diameter (${mm(pinDiameter)}) of ${name(r)} (${q(r.char)}, line ${r.line + 1}), by ${mm(depth)}: the two would strike into each other; move one of the blocks or make its text smaller`,
          { where: p.block, details: { other: r.block, chars: [p.char, r.char], lines: [p.line + 1, r.line + 1], depth, pinDiameter } },
        );
      }
    }
}
