import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RECIPES, SOURCE_DIR, buildFont } from "../../src/fonts/build-font.ts";
import { parseFontSource } from "../../src/fonts/source.ts";

const single = readFileSync(join(SOURCE_DIR, "peen-single.txt"), "utf8");
const dot = readFileSync(join(SOURCE_DIR, "peen-dot-5x7.txt"), "utf8");

describe("font sources", () => {
  it("a mistyped point names the file and line", () => {
    const bad = single.replace("glyph H 62\n  - 8,0 8,70", "glyph H 62\n  - 8,0 8;70");
    const line = bad.split("\n").findIndex((l) => l.includes("8;70")) + 1;
    expect(() => parseFontSource("peen-single.txt", bad)).toThrow(`peen-single.txt:${line}: "8;70" is not a point`);
  });

  it("a dot-matrix row of the wrong width names the file and line", () => {
    const bad = dot.replace("glyph H\n#...#\n", "glyph H\n#....#\n");
    expect(() => parseFontSource("peen-dot-5x7.txt", bad)).toThrow(/peen-dot-5x7\.txt:\d+: a row is 5 characters of # and \./);
  });

  it("a font missing a required character does not build", () => {
    const bad = single.replace(/glyph × 56\n(  .*\n)+/, "");
    expect(() => buildFont(RECIPES[0]!, bad)).toThrow(/no glyph for "×" \(U\+00D7\)/);
  });

  it("dot-matrix rows count up from the baseline; descend puts rows under it", () => {
    const src = parseFontSource("peen-dot-5x7.txt", dot);
    const g = src.glyphs.get("g")!;
    expect(Math.min(...g.dots.map((d) => d.y))).toBe(-2);
    expect(Math.max(...g.dots.map((d) => d.y))).toBe(4);
    const h = src.glyphs.get("H")!;
    expect(h.dots).toContainEqual({ x: 0, y: 6 });
    expect(h.dots).toContainEqual({ x: 4, y: 0 });
    expect(h.advance).toBe(6);
  });

  it("a glyph drawn in the source replaces the composed accented letter", () => {
    const own = single.replace("glyph ß 58", "glyph É 54\n  - 50,70 8,70 8,0 50,0\nglyph ß 58");
    const built = buildFont(RECIPES[0]!, own);
    expect(built.glyphs.get("É")!.strokes).toHaveLength(1);
    expect(buildFont(RECIPES[0]!).glyphs.get("É")!.strokes).toHaveLength(3);
  });
});
