import { PeenmarkError } from "../errors.ts";
import type { Point } from "../geometry.ts";
import type { MarkFont } from "./font.ts";

/**
 * Text as the pin strikes it, for specimens, legibility checks and the font benchmark:
 * single-line and outline strokes walked into dots `pitch` mm apart (both ends and every
 * corner kept), dot-matrix glyphs as their grid dots. Millimetres, y up, origin at the
 * pen position on the baseline.
 */

/** A vertex turning more than this is a corner and always gets a dot (degrees). */
const CORNER_DEG = 35;

function length(pts: readonly Point[]): number {
  let l = 0;
  for (let i = 1; i < pts.length; i++) l += Math.hypot(pts[i]!.x - pts[i - 1]!.x, pts[i]!.y - pts[i - 1]!.y);
  return l;
}

/** Dots at most `pitch` apart along one run (a polyline without corners), ends included. */
function spaceRun(run: readonly Point[], pitch: number, out: Point[]): void {
  const total = length(run);
  const n = Math.max(1, Math.ceil(total / pitch - 1e-9));
  const step = total / n;
  let seg = 0;
  let segStart = 0; // arc length at run[seg]
  for (let i = 0; i <= n; i++) {
    const s = i === n ? total : i * step;
    while (seg < run.length - 2 && segStart + Math.hypot(run[seg + 1]!.x - run[seg]!.x, run[seg + 1]!.y - run[seg]!.y) < s) {
      segStart += Math.hypot(run[seg + 1]!.x - run[seg]!.x, run[seg + 1]!.y - run[seg]!.y);
      seg++;
    }
    const a = run[seg]!;
    const b = run[seg + 1] ?? a;
    const l = Math.hypot(b.x - a.x, b.y - a.y);
    const t = l > 0 ? Math.min(1, Math.max(0, (s - segStart) / l)) : 0;
    out.push({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
  }
}

function isCorner(a: Point, b: Point, c: Point): boolean {
  const u = Math.atan2(b.y - a.y, b.x - a.x);
  const v = Math.atan2(c.y - b.y, c.x - b.x);
  let d = Math.abs(v - u);
  if (d > Math.PI) d = 2 * Math.PI - d;
  return d > (CORNER_DEG * Math.PI) / 180;
}

/** Walk a stroke (mm) into strikes no more than `pitch` apart, keeping ends and corners. */
export function strikesAlongStroke(points: readonly Point[], closed: boolean, pitch: number): Point[] {
  if (!(pitch > 0)) throw new PeenmarkError("E_USAGE", `pitch must be a positive number of mm, not ${pitch}`);
  const pts = points.filter((p, i) => i === 0 || p.x !== points[i - 1]!.x || p.y !== points[i - 1]!.y);
  if (pts.length === 0) return [];
  if (pts.length === 1) return [pts[0]!];
  const path = closed ? [...pts, pts[0]!] : pts;
  const runs: Point[][] = [[path[0]!]];
  for (let i = 1; i < path.length; i++) {
    runs[runs.length - 1]!.push(path[i]!);
    if (i < path.length - 1 && isCorner(path[i - 1]!, path[i]!, path[i + 1]!)) runs.push([path[i]!]);
  }
  const out: Point[] = [];
  for (const run of runs) {
    const before = out.length;
    spaceRun(run, pitch, out);
    if (before > 0) out.splice(before, 1); // the run's first dot is the previous run's last
  }
  if (closed && out.length > 1) out.pop(); // back at the start
  return out;
}

export interface StruckText {
  /** Strike positions, mm. */
  readonly dots: Point[];
  /** Pen advance of the whole line, mm. */
  readonly width: number;
  /** Length of the strokes walked (0 for dot-matrix), mm. */
  readonly strokeLength: number;
}

/**
 * One line of text struck at `capHeight` mm. Dots closer than half a pitch to one already
 * placed in the same glyph (where two strokes meet) are struck once.
 */
export function strikeText(font: MarkFont, text: string, capHeight: number, pitch: number): StruckText {
  const scale = capHeight / font.capHeight;
  // Flattening within 1/20 of a pitch: invisible once struck.
  const tol = pitch / 20 / scale;
  const dots: Point[] = [];
  let x = 0;
  let strokeLength = 0;
  for (const ch of text) {
    const g = font.glyph(ch, tol);
    if (!g) throw new PeenmarkError("E_GLYPH_MISSING", `font "${font.name}" has no glyph for "${ch}" (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`, { where: font.name });
    const mine: Point[] = [];
    const add = (p: Point) => {
      if (!mine.some((q) => Math.hypot(q.x - p.x, q.y - p.y) < pitch / 2)) mine.push(p);
    };
    const mm = (p: Point): Point => ({ x: x + p.x * scale, y: p.y * scale });
    for (const s of g.strokes) {
      const pts = s.points.map(mm);
      strokeLength += length(s.closed ? [...pts, pts[0]!] : pts);
      for (const p of strikesAlongStroke(pts, s.closed, pitch)) add(p);
    }
    for (const d of g.dots) add(mm(d));
    dots.push(...mine);
    x += g.advance * scale;
  }
  return { dots, width: x, strokeLength };
}

/** Cap height (mm) at which a dot-matrix font's grid step equals `pitch`. */
export function dotMatrixCapHeight(font: MarkFont, pitch: number): number {
  if (!font.gridStep) throw new PeenmarkError("E_USAGE", `font "${font.name}" is not a dot-matrix font`);
  return (pitch * font.capHeight) / font.gridStep;
}
