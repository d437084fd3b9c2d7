/**
 * The simulated head's planner and step timing: the blocks it holds, planned with the same
 * junction-deviation and trapezoid model as firmware-bridge/kinematics.ts, but only over the
 * blocks actually buffered when a block starts (so a starved stream shows up as stops).
 * Units: mm, mm/s, mm/s², s.
 */
import { junctionSpeed, limitAlong, type MotionLimits, type XY } from "../kinematics.ts";

export interface Block {
  readonly from: XY;
  readonly to: XY;
  readonly length: number;
  readonly ux: number;
  readonly uy: number;
  /** Cruise speed, mm/s. */
  readonly nominal: number;
  /** Acceleration along the block, mm/s². */
  readonly accel: number;
  /** Highest speed allowed at the junction with the block before it, mm/s. */
  readonly maxEntry: number;
  /** Power the block sets on the pin output when it starts (laser mode), S units. */
  readonly laserPower: number;
  readonly rapid: boolean;
  readonly jog: boolean;
  /** N of the line that queued it (0 when none). */
  readonly line: number;
}

export interface Direction {
  readonly ux: number;
  readonly uy: number;
  readonly accel: number;
  readonly nominal: number;
}

/** A block as the planner stores it; undefined for a zero-length move (GRBL drops those). */
export function makeBlock(
  from: XY,
  to: XY,
  opts: { feed: number; rapid: boolean; jog: boolean; laserPower: number; line: number; rapidOverride: number },
  limits: MotionLimits,
  previous: Direction | undefined,
): Block | undefined {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy);
  if (length < 1e-9) return undefined;
  const ux = dx / length;
  const uy = dy / length;
  const rate = { x: limits.maxRate.x / 60, y: limits.maxRate.y / 60 };
  const axisRate = limitAlong(ux, uy, rate);
  const nominal = opts.rapid ? (axisRate * opts.rapidOverride) / 100 : Math.min(opts.feed / 60, axisRate);
  const accel = limitAlong(ux, uy, limits.acceleration);
  const maxEntry = previous
    ? Math.min(junctionSpeed({ x: previous.ux, y: previous.uy }, { x: ux, y: uy }, Math.min(accel, previous.accel), limits.junctionDeviation), nominal, previous.nominal)
    : 0;
  return { from, to, length, ux, uy, nominal, accel, maxEntry, laserPower: opts.laserPower, rapid: opts.rapid, jog: opts.jog, line: opts.line };
}

/** A trapezoid in time: accelerate from v0 to vp, cruise, decelerate to v1. */
export interface Profile {
  readonly length: number;
  readonly accel: number;
  readonly v0: number;
  readonly v1: number;
  readonly vp: number;
  readonly ta: number;
  readonly tc: number;
  readonly td: number;
  readonly da: number;
  readonly dc: number;
  readonly duration: number;
}

export function profile(length: number, v0: number, v1: number, nominal: number, accel: number): Profile {
  const vp = Math.max(v0, v1, Math.min(nominal, Math.sqrt((2 * accel * length + v0 * v0 + v1 * v1) / 2)));
  const da = Math.max(0, (vp * vp - v0 * v0) / (2 * accel));
  const dd = Math.max(0, (vp * vp - v1 * v1) / (2 * accel));
  const dc = Math.max(0, length - da - dd);
  const ta = (vp - v0) / accel;
  const td = (vp - v1) / accel;
  const tc = vp > 0 ? dc / vp : 0;
  return { length, accel, v0, v1, vp, ta, tc, td, da, dc, duration: ta + tc + td };
}

/** Distance along the block and speed, `t` seconds into the profile. */
export function profileAt(p: Profile, t: number): { dist: number; speed: number } {
  if (t <= 0) return { dist: 0, speed: p.v0 };
  if (t >= p.duration) return { dist: p.length, speed: p.v1 };
  if (t < p.ta) return { dist: p.v0 * t + 0.5 * p.accel * t * t, speed: p.v0 + p.accel * t };
  if (t < p.ta + p.tc) return { dist: p.da + p.vp * (t - p.ta), speed: p.vp };
  const u = t - p.ta - p.tc;
  return { dist: Math.min(p.length, p.da + p.dc + p.vp * u - 0.5 * p.accel * u * u), speed: Math.max(0, p.vp - p.accel * u) };
}

/**
 * Exit speed of `block` entered at v0, with `following` the blocks buffered behind it (the
 * planner sees at most `lookahead` blocks, and the last one it sees must be able to stop).
 */
export function exitSpeed(block: Block, v0: number, following: readonly Block[], lookahead: number): number {
  const seen = following.slice(0, Math.max(0, lookahead - 1));
  let v = 0;
  for (let k = seen.length - 1; k >= 0; k--) {
    const b = seen[k]!;
    v = Math.min(b.maxEntry, Math.sqrt(v * v + 2 * b.accel * b.length));
  }
  const reachable = Math.sqrt(v0 * v0 + 2 * block.accel * block.length);
  const mustStopFrom = Math.sqrt(Math.max(0, v0 * v0 - 2 * block.accel * block.length));
  return Math.max(mustStopFrom, Math.min(v, reachable, block.nominal));
}

/** The point `dist` mm along a block. */
export function along(b: Block, dist: number): XY {
  return { x: b.from.x + b.ux * dist, y: b.from.y + b.uy * dist };
}
