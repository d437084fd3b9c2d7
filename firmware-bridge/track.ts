/**
 * Which lines of a job has the controller executed? GRBL answers `ok` when a line is parsed
 * and queued, not when it has run; `Ln:` exists only on builds with line numbers and names
 * the block being *prepared*, which can lead the one executing by ~50 ms of segments
 * (report.c report_realtime_status; stepper.c st_prep_buffer); `Idle` can be reported after a
 * motion line was acknowledged but before its cycle started (protocol.c
 * protocol_auto_cycle_start). What every build reports is where the head is: MPos, in whole
 * steps, sampled from the step counters. So execution is read off the path.
 *
 * `PathTracker` follows the program's modal state once (absolute XYZ targets of every
 * G0/G1, G92 offsets, G54 from the driver) and gives each line the stretch of path it
 * drives, in machine coordinates. A status report's position is then found on the stretch of
 * the earliest line not yet confirmed: every line before it has run. A line without motion
 * runs when it is parsed — in peenmark's dialect each one is a buffer sync (spindle-mode
 * changes, S with no motion in laser mode, G92/G54 offset changes), so its `ok` comes after
 * it and everything before it has run.
 *
 * A position on no stretch of the unconfirmed window is a head that is not where the program
 * put it (a corrupted digit, lost steps, a bumped head): the caller stops the job.
 * Pure: no I/O, no clock.
 */
export interface XYZ {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export interface LinePath {
  /** The line moves the head (a G0/G1 block with a target other than where the head is). */
  readonly motion: boolean;
  /** Machine position before and after the line. */
  readonly from: XYZ;
  readonly to: XYZ;
}

export interface TrackerSetup {
  /** Machine position when the job starts (the status report before it). */
  readonly start: XYZ;
  /** The G54 work offset the controller holds (the driver read or set it). */
  readonly g54: XYZ;
}

/** Where a reported position lies on the program's path. */
export interface PathFix {
  /** 1-based position of the line whose stretch holds the head. */
  readonly line: number;
  /** The head is at that line's end point (its target). */
  readonly atEnd: boolean;
  /** How far the head is from that stretch, mm. */
  readonly off: number;
}

const words = (text: string) => {
  const clean = text.replace(/\([^)]*\)|;.*$/g, "").replace(/\s+/g, "").toUpperCase();
  return [...clean.matchAll(/([A-Z])([-+]?(?:\d+\.?\d*|\.\d+))/g)].map((m) => ({ letter: m[1]!, value: Number(m[2]) }));
};

/**
 * The path of every line, or undefined when the program uses something the tracker does not
 * follow (relative moves, arcs, other coordinate systems, machine-coordinate moves): then
 * execution can only be confirmed at rest with nothing in flight.
 */
export function programPath(lines: readonly string[], setup: TrackerSetup): LinePath[] | undefined {
  const out: LinePath[] = [];
  // GRBL's modal state after a reset: G0, G54, no G92 offset (gcode.c gc_init).
  let motionMode = 0;
  let g92 = { x: 0, y: 0, z: 0 };
  let at = setup.start;
  const offset = () => ({ x: setup.g54.x + g92.x, y: setup.g54.y + g92.y, z: setup.g54.z + g92.z });
  for (const text of lines) {
    const w = words(text);
    const g = w.filter((x) => x.letter === "G").map((x) => x.value);
    const axis = (l: "X" | "Y" | "Z") => w.find((x) => x.letter === l)?.value;
    const ax = { x: axis("X"), y: axis("Y"), z: axis("Z") };
    const hasAxis = ax.x !== undefined || ax.y !== undefined || ax.z !== undefined;
    if (g.some((v) => [2, 3, 91, 53, 28, 30, 38.2, 38.3, 38.4, 38.5, 55, 56, 57, 58, 59, 10, 20, 93, 43.1].includes(v))) return undefined;
    for (const v of g) if (v === 0 || v === 1) motionMode = v;
    if (g.includes(92.1)) g92 = { x: 0, y: 0, z: 0 };
    if (g.includes(92)) {
      // G92: the given axes now read the given values where the head is (no motion).
      g92 = {
        x: ax.x === undefined ? g92.x : at.x - setup.g54.x - ax.x,
        y: ax.y === undefined ? g92.y : at.y - setup.g54.y - ax.y,
        z: ax.z === undefined ? g92.z : at.z - setup.g54.z - ax.z,
      };
      out.push({ motion: false, from: at, to: at });
      continue;
    }
    if (hasAxis && (motionMode === 0 || motionMode === 1)) {
      const o = offset();
      const to = { x: ax.x === undefined ? at.x : ax.x + o.x, y: ax.y === undefined ? at.y : ax.y + o.y, z: ax.z === undefined ? at.z : ax.z + o.z };
      const moves = Math.abs(to.x - at.x) > 1e-9 || Math.abs(to.y - at.y) > 1e-9 || Math.abs(to.z - at.z) > 1e-9;
      out.push({ motion: moves, from: at, to });
      at = to;
      continue;
    }
    out.push({ motion: false, from: at, to: at });
  }
  return out;
}

