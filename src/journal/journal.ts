import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { PeenmarkError } from "../errors.ts";
import { parseRecord } from "../profile/load.ts";
import { type JournalEvent, listEvents, logEvent } from "./events.ts";
import { type CsvOptions, jobsToCsv, jobsToJson } from "./export.ts";
import { migrate } from "./migrations.ts";
import { ownerAlive, ownerOfThisProcess, pidAlive } from "./owner.ts";
import { columnsOf, JOB_SELECT, type JobColumns, jobFromColumns } from "./rows.ts";
import * as series from "./series.ts";
import { IDENTITY_VERSION, identity } from "../record/identity.ts";
import { personName, writtenReason } from "./names.ts";
import { normaliseNewJob } from "./new-job.ts";
import { checkSerialRule, HOLDS_SQL, jobKeys, sameSerial } from "./serial-rule.ts";
import { jobWhere, type JobQuery, pageOf, type StatRow, type Statistics, statistics } from "./search.ts";
import { type AsideRecord, asideNote, SideFile } from "./side-file.ts";
import { stmt } from "./statements.ts";
import type { JobEnd, JobRow, NewJob, NumberState, OperatorAction, Outcome, Progress, SeriesDefinition, SeriesNumber, SeriesRow } from "./types.ts";

export type * from "./types.ts";
export type { JournalEvent } from "./events.ts";
export type { JobQuery, Statistics } from "./search.ts";

/** Where the journal lives unless the station's configuration says otherwise. */
export const DEFAULT_JOURNAL_PATH = "data/peenmark.db";

export const INTERRUPTED_NOTE = "service stopped while marking; position unknown: re-home before re-marking";

/** The note of a job found `marking` by open(): which lines may have run after the last confirmed one (the controller held them when the host died). */
export function interruptedNote(executed: number, sent: number): string {
  if (sent <= executed) return INTERRUPTED_NOTE;
  const range = sent === executed + 1 ? `line ${sent} was` : `lines ${executed + 1}–${sent} were`;
  return `service stopped while marking; ${range} sent to the controller after the last confirmed line (${executed}) and may have run; position unknown: re-home before re-marking`;
}

export type { AsideRecord } from "./side-file.ts";

/** The sentence for an SQLite storage failure, by its code. */
function storageSentence(code: string): string {
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "another process holds its write lock";
  if (code === "SQLITE_FULL") return "the disk is full";
  if (code.startsWith("SQLITE_IOERR")) return "the disk reports an I/O error";
  if (code.startsWith("SQLITE_READONLY")) return "its file or disk is read-only";
  if (code === "SQLITE_CANTOPEN") return "its file cannot be opened";
  if (code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB") return "its file is damaged";
  return "the database refused";
}

/** Whether `e` is SQLite failing to store (not a constraint or a bug): E_JOURNAL with a sentence, never a 500. */
export function isStorageError(e: unknown): e is Error & { code: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === "string" && /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PROTOCOL|NOMEM)/.test(code);
}

/** A job written but never started (the process died homing or checking the controller): no strike was made. */
export const NEVER_STARTED_NOTE = "service stopped before the first strike (while homing or checking the controller): nothing was struck; re-home before marking";

export interface JournalOptions {
  /** The database file; its folder is created. Default `./data/peenmark.db`. */
  readonly path?: string;
  /** The clock for created/started/ended times (the journal is an edge; tests pass a fixed one). */
  readonly clock?: () => Date;
  /** How long to wait for another process's write lock, in ms (SQLite busy_timeout). */
  readonly busyTimeoutMs?: number;
}

export interface ExportOptions extends CsvOptions {
  readonly format: "csv" | "json";
  /** Jobs written at or after this time (ISO 8601; a bare date means its start, UTC). */
  readonly from?: string;
  /** Jobs written before this time; a bare date `YYYY-MM-DD` includes that whole day. */
  readonly to?: string;
  readonly outcome?: Outcome;
  /** Jobs of this serial, by its identity (lookalikes and the licence form included). */
  readonly serial?: string;
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
  readonly #side: SideFile;
  #db: Database.Database | undefined;

  constructor(options: JournalOptions = {}) {
    this.path = resolve(options.path ?? DEFAULT_JOURNAL_PATH);
    this.#clock = options.clock ?? (() => new Date());
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    this.#side = new SideFile(this.path);
  }

  get isOpen(): boolean {
    return this.#db !== undefined;
  }

