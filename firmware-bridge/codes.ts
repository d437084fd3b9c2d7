/**
 * GRBL 1.1 error, alarm and setting tables: the one place where a controller's number gets
 * its meaning. Numbers and names follow GRBL 1.1h (doc/csv/error_codes_en_US.csv,
 * alarm_codes_en_US.csv, setting_codes_en_US.csv); the sentences are ours, written for a
 * technician at the bench.
 */

export interface CodeEntry {
  readonly code: number;
  /** Short name, as GRBL's CSV tables call it. */
  readonly name: string;
  /** What happened, in plain words. */
  readonly meaning: string;
}

/** `error:N`: the controller rejected one line; nothing of that line was executed. */
export const GRBL_ERRORS: readonly CodeEntry[] = [
  { code: 1, name: "Expected command letter", meaning: "A word in the line has a number but no letter in front of it." },
  { code: 2, name: "Bad number format", meaning: "A letter is missing its number, or the number is not written as a number." },
  { code: 3, name: "Invalid statement", meaning: "The '$' command is not one the controller knows." },
  { code: 4, name: "Value < 0", meaning: "A value that must be positive was sent as negative." },
  { code: 5, name: "Setting disabled", meaning: "Homing was asked for but homing is switched off ($22=0)." },
  { code: 6, name: "Value < 3 usec", meaning: "The step pulse time must be at least 3 microseconds." },
  { code: 7, name: "EEPROM read fail. Using defaults", meaning: "The stored settings could not be read; the controller fell back to its defaults and must be set up again." },
  { code: 8, name: "Not idle", meaning: "That '$' command is only accepted while the controller is idle." },
  { code: 9, name: "G-code lock", meaning: "G-code is refused while the controller is in alarm or jogging; home or unlock first." },
  { code: 10, name: "Homing not enabled", meaning: "Soft limits need homing switched on, because travel is only known after homing." },
  { code: 11, name: "Line overflow", meaning: "The line is longer than the controller's line buffer; it was thrown away." },
  { code: 12, name: "Step rate > 30kHz", meaning: "The value would make the motors step faster than the controller can." },
  { code: 13, name: "Check Door", meaning: "The safety door is open." },
  { code: 14, name: "Line length exceeded", meaning: "A startup line or build note is longer than the controller can store." },
  { code: 15, name: "Travel exceeded", meaning: "The jog would leave the machine's travel." },
  { code: 16, name: "Invalid jog command", meaning: "The jog line has no '=' or contains a word a jog may not have." },
  { code: 17, name: "Setting disabled", meaning: "Laser mode needs a PWM spindle output, which this build does not have." },
  { code: 20, name: "Unsupported command", meaning: "The line holds a G or M command the controller does not support." },
  { code: 21, name: "Modal group violation", meaning: "Two commands from the same modal group are in one line." },
  { code: 22, name: "Undefined feed rate", meaning: "A feed move was asked for before any feed rate (F) was given." },
  { code: 23, name: "Invalid gcode ID:23", meaning: "A G or M command needs a whole number here." },
  { code: 24, name: "Invalid gcode ID:24", meaning: "More than one command in the line wants the axis words." },
  { code: 25, name: "Invalid gcode ID:25", meaning: "The same word appears twice in one line." },
  { code: 26, name: "Invalid gcode ID:26", meaning: "The command needs axis words and the line has none." },
  { code: 27, name: "Invalid gcode ID:27", meaning: "The line number (N) is out of range." },
  { code: 28, name: "Invalid gcode ID:28", meaning: "The command is missing a value word it needs (such as P for a dwell)." },
  { code: 29, name: "Invalid gcode ID:29", meaning: "The G10 P word asks for a coordinate system beyond the six there are (P0 to P6)." },
  { code: 30, name: "Invalid gcode ID:30", meaning: "G53 is only allowed with G0 or G1." },
  { code: 31, name: "Invalid gcode ID:31", meaning: "The line has axis words that no command in it uses." },
  { code: 32, name: "Invalid gcode ID:32", meaning: "An arc (G2/G3) needs at least one axis word in its plane." },
  { code: 33, name: "Invalid gcode ID:33", meaning: "The move's target cannot be reached as written (for example an arc with no valid centre)." },
  { code: 34, name: "Invalid gcode ID:34", meaning: "The arc radius is not valid for the given end point." },
  { code: 35, name: "Invalid gcode ID:35", meaning: "An arc given by its centre needs at least one offset word (I, J, K) in its plane." },
  { code: 36, name: "Invalid gcode ID:36", meaning: "The line has value words that no command in it uses." },
  { code: 37, name: "Invalid gcode ID:37", meaning: "The dynamic tool length offset is not on the configured tool axis." },
  { code: 38, name: "Invalid gcode ID:38", meaning: "The tool number is larger than the controller supports." },
];

/** `ALARM:N`: the controller stopped everything and locks out G-code until homed or unlocked. */
export const GRBL_ALARMS: readonly CodeEntry[] = [
  { code: 1, name: "Hard limit", meaning: "A limit switch was hit while moving; the position is lost. Clear the switch and home again." },
  { code: 2, name: "Soft limit", meaning: "A move would have left the machine's travel: it was not run, and a running job was first brought to a controlled stop. Position is kept." },
  { code: 3, name: "Abort during cycle", meaning: "The controller was reset while moving; the position is lost. Home again before marking." },
  { code: 4, name: "Probe fail", meaning: "The probe was already touching before the probing move started." },
  { code: 5, name: "Probe fail", meaning: "The probe did not touch anything within the probing move." },
  { code: 6, name: "Homing fail", meaning: "Homing was interrupted by a reset." },
  { code: 7, name: "Homing fail", meaning: "The safety door was opened during homing." },
  { code: 8, name: "Homing fail", meaning: "Homing could not move off the limit switch; check the pull-off distance and the wiring." },
  { code: 9, name: "Homing fail", meaning: "Homing did not find the limit switch within the search distance." },
];

