import { describe, expect, it } from "vitest";
import { measureStreaming } from "../../../firmware-bridge/measure.ts";
import { totalTime, GRBL_LOOKAHEAD, type Motion } from "../../../firmware-bridge/kinematics.ts";
import { dotProgram, grid, isScribeSegment, isStrike, scribeProgram } from "./fake-grbl.ts";

const BENCH_LIMITS = { maxRate: { x: 3000, y: 3000 }, acceleration: { x: 500, y: 500 }, junctionDeviation: 0.01 };

describe("measureStreaming: marking time over the serial link, in the simulated head's virtual time", () => {
  it("marks every dot of a dot-mode program and is no faster than the planner allows", async () => {
    const dots = grid(20);
    const m = await measureStreaming(dotProgram(dots), { strikes: isStrike });
    expect(m.outcome.outcome).toBe("completed");
    expect(m.outcome.strikesDone).toBe(20);
    expect(m.lostBytes).toBe(0);
    expect(m.strikes.map((s) => ({ x: s.x, y: s.y, force: s.force }))).toEqual(dots.map((d) => ({ x: d.x, y: d.y, force: 70 })));
    // The same job as the planner sees it: rapid, stop, dwell, stop per dot; park.
    const motions: Motion[] = dots.flatMap((d): Motion[] => [{ kind: "line", to: d, feed: 0, rapid: true }, { kind: "stop" }, { kind: "dwell", seconds: 0.01 }, { kind: "stop" }]);
    motions.push({ kind: "line", to: { x: 0, y: 80 }, feed: 0, rapid: true });
    const planner = totalTime({ x: 0, y: 0 }, motions, BENCH_LIMITS, GRBL_LOOKAHEAD);
    expect(m.seconds).toBeGreaterThanOrEqual(planner - 1e-6);
    // Dot mode is planner-bound at 115200 baud: the link adds well under 5 %.
    expect(m.seconds / planner).toBeLessThan(1.05);
  });

  it("starts the clock where the caller says the head waits (the park position)", async () => {
    const dots = grid(5);
    const fromHome = await measureStreaming(dotProgram(dots));
    const fromPark = await measureStreaming(dotProgram(dots), { from: { x: 0, y: 80 } });
    const motions = (from: { x: number; y: number }): number => {
      const m: Motion[] = dots.flatMap((d): Motion[] => [{ kind: "line", to: d, feed: 0, rapid: true }, { kind: "stop" }, { kind: "dwell", seconds: 0.01 }, { kind: "stop" }]);
      m.push({ kind: "line", to: { x: 0, y: 80 }, feed: 0, rapid: true });
      return totalTime(from, m, BENCH_LIMITS, GRBL_LOOKAHEAD);
    };
    expect(fromPark.strikes).toHaveLength(5);
    // The first rapid differs, and the measurement follows the planner's figure for each start.
    expect(fromPark.seconds - fromHome.seconds).toBeCloseTo(motions({ x: 0, y: 80 }) - motions({ x: 0, y: 0 }), 2);
  });

  it("a slow link starves a scribe stroke of short segments: 2400 baud takes longer than 115200", async () => {
    const program = scribeProgram(150);
    const fast = await measureStreaming(program, { strikes: isScribeSegment });
    const slow = await measureStreaming(program, { strikes: isScribeSegment, head: { baud: 2400 } });
    expect(fast.outcome.outcome).toBe("completed");
    expect(slow.outcome.outcome).toBe("completed");
    expect(fast.outcome.strikesDone).toBe(150);
    expect(slow.lostBytes).toBe(0);
    expect(slow.seconds).toBeGreaterThan(fast.seconds * 1.2);
  });
});
