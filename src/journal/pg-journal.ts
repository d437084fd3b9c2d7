import { randomUUID } from "node:crypto";
import pg from "pg";
import { PeenmarkError } from "../errors.ts";
import { IDENTITY_VERSION, identity, sameIdentity } from "../record/identity.ts";
import type { JournalEngine } from "./engine.ts";
import type { EventKind, JournalEvent } from "./events.ts";
import { jobsToCsv, jobsToJson } from "./export.ts";
import { checkLeaseTerms, checkOfflineJob, type Lease, type LeaseTerms, type OfflineJob } from "./lease.ts";
import { bound, type ExportOptions, interruptedNote, NEVER_STARTED_NOTE } from "./journal.ts";
import { personName, writtenReason } from "./names.ts";
import { normaliseNewJob } from "./new-job.ts";
import { ownerAlive, ownerOfThisProcess } from "./owner.ts";
import { formatSerial, parseSeriesPattern } from "./pattern.ts";
import { migratePg } from "./pg-migrations.ts";
import { columnsOf, JOB_SELECT, type JobColumns, jobFromColumns } from "./rows.ts";
import { jobWhere, type JobQuery, pageOf, type StatRow, type Statistics, statistics } from "./search.ts";
import { checkSeriesDefinition, type NumberColumns, numberFromColumns, requireAction, type SeriesColumns, seriesRow } from "./series.ts";
import { decideSerialRule, type Earlier, HOLDS_SQL, jobKeys } from "./serial-rule.ts";
import { type AsideRecord, asideNote, SideFile } from "./side-file.ts";
import { opt } from "./statements.ts";
import type { JobEnd, JobRow, NewJob, NumberState, OperatorAction, Outcome, Progress, SeriesDefinition, SeriesNumber, SeriesRow } from "./types.ts";

export interface PgJournalOptions {
  /** `postgres://user:password@host:5432/database?sslmode=verify-full` (libpq's URL form). */
  readonly url: string;
  /**
   * This station's id (stations/*.json `id`). open() interrupts only this station's jobs whose
   * process is gone: another station's live job is never touched. Without one (a trace desk,
   * `peenmark journal` on a supervisor's PC) open() interrupts nothing.
   */
  readonly stationId?: string | undefined;
  readonly clock?: () => Date;
  /** A schema to work in instead of the user's default (`search_path`): tests use one each. */
  readonly schema?: string;
  /**
   * How long a write keeps trying while the registry cannot be reached (a restart, a dropped
   * link), in ms, before it fails with E_REGISTRY_UNREACHABLE. Default 15 s.
   */
  readonly reconnectMs?: number;
  /** Connections in the pool. Default 4. */
  readonly poolSize?: number;
  /**
   * How long one statement may go unanswered before its connection is dropped as lost, ms: a
   * registry that stops answering (a link that drops packets, a server that hangs) is then a
   * lost link, not a wait without end. Default 10 s.
   */
  readonly queryTimeoutMs?: number;
  /**
   * The side file's base path on this computer (side-file.ts): what a job under way could not
   * write to the registry is kept there and entered at the next open(). A station passes one
   * in its data dir; without one, what cannot be written is kept in memory only.
   */
  readonly sideFile?: string;
}

/** Serialization conflicts in a row before a write gives up (each is another station winning a race). */
const MAX_CONFLICT_RETRIES = 200;

/** SQLSTATEs after which the same transaction may simply be run again. */
const CONFLICT = new Set(["40001", "40P01"]);
/** The server went away or is starting or stopping: nothing is known to have committed, unless it was the COMMIT. */
const GONE_SQLSTATE = /^(08|57P0[123])/;
const GONE_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

function isGone(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  if (typeof err?.code === "string" && (GONE_SQLSTATE.test(err.code) || GONE_ERRNO.has(err.code))) return true;
  const m = String(err?.message ?? "");
  return /Connection terminated|connection .*closed|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout/i.test(m);
}

/** The URL for messages: no password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unreadable URL)";
  }
}

type Q = <R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<R[]>;

/** One transaction's view: a query function and which attempt this is (0 first; >0 after a conflict or a lost link). */
interface Tx {
  readonly q: Q;
  readonly attempt: number;
  /** The previous attempt lost the link: it may have committed (the COMMIT was sent, its answer lost). */
  readonly afterLostLink: boolean;
}

const intParser = (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new PeenmarkError("E_JOURNAL", `the registry returned the integer ${v}, beyond what this station can count exactly`);
  return n;
};


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The journal on PostgreSQL: one registry shared by every station of a country. The same
 * methods and the same rules as the SQLite `Journal` (journal.ts), asynchronous.
 *
 * Every write is one SERIALIZABLE transaction: the serial rule reads the earlier jobs of the
 * serial and inserts the new one in the same transaction, and PostgreSQL's serializable
 * isolation (SSI) lets at most one of two stations doing that for the same serial commit; the
 * other is told to retry (SQLSTATE 40001), does, finds the first station's job and is refused
 * with E_SERIAL_RESERVED or E_SERIAL_DUPLICATE. A series' next number is taken under a row
 * lock on the series (`SELECT … FOR UPDATE`, READ COMMITTED: stations queue on the lock
 * instead of retrying). No lock of our own: the engine's.
 *
 * A write that loses the link is tried again until `reconnectMs` has passed. A job or a series
 * reservation carries a request id chosen before the first attempt (unique in the registry),
 * so a COMMIT whose answer was lost is found, not written twice; the other writes check on a
 * retry whether what they were doing is already so.
 */
export class PgJournal implements JournalEngine {
  readonly kind = "postgres" as const;
  readonly where: string;
  readonly stationId: string | undefined;
  readonly #url: string;
  readonly #clock: () => Date;
  readonly #schema: string | undefined;
  readonly #reconnectMs: number;
  readonly #poolSize: number;
  readonly #queryTimeoutMs: number;
  readonly #side: SideFile | undefined;
  #pool: pg.Pool | undefined;

