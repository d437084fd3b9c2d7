import { PeenmarkError } from "../errors.ts";
import type { MarkingRecord } from "./schema.ts";

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
}

/** The calendar date at the station: year, month and day in its time zone. */
function localDate(c: MarkContext): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: c.timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(c.markedAt);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { year: get("year"), month: get("month"), day: get("day") };
}

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
    return String(d.year % 100).padStart(2, "0") + String(d.month).padStart(2, "0");
  },
  /** ISO date of marking, `2026-11-23`. */
  "date.iso": (_r, c) => {
    const d = localDate(c);
    return `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
  },
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
