import { join } from "node:path";
import { DEFAULT_STATION } from "../config.ts";
import { boxOf, strokeLength, type Box, type Point } from "../geometry.ts";
import type { MarkFont } from "../fonts/font.ts";
import { layoutTextBlock } from "../layout/layout.ts";
import { PACKAGE_ROOT } from "../paths.ts";
import { planTextBlock } from "../plan/plan.ts";
import { loadStation } from "../profile/load.ts";
import { TextBlockSchema } from "../profile/schema.ts";
import type { Machine } from "../profile/station.ts";

/**
 * One line of text as a profile strikes it, for specimen sheets, the OCR legibility check
 * and the font benchmark: a dot-mode text block (parsed by the profile schema, so every
 * default a profile gets applies) laid out by `layoutTextBlock` and planned by
 * `planTextBlock` on the bench station. What these tools picture is what the head strikes.
 */
export interface StruckLine {
  /** Strike positions in the line's own frame, mm: the pen's start on the baseline at 0,0 (scribed lines: the craters of the dot train). */
  readonly dots: readonly Point[];
  /** Extent of the strikes (their centres), mm, in the same frame; empty for a blank line. */
  readonly box: Box;
  /** The planner's pitch: the block's pitch along strokes, the grid for dot-matrix fonts, mm. */
  readonly pitch: number;
  /** Length of the strokes the dots were walked along (0 for dot-matrix fonts), mm. */
  readonly strokeLength: number;
}

let bench: Machine | undefined;

/** The machine of the station the project ships (stations/bench.json), read once. */
export function benchMachine(): Machine {
  bench ??= loadStation(join(PACKAGE_ROOT, DEFAULT_STATION)).machine;
  return bench;
}

/** Force of the specimen block, %: inside the bench head's range; it changes no strike position. */
const FORCE = 70;

export interface StrikeOptions {
  readonly machine?: Machine;
  /** dot (default) or scribe; dot-matrix fonts are always struck dot by dot. */
  readonly mode?: "dot" | "scribe";
  /** Extra space between characters, mm (the block's charSpacing). */
  readonly charSpacing?: number;
}

export function strikeLine(font: MarkFont, text: string, capHeight: number, pitch: number, o: StrikeOptions = {}): StruckLine {
  const machine = o.machine ?? benchMachine();
  const mode = o.mode ?? "dot";
  // Left end of the line at mid-height of the work area: room above for accents and below for descenders.
  const origin = { x: 2, y: machine.workArea.height / 2 };
  // The text is struck as it is, not read as a template (a specimen strikes "{" and "}"):
  // the block carries a neutral template and layout gets the text itself as its line.
  const block = TextBlockSchema.parse({ id: "specimen", lines: ["{serial}"], font: font.name, capHeight, pitch, mode, force: FORCE, origin, charSpacing: o.charSpacing ?? 0 });
  const placed = layoutTextBlock(block, [text], font);
  // Travel starts on the text's own first point, not at the park position: the order of
  // strikes is not pictured.
  const from = placed.dots[0] ?? placed.strokes[0]?.points[0] ?? origin;
  const plan = planTextBlock(block, placed, machine, from);
  const dots: Point[] = [];
  const at = (p: Point) => dots.push({ x: p.x - origin.x, y: p.y - origin.y });
  for (const op of plan.ops) {
    if (op.kind === "strike") at(op.at);
    // Scribing: the pin fires every `plan.pitch` of the path (feed ÷ strike frequency), from its start.
    else trainAlong(op.points, plan.pitch, at);
  }
  return { dots, box: boxOf(dots), pitch: plan.pitch, strokeLength: placed.strokes.reduce((l, s) => l + strokeLength(s), 0) };
}

/** The craters of a dot train: one every `pitch` mm of the path, the first at its start. */
function trainAlong(points: readonly Point[], pitch: number, out: (p: Point) => void): void {
  let carry = 0; // path length since the last crater
  out(points[0]!);
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    let t = pitch - carry;
    while (t <= len + 1e-12) {
      out({ x: a.x + ((b.x - a.x) * t) / len, y: a.y + ((b.y - a.y) * t) / len });
      t += pitch;
    }
    carry = len - (t - pitch);
  }
}
