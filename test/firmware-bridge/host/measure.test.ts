import { describe, expect, it } from "vitest";
import { measureStreaming } from "../../../firmware-bridge/measure.ts";
import { fileURLToPath } from "node:url";
import { totalTime, type Motion } from "../../../firmware-bridge/kinematics.ts";
import { simHeadOf } from "../../../src/job/head.ts";
import { machineLimits, programMotions } from "../../../src/plan/estimate.ts";
import { loadStation } from "../../../src/profile/load.ts";
import { dotProgram, grid, isScribeSegment, isStrike, scribeProgram } from "./fake-grbl.ts";

const station = loadStation(fileURLToPath(new URL("../../../stations/bench.json", import.meta.url)));
/** The bench head as a technician sets it up for the station ($1=255 among others). */
const HEAD = simHeadOf(station);
const LIMITS = machineLimits(station.machine);
/** The program's own motions, as the compiler's estimate sees them. */
const dotMotions = (dots: readonly { x: number; y: number }[]): Motion[] =>
  programMotions({ stationId: "bench", profileId: "test", park: { x: 0, y: 80 }, strikeTime: 0.01, strike: { move: 0.004, feed: 24 }, ops: dots.map((at) => ({ kind: "strike" as const, at, force: 70, block: "b" })) });

describe("measureStreaming: marking time over the serial link, in the simulated head's virtual time", () => {
  it("marks every dot of a dot-mode program and is no faster than the planner allows", async () => {
    const dots = grid(20);
    const m = await measureStreaming(dotProgram(dots), { strikes: isStrike, head: HEAD });
    expect(m.outcome.outcome).toBe("completed");
    expect(m.outcome.strikesDone).toBe(20);
    expect(m.lostBytes).toBe(0);
    // One strike per dot, where the program says, at S700 (PWM 178 of 255: 69.8 %).
    expect(m.strikes.map((s) => ({ x: s.x, y: s.y }))).toEqual(dots);
    for (const s of m.strikes) expect(s.force).toBeCloseTo(70, 0);
    // The same job as the planner sees it, from where homing left the head (work 0,0).
    const planner = totalTime({ x: 0, y: 0, z: 0 }, dotMotions(dots), LIMITS);
    expect(m.seconds).toBeGreaterThanOrEqual(planner - 1e-6);
    // Dot mode is planner-bound at 115200 baud: the link adds well under 5 %.
    expect(m.seconds / planner).toBeLessThan(1.05);
  });

  it("starts the clock where the caller says the head waits (the park position)", async () => {
    const dots = grid(5);
    const fromHome = await measureStreaming(dotProgram(dots), { head: HEAD });
    const fromPark = await measureStreaming(dotProgram(dots), { from: { x: 0, y: 80 }, head: HEAD });
    const motions = (from: { x: number; y: number }): number => totalTime({ ...from, z: 0 }, dotMotions(dots), LIMITS);
    expect(fromPark.strikes).toHaveLength(5);
    // The first rapid differs, and the measurement follows the planner's figure for each start.
    expect(fromPark.seconds - fromHome.seconds).toBeCloseTo(motions({ x: 0, y: 80 }) - motions({ x: 0, y: 0 }), 2);
  });

  it("a slow link starves a scribe stroke of short segments: 2400 baud takes longer than 115200", async () => {
    const program = scribeProgram(150);
    const fast = await measureStreaming(program, { strikes: isScribeSegment, head: HEAD });
    const slow = await measureStreaming(program, { strikes: isScribeSegment, head: { ...HEAD, baud: 2400 } });
    expect(fast.outcome.outcome).toBe("completed");
    expect(slow.outcome.outcome).toBe("completed");
    expect(fast.outcome.strikesDone).toBe(150);
    expect(slow.lostBytes).toBe(0);
    expect(slow.seconds).toBeGreaterThan(fast.seconds * 1.2);
  });
});
