import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RECIPES, SOURCE_DIR, buildFont } from "../../src/fonts/build-font.ts";
import { fontFromBuffer } from "../../src/fonts/font.ts";

const source = readFileSync(join(SOURCE_DIR, "peen-single.txt"), "utf8");

function withGlyph(from: string, to: string) {
  expect(source).toContain(from);
  const built = buildFont(RECIPES[0]!, source.replace(from, to));
  return fontFromBuffer("test", "memory", Buffer.from(built.bytes));
}

describe("single-line reader edge cases", () => {
  it("an open stroke that ends where it starts keeps its last side (it is not a closed stroke)", () => {
    const font = withGlyph("glyph D 62\n  o 8,0 8,70 28,70 ~56,70 56,35 ~56,0 28,0", "glyph D 62\n  - 8,0 8,70 56,35 8,0");
    const d = font.glyph("D", 1)!;
    expect(d.strokes).toEqual([{ points: [{ x: 80, y: 0 }, { x: 80, y: 700 }, { x: 560, y: 350 }, { x: 80, y: 0 }], closed: false }]);
  });

  it("the same triangle as a closed stroke reads back closed, without the repeated start", () => {
    const font = withGlyph("glyph D 62\n  o 8,0 8,70 28,70 ~56,70 56,35 ~56,0 28,0", "glyph D 62\n  o 8,0 8,70 56,35");
    expect(font.glyph("D", 1)!.strokes).toEqual([{ points: [{ x: 80, y: 0 }, { x: 80, y: 700 }, { x: 560, y: 350 }], closed: true }]);
  });

  it("a stroke with curves folds back to its way out, curve by curve", () => {
    const font = withGlyph("glyph J 48\n  - 40,70 40,20 ~40,0 22,0 ~6,0 6,18", "glyph J 48\n  - 40,70 40,20 ~40,0 22,0 ~6,0 6,18");
    const j = font.glyph("J", 0.5)!;
    expect(j.strokes).toHaveLength(1);
    expect(j.strokes[0]!.closed).toBe(false);
    expect(j.strokes[0]!.points[0]).toEqual({ x: 400, y: 700 });
    expect(j.strokes[0]!.points.at(-1)).toEqual({ x: 60, y: 180 });
  });
});
