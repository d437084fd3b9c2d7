import { describe, expect, it } from "vitest";
import { checkQuietZone } from "../../src/datamatrix/quiet.ts";
import { planDatamatrix } from "../../src/datamatrix/plan.ts";
import { caught } from "../caught.ts";

const workArea = { width: 100, height: 80 };
// 16×16 at 0.5 mm = 8 mm square at (40, 30); quiet zone 2 modules = 1 mm.
const plan = planDatamatrix({ payload: "SN-0042-XYZ", module: 0.5, origin: { x: 40, y: 30 }, rotation: 0, quietZone: 2, dotDiameter: 0.45, blockId: "udi" });
const block = { id: "udi", polygon: plan.quietBox.polygon };


describe("checkQuietZone", () => {
  it("passes when other blocks keep clear, touching the quiet zone's edge included", () => {
    expect(() => checkQuietZone(block, [{ id: "serial", box: { minX: 10, minY: 10, maxX: 38, maxY: 20 } }, { id: "maker", box: { minX: 49, minY: 30, maxX: 70, maxY: 35 } }], workArea)).not.toThrow();
  });

  it("names the block whose marks fall inside the quiet zone", () => {
    const e = caught(() => checkQuietZone(block, [{ id: "serial", box: { minX: 20, minY: 28, maxX: 39.5, maxY: 31 } }], workArea));
    expect(e.code).toBe("E_OVERLAP");
    expect(e.message).toContain('Data Matrix block "udi"');
    expect(e.message).toContain('block "serial" lies inside its quiet zone');
    expect(e.where).toBe("udi");
  });

  it("tests the rotated quiet zone itself, not its bounding box", () => {
    const turned = planDatamatrix({ payload: "SN-0042-XYZ", module: 0.5, origin: { x: 40, y: 30 }, rotation: 45, quietZone: 1, dotDiameter: 0.45, blockId: "udi" });
    const b = turned.quietBox.box;
    // A small box in the lower-right corner of the bounding box: outside the diamond.
    const corner = { id: "logo", box: { minX: b.maxX - 1, minY: b.minY, maxX: b.maxX, maxY: b.minY + 1 } };
    expect(() => checkQuietZone({ id: "udi", polygon: turned.quietBox.polygon }, [corner], workArea)).not.toThrow();
    const centre = { id: "logo", box: { minX: 39, minY: 35, maxX: 41, maxY: 37 } };
    expect(caught(() => checkQuietZone({ id: "udi", polygon: turned.quietBox.polygon }, [centre], workArea)).code).toBe("E_OVERLAP");
  });

  it("ignores the block's own box", () => {
    expect(() => checkQuietZone(block, [{ id: "udi", box: plan.quietBox.box }], workArea)).not.toThrow();
  });

  it("rejects a quiet zone that leaves the work area, naming the block and the corner", () => {
    const edge = planDatamatrix({ payload: "SN-0042-XYZ", module: 0.5, origin: { x: 0.5, y: 10 }, rotation: 0, quietZone: 2, dotDiameter: 0.45, blockId: "udi" });
    const e = caught(() => checkQuietZone({ id: "udi", polygon: edge.quietBox.polygon }, [], workArea));
    expect(e.code).toBe("E_OUT_OF_BOUNDS");
    expect(e.message).toContain('Data Matrix block "udi": its quiet zone reaches (-0.5, 9) mm, outside the 100 × 80 mm work area');
  });
});
