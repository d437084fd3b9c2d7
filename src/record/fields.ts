import { PeenmarkError } from "../errors.ts";
import type { MarkingRecord } from "./schema.ts";
import { isoWeek, isoWeekday, localTime, ordinalDay, shiftAt, type LocalTime, type Shift } from "./calendar.ts";

/**
 * Template fields: the one list of `{names}` a profile may use, and how each is read from
 * a record. Unknown names are profile-load errors; known names missing from a record are
 * compile errors that name the block and the field.
 */
export interface MarkContext {
  /** When the mark is made, from the clock at the edge (CLI/service), never read in a stage. */
  readonly markedAt: Date;
  /** IANA time zone of the station (e.g. America/Mexico_City): the date struck is the local date there. */
  readonly timeZone: string;
  /** The station file's shifts (local wall-clock windows); none when the station defines none. */
  readonly shifts?: readonly Shift[] | undefined;
  /**
   * The shift to strike instead of the one markedAt falls in: the profile check compiles its
   * sample once per shift, whatever the hour of the check. Never set for a real mark.
   */
  readonly shift?: Shift | undefined;
}

/** The calendar date at the station: year, month and day in its time zone. */
function localDate(c: MarkContext): LocalTime {
  return localTime(c.markedAt, c.timeZone);
}