function lookup(table: readonly CodeEntry[], code: number, kind: string): CodeEntry {
  const hit = table.find((e) => e.code === code);
  return hit ?? { code, name: `Unknown ${kind} ${code}`, meaning: `The controller reported ${kind} ${code}, which GRBL 1.1 does not define.` };
}

export function grblError(code: number): CodeEntry {
  return lookup(GRBL_ERRORS, code, "error");
}

export function grblAlarm(code: number): CodeEntry {
  return lookup(GRBL_ALARMS, code, "alarm");
}

/** How GRBL 1.1h prints a setting's value in `$$`: whole numbers, or floats with 3 decimals. */
export type SettingFormat = "int" | "float";

export interface SettingEntry {
  readonly id: number;
  readonly name: string;
  readonly unit: string;
  readonly format: SettingFormat;
  /** Stock GRBL 1.1h default (config.h, defaults.h DEFAULTS_GENERIC). */
  readonly grblDefault: number;
}

/** The settings GRBL 1.1h lists on `$$`, in its order. */
export const GRBL_SETTINGS: readonly SettingEntry[] = [
  { id: 0, name: "Step pulse time", unit: "µs", format: "int", grblDefault: 10 },
  { id: 1, name: "Step idle delay", unit: "ms", format: "int", grblDefault: 25 },
  { id: 2, name: "Step pulse invert", unit: "mask", format: "int", grblDefault: 0 },
  { id: 3, name: "Step direction invert", unit: "mask", format: "int", grblDefault: 0 },
  { id: 4, name: "Invert step enable pin", unit: "boolean", format: "int", grblDefault: 0 },
  { id: 5, name: "Invert limit pins", unit: "boolean", format: "int", grblDefault: 0 },
  { id: 6, name: "Invert probe pin", unit: "boolean", format: "int", grblDefault: 0 },
  { id: 10, name: "Status report options", unit: "mask", format: "int", grblDefault: 1 },
  { id: 11, name: "Junction deviation", unit: "mm", format: "float", grblDefault: 0.01 },
  { id: 12, name: "Arc tolerance", unit: "mm", format: "float", grblDefault: 0.002 },
  { id: 13, name: "Report in inches", unit: "boolean", format: "int", grblDefault: 0 },
  { id: 20, name: "Soft limits enable", unit: "boolean", format: "int", grblDefault: 0 },
  { id: 21, name: "Hard limits enable", unit: "boolean", format: "int", grblDefault: 0 },
  { id: 22, name: "Homing cycle enable", unit: "boolean", format: "int", grblDefault: 0 },
  { id: 23, name: "Homing direction invert", unit: "mask", format: "int", grblDefault: 0 },
  { id: 24, name: "Homing locate feed rate", unit: "mm/min", format: "float", grblDefault: 25 },
  { id: 25, name: "Homing search seek rate", unit: "mm/min", format: "float", grblDefault: 500 },
  { id: 26, name: "Homing switch debounce delay", unit: "ms", format: "int", grblDefault: 250 },
  { id: 27, name: "Homing switch pull-off distance", unit: "mm", format: "float", grblDefault: 1 },
  { id: 30, name: "Maximum spindle speed", unit: "RPM", format: "int", grblDefault: 1000 },
  { id: 31, name: "Minimum spindle speed", unit: "RPM", format: "int", grblDefault: 0 },
  { id: 32, name: "Laser-mode enable", unit: "boolean", format: "int", grblDefault: 0 },
  { id: 100, name: "X-axis travel resolution", unit: "step/mm", format: "float", grblDefault: 250 },
  { id: 101, name: "Y-axis travel resolution", unit: "step/mm", format: "float", grblDefault: 250 },
  { id: 102, name: "Z-axis travel resolution", unit: "step/mm", format: "float", grblDefault: 250 },
  { id: 110, name: "X-axis maximum rate", unit: "mm/min", format: "float", grblDefault: 500 },
  { id: 111, name: "Y-axis maximum rate", unit: "mm/min", format: "float", grblDefault: 500 },
  { id: 112, name: "Z-axis maximum rate", unit: "mm/min", format: "float", grblDefault: 500 },
  { id: 120, name: "X-axis acceleration", unit: "mm/s²", format: "float", grblDefault: 10 },
  { id: 121, name: "Y-axis acceleration", unit: "mm/s²", format: "float", grblDefault: 10 },
  { id: 122, name: "Z-axis acceleration", unit: "mm/s²", format: "float", grblDefault: 10 },
  { id: 130, name: "X-axis maximum travel", unit: "mm", format: "float", grblDefault: 200 },
  { id: 131, name: "Y-axis maximum travel", unit: "mm", format: "float", grblDefault: 200 },
  { id: 132, name: "Z-axis maximum travel", unit: "mm", format: "float", grblDefault: 200 },
];

export function grblSetting(id: number): SettingEntry | undefined {
  return GRBL_SETTINGS.find((s) => s.id === id);
}

/** GRBL's own stock defaults as a map, the starting point of any head's settings. */
export function stockSettings(): Map<number, number> {
  return new Map(GRBL_SETTINGS.map((s) => [s.id, s.grblDefault]));
}