  /**
   * Opens (creating or migrating) the file and returns the jobs whose process is gone: found
   * `marking` (now `interrupted` with their last recorded progress) or `pending` (never
   * started; now `interrupted` with nothing struck). Nothing resumes by itself.
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
    try {
      this.#applyAside(db);
    } catch (e) {
      db.close();
      this.#db = undefined;
      throw e;
    }
    return this.#durable(() => {
      rekey(db);
      // A pending job is written before homing; its process may die there too (owner: since schema 3).
      const found = stmt(db, "SELECT id, outcome, owner, last_executed_line, last_sent_line FROM jobs WHERE outcome IN ('marking', 'pending') AND released_at IS NULL").all() as {
        id: number;
        outcome: Outcome;
        owner: string | null;
        last_executed_line: number;
        last_sent_line: number;
      }[];
      const dead = found.filter((j) => !ownerAlive(j.owner));
      const at = dead.length > 0 ? this.#now() : "";
      for (const j of dead) {
        const note = j.outcome === "marking" ? interruptedNote(Number(j.last_executed_line), Number(j.last_sent_line)) : NEVER_STARTED_NOTE;
        stmt(db, "UPDATE jobs SET outcome = 'interrupted', note = ? WHERE id = ? AND outcome = ?").run(note, j.id, j.outcome);
        logEvent(db, { at, kind: "job-interrupted", jobId: j.id, reason: note });
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
    const job = normaliseNewJob(input);
    return this.#durable(() => {
      const at = this.#now();
      checkSerialRule(db, job);
      const cols = columnsOf(job, at, ownerOfThisProcess());
      const names = Object.keys(cols);
      const id = Number(
        stmt(db, `INSERT INTO jobs (${names.join(", ")}) VALUES (${names.map((n) => `@${n}`).join(", ")})`).run(cols).lastInsertRowid,
      );
      if (job.remark) {
        logEvent(db, { at, kind: "remark", jobId: id, operator: job.remark.authorisedBy, reason: `re-marks job ${job.remark.of}: ${job.remark.reason}` });
        if (job.remark.currentProfile)
          logEvent(db, { at, kind: "remark-current-profile", jobId: id, operator: job.remark.authorisedBy, reason: `profile ${job.profile.id} ${job.profile.hash} instead of job ${job.remark.of}'s version: ${job.remark.currentProfile.reason}` });
      }
      if (job.seriesNumber) series.bindNumber(db, job.seriesNumber.seriesId, job.seriesNumber.number, id, job.record.serial);
      return this.job(id);
    });
  }

  /**
   * The serial-number rule for a job about to be written, without writing it (read only, no
   * lock): the runner asks before it talks to the controller, so a refused serial sends the
   * head nothing. createJob checks again in its transaction.
   */
  checkSerial(input: NewJob): void {
    const db = this.#open();
    try {
      checkSerialRule(db, { ...input, record: parseRecord("the job's marking record", input.record) });
    } catch (e) {
      throw this.#storage(e);
    }
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

  /**
   * Where a marking job has got to. One prepared UPDATE, no fsync (see the class comment).
   * `wait: false` does not wait for another process's lock (the progress writer retries
   * instead): a locked journal is E_JOURNAL with `details.storage` SQLITE_BUSY at once.
   */
  progress(id: number, p: Progress, options: { wait?: boolean } = {}): void {
    const db = this.#open();
    const noWait = options.wait === false;
    let changes: number;
    try {
      if (noWait) db.pragma("busy_timeout = 0");
      try {
        changes = this.#writeProgress(db, id, p);
      } finally {
        if (noWait) db.pragma(`busy_timeout = ${Math.max(0, Math.round(this.#busyTimeoutMs))}`);
      }
    } catch (e) {
      throw this.#storage(e, `job ${id}'s progress`);
    }
    if (changes !== 1) throw new PeenmarkError("E_JOURNAL", `job ${id} is not marking: progress can only be recorded while it marks`, { details: { jobId: id } });
  }

  #writeProgress(db: Database.Database, id: number, p: Progress): number {
    return stmt(db, "UPDATE jobs SET last_acked_line = ?, last_executed_line = ?, strikes_done = ?, last_sent_line = max(last_sent_line, ?) WHERE id = ? AND outcome = 'marking'").run(
      p.ackedLine,
      p.executedLine,
      p.strikesDone,
      p.sentLine ?? 0,
      id,
    ).changes;
  }

