import type { JobRow } from "./types.ts";

/**
 * What a trace request asks of a mark (ITI ¶8, 27 CFR 478.92, CIFTA Art. VI): serial, maker,
 * place and country of manufacture, model, caliber, import marks, state-stock marks, when
 * and where it was marked, and what exactly was streamed. One list of columns, used by the
 * CSV header and the JSON keys alike.
 */
export type Column = { readonly key: string; readonly value: (j: JobRow) => string | number | undefined };

/** When the mark was made: the end of a finished job, else its start, else when it was written. */
export const markedAt = (j: JobRow): string => j.endedAt ?? j.startedAt ?? j.createdAt;

export const EXPORT_COLUMNS: readonly Column[] = [
  { key: "jobId", value: (j) => j.id },
  { key: "serial", value: (j) => j.serial },
  { key: "licencePrefix", value: (j) => j.licencePrefix },
  { key: "manufacturer", value: (j) => j.manufacturer },
  { key: "placeCity", value: (j) => j.record.place.city },
  { key: "placeState", value: (j) => j.record.place.state },
  { key: "countryOfManufactureCode", value: (j) => j.record.place.country.code },
  { key: "countryOfManufacture", value: (j) => j.record.place.country.name },
  { key: "model", value: (j) => j.record.model },
  { key: "caliber", value: (j) => j.record.caliber },
  { key: "importer", value: (j) => j.record.import?.importer },
  { key: "importerCity", value: (j) => j.record.import?.city },
  { key: "importerState", value: (j) => j.record.import?.state },
  { key: "importCountryCode", value: (j) => j.record.import?.country.code },
  { key: "importCountry", value: (j) => j.record.import?.country.name },
  { key: "importYear", value: (j) => j.record.import?.year },
  { key: "stateStockAgency", value: (j) => j.record.stateStock?.agency },
  { key: "stateStockCountryCode", value: (j) => j.record.stateStock?.country.code },
  { key: "stateStockCountry", value: (j) => j.record.stateStock?.country.name },
  { key: "stateStockYear", value: (j) => j.record.stateStock?.year },
  { key: "markedAt", value: markedAt },
  { key: "stationId", value: (j) => j.stationId },
  { key: "outcome", value: (j) => j.outcome },
  { key: "technician", value: (j) => j.technician },
  { key: "profileId", value: (j) => j.profile.id },
  { key: "profileHash", value: (j) => j.profile.hash },
  { key: "programHash", value: (j) => j.program.hash },
  { key: "remarkOf", value: (j) => j.remark?.of },
  { key: "remarkReason", value: (j) => j.remark?.reason },
  { key: "remarkAuthorisedBy", value: (j) => j.remark?.authorisedBy },
  { key: "remarkCurrentProfileReason", value: (j) => j.remark?.currentProfile?.reason },
  // What happened to the job: a trace request asks whether a mark was finished, and why not.
  { key: "createdAt", value: (j) => j.createdAt },
  { key: "startedAt", value: (j) => j.startedAt },
  { key: "endedAt", value: (j) => j.endedAt },
  { key: "errorCode", value: (j) => j.error?.code },
  { key: "errorText", value: (j) => j.error?.text },
  { key: "note", value: (j) => j.note },
  { key: "linesExecuted", value: (j) => j.progress.executedLine },
  { key: "programLines", value: (j) => j.program.lines },
  { key: "strikesDone", value: (j) => j.progress.strikesDone },
  { key: "strikeCount", value: (j) => j.program.strikes },
  { key: "releasedAt", value: (j) => j.release?.at },
  { key: "releasedBy", value: (j) => j.release?.by },
  { key: "releaseReason", value: (j) => j.release?.reason },
];

/** How a CSV export is written: the field separator and whether it starts with a byte-order mark. */
export interface CsvOptions {
  /**
   * `,` (RFC 4180) or `;`: a spreadsheet set to Spanish (or any language whose decimal mark
   * is a comma) reads `;` as its list separator and puts `,` files in one column.
   */
  readonly delimiter?: "," | ";";
  /** A UTF-8 byte-order mark first, without which Excel reads UTF-8 as its ANSI code page ("MÃ©xico"). */
  readonly bom?: boolean;
}

/**
 * RFC 4180: a field with the separator, a quote, CR or LF is quoted, quotes doubled; lines end
 * CRLF. A text that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a
 * tab or a CR: OWASP "CSV Injection") gets a leading `'`, so `=HYPERLINK(…)` typed as a
 * technician's name is shown as text, not run. Numbers are written as they are.
 */
export function csvField(v: string | number | undefined, delimiter: "," | ";" = ","): string {
  if (v === undefined) return "";
  const s = typeof v === "number" ? String(v) : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return s.includes(delimiter) || /["\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** `lead`: columns before the trace fields (a trace search's `match`). */
export function jobsToCsv(jobs: readonly JobRow[], options: CsvOptions = {}, lead: readonly Column[] = []): string {
  const d = options.delimiter ?? ",";
  const columns = [...lead, ...EXPORT_COLUMNS];
  const lines = [columns.map((c) => c.key).join(d)];
  for (const j of jobs) lines.push(columns.map((c) => csvField(c.value(j), d)).join(d));
  return (options.bom ? "\uFEFF" : "") + lines.map((l) => `${l}\r\n`).join("");
}

/** An array of flat objects with the CSV's keys; absent fields are null so every object has every key. */
export function jobsToJson(jobs: readonly JobRow[], lead: readonly Column[] = []): string {
  return `${JSON.stringify(jobs.map((j) => traceFields(j, lead)), null, 2)}\n`;
}

/** One job's trace fields as a flat object, the JSON export's and the trace service's: every key, absent ones null. */
export function traceFields(j: JobRow, lead: readonly Column[] = []): Record<string, string | number | null> {
  return Object.fromEntries([...lead, ...EXPORT_COLUMNS].map((c) => [c.key, c.value(j) ?? null]));
}
