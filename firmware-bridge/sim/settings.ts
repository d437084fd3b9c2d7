/**
 * The simulated head's settings store: GRBL's stock values, adjusted to what a peenmark head
 * needs. Plain numbers in, so the simulator does not depend on the station schema in src/.
 */
import { grblSetting, stockSettings } from "../protocol.ts";

/** The part of a station that decides a head's GRBL settings (units as in stations/*.json). */
export interface HeadMachine {
  readonly workArea: { readonly width: number; readonly height: number };
  /** mm/min, becomes $110/$111. */
  readonly rapidRate: number;
  /** mm/s², becomes $120/$121. */
  readonly acceleration: number;
  /** mm, becomes $11. */
  readonly junctionDeviation: number;
  /** $22, and with it soft limits ($20) and the power-up lock. */
  readonly homing: boolean;
}

/** The pin driver: not a GRBL setting, a property of the solenoid and its driver board. */
export interface PinDriver {
  /** Strikes per second while the output is on and the head moves (scribe trains), Hz. */
  readonly strikeFrequency: number;
  /** At rest, the driver strikes once per gate of this length while the output stays on, s. */
  readonly strikeTime: number;
}

/** stations/bench.json, as plain numbers. */
export const BENCH_MACHINE: HeadMachine = { workArea: { width: 100, height: 80 }, rapidRate: 3000, acceleration: 500, junctionDeviation: 0.01, homing: true };
export const BENCH_PIN: PinDriver = { strikeFrequency: 200, strikeTime: 0.01 };

/** GRBL settings a head with this machine should hold (see PROTOCOL.md, "Settings a head needs"). */
export function headSettings(m: HeadMachine): Map<number, number> {
  const s = stockSettings();
  const set = (id: number, v: number) => s.set(id, v);
  set(10, 3); // MPos and Bf: in every status report
  set(11, m.junctionDeviation);
  set(20, m.homing ? 1 : 0); // soft limits need homing ($20 without $22 is error:10)
  set(21, m.homing ? 1 : 0);
  set(22, m.homing ? 1 : 0);
  set(23, 3); // home towards X− and Y−: machine zero is the lower-left corner of the work area
  set(24, 100);
  set(25, 1500);
  set(30, 1000); // S0–1000 is 0–100.0 % pin power: S = force × 10
  set(31, 0);
  set(32, 1); // laser mode: G0 forces the pin off, G1 carries the power, no stop between G1 blocks
  set(100, 80);
  set(101, 80);
  set(110, m.rapidRate);
  set(111, m.rapidRate);
  set(120, m.acceleration);
  set(121, m.acceleration);
  set(130, m.workArea.width);
  set(131, m.workArea.height);
  return s;
}

/**
 * Check a `$N=value` write as GRBL's settings_store_global_setting does.
 * Returns the error code GRBL would answer, or undefined when the write is accepted.
 */
export function settingWriteError(id: number, value: number, current: ReadonlyMap<number, number>): number | undefined {
  if (value < 0) return 4;
  const entry = grblSetting(id);
  if (!entry) return 3;
  if (id === 0 && value < 3) return 6;
  if (id === 20 && value !== 0 && !current.get(22)) return 10;
  return undefined;
}

/** The value a setting takes once stored: integers are truncated as GRBL stores them in a byte. */
export function storedValue(id: number, value: number): number {
  return grblSetting(id)?.format === "int" ? Math.trunc(value) : value;
}
