/**
 * Does the controller's `$$` fit the station? A head whose controller disagrees with the
 * station file marks the wrong force, the wrong size or out of bounds, so every mismatch is
 * listed and marking is refused until the controller or the station file is fixed.
 * Settings: GRBL 1.1 doc/markdown/settings.md.
 */

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
  /** $130/$131 must cover the work area, mm. */
  readonly workArea: { readonly width: number; readonly height: number };
  /** $22=1 when the station homes before marking. */
  readonly homing: boolean;
  /** $20=1 when set: soft limits stop a move beyond travel. Not checked when absent. */
  readonly softLimits?: boolean;
  /** Relative tolerance for acceleration and junction deviation (0.01 = 1 %). */
  readonly tolerance?: number;
}

/** The part of a station's machine section the check needs (structural: firmware-bridge does not import src/). */
export interface StationMachineLike {
  readonly workArea: { readonly width: number; readonly height: number };
  readonly rapidRate: number;
  readonly acceleration: number;
  readonly junctionDeviation: number;
  readonly homing: boolean;
}

export function expectedSettings(machine: StationMachineLike, extra: { softLimits?: boolean; tolerance?: number } = {}): ExpectedSettings {
  return {
    spindleMax: 1000,
    spindleMin: 0,
    rapidRate: machine.rapidRate,
    acceleration: machine.acceleration,
    junctionDeviation: machine.junctionDeviation,
    workArea: machine.workArea,
    homing: machine.homing,
    ...extra,
  };
}

export interface SettingMismatch {
  readonly id: number;
  readonly label: string;
  /** What the controller reported; undefined when it did not list the setting. */
  readonly actual: number | undefined;
  /** What would satisfy the station, as a person reads it ("1", "at least 3000 mm/min"). */
  readonly needed: string;
  /** The value to send to fix it. */
  readonly suggested: number;
  readonly message: string;
}

const LABEL: Record<number, { label: string; unit: string }> = {
  11: { label: "junction deviation", unit: "mm" },
  20: { label: "soft limits", unit: "" },
  22: { label: "homing cycle", unit: "" },
  30: { label: "maximum spindle speed (S for full pin power)", unit: "" },
  31: { label: "minimum spindle speed (S for no pin power)", unit: "" },
  32: { label: "laser mode", unit: "" },
  110: { label: "X maximum rate", unit: "mm/min" },
  111: { label: "Y maximum rate", unit: "mm/min" },
  120: { label: "X acceleration", unit: "mm/s²" },
  121: { label: "Y acceleration", unit: "mm/s²" },
  130: { label: "X maximum travel", unit: "mm" },
  131: { label: "Y maximum travel", unit: "mm" },
};

function withUnit(v: number, id: number): string {
  const unit = LABEL[id]?.unit;
  return unit ? `${v} ${unit}` : `${v}`;
}

/** Every setting that does not fit, in `$$` order; empty when the controller fits the station. */
export function checkSettings(actual: ReadonlyMap<number, number>, expected: ExpectedSettings): SettingMismatch[] {
  const tol = expected.tolerance ?? 0.01;
  const out: SettingMismatch[] = [];
  const check = (id: number, ok: (v: number) => boolean, needed: string, suggested: number) => {
    const v = actual.get(id);
    if (v !== undefined && ok(v)) return;
    const label = LABEL[id]!.label;
    const is = v === undefined ? "was not reported by the controller" : `is ${withUnit(v, id)}`;
    out.push({ id, label, actual: v, needed, suggested, message: `setting $${id} (${label}) ${is}, the station needs ${needed}: send $${id}=${suggested} or fix the station file` });
  };
  const exact = (id: number, want: number) => check(id, (v) => v === want, withUnit(want, id), want);
  const atLeast = (id: number, want: number) => check(id, (v) => v >= want - 1e-9, `at least ${withUnit(want, id)}`, want);
  const near = (id: number, want: number) => check(id, (v) => Math.abs(v - want) <= Math.abs(want) * tol + 1e-9, `${withUnit(want, id)} (within ${+(tol * 100).toFixed(3)} %)`, want);

  near(11, expected.junctionDeviation);
  if (expected.softLimits !== undefined) exact(20, expected.softLimits ? 1 : 0);
  if (expected.homing) exact(22, 1);
  exact(30, expected.spindleMax);
  exact(31, expected.spindleMin);
  exact(32, 1);
  atLeast(110, expected.rapidRate);
  atLeast(111, expected.rapidRate);
  near(120, expected.acceleration);
  near(121, expected.acceleration);
  atLeast(130, expected.workArea.width);
  atLeast(131, expected.workArea.height);
  return out;
}
