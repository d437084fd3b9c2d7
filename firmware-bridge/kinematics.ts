/**
 * Motion timing as GRBL 1.1h plans it (planner.c), for X, Y and Z: targets rounded to whole
 * steps (lround per axis), per-axis rate and acceleration limits scaled onto the direction
 * (limit_value_by_axis_maximum), junction deviation with the acceleration limited along the
 * change of direction, MINIMUM_JUNCTION_SPEED 0, MINIMUM_FEED_RATE, the reverse and forward
 * planner passes, and buffer syncs that wait the stepper idle lock ($1) once the head stops,
 * dwells in whole 50 ms steps.
 *
 * One module, two users: the simulated head's planner (sim/planner.ts builds and re-plans its
 * blocks with the functions here) and the compiler's time estimate (`timeline`). Pure: no
 * clock, no I/O.
 *
 * Units: the planner block keeps GRBL's own units (mm, mm/min, mm/min²) so that the sim plans
 * with the firmware's numbers; the public inputs are mm, mm/min for feeds and rates (as
 * G-code and $110–$112), mm/s² for acceleration (as $120–$122), seconds and mm/s out.
 */

export interface XY {
  readonly x: number;
  readonly y: number;
}

export interface XYZ extends XY {
  readonly z: number;
}

/** Per-axis values; a missing z means the machine has no Z limits given (a move in Z is then an error). */
export interface AxisValues {
  readonly x: number;
  readonly y: number;
  readonly z?: number;
}

export interface MotionLimits {
  /** Maximum rate per axis, mm/min ($110–$112). G0 moves run at these. */
  readonly maxRate: AxisValues;
  /** Acceleration per axis, mm/s² ($120–$122). */
  readonly acceleration: AxisValues;
  /** Junction deviation, mm ($11). */
  readonly junctionDeviation: number;
  /** Steps per mm ($100–$102). Given, targets are rounded to whole steps as GRBL does; absent, exact. */
  readonly stepsPerMm?: AxisValues;
  /** Stepper idle lock time, ms ($1): what every buffer sync after motion waits; 255 = no wait. Default 0. */
  readonly idleLockMs?: number;
  /**
   * Blocks the planner can queue (the 15 of a stock build, 14 with line numbers): how far a
   * host that keeps the planner full lets it look ahead. Default GRBL_LOOKAHEAD.
   */
  readonly plannerBlocks?: number;
}

export type Motion =
  /** A straight move. `feed` (mm/min) is ignored for rapids, which run at the axis limits. */
  | { readonly kind: "line"; readonly to: AxisValues; readonly feed: number; readonly rapid: boolean }
  /** A buffer sync (spindle/coolant change, offset change…): the planner empties, then `$1` once the head stopped. */
  | { readonly kind: "sync" }
  /** G4: a sync, then whole DWELL_TIME_STEPs (ceil(20·s) × 50 ms). */
  | { readonly kind: "dwell"; readonly seconds: number }
  /** Older name of "sync". */
  | { readonly kind: "stop" };

export interface MotionTiming {
  readonly start: number;
  readonly end: number;
  /** mm/s at the start and end of the block (0 for dwells and syncs). */
  readonly entrySpeed: number;
  readonly exitSpeed: number;
}

/** A stock GRBL 1.1h queues 15 planner blocks (BLOCK_BUFFER_SIZE 16, one slot kept free). */
export const GRBL_LOOKAHEAD = 15;

/** config.h MINIMUM_JUNCTION_SPEED (mm/min) and MINIMUM_FEED_RATE (mm/min). */
export const MINIMUM_JUNCTION_SPEED = 0;
export const MINIMUM_FEED_RATE = 1;
/** nuts_bolts.h SOME_LARGE_VALUE. */
export const SOME_LARGE_VALUE = 1e38;
/** config.h DWELL_TIME_STEP, s. */
export const DWELL_TIME_STEP = 0.05;

export const N_AXIS = 3;
export type Vec3 = [number, number, number];

/** planner.h PL_COND_FLAG_*: the condition bits a block carries. */
export const PL_COND = {
  rapid: 1 << 0,
  systemMotion: 1 << 1,
  noFeedOverride: 1 << 2,
  inverseTime: 1 << 3,
  spindleCw: 1 << 4,
  spindleCcw: 1 << 5,
  coolantFlood: 1 << 6,
  coolantMist: 1 << 7,
} as const;

