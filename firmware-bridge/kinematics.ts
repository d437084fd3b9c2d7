/**
 * Motion timing as a GRBL 1.1 controller executes it: straight blocks with trapezoidal
 * speed profiles, junction-deviation cornering ($11), per-axis rate and acceleration limits
 * ($110/$111, $120/$121), full stops at dwells and buffer syncs, and a finite look-ahead
 * (GRBL plans over at most 15 queued blocks; the last planned block must be able to stop).
 *
 * One module, two users: the compiler's time estimate and the simulated head's clock.
 * Pure: no clock, no I/O. Units: mm, mm/min for feeds (as G-code), mm/s and s inside.
 */
export interface XY {
  readonly x: number;
  readonly y: number;
}

export interface MotionLimits {
  /** Maximum rate per axis, mm/min ($110, $111). G0 moves run at these. */
  readonly maxRate: XY;
  /** Acceleration per axis, mm/s² ($120, $121). */
  readonly acceleration: XY;
  /** Junction deviation, mm ($11). */
  readonly junctionDeviation: number;
}

export type Motion =
  /** A straight move. `feed` in mm/min is ignored for rapids, which run at the axis limits. */
  | { readonly kind: "line"; readonly to: XY; readonly feed: number; readonly rapid: boolean }
  /** G4: the planner empties (the head stops), then waits. */
  | { readonly kind: "dwell"; readonly seconds: number }
  /** A buffer sync with no wait of its own (spindle/laser change without motion in M3 mode). */
  | { readonly kind: "stop" };

export interface MotionTiming {
  readonly start: number;
  readonly end: number;
  /** mm/s at the start and end of the block (0 for dwells and stops). */
  readonly entrySpeed: number;
  readonly exitSpeed: number;
}

/** GRBL's planner holds 16 blocks and plans over 15 of them (BLOCK_BUFFER_SIZE − 1). */
export const GRBL_LOOKAHEAD = 15;

/** GRBL's MINIMUM_JUNCTION_SPEED is 0; a reversal stops. */
const MIN_JUNCTION_SPEED = 0;

interface Block {
  readonly length: number;
  readonly ux: number;
  readonly uy: number;
  /** mm/s */
  readonly nominal: number;
  /** mm/s² along the block */
  readonly accel: number;
  /** Highest entry speed the junction with the previous block allows, mm/s. */
  maxEntry: number;
}

/** Scale a per-axis limit onto a direction: the axis that saturates first sets the limit. */
export function limitAlong(ux: number, uy: number, limit: XY): number {
  let v = Infinity;
  if (Math.abs(ux) > 1e-12) v = Math.min(v, limit.x / Math.abs(ux));
  if (Math.abs(uy) > 1e-12) v = Math.min(v, limit.y / Math.abs(uy));
  return v;
}

/**
 * Highest speed through the corner between unit directions a and b (mm/s), from the junction
 * deviation model: the speed at which a circle of deviation δ, tangent to both, is driven at
 * the junction acceleration.
 */
export function junctionSpeed(a: XY, b: XY, accel: number, deviation: number): number {
  const cosTheta = -(a.x * b.x + a.y * b.y);
  if (cosTheta > 0.999999) return MIN_JUNCTION_SPEED; // reversal
  if (cosTheta < -0.999999) return Infinity; // straight on
  const sinHalf = Math.sqrt(0.5 * (1 - cosTheta));
  return Math.sqrt((accel * deviation * sinHalf) / (1 - sinHalf));
}

/** Time to run a block of `length` at `accel`, entering at v0, leaving at v1, cruising at most at vn. */
export function trapezoidTime(length: number, v0: number, v1: number, vn: number, accel: number): number {
  if (length <= 0) return 0;
  const da = Math.max(0, (vn * vn - v0 * v0) / (2 * accel));
  const dd = Math.max(0, (vn * vn - v1 * v1) / (2 * accel));
  if (da + dd <= length) return (vn - v0) / accel + (vn - v1) / accel + (length - da - dd) / vn;
  const vp = Math.sqrt(Math.max(v0 * v0, v1 * v1, (2 * accel * length + v0 * v0 + v1 * v1) / 2));
  return Math.max(0, (vp - v0) / accel) + Math.max(0, (vp - v1) / accel);
}

