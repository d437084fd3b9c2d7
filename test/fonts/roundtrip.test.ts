import { describe, expect, it } from "vitest";
import { COVERAGE, RECIPES, buildFont } from "../../src/fonts/build-font.ts";
import type { BuiltGlyph } from "../../src/fonts/build-font.ts";
import { loadFont } from "../../src/fonts/font.ts";
import { flattenCubic } from "../../src/fonts/flatten.ts";
import type { Point, Stroke } from "../../src/geometry.ts";

const TOL = 2; // font units

/** The strokes the source describes, flattened the way any reader of the curves would. */
function expectedStrokes(g: BuiltGlyph): Stroke[] {
  return g.strokes.map((s) => {
    const pts: Point[] = [s.start];
    for (const seg of s.segments) {
      const from = pts[pts.length - 1]!;
      if (seg.type === "L") pts.push({ x: seg.x, y: seg.y });
      else flattenCubic(from, { x: seg.x1, y: seg.y1 }, { x: seg.x2, y: seg.y2 }, { x: seg.x, y: seg.y }, TOL, pts);
    }
    if (s.closed) while (pts.length > 1 && pts.at(-1)!.x === pts[0]!.x && pts.at(-1)!.y === pts[0]!.y) pts.pop();
    return { points: pts, closed: s.closed };
  });
}

describe("reader round trip: loadFont() recovers the source geometry", () => {
  for (const recipe of RECIPES) {
    it(`${recipe.name}: every glyph's strokes and dots, open stays open, closed stays closed, dots stay dots`, () => {
      const built = buildFont(recipe);
      const font = loadFont(recipe.name);
      for (const ch of COVERAGE) {
        const want = built.glyphs.get(ch)!;
        const got = font.glyph(ch, TOL)!;
        expect({ ch, advance: got.advance }).toEqual({ ch, advance: want.advance });
        expect({ ch, strokes: got.strokes }).toEqual({ ch, strokes: expectedStrokes(want) });
        expect({ ch, dots: got.dots }).toEqual({ ch, dots: want.dots });
      }
    });
  }

  it("peen-single: A is two open strokes, O one closed stroke, i a stem and a dot, 8 two loops", () => {
    const f = loadFont("peen-single");
    const a = f.glyph("A", 1)!;
    expect(a.strokes.map((s) => s.closed)).toEqual([false, false]);
    expect(a.strokes[0]!.points).toEqual([{ x: 40, y: 0 }, { x: 320, y: 700 }, { x: 600, y: 0 }]);
    expect(f.glyph("O", 1)!.strokes.map((s) => s.closed)).toEqual([true]);
    const i = f.glyph("i", 1)!;
    expect(i.strokes).toHaveLength(1);
    expect(i.dots).toEqual([{ x: 110, y: 720 }]);
    expect(f.glyph("8", 1)!.strokes.map((s) => s.closed)).toEqual([true, true]);
  });

  it("accents sit over the letter's centre, above capitals higher than above lower case", () => {
    const f = loadFont("peen-single");
    const top = (ch: string) => Math.max(...f.glyph(ch, 1)!.strokes.flatMap((s) => s.points.map((p) => p.y)));
    expect(top("É")).toBeGreaterThan(800);
    expect(top("é")).toBeGreaterThan(600);
    expect(top("é")).toBeLessThan(top("É"));
    const ced = f.glyph("Ç", 1)!;
    expect(Math.min(...ced.strokes.flatMap((s) => s.points.map((p) => p.y)))).toBeLessThan(-150);
    for (const ch of "ÁÉÍÓÚáéíóú") {
      const g = f.glyph(ch, 1)!;
      const mark = g.strokes.at(-1)!.points;
      const mid = (Math.min(...mark.map((p) => p.x)) + Math.max(...mark.map((p) => p.x))) / 2;
      expect(Math.abs(mid - g.advance / 2)).toBeLessThan(60);
    }
  });
});