  /**
   * The outcome. `completed` needs a marking job and commits its series number; `aborted`
   * and `failed` may also end a pending job; a series number of a job that did not complete
   * stays reserved until an operator releases or voids it.
   */
  endJob(id: number, end: JobEnd, options: { wait?: boolean } = {}): JobRow {
    const db = this.#open();
    return this.#durable(() => this.#end(db, id, end), options.wait === false);
  }

  #end(db: Database.Database, id: number, end: JobEnd): JobRow {
    {
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
      if (p.sentLine !== undefined) stmt(db, "UPDATE jobs SET last_sent_line = max(last_sent_line, ?) WHERE id = ?").run(p.sentLine, id);
      if (end.outcome === "completed") series.commitJobNumber(db, id, at);
      return this.job(id);
    }
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
   * Every job for this serial (any maker), newest first, by the serial's identity: case,
   * invisible characters and lookalike letters do not part two serials (record/identity.ts).
   * The licence form as it stands on the metal, `12345678-ABC123`, finds the jobs of serial
   * ABC123 under licence 12345678 too.
   */
  find(serial: string): JobRow[] {
    const k = identity(serial);
    const rows = stmt(this.#open(), `${JOB_SELECT} WHERE jobs.serial_key = ? OR jobs.licence_key = ? ORDER BY jobs.id DESC`).all(k, k) as JobColumns[];
    return rows.map(jobFromColumns);
  }

  /** The newest job that is the same serial as `record` (same maker or licence, or the same licence form): what a re-mark without `of` re-marks. */
  lastJobOf(record: { readonly serial: string; readonly manufacturer: string; readonly licencePrefix?: string | undefined }): JobRow | undefined {
    const earlier = sameSerial(this.#open(), record);
    const last = earlier[earlier.length - 1];
    return last === undefined ? undefined : this.job(last.id);
  }

  /** Jobs written in [from, to), optionally of one outcome, oldest first. */
  jobs(filter: Omit<ExportOptions, "format"> = {}): JobRow[] {
    const from = filter.from === undefined ? null : bound(filter.from, "from");
    const to = filter.to === undefined ? null : bound(filter.to, "to");
    const key = filter.serial === undefined ? null : identity(filter.serial);
    const rows = stmt(
      this.#open(),
      `${JOB_SELECT} WHERE (@from IS NULL OR jobs.created_at >= @from) AND (@to IS NULL OR jobs.created_at < @to) AND (@outcome IS NULL OR jobs.outcome = @outcome)
         AND (@key IS NULL OR jobs.serial_key = @key OR jobs.licence_key = @key) ORDER BY jobs.id`,
    ).all({ from, to, outcome: filter.outcome ?? null, key }) as JobColumns[];
    return rows.map(jobFromColumns);
  }

  /**
   * A page of jobs, newest first, and how many match in all: parts of a serial or maker (by
   * identity), of a model, a time range, a station, an outcome (search.ts).
   */
  search(q: JobQuery = {}): { jobs: JobRow[]; total: number; limit: number; offset: number } {
    const db = this.#open();
    const { limit, offset } = pageOf(q);
    const where = jobWhere({
      ...q,
      ...(q.from === undefined ? {} : { from: bound(q.from, "from") }),
      ...(q.to === undefined ? {} : { to: bound(q.to, "to") }),
    });
    const total = Number((stmt(db, `SELECT count(*) AS n FROM jobs WHERE ${where.sql}`).get(where.params) as { n: number }).n);
    const rows = stmt(db, `${JOB_SELECT} WHERE ${where.sql} ORDER BY jobs.created_at DESC, jobs.id DESC LIMIT @limit OFFSET @offset`).all({ ...where.params, limit, offset }) as JobColumns[];
    return { jobs: rows.map(jobFromColumns), total, limit, offset };
  }

  /** The jobs that re-mark job `id`, oldest first. */
  remarksOf(id: number): JobRow[] {
    return (stmt(this.#open(), `${JOB_SELECT} WHERE jobs.remark_of = ? ORDER BY jobs.id`).all(id) as JobColumns[]).map(jobFromColumns);
  }

  /** Marks per local day (in `timeZone`), station and technician, with failures, interruptions and re-marks, for jobs written in [from, to). */
  statistics(range: { from?: string; to?: string } = {}, timeZone = "UTC"): Statistics {
    const from = range.from === undefined ? null : bound(range.from, "from");
    const to = range.to === undefined ? null : bound(range.to, "to");
    const rows = stmt(
      this.#open(),
      `SELECT created_at, outcome, station_id, technician, remark_of FROM jobs
        WHERE (@from IS NULL OR created_at >= @from) AND (@to IS NULL OR created_at < @to) ORDER BY id`,
    ).all({ from, to }) as { created_at: string; outcome: Outcome; station_id: string; technician: string; remark_of: number | null }[];
    const counted: StatRow[] = rows.map((r) => ({ createdAt: r.created_at, outcome: r.outcome, stationId: r.station_id, technician: r.technician, remark: r.remark_of !== null }));
    return statistics(counted, timeZone);
  }

  /** The trace export: CSV (RFC 4180, UTF-8) or JSON, columns in export.ts. */
  exportJobs(options: ExportOptions): string {
    const jobs = this.jobs(options);
    return options.format === "csv" ? jobsToCsv(jobs, options) : jobsToJson(jobs);
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

  /** The number and serial the series would hand out next (nothing reserved); undefined when it is exhausted. */
  peekNext(seriesId: string, now: Date): { number: number; serial: string } | undefined {
    return series.peekNext(this.#open(), seriesId, now);
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
        if (!j.release && this.#holds(db, j.id)) return this.#releaseJob(db, j.id, action, at) ?? n;
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
    if (!this.#holds(db, id)) {
      throw new PeenmarkError("E_JOURNAL", `job ${id} is ${j.outcome}: only a pending or interrupted job, or one aborted or failed after it may have struck the part, holds a serial to release`, { details: { jobId: id } });
    }
    if (j.release) throw new PeenmarkError("E_JOURNAL", `job ${id}'s serial was released already on ${j.release.at} by ${j.release.by}`, { details: { jobId: id } });
    const operator = personName(action.operator, "operator");
    const reason = writtenReason(action.reason);
    if (operator === "") throw new PeenmarkError("E_JOURNAL", `releasing job ${id}'s serial needs the operator's name`, { where: "operator" });
    if (reason.length < 10) throw new PeenmarkError("E_JOURNAL", `releasing job ${id}'s serial needs a written reason of at least 10 characters`, { where: "reason" });
    stmt(db, "UPDATE jobs SET released_at = ?, released_by = ?, release_reason = ? WHERE id = ?").run(at, operator, reason, id);
    logEvent(db, { at, kind: "serial-released", jobId: id, operator, reason });
    const held = j.seriesNumber;
    if (!held) return undefined;
    if (series.getNumber(db, held.seriesId, held.number).state !== "reserved") return undefined;
    return series.releaseNumber(db, held.seriesId, held.number, { operator, reason }, at);
  }

  /** The job's outcome holds its serial (serial-rule.ts HOLDS_SQL), release aside. */
  #holds(db: Database.Database, id: number): boolean {
    return (stmt(db, `SELECT ${HOLDS_SQL} AS holds FROM jobs WHERE id = ?`).get(id) as { holds: number } | undefined)?.holds === 1;
  }

  /** Whether job `id` holds its serial now: unfinished, or ended after it may have struck the part, and not released. */
  holdsSerial(id: number): boolean {
    const j = this.job(id);
    return !j.release && this.#holds(this.#open(), id);
  }

  #busy(j: JobRow): PeenmarkError {
    return new PeenmarkError("E_SERIAL_RESERVED", `job ${j.id} (${j.serial}) is ${j.outcome}: end it before releasing or voiding its number`, { details: { jobId: j.id } });
  }

  /** An IMMEDIATE transaction whose commit is fsynced: job rows a crash must not lose. */
  #durable<T>(fn: () => T, noWait = false): T {
    const db = this.#open();
    try {
      db.pragma("synchronous = FULL");
      if (noWait) db.pragma("busy_timeout = 0");
      try {
        return db.transaction(fn).immediate();
      } finally {
        db.pragma("synchronous = NORMAL");
        if (noWait) db.pragma(`busy_timeout = ${Math.max(0, Math.round(this.#busyTimeoutMs))}`);
      }
    } catch (e) {
      throw this.#storage(e);
    }
  }

  /** SQLite failing to store, as E_JOURNAL with a sentence (details.storage: SQLite's code); anything else unchanged. */
  #storage(e: unknown, doing = "this"): unknown {
    if (!isStorageError(e)) return e;
    return new PeenmarkError("E_JOURNAL", `the journal ${this.path} cannot record ${doing}: ${storageSentence(e.code)} (${e.code}); the station keeps what it could not write and writes it when the journal can`, {
      details: { storage: e.code },
      cause: e,
    });
  }

  // ------------------------------------------------------------------ the side file

  /** This process's side file: records the journal could not take, append-only, next to it. */
  get sidePath(): string {
    return this.#side.path;
  }

  /**
   * Keep a record the journal could not take, in the side file (appended and fsynced). Throws
   * (an fs error) when the disk cannot take it either: the caller keeps it in memory.
   */
  keepAside(record: AsideRecord): void {
    this.#side.keep(record);
  }

  /** Everything kept aside has reached the journal: the side file goes. */
  clearAside(): void {
    this.#side.clear();
  }

  /**
   * Side files of processes that are gone (and this one's, at open): their records, oldest
   * first, go into the journal — a job's outcome the journal could not take when the head
   * finished is written now, not lost to "interrupted".
   */
  #applyAside(db: Database.Database): void {
    for (const { records, remove } of this.#side.leftBehind()) {
      this.#durable(() => {
        for (const r of records) {
          const j = stmt(db, "SELECT outcome FROM jobs WHERE id = ?").get(r.jobId) as { outcome: Outcome } | undefined;
          if (!j || j.outcome !== "marking") continue;
          if (r.kind === "progress") this.#writeProgress(db, r.jobId, r.progress);
          else this.#end(db, r.jobId, { ...r.end, note: asideNote(r) });
        }
      });
      remove();
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

/**
 * A date filter as a bound: a bare date (`2026-11-23`) is `from` its start, `to` the start of
 * the next day (UTC); a time is ISO 8601 with its zone (`2026-11-23T18:00:00Z`, `…-06:00`).
 * Read strictly: `2026-02-31` is no date (not March 3), `2026-13-01` no month.
 */
export function bound(value: string, which: "from" | "to"): string {
  const fail = (why: string) =>
    new PeenmarkError("E_USAGE", `${which} "${value}" is not a date: ${why} (use 2026-11-23 or 2026-11-23T18:00:00Z)`, { where: which, details: { [which]: value } });
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(value);
  if (!m) throw fail("expected YYYY-MM-DD, or YYYY-MM-DDThh:mm[:ss]Z");
  const [, y, mo, d, h, mi, sec, , zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) throw fail(`month ${mo} does not exist`);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) throw fail(`${y}-${mo} has no day ${d}`);
  if (h === undefined) {
    const t = Date.UTC(year, month - 1, day + (which === "to" ? 1 : 0));
    return new Date(t).toISOString();
  }
  if (Number(h) > 23) throw fail(`hour ${h} does not exist`);
  if (Number(mi) > 59) throw fail(`minute ${mi} does not exist`);
  if (sec !== undefined && Number(sec) > 59) throw fail(`second ${sec} does not exist`);
  if (zone !== "Z" && (Number(zone!.slice(1, 3)) > 14 || Number(zone!.slice(4, 6)) > 59)) throw fail(`time zone ${zone} does not exist`);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw fail("not a time this station can read");
  return new Date(t).toISOString();
}

/** The identity version the stored keys were computed with (settings.identity_version). */
const IDENTITY_SETTING = "identity_version";

/**
 * Computes every job's identity keys again when they were computed under another identity
 * version (or not at all: journals from before schema 3). Inside open()'s transaction.
 */
function rekey(db: Database.Database): void {
  const have = stmt(db, "SELECT value FROM settings WHERE key = ?").get(IDENTITY_SETTING) as { value: string } | undefined;
  if (have?.value === IDENTITY_VERSION) return;
  const update = stmt(db, "UPDATE jobs SET serial_key = @serialKey, maker_key = @makerKey, licence_key = @licenceKey WHERE id = @id");
  for (const j of stmt(db, "SELECT id, serial, manufacturer, licence_prefix FROM jobs").all() as { id: number; serial: string; manufacturer: string; licence_prefix: string | null }[]) {
    update.run({ id: j.id, ...jobKeys({ serial: j.serial, manufacturer: j.manufacturer, licencePrefix: j.licence_prefix ?? undefined }) });
  }
  stmt(db, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(IDENTITY_SETTING, IDENTITY_VERSION);
}
