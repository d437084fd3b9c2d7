import { describe, expect, it } from "vitest";
import { distance, type Point, type Stroke } from "../../src/geometry.ts";
import { loadFont } from "../../src/fonts/font.ts";
import { layoutTextBlock } from "../../src/layout/layout.ts";
import { planTextBlock } from "../../src/plan/plan.ts";
import { struckHeights } from "../../src/plan/measure.ts";
import { TextBlockSchema } from "../../src/profile/schema.ts";
import { benchMachine } from "../../src/specimen/strike.ts";
import { longestGap } from "./gaps.ts";

/**
 * Dot mode on every glyph of the station's single-line fonts, at the heights and pitches
 * profiles use: the spacing rules of src/plan/dots.ts, measured on the strikes.
 */

function struck(font: string, ch: string, capHeight: number, pitch: number) {
  const block = TextBlockSchema.parse({ id: "t", lines: ["{serial}"], font, capHeight, pitch, mode: "dot", origin: { x: 20, y: 40 } });
  const placed = layoutTextBlock(block, [ch], loadFont(font));
  const plan = planTextBlock(block, placed, benchMachine(), { x: 0, y: 0 });
  return { placed, plan, strikes: plan.glyphMarks[0] ?? [] };
}

const CASES: [number, number][] = [
  [1.5875, 0.198], // 1/16 in at the specimen pitch (cap height / 8)
  [1.5875, 0.3],
  [2, 0.25],
  [3, 0.3],
  [3, 0.2],
  [5, 0.3],
];

describe.each(["peen-single", "peen-single-mono"])("dot mode, every glyph of %s", (name) => {
  const font = loadFont(name);
  const chars: string[] = [];
  for (let c = 0x21; c < 0x2000; c++) if (font.has(String.fromCodePoint(c))) chars.push(String.fromCodePoint(c));

  it.each(CASES)("at %f mm, pitch %f: no two strikes closer than 0.5 × pitch, no gap along a stroke over 1.05 × pitch, every glyph as tall as drawn", (capHeight, pitch) => {
    const problems: string[] = [];
    for (const ch of chars) {
      const { placed, plan, strikes } = struck(name, ch, capHeight, pitch);
      let nearest = Infinity;
      for (let i = 0; i < strikes.length; i++) for (let j = i + 1; j < strikes.length; j++) nearest = Math.min(nearest, distance(strikes[i]!, strikes[j]!));
      if (nearest < 0.5 * pitch - 1e-9) problems.push(`${ch}: strikes ${(nearest / pitch).toFixed(3)} × pitch apart`);
      for (const s of placed.strokes) {
        const gap = longestGap(s, strikes, pitch);
        if (gap > 1.05 * pitch + 1e-9) problems.push(`${ch}: a gap of ${(gap / pitch).toFixed(3)} × pitch`);
      }
      // The extremes of the drawing are struck: the struck height is the drawn height.
      const ys = [...placed.strokes.flatMap((s) => s.points), ...placed.dots].map((p) => p.y);
      const drawn = Math.max(...ys) - Math.min(...ys);
      const h = struckHeights(placed, plan)[0]!.height;
      if (Math.abs(h - drawn) > 1e-9) problems.push(`${ch}: struck ${h.toFixed(4)} mm tall, drawn ${drawn.toFixed(4)} mm`);
    }
    expect(problems).toEqual([]);
  });
});

describe("dot mode in a turned frame", () => {
  it("strikes the tops and bottoms in the glyph's own up direction on a rotated block", () => {
    for (const rotation of [0, 17, 90, 200]) {
      const block = TextBlockSchema.parse({ id: "t", lines: ["{serial}"], font: "peen-single", capHeight: 1.5875, pitch: 0.198, mode: "dot", origin: { x: 50, y: 40 }, rotation });
      const placed = layoutTextBlock(block, ["OSG8"], loadFont("peen-single"));
      const plan = planTextBlock(block, placed, benchMachine(), { x: 0, y: 0 });
      for (const c of struckHeights(placed, plan)) expect(c.height, `${c.char} at ${rotation}°`).toBeCloseTo(1.5875, 9);
    }
  });
});
