import { PeenmarkError } from "../errors.ts";
import { identity } from "../record/identity.ts";
import type { Outcome } from "./types.ts";

/**
 * Finding jobs for a person at the journal view (and a script at /api/journal): parts of a
 * serial, a maker or a model, a time range, a station, an outcome; a page of rows at a time,
 * newest first (by the time written, then the job number: the order an index on `created_at`
 * gives, so a page of a month's jobs is read from that index, not by walking every later job
 * backwards by number), and how many there are in all. Plain SQL that SQLite and PostgreSQL both
 * read (LIKE … ESCAPE, lower(), LIMIT/OFFSET, count(*)): a later journal engine runs the same
 * text.
 *
 * Serials and makers match by identity (record/identity.ts): the part typed is folded like
 * the stored keys, so `r0o1` finds `SV26R0O1`, a Cyrillic `А` finds a Latin `A`. The identity
 * maps character by character, so a part of a serial folds to a part of its key.
 */
export const OUTCOMES: readonly Outcome[] = ["pending", "marking", "completed", "aborted", "interrupted", "failed"];

export interface JobQuery {
  /** Part of the serial (or of its licence form `12345678-SERIAL`), by identity. */
  readonly serial?: string;
  /**
   * A whole serial as a LIKE pattern (`_` one character, `%` any run, `\` escaping) on the
   * serial's confusable key, `confusableKey(serial_key)`, or its licence form's: trace.ts
   * builds it from what a trace request read off the firearm.
   */
  readonly serialLike?: string;
  /** Part of the maker's name, by identity. */
  readonly maker?: string;
  /** Part of the model, without case. */
  readonly model?: string;
  /** Part of the caliber, without case (`9×19`, `5.56`). */
  readonly caliber?: string;
  /**
   * A country of manufacture or of import: its ISO 3166 code (`MX`, exactly, without case) or
   * part of its name, without case.
   */
  readonly country?: string;
  /** Part of the importer's name, without case. */
  readonly importer?: string;
  /** Jobs written at or after (journal.ts `bound`, ISO 8601 UTC). */
  readonly from?: string;
  /** Jobs written before. */
  readonly to?: string;
  readonly station?: string;
  readonly outcome?: Outcome;
  /** Rows per page, 1–500. */
  readonly limit?: number;
  /** Rows to skip (newest first). */
  readonly offset?: number;
}

export const MAX_PAGE = 500;

/** `%part%` for LIKE with `\` escaping the pattern characters the text holds. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The SQL of a confusable key: the identity key (record/identity.ts) with the characters a worn
 * stamp or a tired reader swaps made one: 5→s, 8→b, 2→z (identity made 0→o and 1→l already).
 * replace() reads the same in SQLite and PostgreSQL; pg-migrations.ts indexes this expression.
 */
export const confusableSql = (column: string): string => `replace(replace(replace(${column}, '5', 's'), '8', 'b'), '2', 'z')`;

export interface WhereClause {
  readonly sql: string;
  readonly params: Record<string, string | number | null>;
}

/** The WHERE of a job query; `from`/`to` already as bounds. Unused filters bind NULL. */
export function jobWhere(q: Omit<JobQuery, "limit" | "offset">): WhereClause {
  const part = (s: string | undefined, fold: (s: string) => string) => {
    if (s === undefined) return null;
    const folded = fold(s.trim());
    return folded === "" ? null : containsPattern(folded);
  };
  if (q.outcome !== undefined && !OUTCOMES.includes(q.outcome))
    throw new PeenmarkError("E_USAGE", `outcome "${q.outcome}" is not one of ${OUTCOMES.join(", ")}`, { where: "outcome" });
  return {
    sql: `(@serial IS NULL OR jobs.serial_key LIKE @serial ESCAPE '\\' OR jobs.licence_key LIKE @serial ESCAPE '\\')
      AND (@serialLike IS NULL OR ${confusableSql("jobs.serial_key")} LIKE @serialLike ESCAPE '\\' OR ${confusableSql("jobs.licence_key")} LIKE @serialLike ESCAPE '\\')
      AND (@maker IS NULL OR jobs.maker_key LIKE @maker ESCAPE '\\')
      AND (@model IS NULL OR lower(jobs.model) LIKE @model ESCAPE '\\')
      AND (@caliber IS NULL OR lower(jobs.caliber) LIKE @caliber ESCAPE '\\')
      AND (@country IS NULL OR jobs.place_country_code = @countryCode OR jobs.import_country_code = @countryCode
           OR lower(jobs.place_country_name) LIKE @country ESCAPE '\\' OR lower(jobs.import_country_name) LIKE @country ESCAPE '\\')
      AND (@importer IS NULL OR lower(jobs.import_importer) LIKE @importer ESCAPE '\\')
      AND (@from IS NULL OR jobs.created_at >= @from) AND (@to IS NULL OR jobs.created_at < @to)
      AND (@station IS NULL OR jobs.station_id = @station)
      AND (@outcome IS NULL OR jobs.outcome = @outcome)`,
    params: {
      serial: part(q.serial, identity),
      serialLike: q.serialLike === undefined || q.serialLike === "" ? null : q.serialLike,
      maker: part(q.maker, identity),
      model: part(q.model, (s) => s.toLowerCase()),
      caliber: part(q.caliber, (s) => s.toLowerCase()),
      country: part(q.country, (s) => s.toLowerCase()),
      countryCode: q.country === undefined || q.country.trim() === "" ? null : q.country.trim().toUpperCase(),
      importer: part(q.importer, (s) => s.toLowerCase()),
      from: q.from ?? null,
      to: q.to ?? null,
      station: q.station === undefined || q.station === "" ? null : q.station,
      outcome: q.outcome ?? null,
    },
  };
}

