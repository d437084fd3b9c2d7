import type Database from "better-sqlite3";
import { PeenmarkError } from "../errors.ts";
import { sameIdentity } from "../record/identity.ts";
import { logEvent } from "./events.ts";
import { personName, writtenReason } from "./names.ts";
import { counterLimit, formatSerial, parseSeriesPattern } from "./pattern.ts";
import { opt, stmt } from "./statements.ts";
import type { NumberState, OperatorAction, SeriesDefinition, SeriesNumber, SeriesRow } from "./types.ts";

/**
 * Serial-number series: reserve → mark → commit, and nothing in between is lost.
 * Every number from `start` up to the high-water mark (`next_number`) has a row in
 * `series_numbers` whose state says where it went: reserved (with the job, if bound),
 * committed, released (available again, after an operator's reason) or void (never used).
 * Callers run these inside an IMMEDIATE transaction (Journal does).
 */
export type SeriesColumns = {
  id: string;
  pattern: string;
  licence_prefix: string | null;
  start: number;
  end: number;
  step: number;
  next_number: number;
  created_at: string;
  created_by: string;
  note: string | null;
};
export type NumberColumns = {
  series_id: string;
  number: number;
  serial: string;
  state: NumberState;
  job_id: number | null;
  reserved_at: string;
  updated_at: string;
  reason: string | null;
  operator: string | null;
};

export function numberFromColumns(c: NumberColumns): SeriesNumber {
  return {
    seriesId: c.series_id,
    number: c.number,
    serial: c.serial,
    state: c.state,
    jobId: c.job_id ?? undefined,
    reservedAt: c.reserved_at,
    updatedAt: c.updated_at,
    reason: opt(c.reason),
    operator: opt(c.operator),
  };
}

function seriesFromColumns(db: Database.Database, c: SeriesColumns): SeriesRow {
  return seriesRow(c, stmt(db, "SELECT state, count(*) AS n FROM series_numbers WHERE series_id = ? GROUP BY state").all(c.id) as { state: NumberState; n: number }[]);
}

/** A series as the API shows it, from its row and its numbers counted by state (either engine). */
export function seriesRow(c: SeriesColumns, byState: readonly { readonly state: NumberState; readonly n: number }[]): SeriesRow {
  const counts = { reserved: 0, committed: 0, released: 0, void: 0 };
  for (const row of byState) counts[row.state] = Number(row.n);
  return {
    id: c.id,
    pattern: c.pattern,
    licencePrefix: opt(c.licence_prefix),
    start: c.start,
    end: c.end,
    step: c.step,
    nextNumber: c.next_number,
    createdAt: c.created_at,
    createdBy: c.created_by,
    note: opt(c.note),
    counts,
  };
}

function seriesColumns(db: Database.Database, id: string): SeriesColumns {
  const c = stmt(db, "SELECT * FROM series WHERE id = ?").get(id) as SeriesColumns | undefined;
  if (!c) throw new PeenmarkError("E_JOURNAL", `there is no serial-number series "${id}"`, { where: "seriesId" });
  return c;
}

function numberColumns(db: Database.Database, seriesId: string, number: number): NumberColumns {
  const c = stmt(db, "SELECT * FROM series_numbers WHERE series_id = ? AND number = ?").get(seriesId, number) as NumberColumns | undefined;
  if (!c) throw new PeenmarkError("E_JOURNAL", `number ${number} of series "${seriesId}" was never handed out`, { where: "number" });
  return c;
}

export function requireAction(action: OperatorAction, what: string): OperatorAction {
  const operator = personName(action.operator, "operator");
  const reason = writtenReason(action.reason);
  if (operator === "") throw new PeenmarkError("E_JOURNAL", `${what} needs the operator's name`, { where: "operator" });
  if (reason.length < 10) throw new PeenmarkError("E_JOURNAL", `${what} needs a written reason of at least 10 characters`, { where: "reason" });
  return { operator, reason };
}

