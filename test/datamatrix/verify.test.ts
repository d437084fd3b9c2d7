import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { planDatamatrix } from "../../src/datamatrix/plan.ts";
import { decodeStrikes } from "../../src/datamatrix/verify.ts";

const hasDmtxread = (() => {
  try {
    execFileSync("dmtxread", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const symbols = [
  { size: "10×10", payload: "A1", module: 0.5 },
  { size: "16×16", payload: "SN-0042-XYZ", module: 0.38 },
  { size: "22×22", payload: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", module: 0.3 },
  { size: "32×32", payload: "ACME Arms Co., Springfield MA; SN 12345678-AB; Cal .45 ACP", module: 0.25 },
];
const cases = symbols.flatMap((s) => [0, 90, 17.5, -30].flatMap((rotation) => [0.6, 0.8, 1].map((fill) => ({ ...s, rotation, fill }))));

describe("decodeStrikes: a planned symbol, pictured as a camera sees it, reads back", () => {
  it.each(cases)("$size at $rotation°, dots $fill of the module", async ({ payload, module, rotation, fill }) => {
    const dotDiameter = module * fill;
    const plan = planDatamatrix({ payload, module, origin: { x: 30, y: 20 }, rotation, quietZone: 1, dotDiameter, blockId: "udi" });
    const v = await decodeStrikes(plan.strikes, { module, dotDiameter, origin: plan.origin, rotation, decoders: hasDmtxread ? ["zxing", "dmtxread"] : ["zxing"] });
    expect(v.zxing, "zxing").toEqual({ text: payload });
    if (hasDmtxread) expect(v.dmtxread, "dmtxread").toEqual({ text: payload });
  });

  it("pictures the symbol upright for zxing and as struck for dmtxread", async () => {
    const module = 0.4;
    const plan = planDatamatrix({ payload: "SN-0042-XYZ", module, origin: { x: 30, y: 20 }, rotation: 30, quietZone: 1, dotDiameter: 0.36, blockId: "udi" });
    const v = await decodeStrikes(plan.strikes, { module, dotDiameter: 0.36, origin: plan.origin, rotation: 30, decoders: [] });
    // 16 modules + 3 modules of margin each side, 8 px per module.
    expect(v.images.upright.width).toBe(22 * 8);
    expect(v.images.upright.height).toBe(22 * 8);
    // The rotated picture holds the symbol's rotated extent: 6.4 mm × (cos 30° + sin 30°) plus margins.
    expect(v.images.asStruck.width).toBeGreaterThan(v.images.upright.width);
  });

  it("reads a symbol turned 45°, where zxing alone on the rotated picture would fail", async () => {
    const module = 0.4;
    const payload = "MFR:ACME;SN:12345678;MDL:P10;CAL:9MM;IMP:XYZ";
    const plan = planDatamatrix({ payload, module, origin: { x: 30, y: 20 }, rotation: 45, quietZone: 1, dotDiameter: 0.36, blockId: "udi" });
    const v = await decodeStrikes(plan.strikes, { module, dotDiameter: 0.36, origin: plan.origin, rotation: 45, decoders: hasDmtxread ? ["zxing", "dmtxread"] : ["zxing"] });
    expect(v.zxing?.text).toBe(payload);
    if (hasDmtxread) expect(v.dmtxread?.text).toBe(payload);
  });

  it("reports no symbol when the finder's L is not struck", async () => {
    const module = 0.4;
    const plan = planDatamatrix({ payload: "SN-0042-XYZ", module, origin: { x: 0, y: 0 }, rotation: 0, quietZone: 1, dotDiameter: 0.36, blockId: "udi" });
    // Drop the left column and the bottom row: the centres at x = 0.2 mm or y = 0.2 mm.
    const broken = plan.strikes.filter((p) => Math.abs(p.x - 0.2) > 1e-6 && Math.abs(p.y - 0.2) > 1e-6);
    expect(broken.length).toBeLessThan(plan.strikes.length - 25);
    const v = await decodeStrikes(broken, { module, dotDiameter: 0.36, decoders: hasDmtxread ? ["zxing", "dmtxread"] : ["zxing"] });
    expect(v.zxing?.text).toBeNull();
    expect(v.zxing?.why).toMatch(/^zxing: /);
    if (hasDmtxread) expect(v.dmtxread?.text).toBeNull();
  });

  it("needs the camera's blur to join the dots: a sharp picture of 80 % dots does not read", async () => {
    const module = 0.4;
    const plan = planDatamatrix({ payload: "SN-0042-XYZ", module, origin: { x: 0, y: 0 }, rotation: 0, quietZone: 1, dotDiameter: 0.32, blockId: "udi" });
    const sharp = await decodeStrikes(plan.strikes, { module, dotDiameter: 0.32, blurModules: 0.05, decoders: ["zxing"] });
    expect(sharp.zxing?.text).toBeNull();
    const camera = await decodeStrikes(plan.strikes, { module, dotDiameter: 0.32, decoders: ["zxing"] });
    expect(camera.zxing?.text).toBe("SN-0042-XYZ");
  });

  it("pictures dots under 80 % of the module at 80 %, as a reader that joins craters sees them; readerFill 0 shows them as planned", async () => {
    const module = 0.4;
    const plan = planDatamatrix({ payload: "SN-0042-XYZ", module, origin: { x: 0, y: 0 }, rotation: 0, quietZone: 1, dotDiameter: 0.24, blockId: "udi" });
    const dark = (img: { gray: Uint8Array }) => img.gray.reduce((n, g) => n + (g < 128 ? 1 : 0), 0);
    const asRead = await decodeStrikes(plan.strikes, { module, dotDiameter: 0.24, decoders: ["zxing"] });
    const asPlanned = await decodeStrikes(plan.strikes, { module, dotDiameter: 0.24, readerFill: 0, decoders: ["zxing"] });
    expect(asRead.zxing?.text).toBe("SN-0042-XYZ");
    expect(asPlanned.zxing?.text).toBeNull();
    // Dark area grows with the square of the pictured diameter: (0.8 / 0.6)² ≈ 1.8.
    expect(dark(asRead.images.upright) / dark(asPlanned.images.upright)).toBeGreaterThan(1.4);
  });
});