/** The machine as the planner sees it, in GRBL's internal units. */
export interface PlannerMachine {
  readonly stepsPerMm: Vec3;
  /** mm/min */
  readonly maxRate: Vec3;
  /** mm/min² (settings.c stores $12x × 3600) */
  readonly acceleration: Vec3;
  /** mm */
  readonly junctionDeviation: number;
}

/** plan_block_t: one queued line motion. `millimeters` and `entrySpeedSqr` change as the block runs. */
export interface PlannerBlock {
  /** Steps per axis (absolute) and the largest of them. */
  readonly steps: Vec3;
  readonly stepEventCount: number;
  /** −1, 0 or +1 per axis. */
  readonly direction: Vec3;
  readonly condition: number;
  readonly spindleSpeed: number;
  readonly lineNumber: number;
  /** mm still to run (the stepper shortens it as it prepares segments). */
  millimeters: number;
  /** mm/min² along the block. */
  readonly acceleration: number;
  /** mm/min: the axis-limited maximum rate along the block, and the programmed rate. */
  readonly rapidRate: number;
  readonly programmedRate: number;
  /** (mm/min)² */
  readonly maxJunctionSpeedSqr: number;
  maxEntrySpeedSqr: number;
  entrySpeedSqr: number;
}

/** planner_t: what the planner remembers between blocks. */
export interface PlannerHistory {
  /** Planner position, absolute steps. */
  position: Vec3;
  previousUnitVec: Vec3;
  /** mm/min */
  previousNominalSpeed: number;
}

export function emptyHistory(): PlannerHistory {
  return { position: [0, 0, 0], previousUnitVec: [0, 0, 0], previousNominalSpeed: 0 };
}

/** What a line motion asks of the planner (plan_line_data_t). */
export interface LineData {
  /** mm/min (ignored for rapids) */
  readonly feedRate: number;
  readonly condition: number;
  readonly spindleSpeed: number;
  readonly lineNumber: number;
}

/** Feed and rapid overrides, percent. */
export interface MotionOverrides {
  readonly feed: number;
  readonly rapid: number;
}

const NO_OVERRIDES: MotionOverrides = { feed: 100, rapid: 100 };

/**
 * GRBL computes in single precision (float; double only where a double constant is in the
 * expression). `f` rounds to it where GRBL's variables would, so the sim plans with the
 * firmware's very numbers.
 */
const f = Math.fround;

/** nuts_bolts.c limit_value_by_axis_maximum: the axis that saturates first sets the limit. */
export function limitByAxisMaximum(max: Vec3, unit: Vec3): number {
  let v = f(SOME_LARGE_VALUE);
  for (let i = 0; i < N_AXIS; i++) if (unit[i] !== 0) v = Math.min(v, Math.abs(f(max[i]! / unit[i]!)));
  return v;
}

/** nuts_bolts.c convert_delta_vector_to_unit_vector: normalises `v` in place, returns its length. */
export function toUnitVector(v: Vec3): number {
  let magnitude = 0;
  for (let i = 0; i < N_AXIS; i++) if (v[i] !== 0) magnitude = f(magnitude + f(v[i]! * v[i]!));
  magnitude = f(Math.sqrt(magnitude));
  const inv = f(1 / magnitude);
  for (let i = 0; i < N_AXIS; i++) v[i] = f(v[i]! * inv);
  return magnitude;
}