/** A series definition as the journal keeps it, whichever engine; E_JOURNAL naming the field otherwise. */
export function checkSeriesDefinition(def: SeriesDefinition, at: string): { step: number; createdBy: string } {
  const step = def.step ?? 1;
  const where = (f: string, why: string) => new PeenmarkError("E_JOURNAL", `series "${def.id}": ${why}`, { where: f });
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(def.id)) throw where("id", "an id is 1–40 letters, digits, '-' or '_'");
  const pattern = parseSeriesPattern(def.pattern);
  if (def.licencePrefix !== undefined && !/^\d{8}$/.test(def.licencePrefix)) throw where("licencePrefix", "a licence prefix is the 8-digit abbreviated licence number");
  for (const [f, v] of [["start", def.start], ["end", def.end], ["step", step]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw where(f, `${f} must be a whole number ≥ 0, not ${v}`);
  }
  if (step < 1) throw where("step", "step must be at least 1");
  if (def.end < def.start) throw where("end", `end ${def.end} is below start ${def.start}`);
  if (def.end > counterLimit(pattern)) throw where("end", `end ${def.end} does not fit the pattern's ${pattern.counterWidth}-digit counter`);
  const createdBy = personName(def.createdBy, "createdBy");
  if (createdBy === "") throw where("createdBy", "a series needs the operator who defined it");
  // formatting once now catches {licence} without a prefix and over-long serials before any job does
  formatSerial(pattern, def.end, new Date(Date.parse(at)), def.licencePrefix);
  return { step, createdBy };
}

export function createSeries(db: Database.Database, def: SeriesDefinition, at: string): SeriesRow {
  const { step, createdBy } = checkSeriesDefinition(def, at);
  const where = (f: string, why: string) => new PeenmarkError("E_JOURNAL", `series "${def.id}": ${why}`, { where: f });
  if (stmt(db, "SELECT 1 FROM series WHERE id = ?").get(def.id)) throw where("id", "a series with this id exists already");
  stmt(db, "INSERT INTO series (id, pattern, licence_prefix, start, end, step, next_number, created_at, created_by, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").run(
    def.id,
    def.pattern,
    def.licencePrefix ?? null,
    def.start,
    def.end,
    step,
    def.start,
    at,
    createdBy,
    def.note ?? null,
  );
  logEvent(db, { at, kind: "series-created", seriesId: def.id, operator: createdBy, ...(def.note ? { reason: def.note } : {}) });
  return getSeries(db, def.id);
}

export function getSeries(db: Database.Database, id: string): SeriesRow {
  return seriesFromColumns(db, seriesColumns(db, id));
}

export function listSeries(db: Database.Database): SeriesRow[] {
  return (stmt(db, "SELECT * FROM series ORDER BY id").all() as SeriesColumns[]).map((c) => seriesFromColumns(db, c));
}

export function listNumbers(db: Database.Database, seriesId: string, state?: NumberState): SeriesNumber[] {
  seriesColumns(db, seriesId);
  const rows = stmt(db, "SELECT * FROM series_numbers WHERE series_id = ? AND (? IS NULL OR state = ?) ORDER BY number").all(seriesId, state ?? null, state ?? null) as NumberColumns[];
  return rows.map(numberFromColumns);
}

export function getNumber(db: Database.Database, seriesId: string, number: number): SeriesNumber {
  return numberFromColumns(numberColumns(db, seriesId, number));
}

/**
 * The next number: the lowest one an operator released, else the high-water mark (which
 * then moves by `step`). The serial is formatted with `now`'s year.
 */
export function reserveNext(db: Database.Database, seriesId: string, now: Date, at: string): SeriesNumber {
  const s = seriesColumns(db, seriesId);
  const pattern = parseSeriesPattern(s.pattern);
  const released = stmt(db, "SELECT number FROM series_numbers WHERE series_id = ? AND state = 'released' ORDER BY number LIMIT 1").get(seriesId) as { number: number } | undefined;
  if (released) {
    const serial = formatSerial(pattern, released.number, now, opt(s.licence_prefix));
    stmt(db, "UPDATE series_numbers SET state = 'reserved', serial = ?, job_id = NULL, reserved_at = ?, updated_at = ?, reason = NULL, operator = NULL WHERE series_id = ? AND number = ?").run(
      serial,
      at,
      at,
      seriesId,
      released.number,
    );
    logEvent(db, { at, kind: "number-reissued", seriesId, number: released.number });
    return getNumber(db, seriesId, released.number);
  }
  if (s.next_number > s.end) {
    throw new PeenmarkError("E_SERIES_EXHAUSTED", `series "${seriesId}" has handed out every number from ${s.start} to ${s.end}: define a new series`, {
      where: "seriesId",
      details: { start: s.start, end: s.end },
    });
  }
  const number = s.next_number;
  const serial = formatSerial(pattern, number, now, opt(s.licence_prefix));
  stmt(db, "INSERT INTO series_numbers (series_id, number, serial, state, job_id, reserved_at, updated_at) VALUES (?, ?, ?, 'reserved', NULL, ?, ?)").run(seriesId, number, serial, at, at);
  stmt(db, "UPDATE series SET next_number = ? WHERE id = ?").run(number + s.step, seriesId);
  return getNumber(db, seriesId, number);
}

