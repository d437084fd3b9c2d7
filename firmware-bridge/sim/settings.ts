/**
 * GRBL's settings and its EEPROM (settings.c): the `$N` values with the checks
 * settings_store_global_setting makes, the coordinate data (G54–G59, G28, G30), the two
 * startup lines and the build-info text, and $RST's restores. Values are kept as `$$`
 * prints them (acceleration mm/s², travel positive); the getters give the planner its
 * internal units.
 */
import { GRBL_SETTINGS, grblSetting, stockSettings } from "../protocol.ts";
import type { Vec3 } from "../kinematics.ts";
import { f32, toUint8 } from "./nuts-bolts.ts";
import { GRBL } from "./config.ts";

/** report.h STATUS_* codes that the settings store answers. */
const STATUS_OK = 0;
const STATUS_NEGATIVE_VALUE = 4;
const STATUS_SETTING_STEP_PULSE_MIN = 6;
const STATUS_SOFT_LIMIT_ERROR = 10;
const STATUS_INVALID_STATEMENT = 3;

/** Settings stored as a bit or a byte (settings.c: int_value = trunc(value), into a uint8). */
const BOOLEAN = new Set([4, 5, 6, 13, 20, 21, 22, 32]);
const BYTE = new Set([0, 1, 2, 3, 10, 23, 26]);

/** settings.h SETTING_INDEX_G28, SETTING_INDEX_G30: after G54–G59 in the coordinate EEPROM block. */
export const COORD_G28 = GRBL.nCoordinateSystems;
export const COORD_G30 = GRBL.nCoordinateSystems + 1;

export class Settings {
  private readonly values: Map<number, number>;
  /** The coordinate-data block: G54–G59, G28, G30, mm (machine coordinates). */
  private readonly coords: Vec3[];
  /** $N0, $N1 (and, as GRBL does not bound the index, any other $Nn= written). */
  readonly startupLines = new Map<number, string>();
  buildInfo = "";

  /** `initial`: the EEPROM contents at power-up (the head as it was set up). */
  constructor(initial: ReadonlyMap<number, number>, coords: { g54?: Partial<Record<"x" | "y" | "z", number>> } = {}) {
    this.values = new Map();
    for (const s of GRBL_SETTINGS) this.values.set(s.id, this.normalise(s.id, initial.get(s.id) ?? s.grblDefault));
    this.coords = Array.from({ length: GRBL.nCoordinateSystems + 2 }, () => [0, 0, 0] as Vec3);
    if (coords.g54) this.coords[0] = [coords.g54.x ?? 0, coords.g54.y ?? 0, coords.g54.z ?? 0];
  }

  /** A value as stored: bytes wrap as the uint8 they are kept in, booleans are 0/1, floats single precision. */
  private normalise(id: number, value: number): number {
    if (BOOLEAN.has(id)) return toUint8(value) ? 1 : 0;
    if (BYTE.has(id)) return toUint8(value);
    return f32(value);
  }

  value(id: number): number {
    return this.values.get(id) ?? 0;
  }

  /** Every setting, in `$$` order. */
  all(): ReadonlyMap<number, number> {
    return this.values;
  }

  laserMode(): boolean {
    return this.value(32) !== 0;
  }

  stepsPerMm(): Vec3 {
    return [this.value(100), this.value(101), this.value(102)];
  }

  /** mm/min */
  maxRate(): Vec3 {
    return [this.value(110), this.value(111), this.value(112)];
  }

  /** mm/min², as settings.c stores $12x (× 60 × 60). */
  accelerationPerMin2(): Vec3 {
    return [f32(this.value(120) * 3600), f32(this.value(121) * 3600), f32(this.value(122) * 3600)];
  }

  /** $130–$132, mm (positive; GRBL stores them negated). */
  maxTravel(): Vec3 {
    return [this.value(130), this.value(131), this.value(132)];
  }

  /**
   * settings_store_global_setting: the status code GRBL answers for `$parameter=value`
   * (parameter already truncated to a byte by system.c).
   */
  storeGlobal(parameter: number, value: number): number {
    if (value < 0) return STATUS_NEGATIVE_VALUE;
    if (parameter >= 100) {
      // Axis settings: $100–$102, $110–$112, $120–$122, $130–$132.
      const p = parameter - 100;
      const group = Math.floor(p / 10);
      const axis = p % 10;
      if (group > 3 || axis >= 3) return STATUS_INVALID_STATEMENT;
      this.values.set(parameter, f32(value));
      return STATUS_OK;
    }
    if (!grblSetting(parameter)) return STATUS_INVALID_STATEMENT;
    const intValue = toUint8(value);
    if (parameter === 0 && intValue < 3) return STATUS_SETTING_STEP_PULSE_MIN;
    if (parameter === 20 && intValue && !this.value(22)) return STATUS_SOFT_LIMIT_ERROR;
    this.values.set(parameter, this.normalise(parameter, value));
    if (parameter === 22 && !intValue) this.values.set(20, 0); // no homing, no soft limits
    return STATUS_OK;
  }

  /** settings_restore: `$RST=$` compile-time defaults, `#` coordinate data zeroed, `*` both plus startup lines and build info. */
  restore(what: "$" | "#" | "*"): void {
    if (what === "$" || what === "*") for (const [id, v] of stockSettings()) this.values.set(id, this.normalise(id, v));
    if (what === "#" || what === "*") for (const c of this.coords) c.fill(0);
    if (what === "*") {
      this.startupLines.clear();
      this.buildInfo = "";
    }
  }

  coordData(index: number): Vec3 {
    return [...this.coords[index]!] as Vec3;
  }

  writeCoordData(index: number, data: Vec3): void {
    this.coords[index] = [f32(data[0]), f32(data[1]), f32(data[2])];
  }

  startupLine(n: number): string {
    return this.startupLines.get(n) ?? "";
  }
}