/** lround of C: halves away from zero. */
function lround(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** A target in mm as absolute steps, lround(target × steps/mm) in single precision (planner.c plan_buffer_line). */
export function targetSteps(target: Vec3, stepsPerMm: Vec3): Vec3 {
  const f = Math.fround;
  return [lround(f(f(target[0]) * f(stepsPerMm[0]))), lround(f(f(target[1]) * f(stepsPerMm[1]))), lround(f(f(target[2]) * f(stepsPerMm[2])))];
}

/**
 * planner.c plan_buffer_line's junction limit: v² = a·δ·sin(θ/2)/(1−sin(θ/2)) with `a` the
 * acceleration limited along (u_new − u_prev); 0 for a reversal, unlimited straight on.
 * (mm/min)², with accelerations in mm/min².
 */
export function junctionSpeedSqr(previousUnit: Vec3, unit: Vec3, acceleration: Vec3, deviation: number): number {
  let cosTheta = 0;
  const ju: Vec3 = [0, 0, 0];
  for (let i = 0; i < N_AXIS; i++) {
    cosTheta = f(cosTheta - f(previousUnit[i]! * unit[i]!));
    ju[i] = f(unit[i]! - previousUnit[i]!);
  }
  if (cosTheta > 0.999999) return MINIMUM_JUNCTION_SPEED * MINIMUM_JUNCTION_SPEED;
  if (cosTheta < -0.999999) return f(SOME_LARGE_VALUE);
  toUnitVector(ju);
  const junctionAccel = limitByAxisMaximum(acceleration, ju);
  const sinHalf = f(Math.sqrt(0.5 * (1 - cosTheta)));
  return f(Math.max(MINIMUM_JUNCTION_SPEED * MINIMUM_JUNCTION_SPEED, f(f(junctionAccel * f(deviation)) * sinHalf) / (1 - sinHalf)));
}

/** planner.c plan_compute_profile_nominal_speed, mm/min. */
export function nominalSpeed(b: PlannerBlock, ov: MotionOverrides = NO_OVERRIDES): number {
  let v = b.programmedRate;
  if (b.condition & PL_COND.rapid) v = f(v * (0.01 * ov.rapid));
  else {
    if (!(b.condition & PL_COND.noFeedOverride)) v = f(v * (0.01 * ov.feed));
    if (v > b.rapidRate) v = b.rapidRate;
  }
  return v > MINIMUM_FEED_RATE ? v : MINIMUM_FEED_RATE;
}

/** planner.c plan_compute_profile_parameters: the entry limit from the junction and both nominal speeds. */
export function computeProfileParameters(b: PlannerBlock, nominal: number, previousNominal: number): void {
  b.maxEntrySpeedSqr = nominal > previousNominal ? f(previousNominal * previousNominal) : f(nominal * nominal);
  if (b.maxEntrySpeedSqr > b.maxJunctionSpeedSqr) b.maxEntrySpeedSqr = b.maxJunctionSpeedSqr;
}

/**
 * planner.c plan_buffer_line up to (not including) queuing: the block for a line from the
 * planner position to `target` (mm, machine coordinates), or undefined when no axis moves a
 * whole step (PLAN_EMPTY_BLOCK: nothing changes). `fromSteps` is where it starts (the
 * planner position, or the machine position for a system motion such as homing).
 * `intoEmptyPlanner`: nothing queued, so the block starts from rest. Updates `history`
 * unless it is a system motion.
 */
export function planLine(history: PlannerHistory, fromSteps: Vec3, target: Vec3, data: LineData, machine: PlannerMachine, intoEmptyPlanner: boolean, ov: MotionOverrides = NO_OVERRIDES): PlannerBlock | undefined {
  const to = targetSteps(target, machine.stepsPerMm);
  const steps: Vec3 = [0, 0, 0];
  const direction: Vec3 = [0, 0, 0];
  const delta: Vec3 = [0, 0, 0];
  let events = 0;
  for (let i = 0; i < N_AXIS; i++) {
    const d = to[i]! - fromSteps[i]!;
    steps[i] = Math.abs(d);
    events = Math.max(events, steps[i]!);
    delta[i] = f(d / machine.stepsPerMm[i]!);
    direction[i] = Math.sign(d);
  }
  if (events === 0) return undefined;
  const unit: Vec3 = [delta[0], delta[1], delta[2]];
  const millimeters = toUnitVector(unit);
  const acceleration = limitByAxisMaximum(machine.acceleration, unit);
  const rapidRate = limitByAxisMaximum(machine.maxRate, unit);
  let programmedRate = data.condition & PL_COND.rapid ? rapidRate : f(data.feedRate);
  if (!(data.condition & PL_COND.rapid) && data.condition & PL_COND.inverseTime) programmedRate = f(programmedRate * millimeters);
  const system = (data.condition & PL_COND.systemMotion) !== 0;
  const maxJunctionSpeedSqr = intoEmptyPlanner || system ? 0 : junctionSpeedSqr(history.previousUnitVec, unit, machine.acceleration, machine.junctionDeviation);
  const block: PlannerBlock = {
    steps,
    stepEventCount: events,
    direction,
    condition: data.condition,
    spindleSpeed: data.spindleSpeed,
    lineNumber: data.lineNumber,
    millimeters,
    acceleration,
    rapidRate,
    programmedRate,
    maxJunctionSpeedSqr,
    maxEntrySpeedSqr: 0,
    entrySpeedSqr: 0,
  };
  if (!system) {
    const nominal = nominalSpeed(block, ov);
    computeProfileParameters(block, nominal, history.previousNominalSpeed);
    history.previousNominalSpeed = nominal;
    history.previousUnitVec = unit;
    history.position = to;
  }
  return block;
}

/**
 * planner.c planner_recalculate over `blocks` (oldest first; the last is the one just added):
 * a reverse pass from the newest block (which must be able to stop) back to the optimally
 * planned block, then a forward pass that limits each entry by what acceleration from the
 * previous one allows. `planned` is the index of block_buffer_planned; the new one is
 * returned. `touchTail` is called when the reverse pass reaches the block being executed
 * (index 0), as st_update_plan_block_parameters is, before the forward pass uses its entry.
 */
export function recalculate(blocks: readonly PlannerBlock[], planned: number, touchTail?: () => void): number {
  let index = blocks.length - 1;
  if (index === planned) return planned;
  let current = blocks[index]!;
  current.entrySpeedSqr = Math.min(current.maxEntrySpeedSqr, f(f(2 * current.acceleration) * current.millimeters));
  index--;
  if (index === planned) {
    if (index === 0) touchTail?.();
  } else {
    while (index !== planned) {
      const next = current;
      current = blocks[index]!;
      index--;
      if (index === 0) touchTail?.();
      if (current.entrySpeedSqr !== current.maxEntrySpeedSqr) {
        const e = f(next.entrySpeedSqr + f(f(2 * current.acceleration) * current.millimeters));
        current.entrySpeedSqr = e < current.maxEntrySpeedSqr ? e : current.maxEntrySpeedSqr;
      }
    }
  }
  let next = blocks[planned]!;
  for (let i = planned + 1; i < blocks.length; i++) {
    const cur = next;
    next = blocks[i]!;
    if (cur.entrySpeedSqr < next.entrySpeedSqr) {
      const e = f(cur.entrySpeedSqr + f(f(2 * cur.acceleration) * cur.millimeters));
      if (e < next.entrySpeedSqr) {
        next.entrySpeedSqr = e;
        planned = i;
      }
    }
    if (next.entrySpeedSqr === next.maxEntrySpeedSqr) planned = i;
  }
  return planned;
}

/**
 * Time of a block's speed profile as the segment generator runs it (stepper.c st_prep_buffer's
 * ramps: accelerate, cruise, decelerate, or decelerate first when entered above nominal),
 * minutes. Speeds in mm/min, squared where named so; acceleration mm/min².
 */
export function profileMinutes(mm: number, entrySqr: number, exitSqr: number, nominal: number, accel: number): number {
  if (mm <= 0) return 0;
  const v0 = Math.sqrt(entrySqr);
  const v1 = Math.sqrt(exitSqr);
  const nominalSqr = nominal * nominal;
  const inv2a = 0.5 / accel;
  if (entrySqr > nominalSqr) {
    // Override reduction: decelerate to nominal, cruise, decelerate to exit (or decelerate only).
    const decelToNominal = inv2a * (entrySqr - nominalSqr);
    if (decelToNominal >= mm) {
      const vEnd = Math.sqrt(Math.max(0, entrySqr - 2 * accel * mm));
      return (v0 - vEnd) / accel;
    }
    const decelEnd = inv2a * (nominalSqr - exitSqr);
    const cruise = Math.max(0, mm - decelToNominal - decelEnd);
    return (v0 - nominal) / accel + cruise / nominal + (nominal - v1) / accel;
  }
  const intersect = 0.5 * (mm + inv2a * (entrySqr - exitSqr));
  if (intersect <= 0) return (v1 - v0) / accel; // acceleration only (exit reachable only by accelerating all the way)
  if (intersect >= mm) return (v0 - v1) / accel; // deceleration only
  const decelerateAfter = inv2a * (nominalSqr - exitSqr);
  if (decelerateAfter < intersect) {
    const accelDist = inv2a * (nominalSqr - entrySqr);
    const cruise = mm - accelDist - decelerateAfter;
    return (nominal - v0) / accel + cruise / nominal + (nominal - v1) / accel;
  }
  const vPeak = Math.sqrt(2 * accel * intersect + exitSqr);
  return (vPeak - v0) / accel + (vPeak - v1) / accel;
}

// ---------------------------------------------------------------- the estimate

function vec(v: AxisValues, fallback: number): Vec3 {
  return [v.x, v.y, v.z ?? fallback];
}

/** The planner's view of a machine given in the public units. */
export function plannerMachine(limits: MotionLimits): PlannerMachine {
  return {
    stepsPerMm: limits.stepsPerMm ? vec(limits.stepsPerMm, Number.NaN) : [0, 0, 0],
    maxRate: vec(limits.maxRate, Number.NaN),
    acceleration: vec(limits.acceleration, Number.NaN).map((a) => f(f(a * 60) * 60)) as Vec3,
    junctionDeviation: limits.junctionDeviation,
  };
}

/**
 * Start and end time of every motion, from `start` at rest, as GRBL runs it behind a host
 * that keeps the planner full (character counting): each block is planned with the blocks
 * that follow it in the planner (`limits.plannerBlocks`, or `lookahead` — Infinity for the
 * kinematic lower bound), except that a block planned into an empty planner (the first, and
 * the first after a sync or dwell) starts from rest. A sync or dwell after motion waits for
 * the head to stop and then `$1` ms; a dwell then runs ceil(20·s) × 50 ms. A line that moves
 * no axis by a whole step (when steps/mm are given) takes no time, as GRBL drops it.
 */
export function timeline(start: AxisValues, motions: readonly Motion[], limits: MotionLimits, lookahead?: number): MotionTiming[] {
  const window = lookahead ?? limits.plannerBlocks ?? GRBL_LOOKAHEAD;
  const machine = plannerMachine(limits);
  const exact = !limits.stepsPerMm;
  const idleLock = limits.idleLockMs === undefined || limits.idleLockMs === 255 ? 0 : limits.idleLockMs / 1000;
  const out: MotionTiming[] = new Array(motions.length);
  let position: Vec3 = [start.x, start.y, start.z ?? 0];
  let t = 0;
  let moved = false;
  let i = 0;
  while (i < motions.length) {
    const m = motions[i]!;
    if (m.kind !== "line") {
      const wait = moved ? idleLock : 0;
      moved = false;
      const d = m.kind === "dwell" ? Math.ceil(Math.fround(20 * Math.fround(m.seconds))) * DWELL_TIME_STEP : 0;
      out[i] = { start: t, end: t + wait + d, entrySpeed: 0, exitSpeed: 0 };
      t += wait + d;
      i++;
      continue;
    }
    // A run of lines, planned into an empty planner at its start.
    let j = i;
    while (j < motions.length && motions[j]!.kind === "line") j++;
    const history = emptyHistory();
    const blocks: PlannerBlock[] = [];
    const index: number[] = [];
    let from: Vec3 = exact ? position : targetSteps(position, machine.stepsPerMm);
    history.position = from;
    for (let k = i; k < j; k++) {
      const line = motions[k] as Extract<Motion, { kind: "line" }>;
      const target: Vec3 = [line.to.x, line.to.y, line.to.z ?? position[2]];
      if (line.to.z !== undefined && line.to.z !== position[2] && limits.maxRate.z === undefined) throw new Error("timeline: a move in Z needs Z limits (maxRate.z, acceleration.z)");
      const b = exact ? planExact(history, position, target, line, machine, blocks.length === 0) : planLine(history, from, target, { feedRate: line.feed, condition: line.rapid ? PL_COND.rapid : 0, spindleSpeed: 0, lineNumber: 0 }, machine, blocks.length === 0);
      position = target;
      from = history.position;
      if (!b) {
        out[k] = { start: t, end: t, entrySpeed: 0, exitSpeed: 0 };
        continue;
      }
      blocks.push(b);
      index.push(k);
    }
    const n = blocks.length;
    // Exit limit of each block: the reverse pass over the blocks it shares the planner with.
    const exitCap = new Array<number>(n).fill(0);
    const reverse = (fromK: number, last: number): number => {
      let e = 0;
      for (let q = last; q > fromK; q--) {
        const b = blocks[q]!;
        e = Math.min(b.maxEntrySpeedSqr, e + 2 * b.acceleration * b.millimeters);
      }
      return e;
    };
    if (!Number.isFinite(window) || window >= n) {
      let e = 0;
      for (let k = n - 1; k >= 0; k--) {
        exitCap[k] = e;
        const b = blocks[k]!;
        e = Math.min(b.maxEntrySpeedSqr, e + 2 * b.acceleration * b.millimeters);
      }
    } else for (let k = 0; k < n; k++) exitCap[k] = reverse(k, Math.min(n - 1, k + Math.max(1, Math.floor(window)) - 1));
    let entrySqr = 0;
    for (let k = 0; k < n; k++) {
      const b = blocks[k]!;
      const nominal = nominalSpeed(b);
      const exitSqr = Math.min(exitCap[k]!, entrySqr + 2 * b.acceleration * b.millimeters);
      const dt = profileMinutes(b.millimeters, entrySqr, exitSqr, nominal, b.acceleration) * 60;
      out[index[k]!] = { start: t, end: t + dt, entrySpeed: Math.sqrt(entrySqr) / 60, exitSpeed: Math.sqrt(exitSqr) / 60 };
      t += dt;
      entrySqr = exitSqr;
    }
    if (n > 0) moved = true;
    i = j;
  }
  return out;
}

/** planLine without step rounding (no steps/mm given): exact millimetres. */
function planExact(history: PlannerHistory, from: Vec3, target: Vec3, line: { feed: number; rapid: boolean }, machine: PlannerMachine, intoEmpty: boolean): PlannerBlock | undefined {
  const delta: Vec3 = [target[0] - from[0], target[1] - from[1], target[2] - from[2]];
  const millimeters = Math.hypot(delta[0], delta[1], delta[2]);
  if (millimeters < 1e-9) return undefined;
  const unit: Vec3 = [delta[0] / millimeters, delta[1] / millimeters, delta[2] / millimeters];
  const rapidRate = limitByAxisMaximum(machine.maxRate, unit);
  const b: PlannerBlock = {
    steps: [0, 0, 0],
    stepEventCount: 0,
    direction: [Math.sign(delta[0]), Math.sign(delta[1]), Math.sign(delta[2])],
    condition: line.rapid ? PL_COND.rapid : 0,
    spindleSpeed: 0,
    lineNumber: 0,
    millimeters,
    acceleration: limitByAxisMaximum(machine.acceleration, unit),
    rapidRate,
    programmedRate: line.rapid ? rapidRate : line.feed,
    maxJunctionSpeedSqr: intoEmpty ? 0 : junctionSpeedSqr(history.previousUnitVec, unit, machine.acceleration, machine.junctionDeviation),
    maxEntrySpeedSqr: 0,
    entrySpeedSqr: 0,
  };
  const nominal = nominalSpeed(b);
  computeProfileParameters(b, nominal, history.previousNominalSpeed);
  history.previousNominalSpeed = nominal;
  history.previousUnitVec = unit;
  return b;
}

/** Total time of a motion list, s. */
export function totalTime(start: AxisValues, motions: readonly Motion[], limits: MotionLimits, lookahead?: number): number {
  const tl = timeline(start, motions, limits, lookahead);
  return tl.length ? tl[tl.length - 1]!.end : 0;
}

// ---------------------------------------------------------------- older helpers (XY, mm/s)

/** Scale a per-axis limit onto an XY direction: the axis that saturates first sets the limit. */
export function limitAlong(ux: number, uy: number, limit: XY): number {
  let v = Infinity;
  if (Math.abs(ux) > 1e-12) v = Math.min(v, limit.x / Math.abs(ux));
  if (Math.abs(uy) > 1e-12) v = Math.min(v, limit.y / Math.abs(uy));
  return v;
}

/**
 * Highest speed through the corner between XY unit directions a and b (mm/s) for a given
 * junction acceleration (mm/s²) — the junction-deviation formula alone. GRBL's planner
 * chooses the acceleration along the change of direction (junctionSpeedSqr).
 */
export function junctionSpeed(a: XY, b: XY, accel: number, deviation: number): number {
  const cosTheta = -(a.x * b.x + a.y * b.y);
  if (cosTheta > 0.999999) return MINIMUM_JUNCTION_SPEED;
  if (cosTheta < -0.999999) return Infinity;
  const sinHalf = Math.sqrt(0.5 * (1 - cosTheta));
  return Math.sqrt((accel * deviation * sinHalf) / (1 - sinHalf));
}

/** Time to run `length` mm at `accel` mm/s², entering at v0, leaving at v1, cruising at most at vn (mm/s). */
export function trapezoidTime(length: number, v0: number, v1: number, vn: number, accel: number): number {
  return profileMinutes(length, v0 * v0 * 3600, v1 * v1 * 3600, vn * 60, accel * 3600) * 60;
}
