import { describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import { blurGray, grayImagePng, renderStrikes } from "../../src/camera/render.ts";

/** Grey level at a point given in mm. */
function at(img: ReturnType<typeof renderStrikes>, x: number, y: number): number {
  const col = Math.floor((x - img.box.minX) * img.pxPerMm);
  const row = Math.floor((img.box.maxY - y) * img.pxPerMm);
  return img.gray[row * img.width + col]!;
}

describe("renderStrikes", () => {
  const box = { minX: 0, minY: 0, maxX: 10, maxY: 5 };

  it("sizes the picture from the field of view and the resolution", () => {
    const img = renderStrikes([], { pxPerMm: 20, box });
    expect([img.width, img.height]).toEqual([200, 100]);
    expect(img.gray.length).toBe(200 * 100);
  });

  it("draws a dark round dot where the strike is, with machine Y up at the top of the picture", () => {
    const img = renderStrikes([{ x: 2, y: 4, diameter: 0.5 }], { pxPerMm: 20, box });
    expect(at(img, 2, 4)).toBeLessThan(60); // crater
    expect(at(img, 2, 1)).toBeGreaterThan(200); // the same column, low on the part: bare metal
    expect(at(img, 2.4, 4)).toBeGreaterThan(200); // just past the rim (r = 0.25 mm)
    // Y up: y = 4 mm is 1 mm below the top edge, so the dot spans rows 15–24 of 100 (20 px/mm, r = 5 px).
    const darkRows = new Set<number>();
    for (let i = 0; i < img.gray.length; i++) if (img.gray[i]! < 128) darkRows.add(Math.floor(i / img.width));
    expect([Math.min(...darkRows), Math.max(...darkRows)]).toEqual([15, 24]);
  });

  it("puts the dot's centroid on the strike position to within a tenth of a pixel", () => {
    const img = renderStrikes([{ x: 3.37, y: 1.81, diameter: 0.4 }], { pxPerMm: 25, box });
    let w = 0, sx = 0, sy = 0;
    for (let row = 0; row < img.height; row++)
      for (let col = 0; col < img.width; col++) {
        const dark = 210 - img.gray[row * img.width + col]!;
        w += dark;
        sx += dark * (col + 0.5);
        sy += dark * (row + 0.5);
      }
    const x = box.minX + sx / w / 25;
    const y = box.maxY - sy / w / 25;
    expect(Math.abs(x - 3.37) * 25).toBeLessThan(0.1);
    expect(Math.abs(y - 1.81) * 25).toBeLessThan(0.1);
  });

  it("anti-aliases the rim: a dot's darkness adds up to its area", () => {
    const d = 0.37;
    const img = renderStrikes([{ x: 5.013, y: 2.51, diameter: d }], { pxPerMm: 30, box });
    let darkness = 0;
    for (const g of img.gray) darkness += (210 - g) / (210 - 35);
    const area = (Math.PI * (d / 2) ** 2) * 30 * 30;
    expect(darkness / area).toBeGreaterThan(0.97);
    expect(darkness / area).toBeLessThan(1.03);
  });

  it("blur spreads a dot without changing its total darkness", () => {
    const dot = [{ x: 5, y: 2.5, diameter: 0.4 }];
    const sharp = renderStrikes(dot, { pxPerMm: 20, box });
    const soft = renderStrikes(dot, { pxPerMm: 20, box, blurMm: 0.1 });
    expect(at(soft, 5, 2.5)).toBeGreaterThan(at(sharp, 5, 2.5)); // centre lighter
    expect(at(soft, 5.3, 2.5)).toBeLessThan(at(sharp, 5.3, 2.5)); // outside the rim darker
    const total = (img: typeof sharp) => img.gray.reduce((a, g) => a + (210 - g), 0);
    expect(Math.abs(total(soft) - total(sharp)) / total(sharp)).toBeLessThan(0.02);
  });

  it("inverts to light dots on dark metal", () => {
    const img = renderStrikes([{ x: 2, y: 2, diameter: 0.6 }], { pxPerMm: 20, box, invert: true });
    expect(at(img, 2, 2)).toBeGreaterThan(200);
    expect(at(img, 8, 2)).toBeLessThan(60);
  });

  it("frames the dots with the margin when no box is given", () => {
    const img = renderStrikes([{ x: 1, y: 1, diameter: 0.5 }, { x: 3, y: 2, diameter: 0.5 }], { pxPerMm: 10, marginMm: 1 });
    expect(img.box).toEqual({ minX: -0.25, minY: -0.25, maxX: 4.25, maxY: 3.25 });
    expect([img.width, img.height]).toEqual([45, 35]);
  });

  it("is deterministic, and its PNG is 8-bit grey carrying the same pixels", () => {
    const dots = Array.from({ length: 40 }, (_, i) => ({ x: 0.5 + (i % 10) * 0.9, y: 0.6 + Math.floor(i / 10) * 1.1, diameter: 0.45 }));
    const a = renderStrikes(dots, { pxPerMm: 16, box, blurMm: 0.08 });
    const b = renderStrikes(dots, { pxPerMm: 16, box, blurMm: 0.08 });
    expect(Buffer.from(a.gray).equals(Buffer.from(b.gray))).toBe(true);
    const bytes = a.png();
    expect(bytes.equals(b.png())).toBe(true);
    expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    const decoded = PNG.sync.read(bytes);
    expect([decoded.width, decoded.height]).toEqual([a.width, a.height]);
    // pngjs expands to RGBA on read: R of each pixel must be our grey.
    for (let i = 0; i < a.gray.length; i += 97) expect(decoded.data[i * 4]).toBe(a.gray[i]);
    expect(bytes[25]).toBe(0); // IHDR colour type 0: greyscale
  });

  it("takes the metal's and the crater's grey levels, and keeps the unrounded levels beside the bytes", () => {
    const img = renderStrikes([{ x: 5, y: 2.5, diameter: 0.6 }], { pxPerMm: 20, box, blurMm: 0.05, metal: 235, crater: 35 });
    expect(at(img, 1, 1)).toBe(235);
    expect(at(img, 5, 2.5)).toBe(35);
    let worst = 0;
    let soft = 0;
    for (let i = 0; i < img.data.length; i++) {
      worst = Math.max(worst, Math.abs(img.data[i]! - img.gray[i]!));
      if (img.data[i]! !== Math.round(img.data[i]!)) soft++;
    }
    expect(worst).toBeLessThanOrEqual(0.5);
    expect(soft).toBeGreaterThan(0); // the blurred rim has levels between the bytes
  });

  it("blurs a picture again as a reader does, and the camera's blur done that way gives the same picture", () => {
    const dots = [{ x: 3, y: 2, diameter: 0.4 }, { x: 3.3, y: 2, diameter: 0.4 }];
    const sharp = renderStrikes(dots, { pxPerMm: 20, box });
    const once = renderStrikes(dots, { pxPerMm: 20, box, blurMm: 0.1 });
    const after = blurGray(sharp, 0.1 * 20);
    expect([after.width, after.height]).toEqual([once.width, once.height]);
    let worst = 0;
    for (let i = 0; i < once.data.length; i++) worst = Math.max(worst, Math.abs(after.data[i]! - once.data[i]!));
    expect(worst).toBeLessThan(1e-3);
    expect(blurGray(sharp, 0).data).toBe(sharp.data);
  });

  it("stores any grey picture as 8-bit PNG, rounded and clamped", () => {
    const data = Float32Array.from([-20, 0.4, 127.5, 254.6, 300, 99.49]);
    const decoded = PNG.sync.read(grayImagePng({ width: 3, height: 2, data }));
    expect([decoded.width, decoded.height]).toEqual([3, 2]);
    expect(Array.from({ length: 6 }, (_, i) => decoded.data[i * 4])).toEqual([0, 0, 128, 255, 255, 99]);
  });

  it("rejects a resolution that is not a positive number", () => {
    expect(() => renderStrikes([], { pxPerMm: 0, box })).toThrow(/pxPerMm/);
  });
});
