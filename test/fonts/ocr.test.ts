import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { loadFont } from "../../src/fonts/font.ts";
import { LEGIBILITY_HEIGHTS, LEGIBILITY_SET, characterAccuracy, limited, readLine } from "../../src/specimen/legibility.ts";

/**
 * Every station font, struck at 1.5875 mm and 3 mm, photographed and read back by Tesseract
 * (method in docs/FONTS.md). Needs tesseract-ocr with the eng, spa, por and fra models.
 */
const FONTS = ["peen-single", "peen-single-mono", "peen-dot-5x7", "peen-dot-7x9"];
const TESSDATA = "/usr/share/tesseract-ocr/5/tessdata";

describe("legibility: struck marks read back by OCR", () => {
  it("the Tesseract language models are installed (apt-get install tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-por tesseract-ocr-fra)", () => {
    for (const l of ["eng", "spa", "por", "fra"]) expect(existsSync(`${TESSDATA}/${l}.traineddata`), `${l}.traineddata`).toBe(true);
  });

  for (const name of FONTS)
    for (const h of LEGIBILITY_HEIGHTS)
      it(`${name} at ${h} mm: every maker, place and serial reads back exactly`, { timeout: 120_000 }, async () => {
        const font = loadFont(name);
        const read = await limited(LEGIBILITY_SET, 2, (line) => readLine(font, line, h));
        const pairs = LEGIBILITY_SET.map((l, i) => ({ expected: l.text, read: read[i]! }));
        expect(pairs.filter((p) => p.read !== p.expected)).toEqual([]);
        expect(characterAccuracy(pairs)).toBe(1);
      });
});
