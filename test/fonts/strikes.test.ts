import { describe, expect, it } from "vitest";
import { loadFont } from "../../src/fonts/font.ts";
import { dotMatrixCapHeight, strikeText } from "../../src/fonts/strikes.ts";

describe("text as struck", () => {
  it("single-line strokes become dots no further apart than the pitch, ends and corners kept", () => {
    const f = loadFont("peen-single");
    const s = strikeText(f, "L", 3, 0.3);
    const scale = 3 / 700;
    // L: 8,70 → 8,0 → 46,0 (design units of 10 font units): top end, corner, right end.
    for (const p of [{ x: 80, y: 700 }, { x: 80, y: 0 }, { x: 460, y: 0 }])
      expect(s.dots.some((d) => Math.hypot(d.x - p.x * scale, d.y - p.y * scale) < 1e-9)).toBe(true);
    const sorted = [...s.dots];
    for (const d of sorted) {
      const nearest = Math.min(...sorted.filter((e) => e !== d).map((e) => Math.hypot(e.x - d.x, e.y - d.y)));
      expect(nearest).toBeLessThanOrEqual(0.3 + 1e-9);
      expect(nearest).toBeGreaterThanOrEqual(0.15);
    }
    expect(s.strokeLength).toBeCloseTo((700 + 380) * scale, 9);
    expect(s.width).toBeCloseTo(500 * scale, 9);
  });

  it("a 5×7 at 1.5875 mm strikes its grid at 1.5875/6 mm", () => {
    const f = loadFont("peen-dot-5x7");
    const h = dotMatrixCapHeight(f, 1.5875 / 6);
    expect(h).toBeCloseTo(1.5875, 12);
    const s = strikeText(f, "H", h, 1.5875 / 6);
    expect(s.dots).toHaveLength(17);
    expect(s.strokeLength).toBe(0);
    expect(Math.max(...s.dots.map((d) => d.y))).toBeCloseTo(1.5875, 12);
  });

  it("a character the font lacks is an E_GLYPH_MISSING naming it", () => {
    expect(() => strikeText(loadFont("peen-single"), "Ř", 3, 0.3)).toThrow(/no glyph for "Ř" \(U\+0158\)/);
  });
});
