import { timeline, GRBL_LOOKAHEAD, type Motion, type MotionLimits } from "../../firmware-bridge/kinematics.ts";
import type { Machine } from "../profile/station.ts";
import { distance, type Point } from "../geometry.ts";
import { opStart, type Op, type Program } from "./program.ts";

/**
 * The time estimate and travel figures of a program, through the same kinematics module
 * the simulated head runs on. A strike is a rapid that ends all but at rest (its junction
 * with the strike block is the strike feed, a fraction of a mm/s) and the strike block,
 * which lasts the strike time; scribe trains are G1 moves the planner blends through. A
 * switch between strikes (M3) and scribing (M4) is a buffer sync.
 */
export function machineLimits(m: Machine): MotionLimits {
  return { maxRate: { x: m.rapidRate, y: m.rapidRate }, acceleration: { x: m.acceleration, y: m.acceleration }, junctionDeviation: m.junctionDeviation };
}

export function programMotions(p: Program): Motion[] {
  const motions: Motion[] = [];
  let mode: Op["kind"] | undefined;
  for (const op of p.ops) {
    if (mode !== undefined && mode !== op.kind) motions.push({ kind: "stop" });
    mode = op.kind;
    motions.push({ kind: "line", to: opStart(op), feed: 0, rapid: true });
    if (op.kind === "strike") {
      motions.push({ kind: "dwell", seconds: p.strikeTime });
      motions.push({ kind: "stop" });
    } else {
      for (const pt of op.points.slice(1)) motions.push({ kind: "line", to: pt, feed: op.feed, rapid: false });
    }
  }
  motions.push({ kind: "line", to: p.park, feed: 0, rapid: true });
  return motions;
}

export interface ProgramFigures {
  /** Seconds, as GRBL's 15-block look-ahead would run it. */
  readonly seconds: number;
  /** mm of rapid travel between operations (the park move excluded). */
  readonly travel: number;
  /** mm of scribed path. */
  readonly scribeLength: number;
  readonly strikes: number;
}

export function programFigures(p: Program, m: Machine): ProgramFigures {
  const limits = machineLimits(m);
  const motions = programMotions(p);
  const tl = timeline(p.park, motions, limits, GRBL_LOOKAHEAD);
  let travel = 0;
  let scribeLength = 0;
  let strikes = 0;
  let at: Point = p.park;
  for (const op of p.ops) {
    travel += distance(at, opStart(op));
    if (op.kind === "strike") {
      strikes++;
      at = op.at;
    } else {
      for (let i = 1; i < op.points.length; i++) scribeLength += distance(op.points[i - 1]!, op.points[i]!);
      at = op.points[op.points.length - 1]!;
    }
  }
  return {
    seconds: tl.length ? tl[tl.length - 1]!.end : 0,
    travel,
    scribeLength,
    strikes,
  };
}
