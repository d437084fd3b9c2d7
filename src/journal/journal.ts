import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { PeenmarkError } from "../errors.ts";
import { parseRecord } from "../profile/load.ts";
import { type JournalEvent, listEvents, logEvent } from "./events.ts";
import { jobsToCsv, jobsToJson } from "./export.ts";
import { migrate } from "./migrations.ts";
import { ownerAlive, ownerOfThisProcess } from "./owner.ts";
import { columnsOf, JOB_SELECT, type JobColumns, jobFromColumns } from "./rows.ts";
import * as series from "./series.ts";
import { checkSerialRule } from "./serial-rule.ts";
import { stmt } from "./statements.ts";
import type { JobEnd, JobRow, NewJob, NumberState, OperatorAction, Outcome, Progress, SeriesDefinition, SeriesNumber, SeriesRow } from "./types.ts";

export type * from "./types.ts";
export type { JournalEvent } from "./events.ts";

/** Where the journal lives unless the station's configuration says otherwise. */
export const DEFAULT_JOURNAL_PATH = "data/peenmark.db";

export const INTERRUPTED_NOTE = "service stopped while marking; position unknown: re-home before re-marking";

export interface JournalOptions {
  /** The database file; its folder is created. Default `./data/peenmark.db`. */
  readonly path?: string;
  /** The clock for created/started/ended times (the journal is an edge; tests pass a fixed one). */
  readonly clock?: () => Date;
  /** How long to wait for another process's write lock, in ms (SQLite busy_timeout). */
  readonly busyTimeoutMs?: number;
}

export interface ExportOptions {
  readonly format: "csv" | "json";
  /** Jobs written at or after this time (ISO 8601; a bare date means its start, UTC). */
  readonly from?: string;
  /** Jobs written before this time; a bare date `YYYY-MM-DD` includes that whole day. */
  readonly to?: string;
  readonly outcome?: Outcome;
}

/**
 * The journal of every mark: an SQLite file in WAL mode. Job start and outcome commits are
 * fsynced (synchronous=FULL); progress updates are not (synchronous=NORMAL: they survive a
 * killed process, and after a power loss the job is still found `marking` and reported
 * interrupted, with progress possibly a few updates old — docs/JOURNAL.md).
 *
 *   const journal = new Journal({ path });
 *   const interrupted = journal.open();           // jobs a dead service left mid-mark
 *   const job = journal.createJob({ record, profile, stationId, program, technician });
 *   journal.startJob(job.id);                      // just before the first byte
 *   journal.progress(job.id, { ackedLine, executedLine, strikesDone });
 *   journal.endJob(job.id, { outcome: "completed" });
 *   journal.close();
 */
export class Journal {
  readonly path: string;
  readonly #clock: () => Date;
  readonly #busyTimeoutMs: number;
  #db: Database.Database | undefined;

  constructor(options: JournalOptions = {}) {
    this.path = resolve(options.path ?? DEFAULT_JOURNAL_PATH);
    this.#clock = options.clock ?? (() => new Date());
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
  }

  get isOpen(): boolean {
    return this.#db !== undefined;
  }

