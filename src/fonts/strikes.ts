import { PeenmarkError } from "../errors.ts";
import type { Point } from "../geometry.ts";
import { dotsAlongStroke, dropCrowdedDots } from "../plan/dots.ts";
import type { MarkFont } from "./font.ts";

/**
 * Text as the pin strikes it, for specimens, legibility checks and the font benchmark:
 * single-line and outline strokes walked into dots by the planner's own dotsAlongStroke
 * (ends and corners kept, at most `pitch` apart, crowded strikes dropped as the planner
 * does), dot-matrix glyphs as their grid dots. Millimetres, y up, origin at the pen
 * position on the baseline.
 */

/** Length of a polyline, mm. */
export function polylineLength(pts: readonly Point[]): number {
  let l = 0;
  for (let i = 1; i < pts.length; i++) l += Math.hypot(pts[i]!.x - pts[i - 1]!.x, pts[i]!.y - pts[i - 1]!.y);
  return l;
}

export interface StruckText {
  /** Strike positions, mm. */
  readonly dots: Point[];
  /** Pen advance of the whole line, mm. */
  readonly width: number;
  /** Length of the strokes walked (0 for dot-matrix), mm. */
  readonly strokeLength: number;
}

/** One line of text struck at `capHeight` mm with strokes walked at `pitch` mm. */
export function strikeText(font: MarkFont, text: string, capHeight: number, pitch: number): StruckText {
  const scale = capHeight / font.capHeight;
  // Flattening within 1/20 of a pitch: invisible once struck.
  const tol = pitch / 20 / scale;
  const groups: Point[][] = [];
  let x = 0;
  let strokeLength = 0;
  for (const ch of text) {
    const g = font.glyph(ch, tol);
    if (!g) throw new PeenmarkError("E_GLYPH_MISSING", `font "${font.name}" has no glyph for "${ch}" (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`, { where: font.name });
    const mm = (p: Point): Point => ({ x: x + p.x * scale, y: p.y * scale });
    const mine: Point[] = [];
    for (const s of g.strokes) {
      const stroke = { points: s.points.map(mm), closed: s.closed };
      strokeLength += polylineLength(stroke.closed ? [...stroke.points, stroke.points[0]!] : stroke.points);
      mine.push(...dotsAlongStroke(stroke, pitch));
    }
    mine.push(...g.dots.map(mm));
    groups.push(mine);
    x += g.advance * scale;
  }
  // Where strokes meet or cross, one strike (the planner's rule: none closer than half a pitch).
  const dots = font.kind === "dot-matrix" ? groups.flat() : dropCrowdedDots(groups, pitch / 2).flat();
  return { dots, width: x, strokeLength };
}

/** Cap height (mm) at which a dot-matrix font's grid step equals `pitch`. */
export function dotMatrixCapHeight(font: MarkFont, pitch: number): number {
  if (!font.gridStep) throw new PeenmarkError("E_USAGE", `font "${font.name}" is not a dot-matrix font`);
  return (pitch * font.capHeight) / font.gridStep;
}