/**
 * Distance from p to the segment a–b and where along it (0 at a, 1 at b), with Z stretched by
 * `zScale`: a strike moves Z by a step or two, far less than the X/Y tolerance, so Z is
 * weighed against its own tolerance (half a step) and told apart exactly.
 */
function toSegment(p: XYZ, a: XYZ, b: XYZ, zScale: number): { d: number; t: number } {
  const v = { x: b.x - a.x, y: b.y - a.y, z: (b.z - a.z) * zScale };
  const w = { x: p.x - a.x, y: p.y - a.y, z: (p.z - a.z) * zScale };
  const len2 = v.x * v.x + v.y * v.y + v.z * v.z;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, (w.x * v.x + w.y * v.y + w.z * v.z) / len2));
  return { d: Math.hypot(w.x - t * v.x, w.y - t * v.y, w.z - t * v.z), t };
}

const gap = (p: XYZ, q: XYZ, zScale: number) => Math.hypot(p.x - q.x, p.y - q.y, (p.z - q.z) * zScale);

/** Where the head should stand once lines 1…position have run (the job's start for 0). */
export function restingPoint(path: readonly LinePath[], position: number, start: XYZ): XYZ {
  return position >= 1 ? path[Math.min(position, path.length) - 1]!.to : start;
}

/**
 * Find `pos` on the path after line `after` (all lines up to it are confirmed) and up to
 * line `upTo` (the last one the controller accepted): the earliest line whose stretch holds
 * it within `tolerance` mm in X/Y and `zTolerance` in Z. The point where the head rests after
 * `after` counts as line `after` at its end. Lines without motion are passed over: the head
 * waits at their point, which is the end of the motion before them. `nearest` says how far
 * off the head is (mm, Z weighed by its tolerance) when no stretch holds it.
 */
export function locate(path: readonly LinePath[], start: XYZ, pos: XYZ, after: number, upTo: number, tolerance: number, zTolerance = tolerance): { fix: PathFix } | { nearest: number } {
  const zScale = tolerance / zTolerance;
  const rest = restingPoint(path, after, start);
  let nearest = gap(pos, rest, zScale);
  for (let p = after + 1; p <= upTo && p <= path.length; p++) {
    const line = path[p - 1]!;
    if (!line.motion) continue;
    const { d, t } = toSegment(pos, line.from, line.to, zScale);
    if (d <= tolerance) {
      const atEnd = t > 0.5 && gap(pos, line.to, zScale) <= tolerance;
      // Still at the start of the first unconfirmed motion: nothing new has run.
      if (!atEnd && gap(pos, line.from, zScale) <= tolerance) return { fix: { line: p - 1, atEnd: true, off: 0 } };
      return { fix: { line: p, atEnd, off: d } };
    }
    nearest = Math.min(nearest, d);
  }
  if (nearest <= tolerance) return { fix: { line: after, atEnd: true, off: nearest } };
  return { nearest };
}
