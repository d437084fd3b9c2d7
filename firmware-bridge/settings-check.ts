/**
 * Does the controller fit the station? A head whose controller disagrees with the station
 * file marks the wrong force, the wrong size, at the wrong place, or alarms on its first move,
 * so every mismatch is listed, each with the line that fixes it, and marking is refused until
 * the controller or the station file is fixed. Settings: GRBL 1.1 doc/markdown/settings.md;
 * build options: report.c report_build_info (`[OPT:…]`).
 */
import type { BuildOptions } from "./protocol.ts";

/** What the station needs of the controller; plain data, built by `expectedSettings` from a station's machine section. */
export interface ExpectedSettings {
  /** $30: S value for full pin power (the dialect writes S = force % × 10, so 1000). */
  readonly spindleMax: number;
  /** $31: S value for zero power. */
  readonly spindleMin: number;
  /** $110/$111 must be at least this, mm/min: G0 runs at the axis limits and the estimate assumes it. */
  readonly rapidRate: number;
  /** $120/$121, mm/s², within `tolerance`. */
  readonly acceleration: number;
  /** $11, mm, within `tolerance`. */
  readonly junctionDeviation: number;
  /** The work area must fit inside the soft-limit travel from the homed origin, mm. */
  readonly workArea: { readonly width: number; readonly height: number };
  /** $22=1 (and $20, $21 = 1: a head with switches) when the station homes before marking. */
  readonly homing: boolean;
  /** $100–$102, steps/mm, within `tolerance`: positions and the strike's Z steps depend on them. */
  readonly stepsPerMm: { readonly x: number; readonly y: number; readonly z: number };
  /** The strike block (PROTOCOL.md "The strike"): its Z move, mm, and what it needs of Z ($112, $122). */
  readonly strike: { readonly move: number; readonly zRate: number; readonly zAcceleration: number };
  /** Relative tolerance for acceleration, junction deviation and steps/mm (0.01 = 1 %). */
  readonly tolerance?: number;
}

/** The part of a station's machine section the check needs (structural: firmware-bridge does not import src/). */
export interface StationMachineLike {
  readonly workArea: { readonly width: number; readonly height: number };
  readonly rapidRate: number;
  readonly acceleration: number;
  readonly junctionDeviation: number;
  readonly homing: boolean;
  readonly stepsPerMm: { readonly x: number; readonly y: number; readonly z: number };
  readonly strike: { readonly zSteps: number; readonly zRate: number; readonly zAcceleration: number };
}

export function expectedSettings(machine: StationMachineLike, extra: { tolerance?: number } = {}): ExpectedSettings {
  return {
    spindleMax: 1000,
    spindleMin: 0,
    rapidRate: machine.rapidRate,
    acceleration: machine.acceleration,
    junctionDeviation: machine.junctionDeviation,
    workArea: machine.workArea,
    homing: machine.homing,
    stepsPerMm: machine.stepsPerMm,
    strike: { move: machine.strike.zSteps / machine.stepsPerMm.z, zRate: machine.strike.zRate, zAcceleration: machine.strike.zAcceleration },
    ...extra,
  };
}

/** What a build's `[OPT:…]` letters decide for marking (report.c report_build_info). */
export interface BuildFeatures {
  /** V: VARIABLE_SPINDLE — the PWM output laser mode and pin power need. */
  readonly variableSpindle: boolean;
  /** N: USE_LINE_NUMBERS — `Ln:` in status reports, and a planner of 14 blocks instead of 15. */
  readonly lineNumbers: boolean;
  /** Z: HOMING_FORCE_SET_ORIGIN — homing makes the pulled-off point 0; without it machine space is negative. */
  readonly forceSetOrigin: boolean;
  /** L (printed when HOMING_INIT_LOCK is off): the controller does not lock at power-up with homing on. */
  readonly noInitLock: boolean;
}

/** Features of a build; a controller that did not answer `$I` with `[OPT:]` is taken as stock GRBL 1.1h (`V`). */
export function buildFeatures(options: BuildOptions | undefined): BuildFeatures {
  const c = options?.codes ?? "V";
  return { variableSpindle: c.includes("V"), lineNumbers: c.includes("N"), forceSetOrigin: c.includes("Z"), noInitLock: c.includes("L") };
}

