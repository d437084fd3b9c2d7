import { describe, expect, it } from "vitest";
import { compileExample } from "../compile/examples.ts";
import { decodeStrikes } from "../../src/datamatrix/verify.ts";
import type { Point } from "../../src/geometry.ts";

/** Dot strikes as the G-code makes them: the head's position (from X/Y words) at every strike block (a Z-only G1 with the pin on, M3). */
function strikesFromGcode(lines: readonly string[]): Point[] {
  let x = 0, y = 0;
  const out: Point[] = [];
  for (const line of lines) {
    if (line.startsWith("(")) continue;
    const mx = /X(-?[\d.]+)/.exec(line), my = /Y(-?[\d.]+)/.exec(line);
    if (mx) x = Number(mx[1]);
    if (my) y = Number(my[1]);
    if (/^N\d+G1Z/.test(line)) out.push({ x, y });
  }
  return out;
}

function inside(p: Point, poly: readonly Point[]): boolean {
  // Convex, counter-clockwise corners: inside when left of every edge.
  return poly.every((a, i) => {
    const b = poly[(i + 1) % poly.length]!;
    return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) >= 0;
  });
}

describe("the G-code of the receiver-datamatrix profile", () => {
  it("strikes a Data Matrix that both decoders read as the record's serial/model/date code", async () => {
    const job = compileExample("receiver-datamatrix");
    const dm = job.datamatrix[0]!;
    const payload = job.blocks.find((b) => b.id === "code")!.symbol!.payload;
    expect(payload).toMatch(/^[A-Z0-9-]+\/[A-Z0-9-]+\/\d{4}$/);
    // The human-readable line is struck too: keep the strikes on the symbol.
    const struck = strikesFromGcode(job.gcode.lines).filter((p) => inside(p, dm.symbolBox));
    expect(struck).toHaveLength(dm.strikes.length);
    const v = await decodeStrikes(struck, { module: dm.module, dotDiameter: dm.dotDiameter, origin: dm.origin, rotation: dm.rotation });
    expect(v.zxing).toEqual({ text: payload });
    expect(v.dmtxread).toEqual({ text: payload });
  });

  it("strikes a payload with accents (Latin-1 bytes) and one beyond Latin-1 (ECI 000026, UTF-8) that both decoders read back exactly", async () => {
    for (const model of ["RÍO-9 CAÑÓN", "ČZ-75 ŁUCZNIK"]) {
      const job = compileExample("receiver-datamatrix", (_p, r) => ({ record: { ...r, model } }));
      const dm = job.datamatrix[0]!;
      const payload = job.blocks.find((b) => b.id === "code")!.symbol!.payload;
      expect(payload).toContain(model);
      const v = await decodeStrikes(dm.strikes, { module: dm.module, dotDiameter: dm.dotDiameter, origin: dm.origin, rotation: dm.rotation });
      expect(v.zxing, model).toEqual({ text: payload });
      expect(v.dmtxread, model).toEqual({ text: payload });
    }
  });
});
