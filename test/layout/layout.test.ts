import { describe, expect, it } from "vitest";
import { loadFont } from "../../src/fonts/font.ts";
import { layoutTextBlock } from "../../src/layout/layout.ts";
import { TextBlockSchema } from "../../src/profile/schema.ts";
import { distance } from "../../src/geometry.ts";

const font = loadFont("dejavu-sans");
const block = (over: Record<string, unknown>) => TextBlockSchema.parse({ id: "t", lines: ["x"], font: "dejavu-sans", capHeight: 3, origin: { x: 50, y: 40 }, ...over });
const allPoints = (b: ReturnType<typeof layoutTextBlock>) => [...b.strokes.flatMap((s) => s.points), ...b.dots];

describe("layout", () => {
  it("scales capitals to the cap height asked for, one glyph per character with its place and frame", () => {
    const b = layoutTextBlock(block({}), ["HEL 147"], font);
    expect(b.glyphInfo.map((g) => `${g.char}${g.line}:${g.column}`)).toEqual(["H0:0", "E0:1", "L0:2", "10:4", "40:5", "70:6"]);
    for (const g of b.glyphInfo) expect([g.along, g.up]).toEqual([{ x: 1, y: 0 }, { x: 0, y: 1 }]);
    expect(b.box.minY).toBeCloseTo(40, 1); // baseline on the origin
    expect(b.box.maxY).toBeCloseTo(43, 1);
    expect(b.glyphs).toBe(6);
  });

  it("aligns lines left, centre and right on the origin", () => {
    const left = layoutTextBlock(block({ align: "left" }), ["HH"], font).box;
    const centre = layoutTextBlock(block({ align: "center" }), ["HH"], font).box;
    const right = layoutTextBlock(block({ align: "right" }), ["HH"], font).box;
    expect(left.minX).toBeGreaterThanOrEqual(50);
    expect(right.maxX).toBeLessThanOrEqual(50);
    expect((centre.minX + centre.maxX) / 2).toBeCloseTo(50, 0);
  });

  it("puts later lines one line spacing lower", () => {
    const b = layoutTextBlock(block({ lineSpacing: 2 }), ["H", "H"], font);
    expect(b.box.minY).toBeCloseTo(40 - 6, 1);
  });

  it("rotates the block about its origin", () => {
    const b = layoutTextBlock(block({ rotation: 90 }), ["HHHH"], font);
    // Reading upwards: the line runs along +Y, letters' tops toward −X.
    expect(b.box.maxY - b.box.minY).toBeGreaterThan(b.box.maxX - b.box.minX);
    expect(b.box.maxX).toBeCloseTo(50, 1);
  });

  it("kerns pairs unless the block is monospaced", () => {
    const kerned = layoutTextBlock(block({}), ["AV"], font).box;
    const mono = layoutTextBlock(block({ monospace: true }), ["AV"], font).box;
    expect(kerned.maxX - kerned.minX).toBeLessThan(mono.maxX - mono.minX);
  });

  it("stands arc text on its circle, tops outward for outside text", () => {
    const b = layoutTextBlock(block({ align: "center", arc: { radius: 12, side: "outside", angle: 90 } }), ["HHHHHH"], font);
    const centre = { x: 50, y: 40 };
    for (const p of allPoints(b)) {
      const r = distance(centre, p);
      expect(r).toBeGreaterThan(12 - 0.05);
      expect(r).toBeLessThan(12 + 3 + 0.05);
    }
    expect((b.box.minX + b.box.maxX) / 2).toBeCloseTo(50, 1);
    expect(b.box.minY).toBeGreaterThan(40);
  });

  it("puts inside arc text under the centre, tops toward it", () => {
    const b = layoutTextBlock(block({ align: "center", arc: { radius: 12, side: "inside", angle: 270 } }), ["HHHHHH"], font);
    // Glyphs are rigid: the ends of a flat baseline stand slightly off the circle (chord vs arc).
    for (const p of allPoints(b)) {
      const r = distance({ x: 50, y: 40 }, p);
      expect(r).toBeLessThan(12 + 0.15);
      expect(r).toBeGreaterThan(12 - 3 - 0.05);
    }
    expect(b.box.maxY).toBeLessThan(40);
  });
});