/**
 * The number and serial `reserveNext` would hand out now, without reserving it (a preview);
 * undefined when the series is exhausted. Another station may take it first: a job started
 * from a preview says which serial it expects (runner.ts).
 */
export function peekNext(db: Database.Database, seriesId: string, now: Date): { number: number; serial: string } | undefined {
  const s = seriesColumns(db, seriesId);
  const pattern = parseSeriesPattern(s.pattern);
  const released = stmt(db, "SELECT number FROM series_numbers WHERE series_id = ? AND state = 'released' ORDER BY number LIMIT 1").get(seriesId) as { number: number } | undefined;
  const number = released?.number ?? (s.next_number > s.end ? undefined : s.next_number);
  if (number === undefined) return undefined;
  return { number, serial: formatSerial(pattern, number, now, opt(s.licence_prefix)) };
}

/** A new job takes over a reservation nobody has yet; its record must carry that number's serial. */
export function bindNumber(db: Database.Database, seriesId: string, number: number, jobId: number, recordSerial: string): void {
  const n = numberColumns(db, seriesId, number);
  if (n.state !== "reserved" || n.job_id !== null) {
    const holder = n.job_id === null ? "" : ` by job ${n.job_id}`;
    throw new PeenmarkError("E_JOURNAL", `number ${number} of series "${seriesId}" is ${n.state}${holder}: reserve a number with reserveNext for each job`, { where: "seriesNumber" });
  }
  if (!sameIdentity(n.serial, recordSerial)) {
    throw new PeenmarkError("E_JOURNAL", `the record's serial "${recordSerial}" is not "${n.serial}", number ${number} of series "${seriesId}"`, { where: "record.serial" });
  }
  stmt(db, "UPDATE series_numbers SET job_id = ? WHERE series_id = ? AND number = ?").run(jobId, seriesId, number);
}

/** The job completed: its number is used for good. */
export function commitJobNumber(db: Database.Database, jobId: number, at: string): void {
  stmt(db, "UPDATE series_numbers SET state = 'committed', updated_at = ? WHERE job_id = ? AND state = 'reserved'").run(at, jobId);
}

/** The number becomes available again (the lowest released number is handed out first). */
export function releaseNumber(db: Database.Database, seriesId: string, number: number, given: OperatorAction, at: string): SeriesNumber {
  const action = requireAction(given, `releasing number ${number} of series "${seriesId}"`);
  const n = numberColumns(db, seriesId, number);
  if (n.state !== "reserved") throw new PeenmarkError("E_JOURNAL", `number ${number} of series "${seriesId}" is ${n.state}, not reserved: only a reserved number can be released`, { where: "number" });
  stmt(db, "UPDATE series_numbers SET state = 'released', updated_at = ?, reason = ?, operator = ? WHERE series_id = ? AND number = ?").run(
    at,
    action.reason.trim(),
    action.operator.trim(),
    seriesId,
    number,
  );
  logEvent(db, { at, kind: "number-released", seriesId, number, operator: action.operator.trim(), reason: action.reason.trim(), ...(n.job_id === null ? {} : { jobId: n.job_id }) });
  return getNumber(db, seriesId, number);
}

/** The number will never be used (a bad blank, a number skipped on purpose). */
export function voidNumber(db: Database.Database, seriesId: string, number: number, given: OperatorAction, at: string): SeriesNumber {
  const action = requireAction(given, `voiding number ${number} of series "${seriesId}"`);
  const n = numberColumns(db, seriesId, number);
  if (n.state === "committed" || n.state === "void") {
    throw new PeenmarkError("E_JOURNAL", `number ${number} of series "${seriesId}" is ${n.state}: only a reserved or released number can be voided`, { where: "number" });
  }
  stmt(db, "UPDATE series_numbers SET state = 'void', updated_at = ?, reason = ?, operator = ? WHERE series_id = ? AND number = ?").run(
    at,
    action.reason.trim(),
    action.operator.trim(),
    seriesId,
    number,
  );
  logEvent(db, { at, kind: "number-voided", seriesId, number, operator: action.operator.trim(), reason: action.reason.trim(), ...(n.job_id === null ? {} : { jobId: n.job_id }) });
  return getNumber(db, seriesId, number);
}
