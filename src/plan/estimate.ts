import { timeline, type Motion, type MotionLimits } from "../../firmware-bridge/kinematics.ts";
import type { Machine } from "../profile/station.ts";
import { distance, type Point } from "../geometry.ts";
import { opStart, type Op, type Program } from "./program.ts";

/**
 * The time estimate and travel figures of a program, through the same kinematics module
 * the simulated head runs on (GRBL's planner: step rounding, axis-limited junctions, the
 * look-ahead of a full planner). The motions are the G-code's own (src/gcode/emit.ts): a
 * strike is the rapid to the dot and the Z-only strike block at the strike feed; a scribe
 * stroke is the rapid to its start and its G1 segments; a switch between strikes (M3) and
 * scribing (M4) is a buffer sync; the park move takes Z back to 0.
 */
export function machineLimits(m: Machine): MotionLimits {
  return {
    maxRate: { x: m.rapidRate, y: m.rapidRate, z: m.strike.zRate },
    acceleration: { x: m.acceleration, y: m.acceleration, z: m.strike.zAcceleration },
    junctionDeviation: m.junctionDeviation,
    stepsPerMm: m.stepsPerMm,
    // The settings check requires $1=255: no idle-lock wait at a sync.
    idleLockMs: 255,
  };
}

export function programMotions(p: Program): Motion[] {
  const motions: Motion[] = [];
  let mode: Op["kind"] | undefined;
  let z = 0;
  for (const op of p.ops) {
    if (mode !== undefined && mode !== op.kind) motions.push({ kind: "sync" });
    mode = op.kind;
    const start = opStart(op);
    motions.push({ kind: "line", to: { x: start.x, y: start.y, z }, feed: 0, rapid: true });
    if (op.kind === "strike") {
      z = z === 0 ? -p.strike.move : 0;
      motions.push({ kind: "line", to: { x: start.x, y: start.y, z }, feed: p.strike.feed, rapid: false });
    } else {
      for (const pt of op.points.slice(1)) motions.push({ kind: "line", to: { x: pt.x, y: pt.y, z }, feed: op.feed, rapid: false });
    }
  }
  // S0 and M5 (syncs), then the park move with Z back to 0.
  motions.push({ kind: "sync" });
  motions.push({ kind: "line", to: { x: p.park.x, y: p.park.y, z: 0 }, feed: 0, rapid: true });
  return motions;
}

export interface ProgramFigures {
  /** Seconds, as GRBL runs it behind a host that keeps its planner full. */
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
  const tl = timeline({ x: p.park.x, y: p.park.y, z: 0 }, motions, limits);
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
