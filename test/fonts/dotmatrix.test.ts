import { describe, expect, it } from "vitest";
import { COVERAGE } from "../../src/fonts/build-font.ts";
import { loadFont } from "../../src/fonts/font.ts";

const GRIDS = [
  { name: "peen-dot-5x7", cols: 5, rows: 7, xrows: 5 },
  { name: "peen-dot-7x9", cols: 7, rows: 9, xrows: 6 },
];

describe("dot-matrix fonts", () => {
  for (const g of GRIDS) {
    const font = loadFont(g.name);
    const step = font.gridStep!;

    it(`${g.name}: the reader finds a grid step and every dot lies on the grid, inside ${g.cols} columns`, () => {
      expect(step).toBe(100);
      for (const ch of COVERAGE)
        for (const d of font.glyph(ch, 1)!.dots) {
          expect({ ch, col: d.x / step }).toEqual({ ch, col: Math.round(d.x / step) });
          expect({ ch, row: d.y / step }).toEqual({ ch, row: Math.round(d.y / step) });
          expect(d.x / step).toBeGreaterThanOrEqual(1);
          expect(d.x / step).toBeLessThanOrEqual(g.cols);
        }
    });

    it(`${g.name}: no two dots of a glyph closer than one grid step`, () => {
      for (const ch of COVERAGE) {
        const dots = font.glyph(ch, 1)!.dots;
        let closest = Infinity;
        for (let i = 0; i < dots.length; i++)
          for (let j = i + 1; j < dots.length; j++) closest = Math.min(closest, Math.hypot(dots[i]!.x - dots[j]!.x, dots[i]!.y - dots[j]!.y));
        expect({ ch, tooClose: closest < step }).toEqual({ ch, tooClose: false });
      }
    });

    it(`${g.name}: capitals and figures are ${g.rows} rows on the baseline; lower case fits ${g.xrows} rows plus 2 descender rows`, () => {
      const rows = (ch: string) => font.glyph(ch, 1)!.dots.map((d) => d.y / step);
      for (const ch of "ABCDEFGHIJKLMNOPRSTUVWXYZ0123456789") {
        expect({ ch, bottom: Math.min(...rows(ch)), top: Math.max(...rows(ch)) }).toEqual({ ch, bottom: 0, top: g.rows - 1 });
      }
      for (const ch of "acemnorsuvwxz") expect({ ch, top: Math.max(...rows(ch)) }).toEqual({ ch, top: g.xrows - 1 });
      for (const ch of "gjpqy") expect({ ch, bottom: Math.min(...rows(ch)) }).toEqual({ ch, bottom: -2 });
    });

    it(`${g.name}: accents over capitals sit in rows above the cap height, leaving one empty row`, () => {
      const rows = (ch: string) => font.glyph(ch, 1)!.dots.map((d) => d.y / step);
      for (const ch of "ÁÉÍÓÚÀÂÃÄÑ") {
        const extra = rows(ch).filter((r) => r >= g.rows - 1 + 1);
        expect({ ch, lowestMarkRow: Math.min(...extra) }).toEqual({ ch, lowestMarkRow: g.rows + 1 });
      }
      expect(Math.min(...rows("Ç"))).toBeLessThan(0);
    });
  }
});
