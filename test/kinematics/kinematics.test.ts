import { describe, expect, it } from "vitest";
import { junctionSpeed, timeline, totalTime, trapezoidTime, GRBL_LOOKAHEAD, type Motion } from "../../firmware-bridge/kinematics.ts";

const limits = { maxRate: { x: 3000, y: 3000 }, acceleration: { x: 500, y: 500 }, junctionDeviation: 0.01 };

describe("kinematics", () => {
  it("times a trapezoid: accelerate, cruise, decelerate", () => {
    // 100 mm at 50 mm/s, 500 mm/s²: 0.1 s up (2.5 mm), 0.1 s down, 95 mm at 50 mm/s.
    expect(trapezoidTime(100, 0, 0, 50, 500)).toBeCloseTo(0.2 + 95 / 50, 9);
  });

  it("times a triangle when the move is too short to reach the feed", () => {
    // 1 mm: peak √(a·d) = √500 mm/s, t = 2·√500/500.
    expect(trapezoidTime(1, 0, 0, 50, 500)).toBeCloseTo((2 * Math.sqrt(500)) / 500, 9);
  });

  it("stops at reversals and passes straight junctions at full speed", () => {
    expect(junctionSpeed({ x: 1, y: 0 }, { x: -1, y: 0 }, 500, 0.01)).toBe(0);
    expect(junctionSpeed({ x: 1, y: 0 }, { x: 1, y: 0 }, 500, 0.01)).toBe(Infinity);
    const right = junctionSpeed({ x: 1, y: 0 }, { x: 0, y: 1 }, 500, 0.01);
    // 90°: sin(θ/2) = √½; v² = a·δ·s/(1−s).
    const s = Math.SQRT1_2;
    expect(right).toBeCloseTo(Math.sqrt((500 * 0.01 * s) / (1 - s)), 9);
  });

  it("a dwell stops the head and adds its time", () => {
    const m: Motion[] = [
      { kind: "line", to: { x: 10, y: 0 }, feed: 600, rapid: false },
      { kind: "dwell", seconds: 0.5 },
      { kind: "line", to: { x: 20, y: 0 }, feed: 600, rapid: false },
    ];
    const tl = timeline({ x: 0, y: 0 }, m, limits);
    expect(tl[0]!.exitSpeed).toBe(0);
    expect(tl[1]!.end - tl[1]!.start).toBe(0.5);
    expect(tl[2]!.entrySpeed).toBe(0);
    expect(totalTime({ x: 0, y: 0 }, m, limits)).toBeCloseTo(2 * trapezoidTime(10, 0, 0, 10, 500) + 0.5, 9);
  });

  it("short look-ahead is never faster than the kinematic lower bound", () => {
    // A long straight line cut into 0.1 mm pieces: 15 blocks of look-ahead cannot reach full speed.
    const m: Motion[] = Array.from({ length: 500 }, (_v, i) => ({ kind: "line" as const, to: { x: (i + 1) * 0.1, y: 0 }, feed: 3000, rapid: false }));
    const planner = totalTime({ x: 0, y: 0 }, m, limits, GRBL_LOOKAHEAD);
    const bound = totalTime({ x: 0, y: 0 }, m, limits, Infinity);
    expect(bound).toBeCloseTo(trapezoidTime(50, 0, 0, 50, 500), 6);
    expect(planner).toBeGreaterThan(bound);
  });
});