/**
 * Start and end time of every motion, from `from` at rest. `lookahead` is how many queued
 * blocks the planner sees (GRBL_LOOKAHEAD for the controller; Infinity for the kinematic
 * lower bound). Zero-length moves take no time, as GRBL drops them.
 */
export function timeline(from: XY, motions: readonly Motion[], limits: MotionLimits, lookahead: number = GRBL_LOOKAHEAD): MotionTiming[] {
  const out: MotionTiming[] = new Array(motions.length);
  const rate = { x: limits.maxRate.x / 60, y: limits.maxRate.y / 60 };
  let t = 0;
  let pos = from;
  // Runs of consecutive lines are planned together; a dwell or stop ends a run at rest.
  let i = 0;
  while (i < motions.length) {
    const m = motions[i]!;
    if (m.kind !== "line") {
      const d = m.kind === "dwell" ? m.seconds : 0;
      out[i] = { start: t, end: t + d, entrySpeed: 0, exitSpeed: 0 };
      t += d;
      i++;
      continue;
    }
    let j = i;
    while (j < motions.length && motions[j]!.kind === "line") j++;
    // Blocks [i, j): build, dropping zero-length moves.
    const idx: number[] = [];
    const blocks: Block[] = [];
    let prev: { ux: number; uy: number; accel: number; nominal: number } | undefined;
    for (let k = i; k < j; k++) {
      const line = motions[k] as Extract<Motion, { kind: "line" }>;
      const dx = line.to.x - pos.x;
      const dy = line.to.y - pos.y;
      const length = Math.hypot(dx, dy);
      pos = line.to;
      if (length < 1e-9) {
        out[k] = { start: t, end: t, entrySpeed: 0, exitSpeed: 0 };
        continue;
      }
      const ux = dx / length;
      const uy = dy / length;
      const axisRate = limitAlong(ux, uy, rate);
      const nominal = line.rapid ? axisRate : Math.min(line.feed / 60, axisRate);
      const accel = limitAlong(ux, uy, limits.acceleration);
      const maxEntry = prev
        ? Math.min(junctionSpeed({ x: prev.ux, y: prev.uy }, { x: ux, y: uy }, Math.min(accel, prev.accel), limits.junctionDeviation), nominal, prev.nominal)
        : 0;
      const b: Block = { length, ux, uy, nominal, accel, maxEntry };
      blocks.push(b);
      idx.push(k);
      prev = b;
    }
    // Exit speed of each block as a planner seeing `lookahead` blocks would allow: the last
    // block it sees must be able to stop. Then a forward pass with acceleration limits.
    const n = blocks.length;
    const window = Number.isFinite(lookahead) ? Math.max(1, Math.floor(lookahead)) : n;
    const exitCap = new Array<number>(n).fill(0);
    if (window >= n) {
      let vExit = 0;
      for (let k = n - 1; k >= 0; k--) {
        exitCap[k] = vExit;
        const b = blocks[k]!;
        vExit = Math.min(b.maxEntry, Math.sqrt(vExit * vExit + 2 * b.accel * b.length));
      }
    } else {
      for (let k = 0; k < n; k++) {
        const last = Math.min(n - 1, k + window - 1);
        let vExit = 0;
        for (let q = last; q > k; q--) {
          const b = blocks[q]!;
          vExit = Math.min(b.maxEntry, Math.sqrt(vExit * vExit + 2 * b.accel * b.length));
        }
        exitCap[k] = vExit;
      }
    }
    let vIn = 0;
    for (let k = 0; k < n; k++) {
      const b = blocks[k]!;
      const vOut = Math.min(exitCap[k]!, Math.sqrt(vIn * vIn + 2 * b.accel * b.length), b.nominal);
      const dt = trapezoidTime(b.length, vIn, vOut, b.nominal, b.accel);
      out[idx[k]!] = { start: t, end: t + dt, entrySpeed: vIn, exitSpeed: vOut };
      t += dt;
      vIn = vOut;
    }
    i = j;
  }
  return out;
}

/** Total time of a motion list, s. */
export function totalTime(from: XY, motions: readonly Motion[], limits: MotionLimits, lookahead: number = GRBL_LOOKAHEAD): number {
  const tl = timeline(from, motions, limits, lookahead);
  return tl.length ? tl[tl.length - 1]!.end : 0;
}
