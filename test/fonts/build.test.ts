import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COVERAGE, RECIPES, SOURCE_DIR, buildFont } from "../../src/fonts/build-font.ts";
import { FONT_DIR, fontNames, loadFont } from "../../src/fonts/font.ts";

describe("station font files", () => {
  for (const recipe of RECIPES) {
    it(`fonts/${recipe.name}.otf is what fonts/src/${recipe.source} builds (run npm run fonts after editing a source)`, () => {
      const built = buildFont(recipe);
      const onDisk = readFileSync(join(FONT_DIR, `${recipe.name}.otf`));
      expect(Buffer.from(built.bytes).equals(onDisk)).toBe(true);
    });

    it(`${recipe.name} covers printable ASCII, the Latin-1 accented letters, ß ° № ª º × ·`, () => {
      const font = loadFont(recipe.name);
      const missing = [...COVERAGE].filter((c) => !font.has(c));
      expect(missing).toEqual([]);
      expect(COVERAGE).toContain("Ÿ");
      expect(COVERAGE).toContain("ÿ");
      expect(COVERAGE).toContain("№");
    });
  }

  it("the catalog lists the four station fonts with their kinds", () => {
    const names = fontNames();
    for (const n of ["peen-single", "peen-single-mono", "peen-dot-5x7", "peen-dot-7x9"]) expect(names.has(n)).toBe(true);
    expect(loadFont("peen-single").kind).toBe("single-line");
    expect(loadFont("peen-single-mono").kind).toBe("single-line");
    expect(loadFont("peen-dot-5x7").kind).toBe("dot-matrix");
    expect(loadFont("peen-dot-7x9").kind).toBe("dot-matrix");
  });

  it("builds the same bytes twice (no clock in the file)", () => {
    const a = buildFont(RECIPES[0]!);
    const b = buildFont(RECIPES[0]!);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });

  it("cap heights: 700 units for peen-single, 6 grid steps for 5×7, 8 for 7×9", () => {
    expect(loadFont("peen-single").capHeight).toBe(700);
    expect(loadFont("peen-dot-5x7").capHeight).toBe(6 * loadFont("peen-dot-5x7").gridStep!);
    expect(loadFont("peen-dot-7x9").capHeight).toBe(8 * loadFont("peen-dot-7x9").gridStep!);
  });

  it("peen-single is proportional and peen-single-mono is not", () => {
    const p = loadFont("peen-single");
    const m = loadFont("peen-single-mono");
    const adv = (f: typeof p, s: string) => new Set([...s].map((c) => f.glyph(c, 1)!.advance));
    expect(adv(p, "IMWil1").size).toBeGreaterThan(3);
    expect(adv(m, COVERAGE).size).toBe(1);
    // Narrowed wide glyphs stay inside their advance.
    for (const c of "MWmw№@") {
      const g = m.glyph(c, 1)!;
      for (const s of g.strokes) for (const pt of s.points) expect(pt.x).toBeGreaterThanOrEqual(0), expect(pt.x).toBeLessThanOrEqual(g.advance);
    }
  });

  it("an edited source glyph changes the built font", () => {
    const file = join(SOURCE_DIR, "peen-single.txt");
    const text = readFileSync(file, "utf8").replace("glyph L 50\n  - 8,70 8,0 46,0", "glyph L 50\n  - 8,70 8,0 40,0");
    const built = buildFont(RECIPES[0]!, text);
    const l = built.glyphs.get("L")!;
    expect(l.strokes[0]!.segments.at(-1)).toEqual({ type: "L", x: 400, y: 0 });
  });
});