  /**
   * Opens (creating or migrating) the file and returns the jobs found `marking` whose process
   * is gone, now `interrupted` with their last recorded progress. Nothing resumes by itself.
   */
  open(): JobRow[] {
    if (this.#db) throw new PeenmarkError("E_JOURNAL", `the journal ${this.path} is open already`);
    let db: Database.Database;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      db = new Database(this.path, { timeout: this.#busyTimeoutMs });
    } catch (e) {
      throw new PeenmarkError("E_JOURNAL", `cannot open the journal ${this.path}: ${(e as Error).message}`, { where: this.path, cause: e });
    }
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      migrate(db);
    } catch (e) {
      db.close();
      if (e instanceof PeenmarkError) throw e;
      throw new PeenmarkError("E_JOURNAL", `${this.path} is not a peenmark journal: ${(e as Error).message}`, { where: this.path, cause: e });
    }
    this.#db = db;
    return this.#durable(() => {
      const found = stmt(db, "SELECT id, owner FROM jobs WHERE outcome = 'marking'").all() as { id: number; owner: string | null }[];
      const dead = found.filter((j) => !ownerAlive(j.owner));
      const at = dead.length > 0 ? this.#now() : "";
      for (const j of dead) {
        stmt(db, "UPDATE jobs SET outcome = 'interrupted', note = ? WHERE id = ? AND outcome = 'marking'").run(INTERRUPTED_NOTE, j.id);
        logEvent(db, { at, kind: "job-interrupted", jobId: j.id, reason: INTERRUPTED_NOTE });
      }
      return dead.map((j) => this.job(j.id));
    });
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }

  /**
   * Writes a `pending` job after the serial-number rule (serial-rule.ts) passes, in one
   * IMMEDIATE transaction. Throws E_SERIAL_DUPLICATE or E_SERIAL_RESERVED otherwise, and
   * E_SCHEMA for a record that does not pass MarkingRecordSchema (which also makes it NFC).
   */
  createJob(input: NewJob): JobRow {
    const db = this.#open();
    const job: NewJob = { ...input, record: parseRecord("the job's marking record", input.record) };
    return this.#durable(() => {
      const at = this.#now();
      checkSerialRule(db, job);
      const cols = columnsOf(job, at);
      const names = Object.keys(cols);
      const id = Number(
        stmt(db, `INSERT INTO jobs (${names.join(", ")}) VALUES (${names.map((n) => `@${n}`).join(", ")})`).run(cols).lastInsertRowid,
      );
      if (job.remark) {
        logEvent(db, { at, kind: "remark", jobId: id, operator: job.remark.authorisedBy.trim(), reason: `re-marks job ${job.remark.of}: ${job.remark.reason.trim()}` });
      }
      if (job.seriesNumber) series.bindNumber(db, job.seriesNumber.seriesId, job.seriesNumber.number, id, job.record.serial);
      return this.job(id);
    });
  }

  /** pending → marking: call it just before the first byte goes to the head. */
  startJob(id: number): JobRow {
    const db = this.#open();
    return this.#durable(() => {
      const j = this.job(id);
      if (j.outcome !== "pending" || j.release) {
        throw new PeenmarkError("E_JOURNAL", `job ${id} is ${j.release ? "released" : j.outcome}: only a pending job can start`, { details: { jobId: id } });
      }
      const remarkedBy = stmt(db, "SELECT id FROM jobs WHERE remark_of = ? ORDER BY id LIMIT 1").get(id) as { id: number } | undefined;
      if (remarkedBy) {
        throw new PeenmarkError("E_SERIAL_RESERVED", `job ${id}'s serial "${j.serial}" was taken over by job ${remarkedBy.id}, a re-mark: this job can no longer start`, {
          details: { jobId: id, remarkedBy: remarkedBy.id },
        });
      }
      stmt(db, "UPDATE jobs SET outcome = 'marking', started_at = ?, owner = ? WHERE id = ?").run(this.#now(), ownerOfThisProcess(), id);
      return this.job(id);
    });
  }

  /** Where a marking job has got to. One prepared UPDATE, no fsync (see the class comment). */
  progress(id: number, p: Progress): void {
    const db = this.#open();
    const r = stmt(db, "UPDATE jobs SET last_acked_line = ?, last_executed_line = ?, strikes_done = ? WHERE id = ? AND outcome = 'marking'").run(
      p.ackedLine,
      p.executedLine,
      p.strikesDone,
      id,
    );
    if (r.changes !== 1) throw new PeenmarkError("E_JOURNAL", `job ${id} is not marking: progress can only be recorded while it marks`, { details: { jobId: id } });
  }

  /**
   * The outcome. `completed` needs a marking job and commits its series number; `aborted`
   * and `failed` may also end a pending job; a series number of a job that did not complete
   * stays reserved until an operator releases or voids it.
   */
  endJob(id: number, end: JobEnd): JobRow {
    const db = this.#open();
    return this.#durable(() => {
      const j = this.job(id);
      const allowed = j.outcome === "marking" || (j.outcome === "pending" && (end.outcome === "aborted" || end.outcome === "failed"));
      if (!allowed) throw new PeenmarkError("E_JOURNAL", `job ${id} is ${j.outcome}: it cannot end as ${end.outcome}`, { details: { jobId: id } });
      if (end.outcome === "failed" && !end.error) throw new PeenmarkError("E_JOURNAL", `job ${id} failed: say the controller's error or alarm code and text`, { where: "error" });
      const at = this.#now();
      const p = end.progress ?? j.progress;
      stmt(
        db,
        `UPDATE jobs SET outcome = ?, ended_at = ?, error_code = ?, error_text = ?, note = ?,
                         last_acked_line = ?, last_executed_line = ?, strikes_done = ? WHERE id = ?`,
      ).run(end.outcome, at, end.error?.code ?? null, end.error?.text ?? null, end.note ?? null, p.ackedLine, p.executedLine, p.strikesDone, id);
      if (end.outcome === "completed") series.commitJobNumber(db, id, at);
      return this.job(id);
    });
  }

  /**
   * An operator frees the serial an unfinished (pending or interrupted) job holds, and the
   * series number it reserved, with a reason. The job itself keeps its outcome and history.
   */
  releaseSerial(id: number, action: OperatorAction): JobRow {
    const db = this.#open();
    return this.#durable(() => {
      this.#releaseJob(db, id, action, this.#now());
      return this.job(id);
    });
  }

  job(id: number): JobRow {
    const c = stmt(this.#open(), `${JOB_SELECT} WHERE jobs.id = ?`).get(id) as JobColumns | undefined;
    if (!c) throw new PeenmarkError("E_JOURNAL", `there is no job ${id} in the journal ${this.path}`, { details: { jobId: id } });
    return jobFromColumns(c);
  }

  /**
   * Every job for this serial (any maker, ASCII case ignored), newest first. The licence
   * form as it stands on the metal, `12345678-ABC123`, finds the jobs of serial ABC123
   * under licence 12345678 too.
   */
  find(serial: string): JobRow[] {
    const q = serial.normalize("NFC").trim();
    const rows = stmt(
      this.#open(),
      `${JOB_SELECT} WHERE jobs.serial = ? OR (jobs.licence_prefix IS NOT NULL AND (jobs.licence_prefix || '-' || jobs.serial) = ? COLLATE NOCASE) ORDER BY jobs.id DESC`,
    ).all(q, q) as JobColumns[];
    return rows.map(jobFromColumns);
  }

  /** Jobs written in [from, to), optionally of one outcome, oldest first. */
  jobs(filter: Omit<ExportOptions, "format"> = {}): JobRow[] {
    const from = filter.from === undefined ? null : bound(filter.from, "from");
    const to = filter.to === undefined ? null : bound(filter.to, "to");
    const rows = stmt(
      this.#open(),
      `${JOB_SELECT} WHERE (? IS NULL OR jobs.created_at >= ?) AND (? IS NULL OR jobs.created_at < ?) AND (? IS NULL OR jobs.outcome = ?) ORDER BY jobs.id`,
    ).all(from, from, to, to, filter.outcome ?? null, filter.outcome ?? null) as JobColumns[];
    return rows.map(jobFromColumns);
  }

  /** The trace export: CSV (RFC 4180, UTF-8) or JSON, columns in export.ts. */
  exportJobs(options: ExportOptions): string {
    const jobs = this.jobs(options);
    return options.format === "csv" ? jobsToCsv(jobs) : jobsToJson(jobs);
  }

  events(filter: { jobId?: number; seriesId?: string } = {}): JournalEvent[] {
    return listEvents(this.#open(), filter);
  }

  createSeries(def: SeriesDefinition): SeriesRow {
    const db = this.#open();
    return this.#durable(() => series.createSeries(db, def, this.#now()));
  }

  series(id: string): SeriesRow {
    return series.getSeries(this.#open(), id);
  }

  listSeries(): SeriesRow[] {
    return series.listSeries(this.#open());
  }

  numbers(seriesId: string, state?: NumberState): SeriesNumber[] {
    return series.listNumbers(this.#open(), seriesId, state);
  }

  /**
   * Reserves the next number of a series for a job about to be written; the year in the
   * pattern comes from `now`. Pass the result as `seriesNumber` to createJob (after compiling
   * the program with `serial`); completing that job commits it.
   */
  reserveNext(seriesId: string, now: Date): SeriesNumber {
    const db = this.#open();
    return this.#durable(() => series.reserveNext(db, seriesId, now, this.#now()));
  }

  /** An operator makes a reserved number available again; a job holding it releases its serial too. */
  releaseReservation(seriesId: string, number: number, action: OperatorAction): SeriesNumber {
    const db = this.#open();
    return this.#durable(() => {
      const at = this.#now();
      const n = series.getNumber(db, seriesId, number);
      if (n.jobId !== undefined && n.state === "reserved") {
        const j = this.job(n.jobId);
        if (j.outcome === "marking") throw this.#busy(j);
        if ((j.outcome === "pending" || j.outcome === "interrupted") && !j.release) return this.#releaseJob(db, j.id, action, at) ?? n;
      }
      return series.releaseNumber(db, seriesId, number, action, at);
    });
  }

  /** An operator marks a reserved or released number as never to be used. */
  voidNumber(seriesId: string, number: number, action: OperatorAction): SeriesNumber {
    const db = this.#open();
    return this.#durable(() => {
      const n = series.getNumber(db, seriesId, number);
      if (n.jobId !== undefined && n.state === "reserved") {
        const j = this.job(n.jobId);
        if (j.outcome === "marking" || j.outcome === "pending") throw this.#busy(j);
      }
      return series.voidNumber(db, seriesId, number, action, this.#now());
    });
  }

  #releaseJob(db: Database.Database, id: number, action: OperatorAction, at: string): SeriesNumber | undefined {
    const j = this.job(id);
    if (j.outcome !== "pending" && j.outcome !== "interrupted") {
      throw new PeenmarkError("E_JOURNAL", `job ${id} is ${j.outcome}: only a pending or interrupted job holds a serial to release`, { details: { jobId: id } });
    }
    if (j.release) throw new PeenmarkError("E_JOURNAL", `job ${id}'s serial was released already on ${j.release.at} by ${j.release.by}`, { details: { jobId: id } });
    if (action.operator.trim() === "") throw new PeenmarkError("E_JOURNAL", `releasing job ${id}'s serial needs the operator's name`, { where: "operator" });
    if (action.reason.trim().length < 10) throw new PeenmarkError("E_JOURNAL", `releasing job ${id}'s serial needs a written reason of at least 10 characters`, { where: "reason" });
    stmt(db, "UPDATE jobs SET released_at = ?, released_by = ?, release_reason = ? WHERE id = ?").run(at, action.operator.trim(), action.reason.trim(), id);
    logEvent(db, { at, kind: "serial-released", jobId: id, operator: action.operator.trim(), reason: action.reason.trim() });
    const held = j.seriesNumber;
    if (!held) return undefined;
    if (series.getNumber(db, held.seriesId, held.number).state !== "reserved") return undefined;
    return series.releaseNumber(db, held.seriesId, held.number, action, at);
  }

  #busy(j: JobRow): PeenmarkError {
    return new PeenmarkError("E_SERIAL_RESERVED", `job ${j.id} (${j.serial}) is ${j.outcome}: end it before releasing or voiding its number`, { details: { jobId: j.id } });
  }

  /** An IMMEDIATE transaction whose commit is fsynced: job rows a crash must not lose. */
  #durable<T>(fn: () => T): T {
    const db = this.#open();
    db.pragma("synchronous = FULL");
    try {
      return db.transaction(fn).immediate();
    } finally {
      db.pragma("synchronous = NORMAL");
    }
  }

  #open(): Database.Database {
    if (!this.#db) throw new PeenmarkError("E_JOURNAL", `the journal ${this.path} is not open: call open() first`);
    return this.#db;
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}

/** A bare date (`2026-11-23`) as a bound: `from` its start, `to` the start of the next day (UTC). */
function bound(value: string, which: "from" | "to"): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const d = new Date(`${value}T00:00:00.000Z`);
    if (which === "to") d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString();
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new PeenmarkError("E_USAGE", `"${value}" is not a date or time (use 2026-11-23 or 2026-11-23T18:00:00Z)`, { where: which });
  return new Date(t).toISOString();
}
