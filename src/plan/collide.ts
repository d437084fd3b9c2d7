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

/**
 * How deep two boxes overlap, given their corners grown by the margin (`corners`), mm: 0 when
 * apart or touching. The separating-axis test on the two boxes' own axes.
 */
function depthOf(p: GlyphBox, cp: readonly Point[], q: GlyphBox, cq: readonly Point[]): number {
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
  const tight = boxes.map((b) => corners(b, minGap / 2));
  const pin = boxes.map((b) => corners(b, pinDiameter / 2));
  for (let x = 0; x < boxes.length; x++)
    for (let y = x + 1; y < boxes.length; y++) {
      const p = boxes[x]!;
      const r = boxes[y]!;
      if (p.line === r.line) {
        if (depthOf(p, tight[x]!, r, tight[y]!) === 0) continue;
        const d = closest(placed, plan, p.glyph, r.glyph);
        if (d < minGap - 1e-9)
          throw new PeenmarkError(
            "E_LAYOUT",
            `block "${blockId}": ${q(p.char)} and ${q(r.char)} on line ${p.line + 1} strike ${mm(d)} apart, closer than half the pitch (${mm(minGap)}): they would strike over each other; raise the block's charSpacing${plan.mode === "dot" ? " or lower its pitch" : ""}`,
            { where: blockId, details: { line: p.line + 1, chars: [p.char, r.char], columns: [p.column, r.column], distance: d, minimum: minGap } },
          );
      } else {
        const depth = depthOf(p, pin[x]!, r, pin[y]!);
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

/** A box's bounds on the work area's axes: two boxes whose bounds are apart cannot overlap. */
interface Bounds {
  readonly minX: number;
  readonly maxX: number;
  readonly minY: number;
  readonly maxY: number;
}

function boundsOf(c: readonly Point[]): Bounds {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const p of c) {
    if (p.x < minX) minX = p.x;
    if (p.x > maxX) maxX = p.x;
    if (p.y < minY) minY = p.y;
    if (p.y > maxY) maxY = p.y;
  }
  return { minX, maxX, minY, maxY };
}

const meet = (a: Bounds, b: Bounds) => a.minX <= b.maxX && b.minX <= a.maxX && a.minY <= b.maxY && b.minY <= a.maxY;

/** A box covering more cells than this is tried against every other instead (a logo's stroke across the work area). */
const MAX_CELLS = 64;

/**
 * Glyphs of different blocks must keep a pin's diameter between their craters.
 *
 * Every glyph against every other is O(glyphs²): 38 million pairs for a 256-line mark. A
 * uniform grid over the boxes' bounds (cells about two glyphs wide) leaves each glyph only
 * its neighbours to try. Two boxes that overlap have bounds that meet, so they share a cell;
 * the pairs are tried in the order of the plain double loop (first glyph, then second,
 * ascending), so the error is the same pair the plain loop would find first.
 */
export function checkBlockCollisions(boxes: readonly GlyphBox[], pinDiameter: number): void {
  const grow = pinDiameter / 2;
  const cs = boxes.map((b) => corners(b, grow));
  const bounds = cs.map(boundsOf);
  const sizes = bounds.map((b) => Math.max(b.maxX - b.minX, b.maxY - b.minY)).sort((a, b) => a - b);
  const cell = Math.max(2 * (sizes[sizes.length >> 1] ?? 1), 1e-3);
  const span = (b: Bounds) => ({ x0: Math.floor(b.minX / cell), x1: Math.floor(b.maxX / cell), y0: Math.floor(b.minY / cell), y1: Math.floor(b.maxY / cell) });
  // Cell keys may collide for far-apart cells: that only adds candidates, each tried exactly.
  const key = (ix: number, iy: number) => ix * 1_048_573 + iy;
  const grid = new Map<number, number[]>();
  const big: number[] = [];
  const spans = bounds.map(span);
  spans.forEach((s, i) => {
    if (!Number.isFinite(s.x0 + s.x1 + s.y0 + s.y1) || (s.x1 - s.x0 + 1) * (s.y1 - s.y0 + 1) > MAX_CELLS) {
      big.push(i);
      return;
    }
    for (let ix = s.x0; ix <= s.x1; ix++)
      for (let iy = s.y0; iy <= s.y1; iy++) {
        const k = key(ix, iy);
        const list = grid.get(k);
        if (list) list.push(i);
        else grid.set(k, [i]);
      }
  });
  const isBig = new Uint8Array(boxes.length);
  for (const i of big) isBig[i] = 1;
  const seen = new Int32Array(boxes.length).fill(-1);
  for (let x = 0; x < boxes.length; x++) {
    const candidates: number[] = [];
    const take = (y: number) => {
      if (y > x && seen[y] !== x) {
        seen[y] = x;
        candidates.push(y);
      }
    };
    if (isBig[x]) for (let y = x + 1; y < boxes.length; y++) take(y);
    else {
      const s = spans[x]!;
      for (let ix = s.x0; ix <= s.x1; ix++) for (let iy = s.y0; iy <= s.y1; iy++) for (const y of grid.get(key(ix, iy)) ?? []) take(y);
      for (const y of big) take(y);
    }
    candidates.sort((a, b) => a - b);
    const p = boxes[x]!;
    for (const y of candidates) {
      const r = boxes[y]!;
      if (p.block === r.block || !meet(bounds[x]!, bounds[y]!)) continue;
      const depth = depthOf(p, cs[x]!, r, cs[y]!);
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
}