  constructor(options: PgJournalOptions) {
    this.#url = options.url;
    this.where = redactUrl(options.url);
    if (options.stationId !== undefined && !/^[\p{L}\p{N}._-]{1,64}$/u.test(options.stationId)) {
      throw new PeenmarkError("E_USAGE", `station id "${options.stationId}" is not 1–64 letters, digits, '.', '_' or '-'`, { where: "stationId" });
    }
    this.stationId = options.stationId;
    this.#clock = options.clock ?? (() => new Date());
    if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
      throw new PeenmarkError("E_USAGE", `schema "${options.schema}" is not a plain lower-case SQL name`, { where: "schema" });
    }
    this.#schema = options.schema;
    this.#reconnectMs = options.reconnectMs ?? 15_000;
    this.#poolSize = options.poolSize ?? 4;
    this.#queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
    this.#side = options.sideFile === undefined ? undefined : new SideFile(options.sideFile);
  }

  get isOpen(): boolean {
    return this.#pool !== undefined;
  }

  async open(): Promise<JobRow[]> {
    if (this.#pool) throw new PeenmarkError("E_JOURNAL", `the registry ${this.where} is open already`);
    const types = {
      getTypeParser: ((oid: number, format?: string) => (oid === 20 ? intParser : pg.types.getTypeParser(oid, format as "text"))) as typeof pg.types.getTypeParser,
    };
    const pool = new pg.Pool({
      connectionString: this.#url,
      max: this.#poolSize,
      connectionTimeoutMillis: Math.min(5_000, this.#queryTimeoutMs),
      query_timeout: this.#queryTimeoutMs,
      keepAlive: true,
      types,
      ...(this.#schema ? { options: `-c search_path=${this.#schema}` } : {}),
      application_name: `peenmark ${this.stationId ?? "(no station)"}`,
    });
    // An idle connection the server closed (a restart) is dropped by the pool; without a
    // listener the error would end the process.
    pool.on("error", () => undefined);
    // A connection in use when the server goes away emits "error" on its client, and the query
    // under way rejects: the rejection is what #tx and #read act on; the event needs a listener.
    pool.on("connect", (client) => client.on("error", () => undefined));
    this.#pool = pool;
    try {
      await this.#withRetry(async () => {
        const c = await pool.connect();
        try {
          await migratePg(c);
        } finally {
          c.release();
        }
      });
    } catch (e) {
      this.#pool = undefined;
      await pool.end().catch(() => undefined);
      if (e instanceof PeenmarkError) throw e;
      throw new PeenmarkError("E_JOURNAL", `cannot open the registry ${this.where}: ${(e as Error).message}`, { where: this.where, cause: e });
    }
    await this.#applyAside();
    return this.#tx(async ({ q }) => {
      await this.#rekey(q);
      if (this.stationId === undefined) return [];
      const found = await q<{ id: number; outcome: Outcome; owner: string | null; last_executed_line: number; last_sent_line: number }>(
        "SELECT id, outcome, owner, last_executed_line, last_sent_line FROM jobs WHERE station_id = $1 AND outcome IN ('marking', 'pending') AND released_at IS NULL ORDER BY id",
        [this.stationId],
      );
      const dead = found.filter((j) => !ownerAlive(j.owner));
      const at = dead.length > 0 ? this.#now() : "";
      for (const j of dead) {
        const note = j.outcome === "marking" ? interruptedNote(Number(j.last_executed_line), Number(j.last_sent_line)) : NEVER_STARTED_NOTE;
        changed(await q("UPDATE jobs SET outcome = 'interrupted', note = $1 WHERE id = $2 AND outcome = $3 RETURNING id", [note, j.id, j.outcome]), j.id, this.where);
        await logEvent(q, { at, kind: "job-interrupted", jobId: j.id, reason: note });
      }
      const out: JobRow[] = [];
      for (const j of dead) out.push(await jobOf(q, j.id, this.where));
      return out;
    });
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  /** One `SELECT 1`, no waiting for a lost link to come back: E_REGISTRY_UNREACHABLE at once if it is lost. */
  async ping(): Promise<void> {
    try {
      await this.#poolOf().query("SELECT 1");
    } catch (e) {
      if (isGone(e)) throw this.#unreachable(e);
      throw e;
    }
  }

  async checkSerial(input: NewJob): Promise<void> {
    const job = normaliseNewJob(input);
    await this.#read(async (q) => decideSerialRule(job, await sameSerial(q, job.record)));
  }

  async createJob(input: NewJob): Promise<JobRow> {
    const job = normaliseNewJob(input);
    const requestId = `${this.stationId ?? "-"}:${randomUUID()}`;
    return this.#tx(async ({ q, afterLostLink }) => {
      if (afterLostLink) {
        const mine = await q<{ id: number }>("SELECT id FROM jobs WHERE request_id = $1", [requestId]);
        if (mine[0]) return jobOf(q, mine[0].id, this.where);
      }
      const at = this.#now();
      decideSerialRule(job, await sameSerial(q, job.record));
      const cols = { ...columnsOf(job, at, ownerOfThisProcess()), request_id: requestId };
      const names = Object.keys(cols);
      const rows = await q<{ id: number }>(`INSERT INTO jobs (${names.join(", ")}) VALUES (${names.map((_, i) => `$${i + 1}`).join(", ")}) RETURNING id`, Object.values(cols));
      const id = rows[0]!.id;
      if (job.remark) {
        await logEvent(q, { at, kind: "remark", jobId: id, operator: job.remark.authorisedBy, reason: `re-marks job ${job.remark.of}: ${job.remark.reason}` });
        if (job.remark.currentProfile)
          await logEvent(q, { at, kind: "remark-current-profile", jobId: id, operator: job.remark.authorisedBy, reason: `profile ${job.profile.id} ${job.profile.hash} instead of job ${job.remark.of}'s version: ${job.remark.currentProfile.reason}` });
      }
      if (job.seriesNumber) await bindNumber(q, job.seriesNumber.seriesId, job.seriesNumber.number, id, job.record.serial);
      return jobOf(q, id, this.where);
    });
  }

  async startJob(id: number): Promise<JobRow> {
    const owner = ownerOfThisProcess();
    return this.#tx(async ({ q, afterLostLink }) => {
      const j = await jobOf(q, id, this.where);
      if (afterLostLink && j.outcome === "marking" && (await ownerOf(q, id)) === owner) return j;
      if (j.outcome !== "pending" || j.release) {
        throw new PeenmarkError("E_JOURNAL", `job ${id} is ${j.release ? "released" : j.outcome}: only a pending job can start`, { details: { jobId: id } });
      }
      const remarkedBy = (await q<{ id: number }>("SELECT id FROM jobs WHERE remark_of = $1 ORDER BY id LIMIT 1", [id]))[0];
      if (remarkedBy) {
        throw new PeenmarkError("E_SERIAL_RESERVED", `job ${id}'s serial "${j.serial}" was taken over by job ${remarkedBy.id}, a re-mark: this job can no longer start`, {
          details: { jobId: id, remarkedBy: remarkedBy.id },
        });
      }
      changed(await q("UPDATE jobs SET outcome = 'marking', started_at = $1, owner = $2 WHERE id = $3 RETURNING id", [this.#now(), owner, id]), id, this.where);
      return jobOf(q, id, this.where);
    });
  }

  async progress(id: number, p: Progress, options: { wait?: boolean } = {}): Promise<void> {
    // One UPDATE outside a serializable transaction: it reads nothing the serial rule weighs.
    // Repeating it after a lost link writes the same values again.
    const n = await this.#withRetry(async () => {
      const r = await this.#poolOf().query(
        "UPDATE jobs SET last_acked_line = $1, last_executed_line = $2, strikes_done = $3, last_sent_line = GREATEST(last_sent_line, $5) WHERE id = $4 AND outcome = 'marking'",
        [p.ackedLine, p.executedLine, p.strikesDone, id, p.sentLine ?? 0],
      );
      return r.rowCount;
    }, options.wait === false ? 0 : this.#reconnectMs);
    if (n !== 1) throw new PeenmarkError("E_JOURNAL", `job ${id} is not marking: progress can only be recorded while it marks`, { details: { jobId: id } });
  }

  async endJob(id: number, end: JobEnd, options: { wait?: boolean } = {}): Promise<JobRow> {
    return this.#tx(
      async ({ q, afterLostLink }) => {
        if (afterLostLink) {
          const j = await jobOf(q, id, this.where);
          if (j.outcome === end.outcome && j.endedAt !== undefined) return j;
        }
        return this.#end(q, id, end);
      },
      "SERIALIZABLE",
      options.wait === false ? 0 : this.#reconnectMs,
    );
  }

  async #end(q: Q, id: number, end: JobEnd): Promise<JobRow> {
    const j = await jobOf(q, id, this.where);
    const allowed = j.outcome === "marking" || (j.outcome === "pending" && (end.outcome === "aborted" || end.outcome === "failed"));
    if (!allowed) throw new PeenmarkError("E_JOURNAL", `job ${id} is ${j.outcome}: it cannot end as ${end.outcome}`, { details: { jobId: id } });
    if (end.outcome === "failed" && !end.error) throw new PeenmarkError("E_JOURNAL", `job ${id} failed: say the controller's error or alarm code and text`, { where: "error" });
    const at = this.#now();
    const p = end.progress ?? j.progress;
    changed(
      await q(
        `UPDATE jobs SET outcome = $1, ended_at = $2, error_code = $3, error_text = $4, note = $5,
                         last_acked_line = $6, last_executed_line = $7, strikes_done = $8 WHERE id = $9 RETURNING id`,
        [end.outcome, at, end.error?.code ?? null, end.error?.text ?? null, end.note ?? null, p.ackedLine, p.executedLine, p.strikesDone, id],
      ),
      id,
      this.where,
    );
    if (end.outcome === "completed") await q("UPDATE series_numbers SET state = 'committed', updated_at = $1 WHERE job_id = $2 AND state = 'reserved'", [at, id]);
    return jobOf(q, id, this.where);
  }

  keepAside(record: AsideRecord): void {
    if (!this.#side) throw new Error(`the registry ${this.where} has no side file on this station (sideFile): kept in memory only`);
    this.#side.keep(record);
  }

  clearAside(): void {
    this.#side?.clear();
  }

  /**
   * The side files this station's gone processes left (and this one's): progress and outcomes
   * the registry could not take while a job ran, entered now, oldest first. A record for a job
   * that no longer marks (ended meanwhile, another station's) is passed over; a file is removed
   * once all its records are in.
   */
  async #applyAside(): Promise<void> {
    if (!this.#side) return;
    for (const { records, remove } of this.#side.leftBehind()) {
      await this.#tx(async ({ q }) => {
        for (const r of records) {
          const j = (await q<{ outcome: Outcome; station_id: string }>("SELECT outcome, station_id FROM jobs WHERE id = $1", [r.jobId]))[0];
          if (!j || j.outcome !== "marking" || j.station_id !== this.stationId) continue;
          if (r.kind === "progress") {
            await q("UPDATE jobs SET last_acked_line = $1, last_executed_line = $2, strikes_done = $3, last_sent_line = GREATEST(last_sent_line, $5) WHERE id = $4 AND outcome = 'marking'", [
              r.progress.ackedLine,
              r.progress.executedLine,
              r.progress.strikesDone,
              r.jobId,
              r.progress.sentLine ?? 0,
            ]);
          } else await this.#end(q, r.jobId, { ...r.end, note: asideNote(r, `the registry ${this.where}`) });
        }
      });
      remove();
    }
  }

  async releaseSerial(id: number, action: OperatorAction): Promise<JobRow> {
    return this.#tx(async ({ q, afterLostLink }) => {
      const j = await jobOf(q, id, this.where);
      if (afterLostLink && j.release && j.release.reason === writtenReason(action.reason)) return j;
      await this.#releaseJob(q, id, action, this.#now());
      return jobOf(q, id, this.where);
    });
  }

  async job(id: number): Promise<JobRow> {
    return this.#read((q) => jobOf(q, id, this.where));
  }

  async holdsSerial(id: number): Promise<boolean> {
    return this.#read(async (q) => {
      await jobOf(q, id, this.where);
      const [h] = await q<{ holds: number }>(`SELECT (${HOLDS_SQL} AND released_at IS NULL)::int AS holds FROM jobs WHERE id = $1`, [id]);
      return h?.holds === 1;
    });
  }

  async find(serial: string): Promise<JobRow[]> {
    const k = identity(serial);
    return this.#read(async (q) => (await q<JobColumns>(`${JOB_SELECT} WHERE jobs.serial_key = $1 OR jobs.licence_key = $1 ORDER BY jobs.id DESC`, [k])).map(jobFromColumns));
  }

  async lastJobOf(record: { readonly serial: string; readonly manufacturer: string; readonly licencePrefix?: string | undefined }): Promise<JobRow | undefined> {
    return this.#read(async (q) => {
      const earlier = await sameSerial(q, record);
      const last = earlier[earlier.length - 1];
      return last === undefined ? undefined : jobOf(q, last.id, this.where);
    });
  }

  async jobs(filter: Omit<ExportOptions, "format"> = {}): Promise<JobRow[]> {
    const from = filter.from === undefined ? null : bound(filter.from, "from");
    const to = filter.to === undefined ? null : bound(filter.to, "to");
    const key = filter.serial === undefined ? null : identity(filter.serial);
    return this.#read(async (q) =>
      (
        await q<JobColumns>(
          `${JOB_SELECT} WHERE ($1::text IS NULL OR jobs.created_at >= $1) AND ($2::text IS NULL OR jobs.created_at < $2) AND ($3::text IS NULL OR jobs.outcome = $3)
             AND ($4::text IS NULL OR jobs.serial_key = $4 OR jobs.licence_key = $4) ORDER BY jobs.id`,
          [from, to, filter.outcome ?? null, key],
        )
      ).map(jobFromColumns),
    );
  }

  async search(query: JobQuery = {}): Promise<{ jobs: JobRow[]; total: number; limit: number; offset: number }> {
    const { limit, offset } = pageOf(query);
    const where = jobWhere({
      ...query,
      ...(query.from === undefined ? {} : { from: bound(query.from, "from") }),
      ...(query.to === undefined ? {} : { to: bound(query.to, "to") }),
    });
    return this.#read(async (q) => {
      const count = positional(`SELECT count(*) AS n FROM jobs WHERE ${where.sql}`, where.params);
      const total = (await q<{ n: number }>(count.sql, count.values))[0]!.n;
      const page = positional(`${JOB_SELECT} WHERE ${where.sql} ORDER BY jobs.created_at DESC, jobs.id DESC LIMIT @limit OFFSET @offset`, { ...where.params, limit, offset });
      const rows = await q<JobColumns>(page.sql, page.values);
      return { jobs: rows.map(jobFromColumns), total, limit, offset };
    });
  }

  async remarksOf(id: number): Promise<JobRow[]> {
    return this.#read(async (q) => (await q<JobColumns>(`${JOB_SELECT} WHERE jobs.remark_of = $1 ORDER BY jobs.id`, [id])).map(jobFromColumns));
  }

  async statistics(range: { from?: string; to?: string } = {}, timeZone = "UTC"): Promise<Statistics> {
    const from = range.from === undefined ? null : bound(range.from, "from");
    const to = range.to === undefined ? null : bound(range.to, "to");
    const rows = await this.#read((q) =>
      q<{ created_at: string; outcome: Outcome; station_id: string; technician: string; remark_of: number | null }>(
        `SELECT created_at, outcome, station_id, technician, remark_of FROM jobs
          WHERE ($1::text IS NULL OR created_at >= $1) AND ($2::text IS NULL OR created_at < $2) ORDER BY id`,
        [from, to],
      ),
    );
    const counted: StatRow[] = rows.map((r) => ({ createdAt: r.created_at, outcome: r.outcome, stationId: r.station_id, technician: r.technician, remark: r.remark_of !== null }));
    return statistics(counted, timeZone);
  }

  async exportJobs(options: ExportOptions): Promise<string> {
    const jobs = await this.jobs(options);
    return options.format === "csv" ? jobsToCsv(jobs, options) : jobsToJson(jobs);
  }

  async events(filter: { jobId?: number; seriesId?: string } = {}): Promise<JournalEvent[]> {
    const rows = await this.#read((q) =>
      q<{ at: string; kind: EventKind; job_id: number | null; series_id: string | null; number: number | null; operator: string | null; reason: string | null }>(
        "SELECT at, kind, job_id, series_id, number, operator, reason FROM events WHERE ($1::bigint IS NULL OR job_id = $1) AND ($2::text IS NULL OR series_id = $2) ORDER BY id",
        [filter.jobId ?? null, filter.seriesId ?? null],
      ),
    );
    return rows.map((r) => ({
      at: r.at,
      kind: r.kind,
      ...(r.job_id === null ? {} : { jobId: r.job_id }),
      ...(r.series_id === null ? {} : { seriesId: r.series_id }),
      ...(r.number === null ? {} : { number: r.number }),
      ...(r.operator === null ? {} : { operator: r.operator }),
      ...(r.reason === null ? {} : { reason: r.reason }),
    }));
  }

  async createSeries(def: SeriesDefinition): Promise<SeriesRow> {
    return this.#tx(async ({ q, afterLostLink }) => {
      const at = this.#now();
      const { step, createdBy } = checkSeriesDefinition(def, at);
      const there = (await q<SeriesColumns>("SELECT * FROM series WHERE id = $1", [def.id]))[0];
      if (there && afterLostLink && there.pattern === def.pattern && there.created_by === createdBy) return seriesOf(q, def.id);
      if (there) throw new PeenmarkError("E_JOURNAL", `series "${def.id}": a series with this id exists already`, { where: "id" });
      await q(`INSERT INTO series (id, pattern, licence_prefix, start, "end", step, next_number, created_at, created_by, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
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
      ]);
      await logEvent(q, { at, kind: "series-created", seriesId: def.id, operator: createdBy, ...(def.note ? { reason: def.note } : {}) });
      return seriesOf(q, def.id);
    });
  }

  async series(id: string): Promise<SeriesRow> {
    return this.#read((q) => seriesOf(q, id));
  }

  async listSeries(): Promise<SeriesRow[]> {
    return this.#read(async (q) => {
      const out: SeriesRow[] = [];
      for (const s of await q<{ id: string }>("SELECT id FROM series ORDER BY id")) out.push(await seriesOf(q, s.id));
      return out;
    });
  }

  async numbers(seriesId: string, state?: NumberState): Promise<SeriesNumber[]> {
    return this.#read(async (q) => {
      await seriesColumns(q, seriesId);
      const rows = await q<NumberColumns>("SELECT * FROM series_numbers WHERE series_id = $1 AND ($2::text IS NULL OR state = $2) ORDER BY number", [seriesId, state ?? null]);
      return rows.map(numberFromColumns);
    });
  }

  /**
   * The next number of a series, under a row lock on the series: stations reserving from one
   * series at once queue on that lock, each gets a different number.
   */
  async reserveNext(seriesId: string, now: Date): Promise<SeriesNumber> {
    const requestId = `${this.stationId ?? "-"}:${randomUUID()}`;
    return this.#tx(async ({ q, afterLostLink }) => {
      if (afterLostLink) {
        const mine = (await q<NumberColumns>("SELECT * FROM series_numbers WHERE request_id = $1", [requestId]))[0];
        if (mine) return numberFromColumns(mine);
      }
      const at = this.#now();
      const s = await seriesColumns(q, seriesId, "FOR UPDATE");
      const pattern = parseSeriesPattern(s.pattern);
      const released = (await q<{ number: number }>("SELECT number FROM series_numbers WHERE series_id = $1 AND state = 'released' ORDER BY number LIMIT 1", [seriesId]))[0];
      if (released) {
        const serial = formatSerial(pattern, released.number, now, opt(s.licence_prefix));
        await q(
          `UPDATE series_numbers SET state = 'reserved', serial = $1, job_id = NULL, reserved_at = $2, updated_at = $2, reason = NULL, operator = NULL, station_id = $3, request_id = $4
            WHERE series_id = $5 AND number = $6`,
          [serial, at, this.stationId ?? null, requestId, seriesId, released.number],
        );
        await logEvent(q, { at, kind: "number-reissued", seriesId, number: released.number });
        return numberOf(q, seriesId, released.number);
      }
      if (s.next_number > s.end) {
        throw new PeenmarkError("E_SERIES_EXHAUSTED", `series "${seriesId}" has handed out every number from ${s.start} to ${s.end}: define a new series`, {
          where: "seriesId",
          details: { start: s.start, end: s.end },
        });
      }
      const number = s.next_number;
      const serial = formatSerial(pattern, number, now, opt(s.licence_prefix));
      await q("INSERT INTO series_numbers (series_id, number, serial, state, job_id, reserved_at, updated_at, station_id, request_id) VALUES ($1, $2, $3, 'reserved', NULL, $4, $4, $5, $6)", [
        seriesId,
        number,
        serial,
        at,
        this.stationId ?? null,
        requestId,
      ]);
      await q("UPDATE series SET next_number = $1 WHERE id = $2", [number + s.step, seriesId]);
      return numberOf(q, seriesId, number);
      // READ COMMITTED: the series row lock orders the reservations, and each statement after
      // it sees what the station before committed. Under SERIALIZABLE every station queued on
      // the lock would be told to retry when it got it (the row changed after its snapshot).
      // Nothing here is decided on a read the lock does not cover: the numbers are the
      // series_numbers primary key, and a released number is taken under the same lock.
    }, "READ COMMITTED");
  }

  async peekNext(seriesId: string, now: Date): Promise<{ number: number; serial: string } | undefined> {
    return this.#read(async (q) => {
      const s = await seriesColumns(q, seriesId);
      const pattern = parseSeriesPattern(s.pattern);
      const released = (await q<{ number: number }>("SELECT number FROM series_numbers WHERE series_id = $1 AND state = 'released' ORDER BY number LIMIT 1", [seriesId]))[0];
      const number = released?.number ?? (s.next_number > s.end ? undefined : s.next_number);
      if (number === undefined) return undefined;
      return { number, serial: formatSerial(pattern, number, now, opt(s.licence_prefix)) };
    });
  }

  async releaseReservation(seriesId: string, number: number, action: OperatorAction): Promise<SeriesNumber> {
    return this.#tx(async ({ q, afterLostLink }) => {
      const at = this.#now();
      const n = await numberOf(q, seriesId, number);
      if (afterLostLink && n.state === "released" && n.reason === writtenReason(action.reason)) return n;
      if (n.jobId !== undefined && n.state === "reserved") {
        const j = await jobOf(q, n.jobId, this.where);
        if (j.outcome === "marking") throw busy(j);
        if ((j.outcome === "pending" || j.outcome === "interrupted") && !j.release) return (await this.#releaseJob(q, j.id, action, at)) ?? n;
      }
      return releaseNumber(q, seriesId, number, action, at);
    });
  }

  async voidNumber(seriesId: string, number: number, action: OperatorAction): Promise<SeriesNumber> {
    return this.#tx(async ({ q, afterLostLink }) => {
      const n = await numberOf(q, seriesId, number);
      if (afterLostLink && n.state === "void" && n.reason === writtenReason(action.reason)) return n;
      if (n.jobId !== undefined && n.state === "reserved") {
        const j = await jobOf(q, n.jobId, this.where);
        if (j.outcome === "marking" || j.outcome === "pending") throw busy(j);
      }
      const a = requireAction(action, `voiding number ${number} of series "${seriesId}"`);
      if (n.state === "committed" || n.state === "void") {
        throw new PeenmarkError("E_JOURNAL", `number ${number} of series "${seriesId}" is ${n.state}: only a reserved or released number can be voided`, { where: "number" });
      }
      const at = this.#now();
      await q("UPDATE series_numbers SET state = 'void', updated_at = $1, reason = $2, operator = $3 WHERE series_id = $4 AND number = $5", [at, a.reason.trim(), a.operator.trim(), seriesId, number]);
      await logEvent(q, { at, kind: "number-voided", seriesId, number, operator: a.operator.trim(), reason: a.reason.trim(), ...(n.jobId === undefined ? {} : { jobId: n.jobId }) });
      return numberOf(q, seriesId, number);
    });
  }

  /**
   * Lease `terms.size` numbers of a series to this station (lease.ts): reserved to it in the
   * registry, so no other station draws them, for the station to mark while it cannot reach
   * the registry. Released numbers are given first, as reserveNext gives them. The serials are
   * formatted now (a pattern's date is the lease's).
   */
  async leaseNumbers(seriesId: string, terms: LeaseTerms, now: Date): Promise<Lease> {
    checkLeaseTerms(terms);
    const action = requireAction({ operator: terms.operator, reason: terms.reason }, `leasing numbers of series "${seriesId}"`);
    const station = terms.stationId ?? this.stationId;
    if (station === undefined) throw new PeenmarkError("E_JOURNAL", "a lease is for a station: name it (--station), or open the registry with the station's id", { where: "stationId" });
    const id = randomUUID();
    return this.#tx(async ({ q, afterLostLink }) => {
      if (afterLostLink && (await q("SELECT 1 FROM leases WHERE id = $1", [id])).length) return leaseOf(q, id);
      const at = this.#now();
      const s = await seriesColumns(q, seriesId, "FOR UPDATE");
      const pattern = parseSeriesPattern(s.pattern);
      const expiresAt = new Date(Date.parse(at) + terms.hours * 3_600_000).toISOString();
      const released = await q<{ number: number }>("SELECT number FROM series_numbers WHERE series_id = $1 AND state = 'released' ORDER BY number LIMIT $2", [seriesId, terms.size]);
      const fresh = terms.size - released.length;
      const last = s.next_number + (fresh - 1) * s.step;
      if (fresh > 0 && last > s.end) {
        const left = released.length + Math.max(0, Math.floor((s.end - s.next_number) / s.step) + 1);
        throw new PeenmarkError("E_SERIES_EXHAUSTED", `series "${seriesId}" has ${left} number${left === 1 ? "" : "s"} left, not the ${terms.size} asked for the lease`, {
          where: "size",
          details: { left },
        });
      }
      await q("INSERT INTO leases (id, series_id, station_id, created_at, created_by, reason, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", [
        id,
        seriesId,
        station,
        at,
        action.operator,
        action.reason,
        expiresAt,
      ]);
      const why = `leased to station ${station} until ${expiresAt} (lease ${id})`;
      for (const r of released) {
        await q(
          `UPDATE series_numbers SET state = 'reserved', serial = $1, job_id = NULL, reserved_at = $2, updated_at = $2, reason = $3, operator = $4, station_id = $5, request_id = NULL, lease_id = $6
            WHERE series_id = $7 AND number = $8`,
          [formatSerial(pattern, r.number, now, opt(s.licence_prefix)), at, why, action.operator, station, id, seriesId, r.number],
        );
        await logEvent(q, { at, kind: "number-reissued", seriesId, number: r.number, reason: why });
      }
      for (let i = 0; i < fresh; i++) {
        const number = s.next_number + i * s.step;
        await q(
          "INSERT INTO series_numbers (series_id, number, serial, state, job_id, reserved_at, updated_at, reason, operator, station_id, lease_id) VALUES ($1, $2, $3, 'reserved', NULL, $4, $4, $5, $6, $7, $8)",
          [seriesId, number, formatSerial(pattern, number, now, opt(s.licence_prefix)), at, why, action.operator, station, id],
        );
      }
      if (fresh > 0) await q("UPDATE series SET next_number = $1 WHERE id = $2", [s.next_number + fresh * s.step, seriesId]);
      await logEvent(q, { at, kind: "lease-granted", seriesId, operator: action.operator, reason: `${terms.size} numbers to station ${station} until ${expiresAt} (lease ${id}): ${action.reason}` });
      return leaseOf(q, id);
    }, "READ COMMITTED");
  }

  /**
   * Return a lease: its numbers no job took become `released` (drawn again before new ones);
   * the numbers jobs took stay theirs. Done by an operator, or by the station once it is back
   * and has uploaded everything it marked while cut off.
   */
  async returnLease(leaseId: string, given: OperatorAction): Promise<Lease> {
    const action = requireAction(given, `returning lease ${leaseId}`);
    return this.#tx(async ({ q, afterLostLink }) => {
      const l = (await q<LeaseColumns>("SELECT * FROM leases WHERE id = $1 FOR UPDATE", [leaseId]))[0];
      if (!l) throw new PeenmarkError("E_JOURNAL", `there is no lease ${leaseId}`, { where: "leaseId" });
      if (l.returned_at !== null) {
        if (afterLostLink) return leaseOf(q, leaseId);
        throw new PeenmarkError("E_JOURNAL", `lease ${leaseId} was returned at ${l.returned_at} by ${l.returned_by}`, { where: "leaseId" });
      }
      const at = this.#now();
      const freed = await q<{ number: number }>(
        "UPDATE series_numbers SET state = 'released', updated_at = $1, reason = $2, operator = $3 WHERE lease_id = $4 AND state = 'reserved' AND job_id IS NULL RETURNING number",
        [at, `lease ${leaseId} returned: ${action.reason}`, action.operator, leaseId],
      );
      await q("UPDATE leases SET returned_at = $1, returned_by = $2, return_reason = $3 WHERE id = $4", [at, action.operator, action.reason, leaseId]);
      await logEvent(q, { at, kind: "lease-returned", seriesId: l.series_id, operator: action.operator, reason: `lease ${leaseId} of station ${l.station_id}: ${freed.length} unused numbers released: ${action.reason}` });
      return leaseOf(q, leaseId);
    });
  }

  /** Leases, newest first: of one station, or every station's; `open`: not returned. */
  async leases(filter: { stationId?: string; open?: boolean } = {}): Promise<Lease[]> {
    return this.#read(async (q) => {
      const ids = await q<{ id: string }>(
        "SELECT id FROM leases WHERE ($1::text IS NULL OR station_id = $1) AND (NOT $2::boolean OR returned_at IS NULL) ORDER BY created_at DESC, id",
        [filter.stationId ?? null, filter.open ?? false],
      );
      const out: Lease[] = [];
      for (const { id } of ids) out.push(await leaseOf(q, id));
      return out;
    });
  }

  /**
   * A job this station marked while cut off from the registry, entered now: exactly once
   * (the station's key is the job's request id: an upload repeated after a lost answer, a
   * crash or a restart finds the row it wrote). The job happened on the metal, so it is never
   * refused: where the registry finds it at odds with the rules (its number not leased to this
   * station or already taken, the serial marked elsewhere meanwhile, marked after the lease
   * expired) it is entered with the conflict in its note and an `offline-conflict` event, for an
   * operator to settle; otherwise its number is bound to it and committed if it completed.
   */
  async uploadOffline(o: OfflineJob): Promise<{ job: JobRow; already: boolean; conflicts: string[] }> {
    checkOfflineJob(o, this.stationId);
    const job = normaliseNewJob(o.job);
    const sn = job.seriesNumber!;
    return this.#tx(async ({ q }) => {
      const mine = (await q<{ id: number }>("SELECT id FROM jobs WHERE request_id = $1", [o.key]))[0];
      if (mine) return { job: await jobOf(q, mine.id, this.where), already: true, conflicts: [] };
      const at = this.#now();
      const conflicts: string[] = [];
      const n = (await q<NumberColumns & { lease_id: string | null }>("SELECT * FROM series_numbers WHERE series_id = $1 AND number = $2 FOR UPDATE", [sn.seriesId, sn.number]))[0];
      const lease = n?.lease_id ? (await q<LeaseColumns>("SELECT * FROM leases WHERE id = $1", [n.lease_id]))[0] : undefined;
      if (!n) conflicts.push(`number ${sn.number} of series "${sn.seriesId}" was never handed out`);
      else {
        if (!lease || lease.station_id !== this.stationId) conflicts.push(`number ${sn.number} of series "${sn.seriesId}" is not leased to station ${this.stationId}`);
        else if (o.createdAt > lease.expires_at) conflicts.push(`marked at ${o.createdAt}, after lease ${lease.id} expired (${lease.expires_at})`);
        if (n.state !== "reserved" || n.job_id !== null) conflicts.push(`number ${sn.number} of series "${sn.seriesId}" is ${n.state}${n.job_id === null ? "" : ` by job ${n.job_id}`}`);
        if (!sameIdentity(n.serial, job.record.serial)) conflicts.push(`the record's serial "${job.record.serial}" is not "${n.serial}", number ${sn.number} of series "${sn.seriesId}"`);
      }
      try {
        decideSerialRule(job, await sameSerial(q, job.record));
      } catch (e) {
        if (!(e instanceof PeenmarkError)) throw e;
        conflicts.push(`${e.code}: ${e.message}`);
      }
      const cut = `marked while station ${this.stationId} was cut off from the registry; uploaded ${at}`;
      const note = [o.end.note, cut, ...(conflicts.length ? [`CONFLICT, for an operator to settle: ${conflicts.join("; ")}`] : [])].filter(Boolean).join("; ");
      const cols = { ...columnsOf(job, o.createdAt, ""), owner: null, request_id: o.key };
      const names = Object.keys(cols);
      const id = (await q<{ id: number }>(`INSERT INTO jobs (${names.join(", ")}) VALUES (${names.map((_, i) => `$${i + 1}`).join(", ")}) RETURNING id`, Object.values(cols)))[0]!.id;
      const p = o.end.progress ?? { ackedLine: 0, executedLine: 0, strikesDone: 0 };
      await q(
        `UPDATE jobs SET outcome = $1, started_at = $2, ended_at = $3, error_code = $4, error_text = $5, note = $6, last_acked_line = $7, last_executed_line = $8, strikes_done = $9 WHERE id = $10`,
        [o.end.outcome, o.startedAt ?? null, o.endedAt, o.end.error?.code ?? null, o.end.error?.text ?? null, note, p.ackedLine, p.executedLine, p.strikesDone, id],
      );
      if (n && conflicts.length === 0) {
        await q("UPDATE series_numbers SET job_id = $1, state = $2, updated_at = $3 WHERE series_id = $4 AND number = $5", [
          id,
          o.end.outcome === "completed" ? "committed" : "reserved",
          at,
          sn.seriesId,
          sn.number,
        ]);
      }
      await logEvent(q, { at, kind: "offline-upload", jobId: id, seriesId: sn.seriesId, number: sn.number, reason: cut });
      if (conflicts.length) await logEvent(q, { at, kind: "offline-conflict", jobId: id, seriesId: sn.seriesId, number: sn.number, reason: conflicts.join("; ") });
      return { job: await jobOf(q, id, this.where), already: false, conflicts };
    });
  }

  async #releaseJob(q: Q, id: number, action: OperatorAction, at: string): Promise<SeriesNumber | undefined> {
    const j = await jobOf(q, id, this.where);
    const [h] = await q<{ holds: number }>(`SELECT (${HOLDS_SQL})::int AS holds FROM jobs WHERE id = $1`, [id]);
    if (h?.holds !== 1) {
      throw new PeenmarkError("E_JOURNAL", `job ${id} is ${j.outcome}: only a pending or interrupted job, or one aborted or failed after it may have struck the part, holds a serial to release`, { details: { jobId: id } });
    }
    if (j.release) throw new PeenmarkError("E_JOURNAL", `job ${id}'s serial was released already on ${j.release.at} by ${j.release.by}`, { details: { jobId: id } });
    const operator = personName(action.operator, "operator");
    const reason = writtenReason(action.reason);
    if (operator === "") throw new PeenmarkError("E_JOURNAL", `releasing job ${id}'s serial needs the operator's name`, { where: "operator" });
    if (reason.length < 10) throw new PeenmarkError("E_JOURNAL", `releasing job ${id}'s serial needs a written reason of at least 10 characters`, { where: "reason" });
    changed(await q("UPDATE jobs SET released_at = $1, released_by = $2, release_reason = $3 WHERE id = $4 RETURNING id", [at, operator, reason, id]), id, this.where);
    await logEvent(q, { at, kind: "serial-released", jobId: id, operator, reason });
    const held = j.seriesNumber;
    if (!held) return undefined;
    if ((await numberOf(q, held.seriesId, held.number)).state !== "reserved") return undefined;
    return releaseNumber(q, held.seriesId, held.number, { operator, reason }, at);
  }

  /** Identity keys computed again when they were computed under another identity version (record/identity.ts). */
  async #rekey(q: Q): Promise<void> {
    const have = (await q<{ value: string }>("SELECT value FROM settings WHERE key = 'identity_version'"))[0];
    if (have?.value === IDENTITY_VERSION) return;
    for (const j of await q<{ id: number; serial: string; manufacturer: string; licence_prefix: string | null }>("SELECT id, serial, manufacturer, licence_prefix FROM jobs")) {
      const k = jobKeys({ serial: j.serial, manufacturer: j.manufacturer, licencePrefix: j.licence_prefix ?? undefined });
      await q("UPDATE jobs SET serial_key = $1, maker_key = $2, licence_key = $3 WHERE id = $4", [k.serialKey, k.makerKey, k.licenceKey, j.id]);
    }
    await q("INSERT INTO settings (key, value) VALUES ('identity_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [IDENTITY_VERSION]);
  }

  /** Runs `fn` in a SERIALIZABLE transaction; again on a serialization conflict, and again while the registry cannot be reached. */
  async #tx<T>(fn: (tx: Tx) => Promise<T>, isolation: "SERIALIZABLE" | "READ COMMITTED" = "SERIALIZABLE", reconnectMs = this.#reconnectMs): Promise<T> {
    const pool = this.#poolOf();
    const deadline = Date.now() + reconnectMs;
    let afterLostLink = false;
    for (let attempt = 0; ; attempt++) {
      let c: pg.PoolClient | undefined;
      let broken = false;
      try {
        c = await pool.connect();
        const client = c;
        const q: Q = async (sql, params) => (await client.query(sql, params as unknown[])).rows;
        await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
        const out = await fn({ q, attempt, afterLostLink });
        await client.query("COMMIT");
        return out;
      } catch (e) {
        // A lost link has nothing to roll back (the server ends the transaction with the
        // session), and a ROLLBACK on a link that stopped answering would wait as long again.
        if (c && !isGone(e)) await c.query("ROLLBACK").catch(() => (broken = true));
        const code = (e as { code?: string }).code;
        if (code !== undefined && CONFLICT.has(code)) {
          // Another station's transaction touched the same serial or series: ours saw a state
          // that no longer holds. Wait a moment (randomised, growing) and decide again.
          if (attempt >= MAX_CONFLICT_RETRIES) {
            throw new PeenmarkError("E_JOURNAL", `the registry ${this.where} kept refusing this write as conflicting with other stations' (${attempt + 1} tries): nothing was written; try again`, {
              where: this.where,
              cause: e,
            });
          }
          await sleep(Math.min(50, 1 + attempt * 2) * Math.random());
          continue;
        }
        if (code === "42501") throw this.#forbidden(e);
        if (isGone(e)) {
          broken = true;
          afterLostLink = true;
          if (Date.now() < deadline) {
            await sleep(200);
            continue;
          }
          throw this.#unreachable(e);
        }
        throw e;
      } finally {
        c?.release(broken ? true : undefined);
      }
    }
  }

  /** A read on one connection (no transaction: each statement sees committed data), retried while the registry cannot be reached. */
  async #read<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    return this.#withRetry(async () => {
      const c = await this.#poolOf().connect();
      let broken = false;
      try {
        return await fn(async (sql, params) => (await c.query(sql, params as unknown[])).rows);
      } catch (e) {
        broken = isGone(e);
        if ((e as { code?: string }).code === "42501") throw this.#forbidden(e);
        throw e;
      } finally {
        c.release(broken ? true : undefined);
      }
    });
  }

  async #withRetry<T>(fn: () => Promise<T>, reconnectMs = this.#reconnectMs): Promise<T> {
    const deadline = Date.now() + reconnectMs;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (!isGone(e)) throw e;
        if (Date.now() >= deadline) throw this.#unreachable(e);
        await sleep(200);
      }
    }
  }

  #forbidden(e: unknown): PeenmarkError {
    return new PeenmarkError("E_FORBIDDEN", `the registry ${this.where} refused: ${(e as Error).message} (this database user lacks the right: docs/REGISTRY.md, "Roles")`, {
      where: this.where,
      cause: e,
    });
  }

  #unreachable(e: unknown): PeenmarkError {
    return new PeenmarkError(
      "E_REGISTRY_UNREACHABLE",
      `the registry ${this.where} cannot be reached (${(e as Error).message}): nothing was written; no serial can be checked until it answers`,
      { where: this.where, cause: e },
    );
  }

  #poolOf(): pg.Pool {
    if (!this.#pool) throw new PeenmarkError("E_JOURNAL", `the registry ${this.where} is not open: call open() first`);
    return this.#pool;
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}

