import { describe, expect, it } from "vitest";
import { encodeDatamatrix } from "../../src/datamatrix/encode.ts";
import { bandSerpentine, cellsOf, improve, mstLength, pathLength, rowSerpentine, strikeOrder, type Cell } from "../../src/datamatrix/order.ts";

const symbols = {
  "10×10": "A1",
  "16×16": "SN-0042-XYZ",
  "24×24": "MFR:ACME;SN:12345678;MDL:P10;CAL:9MM;IMP:XYZ",
  "32×32": "ACME Arms Co., Springfield MA; SN 12345678-AB; Cal .45 ACP",
};

const isPermutation = (order: readonly number[], n: number) => order.length === n && new Set(order).size === n && order.every((i) => i >= 0 && i < n);

describe("strike order", () => {
  it("baseline: rows top to bottom, alternating direction", () => {
    const cells: Cell[] = [{ c: 0, r: 0 }, { c: 2, r: 0 }, { c: 0, r: 1 }, { c: 1, r: 1 }, { c: 1, r: 0 }];
    expect(rowSerpentine(cells).map((i) => cells[i])).toEqual([{ c: 0, r: 0 }, { c: 1, r: 0 }, { c: 2, r: 0 }, { c: 1, r: 1 }, { c: 0, r: 1 }]);
  });

  it("bands of two rows walk each column down then the next one up", () => {
    const cells: Cell[] = [];
    for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) cells.push({ c, r });
    expect(bandSerpentine(cells, 2).map((i) => cells[i])).toEqual([
      { c: 0, r: 0 }, { c: 0, r: 1 }, { c: 1, r: 1 }, { c: 1, r: 0 }, { c: 2, r: 0 }, { c: 2, r: 1 },
    ]);
  });

  it("a fully dark grid is walked with one-module steps only", () => {
    const cells: Cell[] = [];
    for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) cells.push({ c, r });
    expect(pathLength(cells, strikeOrder(cells))).toBeCloseTo(35, 9);
  });

  it("2-opt and Or-opt undo a bad order", () => {
    const cells: Cell[] = [];
    for (let c = 0; c < 12; c++) cells.push({ c, r: 0 });
    const zigzag = cells.map((_, i) => (i % 2 === 0 ? i / 2 : 11 - (i - 1) / 2));
    expect(pathLength(cells, zigzag)).toBeGreaterThan(60);
    expect(pathLength(cells, improve(cells, zigzag))).toBeCloseTo(11, 9);
  });

  for (const [size, payload] of Object.entries(symbols)) {
    it(`${size}: visits every dark module once, shorter than the baseline and no shorter than the spanning tree`, () => {
      const cells = cellsOf(encodeDatamatrix(payload).modules);
      const order = strikeOrder(cells);
      expect(isPermutation(order, cells.length)).toBe(true);
      const ours = pathLength(cells, order);
      const baseline = pathLength(cells, rowSerpentine(cells));
      expect(ours).toBeLessThan(baseline * 0.85);
      expect(ours).toBeGreaterThanOrEqual(mstLength(cells) - 1e-9);
      expect(strikeOrder(cells)).toEqual(order); // deterministic
      const every = strikeOrder(cells, { everyStart: true });
      expect(isPermutation(every, cells.length)).toBe(true);
      expect(pathLength(cells, every)).toBeLessThanOrEqual(ours + 1e-9);
    });
  }

  it("the spanning tree of a row of dots is the row", () => {
    expect(mstLength([{ c: 0, r: 0 }, { c: 3, r: 0 }, { c: 1, r: 0 }, { c: 2, r: 0 }])).toBe(3);
  });
});