/** A page as asked, within bounds; E_USAGE naming the parameter otherwise. */
export function pageOf(q: { limit?: number; offset?: number }): { limit: number; offset: number } {
  const limit = q.limit ?? 50;
  const offset = q.offset ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new PeenmarkError("E_USAGE", `limit ${limit} is not a whole number from 1 to ${MAX_PAGE}`, { where: "limit" });
  if (!Number.isSafeInteger(offset) || offset < 0) throw new PeenmarkError("E_USAGE", `offset ${offset} is not a whole number from 0`, { where: "offset" });
  return { limit, offset };
}

// ------------------------------------------------------------------ statistics

/** One job as the statistics count it. */
export interface StatRow {
  readonly createdAt: string;
  readonly outcome: Outcome;
  readonly stationId: string;
  readonly technician: string;
  readonly remark: boolean;
}

/** How many jobs ended each way, and how many were re-marks. */
export interface Counts {
  readonly jobs: number;
  readonly completed: number;
  readonly failed: number;
  readonly aborted: number;
  readonly interrupted: number;
  /** Jobs still pending or marking. */
  readonly open: number;
  readonly remarks: number;
}

export interface Statistics {
  /** The station's time zone the days are counted in. */
  readonly timeZone: string;
  readonly totals: Counts;
  /** Local days (YYYY-MM-DD) with at least one job, oldest first. */
  readonly days: readonly ({ readonly day: string } & Counts)[];
  readonly stations: readonly ({ readonly station: string } & Counts)[];
  /** Each station's local days with at least one job: by station, then oldest day first. */
  readonly stationDays: readonly ({ readonly station: string; readonly day: string } & Counts)[];
  readonly technicians: readonly ({ readonly technician: string } & Counts)[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const zero = (): Mutable<Counts> => ({ jobs: 0, completed: 0, failed: 0, aborted: 0, interrupted: 0, open: 0, remarks: 0 });

function add(c: Mutable<Counts>, r: StatRow): void {
  c.jobs++;
  if (r.outcome === "completed" || r.outcome === "failed" || r.outcome === "aborted" || r.outcome === "interrupted") c[r.outcome]++;
  else c.open++;
  if (r.remark) c.remarks++;
}

/** The local day of an instant in `timeZone` (IANA), as YYYY-MM-DD. */
export function localDay(iso: string, timeZone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));
}

/**
 * Marks per local day, station and technician; failures, aborts, interruptions and re-marks.
 * Counted here rather than in SQL: a day is the station's local day (its time zone may be
 * UTC−6 or UTC+5:45), which SQLite cannot compute and PostgreSQL computes its own way.
 */
export function statistics(rows: readonly StatRow[], timeZone: string): Statistics {
  const totals = zero();
  const days = new Map<string, Mutable<Counts>>();
  const stations = new Map<string, Mutable<Counts>>();
  const technicians = new Map<string, Mutable<Counts>>();
  // key: station id, a tab (no station id holds one), the local day
  const stationDays = new Map<string, Mutable<Counts>>();
  const bucket = (m: Map<string, Mutable<Counts>>, k: string) => {
    let c = m.get(k);
    if (!c) m.set(k, (c = zero()));
    return c;
  };
  for (const r of rows) {
    add(totals, r);
    const day = localDay(r.createdAt, timeZone);
    add(bucket(days, day), r);
    add(bucket(stationDays, `${r.stationId}\t${day}`), r);
    add(bucket(stations, r.stationId), r);
    add(bucket(technicians, r.technician), r);
  }
  const byCount = <K extends string>(m: Map<string, Counts>, key: K) =>
    [...m].sort((a, b) => b[1].jobs - a[1].jobs || a[0].localeCompare(b[0])).map(([k, c]) => ({ [key]: k, ...c }) as { [P in K]: string } & Counts);
  return {
    timeZone,
    totals,
    days: [...days].sort((a, b) => a[0].localeCompare(b[0])).map(([day, c]) => ({ day, ...c })),
    stations: byCount(stations, "station"),
    stationDays: [...stationDays]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([k, c]) => {
        const [station, day] = k.split("\t") as [string, string];
        return { station, day, ...c };
      }),
    technicians: byCount(technicians, "technician"),
  };
}
