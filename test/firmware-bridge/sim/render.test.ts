import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { dotDiameter, strikesToPng, strikesToSvg, type Strike } from "../../../firmware-bridge/sim/index.ts";
import { NO_HOMING, virtualHead, zStrikeProgram } from "./helpers.ts";

describe("the simulated workpiece as a picture", () => {
  const h = virtualHead({ machine: NO_HOMING });
  h.send(zStrikeProgram([{ x: 10, y: 10, force: 100 }, { x: 50, y: 40, force: 25 }]).join("\n") + "\n");
  const strikes: readonly Strike[] = h.head.strikes;

  it("draws one dot per strike, y up, sized by force", () => {
    const svg = strikesToSvg(strikes, { width: 100, height: 80, pinDiameter: 0.4 });
    expect(svg.match(/<circle /g)?.length).toBe(2);
    expect(svg).toContain('<circle cx="10" cy="70" r="0.2"/>');
    expect(svg).toContain('<circle cx="50" cy="40" r="0.1"/>');
    expect(dotDiameter(25, 0.4)).toBeCloseTo(0.2, 9);
  });

  it("renders a PNG where the struck places are dark and the rest is not", () => {
    const png = PNG.sync.read(strikesToPng(strikes, { width: 100, height: 80, pinDiameter: 0.4, pxPerMm: 20 }));
    expect([png.width, png.height]).toEqual([2000, 1600]);
    const grey = (xMm: number, yMm: number) => png.data[(Math.round((80 - yMm) * 20) * png.width + Math.round(xMm * 20)) * 4]!;
    expect(grey(10, 10)).toBeLessThan(80);
    expect(grey(50, 40)).toBeLessThan(120);
    expect(grey(30, 30)).toBeGreaterThan(180);
  });
});
