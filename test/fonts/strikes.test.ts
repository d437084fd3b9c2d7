import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.ts";
import { fontNames, loadFont } from "../../src/fonts/font.ts";
import { PACKAGE_ROOT } from "../../src/paths.ts";
import { loadProfile, loadRecord, loadStation } from "../../src/profile/load.ts";
import { strikeLine } from "../../src/specimen/strike.ts";

/**
 * Text as struck for specimens, the OCR check and the font benchmark (src/specimen/strike.ts):
 * the real layout and plan stages on the bench station.
 */
const key = (p: { x: number; y: number }) => `${p.x.toFixed(6)},${p.y.toFixed(6)}`;

describe("text as struck", () => {
  it("strikes exactly what a profile's dot-mode block strikes (iti-import, block country-year)", () => {
    const { profile } = loadProfile(join(PACKAGE_ROOT, "profiles", "iti-import.json"), { fonts: fontNames() });
    const job = compile({
      record: loadRecord(join(PACKAGE_ROOT, "examples", "records", "iti-import.json")),
      profile,
      station: loadStation(join(PACKAGE_ROOT, "stations", "bench.json")),
      markedAt: new Date("2026-11-23T12:00:00Z"),
    });
    const block = profile.blocks.find((b) => b.id === "country-year");
    if (block?.kind !== "text") throw new Error("iti-import has no text block country-year");
    const summary = job.blocks.find((b) => b.id === "country-year")!;
    expect(summary.lines).toEqual(["MX 2026"]);
    const fromProfile = job.program.ops.flatMap((op) => (op.kind === "strike" && op.block === "country-year" ? [op.at] : []));

    const struck = strikeLine(loadFont(block.font), "MX 2026", block.capHeight, block.pitch);
    const moved = struck.dots.map((d) => ({ x: d.x + block.origin.x, y: d.y + block.origin.y }));
    expect(moved).toHaveLength(fromProfile.length);
    expect(new Set(moved.map(key))).toEqual(new Set(fromProfile.map(key)));
    expect(struck.pitch).toBe(summary.pitch);
  });

  it("single-line strokes become dots no further apart than the pitch, ends and corners kept", () => {
    const s = strikeLine(loadFont("peen-single"), "L", 3, 0.3);
    const scale = 3 / 700;
    // L: 8,70 → 8,0 → 46,0 (design units of 10 font units): top end, corner, right end.
    for (const p of [{ x: 80, y: 700 }, { x: 80, y: 0 }, { x: 460, y: 0 }])
      expect(s.dots.some((d) => Math.hypot(d.x - p.x * scale, d.y - p.y * scale) < 1e-9), `a strike at ${p.x},${p.y} font units`).toBe(true);
    for (const d of s.dots) {
      const nearest = Math.min(...s.dots.filter((e) => e !== d).map((e) => Math.hypot(e.x - d.x, e.y - d.y)));
      expect(nearest).toBeLessThanOrEqual(0.3 + 1e-9);
      expect(nearest).toBeGreaterThanOrEqual(0.15);
    }
    expect(s.strokeLength).toBeCloseTo((700 + 380) * scale, 9);
    expect(s.pitch).toBe(0.3);
    expect(s.box.maxY).toBeCloseTo(3, 9);
  });

  it("a 5×7 at 1.5875 mm strikes its grid at 1.5875/6 mm, whatever pitch is asked", () => {
    const s = strikeLine(loadFont("peen-dot-5x7"), "H", 1.5875, 0.3);
    expect(s.pitch).toBeCloseTo(1.5875 / 6, 12);
    expect(s.dots).toHaveLength(17);
    expect(s.strokeLength).toBe(0);
    expect(s.box.minY).toBeCloseTo(0, 12);
    expect(s.box.maxY).toBeCloseTo(1.5875, 12);
  });

  it("a character the font lacks is an E_GLYPH_MISSING naming it", () => {
    expect(() => strikeLine(loadFont("peen-single"), "Ř", 3, 0.3)).not.toThrow();
    expect(() => strikeLine(loadFont("peen-single"), "Ǧ", 3, 0.3)).toThrow(/no glyph for "Ǧ" \(U\+01E6\)/);
  });

  it("text the bench head cannot reach is refused by the planner's work-area check", () => {
    expect(() => strikeLine(loadFont("peen-single"), "WWWWWWWWWWWWWWWW", 10, 0.3)).toThrow(/outside the 100 × 80 mm work area/);
  });
});