/** `@name` parameters (search.ts writes them for both engines) as PostgreSQL's `$n`. */
export function positional(sql: string, params: Record<string, unknown>): { sql: string; values: unknown[] } {
  const order: string[] = [];
  const out = sql.replace(/@([A-Za-z_]\w*)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for @${name}`);
    let i = order.indexOf(name);
    if (i < 0) i = order.push(name) - 1;
    const v = params[name];
    // A NULL compared with IS NULL alone has no type PostgreSQL can infer: say it is text or a number.
    return `$${i + 1}::${typeof v === "number" ? "bigint" : "text"}`;
  });
  return { sql: out, values: order.map((n) => params[n]) };
}

type LeaseColumns = {
  id: string;
  series_id: string;
  station_id: string;
  created_at: string;
  created_by: string;
  reason: string;
  expires_at: string;
  returned_at: string | null;
  returned_by: string | null;
  return_reason: string | null;
};

async function leaseOf(q: Q, id: string): Promise<Lease> {
  const l = (await q<LeaseColumns>("SELECT * FROM leases WHERE id = $1", [id]))[0];
  if (!l) throw new PeenmarkError("E_JOURNAL", `there is no lease ${id}`, { where: "leaseId" });
  const numbers = await q<{ number: number; serial: string; taken: boolean }>("SELECT number, serial, (job_id IS NOT NULL) AS taken FROM series_numbers WHERE lease_id = $1 ORDER BY number", [id]);
  return {
    id: l.id,
    seriesId: l.series_id,
    stationId: l.station_id,
    numbers: numbers.map((n) => ({ number: Number(n.number), serial: n.serial })),
    createdAt: l.created_at,
    createdBy: l.created_by,
    reason: l.reason,
    expiresAt: l.expires_at,
    ...(l.returned_at === null ? {} : { returned: { at: l.returned_at, by: l.returned_by ?? "", reason: l.return_reason ?? "" } }),
    used: numbers.filter((n) => n.taken).length,
  };
}

async function jobOf(q: Q, id: number, where: string): Promise<JobRow> {
  const c = (await q<JobColumns>(`${JOB_SELECT} WHERE jobs.id = $1`, [id]))[0];
  if (!c) throw new PeenmarkError("E_JOURNAL", `there is no job ${id} in the registry ${where}`, { details: { jobId: id } });
  return jobFromColumns(c);
}

/**
 * An UPDATE of one job changed it, or the registry would not let this user change it: with
 * row-level security (docs/REGISTRY.md) a station changes only its own jobs, and PostgreSQL
 * then updates nothing rather than failing. Said, never passed over.
 */
function changed(rows: readonly unknown[], id: number, where: string): void {
  if (rows.length !== 1) {
    throw new PeenmarkError("E_FORBIDDEN", `the registry ${where} did not let this station change job ${id}: it is another station's job (row-level security); that station, or the registry's owner, can`, {
      details: { jobId: id },
    });
  }
}

async function ownerOf(q: Q, id: number): Promise<string | null> {
  return (await q<{ owner: string | null }>("SELECT owner FROM jobs WHERE id = $1", [id]))[0]?.owner ?? null;
}

/** serial-rule.ts `sameSerial`, in PostgreSQL's words. */
async function sameSerial(q: Q, r: { readonly serial: string; readonly manufacturer: string; readonly licencePrefix?: string | undefined }): Promise<Earlier[]> {
  const k = jobKeys(r);
  return q<Earlier>(
    `SELECT id, outcome, serial, manufacturer, station_id, created_at, ended_at, last_executed_line, program_lines, profile_id, profile_hash, remark_of,
            strikes_done, (${HOLDS_SQL} AND released_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM jobs later WHERE later.remark_of = jobs.id
                             AND later.outcome NOT IN ('aborted','failed')))::int AS holds
     FROM jobs
     WHERE (serial_key = $1 AND (maker_key = $2 OR (licence_prefix IS NOT NULL AND licence_prefix = $3::text)))
        OR ($4::text IS NOT NULL AND licence_key = $4)
     ORDER BY id`,
    [k.serialKey, k.makerKey, r.licencePrefix ?? null, k.licenceKey],
  );
}

async function logEvent(q: Q, e: JournalEvent): Promise<void> {
  await q("INSERT INTO events (at, kind, job_id, series_id, number, operator, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)", [
    e.at,
    e.kind,
    e.jobId ?? null,
    e.seriesId ?? null,
    e.number ?? null,
    e.operator ?? null,
    e.reason ?? null,
  ]);
}

async function seriesColumns(q: Q, id: string, lock = ""): Promise<SeriesColumns> {
  const c = (await q<SeriesColumns>(`SELECT * FROM series WHERE id = $1 ${lock}`, [id]))[0];
  if (!c) throw new PeenmarkError("E_JOURNAL", `there is no serial-number series "${id}"`, { where: "seriesId" });
  return c;
}

async function seriesOf(q: Q, id: string): Promise<SeriesRow> {
  const c = await seriesColumns(q, id);
  return seriesRow(c, await q<{ state: NumberState; n: number }>("SELECT state, count(*)::int AS n FROM series_numbers WHERE series_id = $1 GROUP BY state", [id]));
}

async function numberOf(q: Q, seriesId: string, number: number): Promise<SeriesNumber> {
  const c = (await q<NumberColumns>("SELECT * FROM series_numbers WHERE series_id = $1 AND number = $2", [seriesId, number]))[0];
  if (!c) throw new PeenmarkError("E_JOURNAL", `number ${number} of series "${seriesId}" was never handed out`, { where: "number" });
  return numberFromColumns(c);
}

async function bindNumber(q: Q, seriesId: string, number: number, jobId: number, recordSerial: string): Promise<void> {
  const n = await numberOf(q, seriesId, number);
  if (n.state !== "reserved" || n.jobId !== undefined) {
    const holder = n.jobId === undefined ? "" : ` by job ${n.jobId}`;
    throw new PeenmarkError("E_JOURNAL", `number ${number} of series "${seriesId}" is ${n.state}${holder}: reserve a number with reserveNext for each job`, { where: "seriesNumber" });
  }
  if (!sameIdentity(n.serial, recordSerial)) {
    throw new PeenmarkError("E_JOURNAL", `the record's serial "${recordSerial}" is not "${n.serial}", number ${number} of series "${seriesId}"`, { where: "record.serial" });
  }
  await q("UPDATE series_numbers SET job_id = $1 WHERE series_id = $2 AND number = $3", [jobId, seriesId, number]);
}

async function releaseNumber(q: Q, seriesId: string, number: number, given: OperatorAction, at: string): Promise<SeriesNumber> {
  const action = requireAction(given, `releasing number ${number} of series "${seriesId}"`);
  const n = await numberOf(q, seriesId, number);
  if (n.state !== "reserved") throw new PeenmarkError("E_JOURNAL", `number ${number} of series "${seriesId}" is ${n.state}, not reserved: only a reserved number can be released`, { where: "number" });
  await q("UPDATE series_numbers SET state = 'released', updated_at = $1, reason = $2, operator = $3 WHERE series_id = $4 AND number = $5", [at, action.reason.trim(), action.operator.trim(), seriesId, number]);
  await logEvent(q, { at, kind: "number-released", seriesId, number, operator: action.operator.trim(), reason: action.reason.trim(), ...(n.jobId === undefined ? {} : { jobId: n.jobId }) });
  return numberOf(q, seriesId, number);
}

function busy(j: JobRow): PeenmarkError {
  return new PeenmarkError("E_SERIAL_RESERVED", `job ${j.id} (${j.serial}) is ${j.outcome}: end it before releasing or voiding its number`, { details: { jobId: j.id } });
}
