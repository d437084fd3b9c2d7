/**
 * The calendar at the station: the local date and time of a mark in the station's IANA time
 * zone, the ordinal ("Julian") day, the ISO 8601 week, and the shift the mark falls in.
 * Pure: the instant is an input (the job's markedAt), never the clock; the zone's rules are
 * the ICU data of the Node build, so a DST change day is the zone's, not a guess.
 */

/** A shift of the station file: a local wall-clock window [start, end), overnight when end ≤ start. */
export interface Shift {
  readonly name: string;
  readonly code?: string | undefined;
  /** `HH:MM`, 24-hour, local time at the station. */
  readonly start: string;
  /** `HH:MM`; the first minute after the shift. `00:00` is midnight. */
  readonly end: string;
}

export interface LocalTime {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
  /** 0–23 */
  readonly hour: number;
  /** 0–59 */
  readonly minute: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formats.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date and time at `instant` in `timeZone`. */
export function localTime(instant: Date, timeZone: string): LocalTime {
  const parts = format(timeZone).formatToParts(instant);
  const get = (t: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === t)!.value);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour") % 24, minute: get("minute") };
}

const DAY_MS = 86_400_000;

/** Day of the year, 1 (1 January) to 365 or 366 (31 December of a leap year). */
export function ordinalDay(d: { year: number; month: number; day: number }): number {
  return (Date.UTC(d.year, d.month - 1, d.day) - Date.UTC(d.year, 0, 1)) / DAY_MS + 1;
}

/** ISO 8601 day of the week: 1 Monday … 7 Sunday. */
export function isoWeekday(d: { year: number; month: number; day: number }): number {
  return ((new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7) + 1;
}

/**
 * ISO 8601 week (1–53) and the year it belongs to: week 1 is the week with the year's first
 * Thursday, so 31 December may be in week 1 of the next year and 1 January in week 52 or 53
 * of the last.
 */
export function isoWeek(d: { year: number; month: number; day: number }): { weekYear: number; week: number } {
  const thursday = Date.UTC(d.year, d.month - 1, d.day) + (4 - isoWeekday(d)) * DAY_MS;
  const weekYear = new Date(thursday).getUTCFullYear();
  return { weekYear, week: Math.floor((thursday - Date.UTC(weekYear, 0, 1)) / DAY_MS / 7) + 1 };
}

/** Minutes after local midnight of an `HH:MM` time (validated by the station schema). */
export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Whether a minute of the local day lies in a shift's window (overnight windows wrap midnight). */
export function inShift(shift: Shift, minute: number): boolean {
  const s = minutesOf(shift.start);
  const e = minutesOf(shift.end);
  return s < e ? minute >= s && minute < e : minute >= s || minute < e;
}

/** The shift whose window holds the local time, or undefined in a gap between shifts. */
export function shiftAt(shifts: readonly Shift[], t: LocalTime): Shift | undefined {
  return shifts.find((s) => inShift(s, t.hour * 60 + t.minute));
}