export interface XYZ {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/**
 * Where homing leaves the head, in machine coordinates (limits.c limits_go_home): 0 with
 * HOMING_FORCE_SET_ORIGIN; otherwise −max travel + pull-off on an axis homed towards −
 * ($23 bit set) and −pull-off on one homed towards +. The work area's origin is that point for
 * X and Y (the station homes to its lower-left corner); without homing it is where the head
 * stood at power-up, machine 0.
 */
export function homedPosition(settings: ReadonlyMap<number, number>, features: BuildFeatures): XYZ {
  if (!settings.get(22) || features.forceSetOrigin) return { x: 0, y: 0, z: 0 };
  const dir = settings.get(23) ?? 0;
  const pull = settings.get(27) ?? 0;
  const axis = (bit: number, travelId: number) => (dir & (1 << bit) ? -(settings.get(travelId) ?? 0) + pull : -pull);
  return { x: axis(0, 130), y: axis(1, 131), z: axis(2, 132) };
}

/** The G54 offset that makes program coordinates work-area coordinates: the homed X/Y, Z 0 (the program zeroes Z itself with G92). */
export function workOrigin(settings: ReadonlyMap<number, number>, features: BuildFeatures): XYZ {
  const h = homedPosition(settings, features);
  return { x: h.x, y: h.y, z: 0 };
}

/** Soft-limit travel of an axis in machine coordinates (system.c system_check_travel_limits). */
export function travelRange(settings: ReadonlyMap<number, number>, features: BuildFeatures, axis: 0 | 1 | 2): { min: number; max: number } {
  const max = settings.get(130 + axis) ?? 0;
  if (features.forceSetOrigin && (settings.get(23) ?? 0) & (1 << axis)) return { min: 0, max };
  return { min: -max, max: 0 };
}

export interface SettingMismatch {
  readonly id: number;
  readonly label: string;
  /** What the controller reported; undefined when it did not list the setting. */
  readonly actual: number | undefined;
  /** What would satisfy the station, as a person reads it ("1", "at least 3000 mm/min"). */
  readonly needed: string;
  /** The value to send to fix it (for `$N`; 0 for build options, which no setting fixes). */
  readonly suggested: number;
  readonly message: string;
}

const LABEL: Record<number, { label: string; unit: string }> = {
  1: { label: "step idle delay", unit: "ms" },
  10: { label: "status report mask", unit: "" },
  11: { label: "junction deviation", unit: "mm" },
  20: { label: "soft limits", unit: "" },
  21: { label: "hard limits", unit: "" },
  22: { label: "homing cycle", unit: "" },
  23: { label: "homing direction mask", unit: "" },
  30: { label: "maximum spindle speed (S for full pin power)", unit: "" },
  31: { label: "minimum spindle speed (S for no pin power)", unit: "" },
  32: { label: "laser mode", unit: "" },
  100: { label: "X steps per mm", unit: "step/mm" },
  101: { label: "Y steps per mm", unit: "step/mm" },
  102: { label: "Z steps per mm", unit: "step/mm" },
  110: { label: "X maximum rate", unit: "mm/min" },
  111: { label: "Y maximum rate", unit: "mm/min" },
  112: { label: "Z maximum rate", unit: "mm/min" },
  120: { label: "X acceleration", unit: "mm/s²" },
  121: { label: "Y acceleration", unit: "mm/s²" },
  122: { label: "Z acceleration", unit: "mm/s²" },
  130: { label: "X maximum travel", unit: "mm" },
  131: { label: "Y maximum travel", unit: "mm" },
  132: { label: "Z maximum travel", unit: "mm" },
};

function withUnit(v: number, id: number): string {
  const unit = LABEL[id]?.unit;
  return unit ? `${v} ${unit}` : `${v}`;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * Every way the controller does not fit, in `$$` order (build options first); empty when it
 * fits. `options` is the `$I` `[OPT:…]` line: without it the build is taken as stock.
 */
export function checkSettings(actual: ReadonlyMap<number, number>, expected: ExpectedSettings, options?: BuildOptions): SettingMismatch[] {
  const tol = expected.tolerance ?? 0.01;
  const features = buildFeatures(options);
  const out: SettingMismatch[] = [];
  const check = (id: number, ok: (v: number) => boolean, needed: string, suggested: number, why?: string) => {
    const v = actual.get(id);
    if (v !== undefined && ok(v)) return;
    const label = LABEL[id]!.label;
    const is = v === undefined ? "was not reported by the controller" : `is ${withUnit(v, id)}`;
    out.push({ id, label, actual: v, needed, suggested, message: `setting $${id} (${label}) ${is}, the station needs ${needed}${why ? ` (${why})` : ""}: send $${id}=${suggested} or fix the station file` });
  };
  const exact = (id: number, want: number, why?: string) => check(id, (v) => v === want, withUnit(want, id), want, why);
  const atLeast = (id: number, want: number, why?: string) => check(id, (v) => v >= want - 1e-9, `at least ${withUnit(round3(want), id)}`, round3(want), why);
  const near = (id: number, want: number) => check(id, (v) => Math.abs(v - want) <= Math.abs(want) * tol + 1e-9, `${withUnit(want, id)} (within ${+(tol * 100).toFixed(3)} %)`, want);

  if (!features.variableSpindle)
    out.push({ id: 0, label: "build options", actual: undefined, needed: "V (VARIABLE_SPINDLE)", suggested: 0, message: `the controller's build has no variable spindle ([OPT:${options?.codes ?? ""},…] without V): laser mode and pin power need the PWM output; flash a GRBL 1.1 build with VARIABLE_SPINDLE (the stock config.h has it)` });

  // $1=255 keeps the drivers enabled and skips the idle-lock wait at every sync (stepper.c st_go_idle).
  exact(1, 255, "keep the steppers enabled: no drift at rest and no wait at each buffer sync");
  check(10, (v) => (v & 3) === 3, "bits 0 and 1 set (MPos and Bf: in status reports)", 3);
  near(11, expected.junctionDeviation);
  if (expected.homing) {
    exact(20, 1, "soft limits: a move outside the travel stops before it starts");
    exact(21, 1, "hard limits: the head has the switches it homes on");
    exact(22, 1);
    // Home to the lower-left corner (X−, Y−); with FORCE_SET_ORIGIN a Z homed towards − gets the
    // travel [0, $132], and the strike's Z move below 0 would be a soft-limit alarm.
    const mask = actual.get(23) ?? 0;
    check(23, (v) => (v & 3) === 3 && !(features.forceSetOrigin && v & 4), features.forceSetOrigin ? "bits 0 and 1 set and bit 2 clear (home X and Y to the lower-left corner, Z towards +)" : "bits 0 and 1 set (home X and Y to the lower-left corner)", (mask | 3) & (features.forceSetOrigin ? ~4 : ~0));
  }
  exact(30, expected.spindleMax);
  exact(31, expected.spindleMin);
  exact(32, 1, "laser mode: G0 carries no pin power and G1 blocks carry it without stops");
  near(100, expected.stepsPerMm.x);
  near(101, expected.stepsPerMm.y);
  near(102, expected.stepsPerMm.z);
  atLeast(110, expected.rapidRate);
  atLeast(111, expected.rapidRate);
  atLeast(112, expected.strike.zRate, "the strike block moves Z");
  near(120, expected.acceleration);
  near(121, expected.acceleration);
  atLeast(122, expected.strike.zAcceleration, "the strike block lasts the strike time only if Z accelerates fast");
  if (expected.homing) {
    // The work area, from the homed origin, inside the soft-limit travel (system.c
    // system_check_travel_limits): otherwise the first move far enough is ALARM:2. Judged
    // with the homing directions the check asks for, so a wrong $23 is named once, as $23.
    const homingMask = actual.get(23) ?? 0;
    const fixedMask = (homingMask | 3) & (features.forceSetOrigin ? ~4 : ~0);
    const judged = new Map(actual).set(23, fixedMask).set(22, 1);
    const origin = homedPosition(judged, features);
    const pull = actual.get(27) ?? 0;
    const extra = features.forceSetOrigin ? 0 : pull;
    const why = features.forceSetOrigin ? undefined : `work area plus the $27 pull-off of ${pull} mm: this build homes into negative machine space`;
    for (const [axis, size] of [[0, expected.workArea.width], [1, expected.workArea.height]] as const) {
      const range = travelRange(judged, features, axis);
      const o = axis === 0 ? origin.x : origin.y;
      check(130 + axis, () => o >= range.min - 1e-9 && o + size <= range.max + 1e-9, `at least ${withUnit(round3(size + extra), 130 + axis)}`, round3(size + extra), why);
    }
    // Z goes down by the strike move from where homing left it.
    const zRange = travelRange(judged, features, 2);
    check(132, () => origin.z - expected.strike.move >= zRange.min - 1e-9, `at least ${withUnit(round3(-origin.z + expected.strike.move), 132)}`, Math.ceil(-origin.z + expected.strike.move), "room below the homed Z for the strike move");
  }
  return out;
}
