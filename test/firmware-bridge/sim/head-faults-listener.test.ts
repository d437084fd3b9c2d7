import { describe, expect, it } from "vitest";
import { SimHead } from "../../../firmware-bridge/sim/head.ts";

describe("simulated head: a strike listener that pulls the plug", () => {
  it("stops striking instead of crashing", () => {
    const head = new SimHead({ baud: Infinity, machine: { workArea: { width: 100, height: 80 }, rapidRate: 3000, acceleration: 500, junctionDeviation: 0.01, homing: false } });
    head.on("strike", () => head.unplug());
    head.write("G21G90\nM3S0\nG1F1200\nG0X1Y1\nG1S700G4P0.01\nS0\nG0X2Y2\nG1S700G4P0.01\nS0\n");
    expect(() => head.runUntilIdle()).not.toThrow();
    expect(head.strikes).toHaveLength(1);
    expect(head.isUnplugged).toBe(true);
  });
});
