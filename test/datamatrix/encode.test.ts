import { describe, expect, it } from "vitest";
import ZXing from "@zxing/library";
import { decodeModules, encodeDatamatrix, payloadBytes, withByteDecoding, type DatamatrixSymbol } from "../../src/datamatrix/encode.ts";
import { caught } from "../caught.ts";

withByteDecoding(ZXing);

/** Read a module matrix back with zxing's pure-symbol path: 4 px per module, 2 modules of quiet zone. */
function readBack(s: DatamatrixSymbol): string {
  const px = 4, q = 2;
  const w = (s.cols + 2 * q) * px, h = (s.rows + 2 * q) * px;
  const lum = new Uint8ClampedArray(w * h).fill(255);
  s.modules.forEach((row, r) => row.forEach((dark, c) => {
    if (!dark) return;
    for (let y = 0; y < px; y++) for (let x = 0; x < px; x++) lum[((r + q) * px + y) * w + (c + q) * px + x] = 0;
  }));
  const bitmap = new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(new ZXing.RGBLuminanceSource(lum, w, h)));
  return new ZXing.DataMatrixReader().decode(bitmap, new Map([[ZXing.DecodeHintType.PURE_BARCODE, true]])).getText();
}


describe("encodeDatamatrix", () => {
  it.each([
    ["A1", 10],
    ["123456", 10], // digit pairs: 3 codewords, the 10×10 symbol's full capacity
    ["SN-0042-XYZ", 16],
    ["ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 22], // C40 packs 3 upper-case characters in 2 codewords
    ["ACME Arms Co., Springfield MA; SN 12345678-AB; Cal .45 ACP", 32],
  ])("encodes %j in the smallest square ECC200 symbol (%i×%i) that reads back", (payload, size) => {
    const s = encodeDatamatrix(payload);
    expect([s.rows, s.cols]).toEqual([size, size]);
    expect(s.modules).toHaveLength(size);
    for (const row of s.modules) expect(row).toHaveLength(size);
    expect(readBack(s)).toBe(payload);
  });

  it("draws the finder L (left column, bottom row) and the timing pattern (top row, right column)", () => {
    const { rows, cols, modules } = encodeDatamatrix("SN-0042-XYZ");
    for (let r = 0; r < rows; r++) expect(modules[r]![0], `left column, row ${r}`).toBe(true);
    for (let c = 0; c < cols; c++) expect(modules[rows - 1]![c], `bottom row, column ${c}`).toBe(true);
    for (let c = 0; c < cols; c++) expect(modules[0]![c], `top row, column ${c}`).toBe(c % 2 === 0);
    for (let r = 0; r < rows; r++) expect(modules[r]![cols - 1], `right column, row ${r}`).toBe((rows - 1 - r) % 2 === 0);
  });

  it("makes a rectangular symbol when asked", () => {
    const s = encodeDatamatrix("A1", { shape: "rectangle" });
    expect([s.rows, s.cols]).toEqual([8, 18]);
    expect(readBack(s)).toBe("A1");
  });

  it("encodes Latin-1 as its bytes under the default interpretation (no ECI) and reads back exactly", () => {
    for (const payload of ["SN 1234 Ø", "RÍO-9/CAÑÓN/ÉLITE", "Forjas Paulistas São Leopoldo ç ß ÿ ¿"]) {
      expect(payloadBytes(payload).eci).toBeUndefined();
      expect(readBack(encodeDatamatrix(payload))).toBe(payload);
      expect(decodeModules(encodeDatamatrix(payload))).toBe(payload);
    }
  });

  it("puts text beyond Latin-1 (Česká, Łódź, Ő) behind ECI 000026 as UTF-8, and reads it back exactly", () => {
    const payload = "Česká zbrojovka/Łódź/ŐŰ/a^b";
    expect(payloadBytes(payload)).toEqual({ bytes: new TextEncoder().encode(payload), eci: 26 });
    const s = encodeDatamatrix(payload);
    // The ECI character (codeword 241) and its designator (27 = ECI 26 + 1) open the data.
    expect(decodeModules(s)).toBe(payload);
  });

  it("rejects a control character, naming it and the block", () => {
    const e = caught(() => encodeDatamatrix("SN\u00071234", { blockId: "udi" }));
    expect(e.code).toBe("E_DATAMATRIX");
    expect(e.message).toContain("U+0007");
    expect(e.message).toContain('block "udi"');
    expect(e.where).toBe("udi");
  });

  it("rejects an empty payload and one too long for the largest symbol", () => {
    expect(caught(() => encodeDatamatrix("")).code).toBe("E_DATAMATRIX");
    const e = caught(() => encodeDatamatrix("x".repeat(4000), { blockId: "dm" }));
    expect(e.code).toBe("E_DATAMATRIX");
    expect(e.message).toContain("4000 characters");
  });
});
