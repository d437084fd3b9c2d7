import { describe, expect, it } from "vitest";
import { planDatamatrix, type DatamatrixPlanInput } from "../../src/datamatrix/plan.ts";
import { encodeDatamatrix } from "../../src/datamatrix/encode.ts";
import type { Point } from "../../src/geometry.ts";
import { caught } from "../caught.ts";

const base: DatamatrixPlanInput = { payload: "SN-0042-XYZ", module: 0.5, origin: { x: 10, y: 5 }, rotation: 0, quietZone: 1, dotDiameter: 0.45, blockId: "udi" };

const key = (p: Point) => `${p.x.toFixed(6)},${p.y.toFixed(6)}`;


describe("planDatamatrix", () => {
  it("strikes once at the centre of every dark module, row 0 at the top of the symbol", () => {
    const plan = planDatamatrix(base);
    const { rows, cols, modules } = encodeDatamatrix(base.payload);
    expect([plan.rows, plan.cols]).toEqual([rows, cols]);
    const expected: string[] = [];
    modules.forEach((row, r) => row.forEach((dark, c) => { if (dark) expected.push(key({ x: 10 + (c + 0.5) * 0.5, y: 5 + (rows - r - 0.5) * 0.5 })); }));
    expect(plan.strikes.map(key).sort()).toEqual(expected.sort());
    expect(new Set(plan.strikes.map(key)).size).toBe(plan.strikes.length);
    // The corner of the finder's L sits at the origin: the lower-left module's centre is half a module in.
    expect(plan.strikes.map(key)).toContain(key({ x: 10.25, y: 5.25 }));
    expect(plan.sizeMm).toEqual({ width: 8, height: 8 });
  });

  it("rotates the symbol counter-clockwise about its origin", () => {
    const flat = planDatamatrix(base);
    const turned = planDatamatrix({ ...base, rotation: 90 });
    // 90° CCW about (10, 5): (x, y) → (10 − (y − 5), 5 + (x − 10)).
    const expected = flat.strikes.map((p) => key({ x: 10 - (p.y - 5), y: 5 + (p.x - 10) }));
    expect(turned.strikes.map(key).sort()).toEqual(expected.sort());
    expect(turned.symbolBox.map(key)).toEqual([{ x: 10, y: 5 }, { x: 10, y: 13 }, { x: 2, y: 13 }, { x: 2, y: 5 }].map(key));
  });

  it("keeps every strike inside the rotated symbol and gives the quiet zone as a polygon and a box", () => {
    const plan = planDatamatrix({ ...base, rotation: 17.5, quietZone: 2 });
    const r = (17.5 * Math.PI) / 180;
    for (const p of plan.strikes) {
      // Back into the symbol frame.
      const dx = p.x - 10, dy = p.y - 5;
      const u = dx * Math.cos(r) + dy * Math.sin(r), v = -dx * Math.sin(r) + dy * Math.cos(r);
      expect(u).toBeGreaterThan(0.2);
      expect(u).toBeLessThan(7.8);
      expect(v).toBeGreaterThan(0.2);
      expect(v).toBeLessThan(7.8);
    }
    const [ll, lr] = plan.quietBox.polygon;
    // Grown by 2 modules = 1 mm on each side: a 10 mm square.
    expect(Math.hypot(lr.x - ll.x, lr.y - ll.y)).toBeCloseTo(10, 9);
    expect(key(ll)).toBe(key({ x: 10 - Math.cos(r) + Math.sin(r), y: 5 - Math.sin(r) - Math.cos(r) }));
    const xs = plan.quietBox.polygon.map((p) => p.x), ys = plan.quietBox.polygon.map((p) => p.y);
    expect(plan.quietBox.box).toEqual({ minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys) });
  });

  it("walks the path from the end nearer to where the head comes from", () => {
    const plan = planDatamatrix(base);
    const first = plan.strikes[0]!, last = plan.strikes[plan.strikes.length - 1]!;
    const nearLast = { x: last.x + 0.01, y: last.y };
    const fromLast = planDatamatrix({ ...base, from: nearLast });
    expect(fromLast.strikes).toEqual([...plan.strikes].reverse());
    expect(planDatamatrix({ ...base, from: { x: first.x, y: first.y - 0.01 } }).strikes).toEqual(plan.strikes);
  });

  it("is deterministic", () => {
    expect(planDatamatrix({ ...base, rotation: -30 })).toEqual(planDatamatrix({ ...base, rotation: -30 }));
  });

  it("rejects a module outside 0.19–0.64 mm (MIL-STD-130N)", () => {
    const e = caught(() => planDatamatrix({ ...base, module: 0.7, dotDiameter: 0.6 }));
    expect(e.code).toBe("E_DATAMATRIX");
    expect(e.message).toContain("0.7 mm");
    expect(e.message).toContain("MIL-STD-130N");
    expect(e.where).toBe("udi");
  });

  it("rejects a dot smaller than 60 % of the module (AS9132) and says what to change", () => {
    const e = caught(() => planDatamatrix({ ...base, module: 0.5, dotDiameter: 0.25 }));
    expect(e.code).toBe("E_DATAMATRIX");
    expect(e.message).toContain("dot diameter 0.25 mm is 50 % of the 0.5 mm module");
    expect(e.message).toContain("AS9132");
    // Module for a 0.25 mm dot: 0.25/1.05 … 0.25/0.6, clipped to MIL-STD-130N's 0.19 mm floor.
    expect(e.message).toContain('set "module" between 0.238 mm and 0.417 mm');
    expect(e.message).toContain("dot diameter between 0.3 mm and 0.525 mm");
  });

  it("rejects a dot larger than 105 % of the module (AS9132)", () => {
    const e = caught(() => planDatamatrix({ ...base, module: 0.3, dotDiameter: 0.4 }));
    expect(e.code).toBe("E_DATAMATRIX");
    expect(e.message).toContain("133 %");
  });

  it("accepts the AS9132 limits themselves", () => {
    expect(() => planDatamatrix({ ...base, module: 0.5, dotDiameter: 0.3 })).not.toThrow();
    expect(() => planDatamatrix({ ...base, module: 0.4, dotDiameter: 0.42 })).not.toThrow();
  });

  it("rejects a symbol larger than 25.4 mm (MIL-STD-130N) and gives the module that fits", () => {
    const payload = "ACME Arms Co., Springfield MA; SN 12345678-AB; Cal .45 ACP; imported by XYZ; 2026 batch 7; made in USA; model P10C";
    expect(encodeDatamatrix(payload).rows).toBe(40);
    const e = caught(() => planDatamatrix({ ...base, payload, module: 0.64, dotDiameter: 0.6 }));
    expect(e.code).toBe("E_DATAMATRIX");
    expect(e.message).toContain("40×40 modules, 25.6 mm × 25.6 mm, larger than 25.4 mm (MIL-STD-130N)");
    expect(e.message).toContain("use a module of at most 0.635 mm"); // 25.4 / 40
    expect(() => planDatamatrix({ ...base, payload, module: 0.635, dotDiameter: 0.6 })).not.toThrow();
  });

  it("rejects a quiet zone of less than one whole module", () => {
    expect(caught(() => planDatamatrix({ ...base, quietZone: 0 })).message).toContain("at least 1");
  });
});
