/**
 * The head peenmark's station describes, as the simulated controller needs it: the GRBL
 * settings such a head is set up with (`headSettings`), its mechanics (travel between the
 * limit switches, where it sits at power-up) and the pin driver. None of this is GRBL: it
 * is what the firmware runs on. Plain numbers in, so the simulator does not depend on the
 * station schema in src/.
 */
import { grblSetting, stockSettings } from "../protocol.ts";

/** The Z axis of a head (the strike encoding moves it by whole steps while the pin is on). */
export interface HeadZAxis {
  /** mm/min, becomes $112. */
  readonly rapidRate: number;
  /** mm/s², becomes $122. */
  readonly acceleration: number;
  /** becomes $102. */
  readonly stepsPerMm: number;
  /** mm, becomes $132 (soft-limit travel). */
  readonly travel: number;
}

/** The part of a station that decides a head's GRBL settings (units as in stations/*.json). */
export interface HeadMachine {
  readonly workArea: { readonly width: number; readonly height: number };
  /** mm/min, becomes $110/$111. */
  readonly rapidRate: number;
  /** mm/s², becomes $120/$121. */
  readonly acceleration: number;
  /** mm, becomes $11. */
  readonly junctionDeviation: number;
  /** $22, and with it soft limits ($20), hard limits ($21) and the power-up lock. */
  readonly homing: boolean;
  /** X and Y steps per mm, becomes $100/$101 (default BENCH_XY_STEPS_PER_MM). */
  readonly stepsPerMm?: number;
  /** Z: default BENCH_Z. */
  readonly z?: HeadZAxis;
}

/** The pin driver: not a GRBL setting, a property of the solenoid and its driver board. */
export interface PinDriver {
  /** Strikes per second while the output is on and the head moves in X/Y (scribe trains), Hz. */
  readonly strikeFrequency: number;
  /**
   * At rest, the driver strikes as the output comes on and once more for every further full
   * gate of this length that the output stays on, s.
   */
  readonly strikeTime: number;
  /** An output pulse shorter than this strikes nothing (the solenoid does not move), s. Default 0. */
  readonly minOnTime?: number;
}

/** The mechanics the firmware cannot see: where the limit switches are and where the head sits at power-up. */
export interface HeadMechanics {
  /** mm between each axis' two limit switches (default: soft-limit travel $13x + 2 × 1 mm). */
  readonly travel?: { readonly x: number; readonly y: number; readonly z: number };
  /** Where the head is at power-up, mm from each axis' negative-end switch (default: the middle). */
  readonly start?: { readonly x: number; readonly y: number; readonly z: number };
}

/** Margin between the soft-limit travel and a limit switch, each end (as grbl-host's --margin). */
export const SWITCH_MARGIN = 1;

/** The bench head's Z: 250 steps/mm (0.004 mm a step), 600 mm/min, 1000 mm/s², 10 mm. */
export const BENCH_Z: HeadZAxis = { rapidRate: 600, acceleration: 1000, stepsPerMm: 250, travel: 10 };

/** stations/bench.json, as plain numbers. */
export const BENCH_MACHINE: HeadMachine = { workArea: { width: 100, height: 80 }, rapidRate: 3000, acceleration: 500, junctionDeviation: 0.01, homing: true };
export const BENCH_PIN: PinDriver = { strikeFrequency: 200, strikeTime: 0.01 };

/** X and Y steps per mm of the bench head. */
export const BENCH_XY_STEPS_PER_MM = 80;

/**
 * GRBL settings a head with this machine holds (see PROTOCOL.md, "Settings a head needs"):
 * stock GRBL 1.1h values except where the station decides. Soft-limit travel is the work
 * area plus the homing pull-off plus 1 mm, so that on a stock build (machine space
 * [−$130, 0], homed to −$130 + $27) the whole work area lies inside the limits.
 */
export function headSettings(m: HeadMachine): Map<number, number> {
  const s = stockSettings();
  const z = m.z ?? BENCH_Z;
  const pullOff = s.get(27)!;
  const set = (id: number, v: number) => s.set(id, v);
  set(1, 255); // steppers stay enabled at rest: no $1 wait in st_go_idle, the head holds its place (the station requires it)
  set(10, 3); // MPos and Bf: in every status report
  set(11, m.junctionDeviation);
  set(20, m.homing ? 1 : 0); // soft limits need homing ($20 without $22 is error:10)
  set(21, m.homing ? 1 : 0);
  set(22, m.homing ? 1 : 0);
  set(23, 3); // home X and Y towards −, Z towards + (up, away from the part)
  set(24, 100);
  set(25, 1500);
  set(30, 1000); // S0–1000 is 0–100.0 % pin power: S = force × 10
  set(31, 0);
  set(32, 1); // laser mode: G0 forces the pin off, G1 carries the power, no stop between G1 blocks
  set(100, m.stepsPerMm ?? BENCH_XY_STEPS_PER_MM);
  set(101, m.stepsPerMm ?? BENCH_XY_STEPS_PER_MM);
  set(102, z.stepsPerMm);
  set(110, m.rapidRate);
  set(111, m.rapidRate);
  set(112, z.rapidRate);
  set(120, m.acceleration);
  set(121, m.acceleration);
  set(122, z.acceleration);
  set(130, m.workArea.width + pullOff + 1);
  set(131, m.workArea.height + pullOff + 1);
  set(132, z.travel);
  for (const id of s.keys()) if (!grblSetting(id)) throw new Error(`headSettings: $${id} is not a GRBL 1.1h setting`);
  return s;
}