/** The shift of the mark: the forced one, or the station's shift whose window holds markedAt. */
function currentShift(c: MarkContext): Shift | undefined {
  return c.shift ?? shiftAt(c.shifts ?? [], localDate(c));
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** Month letters A–M without I (I is read as 1): A January … H August, J September … M December. */
const MONTH_LETTERS = "ABCDEFGHJKLM";
/** One-character month, 1–9 then A–C for October–December (hexadecimal digits). */
const MONTH_CODES = "123456789ABC";

type Getter = (r: MarkingRecord, c: MarkContext) => string | undefined;

const num = (n: number | undefined) => (n === undefined ? undefined : String(n));

const FIELDS: Record<string, Getter> = {
  serial: (r) => r.serial,
  licence: (r) => r.licencePrefix,
  /** The serial as 27 CFR 478.92 lets a licensee mark it without name and place: `12345678-SERIAL`. */
  "serial.withLicence": (r) => (r.licencePrefix ? `${r.licencePrefix}-${r.serial}` : r.serial),
  /** A licence adopted as its own string, `FFL12345678` (27 CFR 478.92(a)(1)(vi)). */
  "licence.ffl": (r) => (r.licencePrefix ? `FFL${r.licencePrefix}` : undefined),
  manufacturer: (r) => r.manufacturer,
  "place.city": (r) => r.place.city,
  "place.state": (r) => r.place.state,
  "place.country.code": (r) => r.place.country.code,
  "place.country.name": (r) => r.place.country.name,
  model: (r) => r.model,
  caliber: (r) => r.caliber,
  "import.importer": (r) => r.import?.importer,
  "import.city": (r) => r.import?.city,
  "import.state": (r) => r.import?.state,
  /** The importer's city and state as the record has them: `Querétaro, QRO`, or `Willemstad` where there is no state (ITI ¶8b asks for neither). */
  "import.place": (r) => (r.import ? [r.import.city, r.import.state].filter((v) => v !== undefined && v !== "").join(", ") || undefined : undefined),
  "import.country.code": (r) => r.import?.country.code,
  "import.country.name": (r) => r.import?.country.name,
  "import.year": (r) => num(r.import?.year),
  "stateStock.agency": (r) => r.stateStock?.agency,
  "stateStock.country.code": (r) => r.stateStock?.country.code,
  "stateStock.country.name": (r) => r.stateStock?.country.name,
  "stateStock.year": (r) => num(r.stateStock?.year),
  "extra.0": (r) => r.extra?.[0],
  "extra.1": (r) => r.extra?.[1],
  "extra.2": (r) => r.extra?.[2],
  "extra.3": (r) => r.extra?.[3],
  /** Year of marking at the station (its time zone), from the mark context. */
  "date.year": (_r, c) => String(localDate(c).year),
  /** Two-digit year and month, a common date code: `2611` for November 2026. */
  "date.code": (_r, c) => {
    const d = localDate(c);
    return pad(d.year % 100, 2) + pad(d.month, 2);
  },
  /** ISO date of marking, `2026-11-23`. */
  "date.iso": (_r, c) => {
    const d = localDate(c);
    return `${d.year}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
  },
  "date.yyyy": (_r, c) => pad(localDate(c).year, 4),
  "date.yy": (_r, c) => pad(localDate(c).year % 100, 2),
  /** The last digit of the year, `6` for 2026 (ink-jet and marker date codes' one-digit year). */
  "date.y": (_r, c) => String(localDate(c).year % 10),
  "date.mm": (_r, c) => pad(localDate(c).month, 2),
  "date.dd": (_r, c) => pad(localDate(c).day, 2),
  "date.monthLetter": (_r, c) => MONTH_LETTERS[localDate(c).month - 1],
  "date.monthCode": (_r, c) => MONTH_CODES[localDate(c).month - 1],
  /** Ordinal ("Julian") day of the calendar year, three digits: `001` … `366`. */
  "date.julian": (_r, c) => pad(ordinalDay(localDate(c)), 3),
  /** Two-digit year and ordinal day (ISO 8601 ordinal date without the century): `26327`. */
  "date.yyddd": (_r, c) => {
    const d = localDate(c);
    return pad(d.year % 100, 2) + pad(ordinalDay(d), 3);
  },
  /** Last digit of the year and ordinal day, the four-digit lot code: `6327`. */
  "date.yddd": (_r, c) => {
    const d = localDate(c);
    return String(d.year % 10) + pad(ordinalDay(d), 3);
  },
  /** ISO 8601 week, two digits `01` … `53`; of the ISO week-year, which at new year may differ from the calendar year. */
  "date.week": (_r, c) => pad(isoWeek(localDate(c)).week, 2),
  "date.weekYear": (_r, c) => pad(isoWeek(localDate(c)).weekYear, 4),
  /** ISO week-year (two digits) and week, `2648`: 31 December 2029 is `3001`. */
  "date.yyww": (_r, c) => {
    const w = isoWeek(localDate(c));
    return pad(w.weekYear % 100, 2) + pad(w.week, 2);
  },
  /** ISO 8601 day of the week, `1` Monday … `7` Sunday. */
  "date.weekday": (_r, c) => String(isoWeekday(localDate(c))),
  /** Local hour and minute of marking, 24-hour, two digits each. */
  "time.hh": (_r, c) => pad(localDate(c).hour, 2),
  "time.mm": (_r, c) => pad(localDate(c).minute, 2),
  /** The station's shift at markedAt: its name, or its code (station file, `shifts`). */
  shift: (_r, c) => currentShift(c)?.name,
  "shift.code": (_r, c) => currentShift(c)?.code,
};

export const TEMPLATE_FIELDS: readonly string[] = Object.freeze(Object.keys(FIELDS));

/**
 * The getter of a template field, own fields only: `{toString}`, `{constructor}` and
 * `{__proto__}` are names on every JavaScript object, not fields of a record.
 */
function fieldGetter(name: string): Getter | undefined {
  return Object.hasOwn(FIELDS, name) ? FIELDS[name] : undefined;
}

export function isTemplateField(name: string): boolean {
  return fieldGetter(name) !== undefined;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Fields whose value the station file gives (its shifts), not the record. */
const STATION_FIELDS: readonly string[] = ["shift", "shift.code"];

/** Whether a field comes from the mark's context (the clock and the station file), not from the record the technician fills in. */
export function isContextField(name: string): boolean {
  return name.startsWith("date.") || name.startsWith("time.") || STATION_FIELDS.includes(name);
}

const hhmm = (t: LocalTime) => `${pad(t.hour, 2)}:${pad(t.minute, 2)}`;

/** Why a station field has no value for this mark, as the error a person reads; undefined when it has one. */
function stationFieldError(name: string, ctx: MarkContext): PeenmarkError | undefined {
  if (!STATION_FIELDS.includes(name)) return undefined;
  const shifts = ctx.shifts ?? [];
  if (!ctx.shift && shifts.length === 0)
    return new PeenmarkError("E_STATION_FIELD_MISSING", `the profile marks {${name}}, and the station file defines no shifts: add "shifts" (name, code, start, end) to the station file, or choose a profile that does not mark the shift`, { where: name, details: { field: name, reason: "no-shifts" } });
  const shift = currentShift(ctx);
  if (!shift) {
    const t = localDate(ctx);
    const windows = shifts.map((s) => `${s.name} ${s.start}–${s.end}`).join(", ");
    return new PeenmarkError("E_STATION_FIELD_MISSING", `the profile marks {${name}}, and ${t.year}-${pad(t.month, 2)}-${pad(t.day, 2)} ${hhmm(t)} (${ctx.timeZone}) is in no shift of the station (${windows}): mark within a shift, or add this time to the station file's shifts`, { where: name, details: { field: name, reason: "outside-shifts", local: `${hhmm(t)}` } });
  }
  if (name === "shift.code" && (shift.code === undefined || shift.code === ""))
    return new PeenmarkError("E_STATION_FIELD_MISSING", `the profile marks {shift.code}, and shift "${shift.name}" has no code in the station file: give the shifts a "code", or mark {shift}`, { where: name, details: { field: name, reason: "no-code", shift: shift.name } });
  return undefined;
}

/**
 * Refuse, before anything is laid out, a template field the station cannot give for this
 * mark: {shift} on a station without shifts, or at a time in no shift.
 */
export function checkStationFields(templates: readonly string[], ctx: MarkContext): void {
  for (const t of templates)
    for (const f of templateFields(t)) {
      const e = stationFieldError(f, ctx);
      if (e) throw e;
    }
}

/** The field names a template uses, in order of first use. */
export function templateFields(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

/** The names in `template` that are not template fields (empty when the template is valid). */
export function unknownTemplateFields(template: string): string[] {
  return templateFields(template).filter((f) => !isTemplateField(f));
}

/**
 * Fields a firearm carries only "if such designation has been made" (27 CFR 478.92(a)(1)(ii):
 * the model; ITI ¶8a only encourages it). A line whose fields are all of these and all
 * absent from the record is left out of the mark instead of being refused.
 */
export const IF_DESIGNATED: readonly string[] = ["model"];

/** Whether a line is left out for this record: it names fields, every one if-designated and absent. */
export function lineLeftOut(template: string, record: MarkingRecord, ctx: MarkContext): boolean {
  const fields = templateFields(template);
  return fields.length > 0 && fields.every((f) => IF_DESIGNATED.includes(f) && !fieldGetter(f)?.(record, ctx));
}

/** A filled line and where each field's value lies in it (code point indices, end exclusive). */
export interface FilledLine {
  readonly text: string;
  readonly fields: readonly { readonly field: string; readonly start: number; readonly end: number }[];
}

/** Fill a template from a record. `where` names the block for the error message. */
export function fillTemplate(template: string, record: MarkingRecord, ctx: MarkContext, where: string): string {
  return fillTemplateParts(template, record, ctx, where).text;
}

/** Fill a template and say which characters came from which field (the serial rule measures those). */
export function fillTemplateParts(template: string, record: MarkingRecord, ctx: MarkContext, where: string): FilledLine {
  const pieces: { text: string; field?: string }[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > last) pieces.push({ text: template.slice(last, m.index) });
    const name = m[1]!;
    const get = fieldGetter(name);
    if (!get) throw new PeenmarkError("E_TEMPLATE_FIELD", `${where}: template field {${name}} does not exist; known fields: ${TEMPLATE_FIELDS.join(", ")}`, { where, details: { field: name } });
    const stationError = stationFieldError(name, ctx);
    if (stationError) throw stationError;
    const v = get(record, ctx);
    if (v === undefined || v === "") {
      const hint = IF_DESIGNATED.includes(name) ? ` (a line that marks only {${name}} is left out when the record has none; here the line marks more)` : "";
      throw new PeenmarkError("E_RECORD_FIELD_MISSING", `${where} needs {${name}}, and the record has no ${name}: fill it in or choose a profile that does not mark it${hint}`, { where: name, details: { block: where, field: name } });
    }
    pieces.push({ text: v, field: name });
    last = m.index + m[0].length;
  }
  if (last < template.length) pieces.push({ text: template.slice(last) });
  const text = pieces.map((p) => p.text).join("").normalize("NFC");
  const fields: { field: string; start: number; end: number }[] = [];
  const normalised = pieces.map((p) => p.text.normalize("NFC"));
  if (normalised.join("") === text) {
    let at = 0;
    pieces.forEach((p, i) => {
      const n = [...normalised[i]!].length;
      if (p.field) fields.push({ field: p.field, start: at, end: at + n });
      at += n;
    });
  } else {
    // NFC joined a field's first character to the text before it: every field then spans the line.
    const n = [...text].length;
    for (const p of pieces) if (p.field) fields.push({ field: p.field, start: 0, end: n });
  }
  return { text, fields };
}
