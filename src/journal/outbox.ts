import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { PeenmarkError } from "../errors.ts";
import type { Lease, OfflineJob } from "./lease.ts";
import type { JobEnd, JobRow, NewJob } from "./types.ts";

/**
 * The station's outbox: what a station on a shared registry keeps on its own disk so that it
 * can mark while the registry cannot be reached (docs/REGISTRY.md, "Outages").
 *
 *   - The open leases the registry granted this station, with their numbers; a number is
 *     taken by at most one job, for ever (the registry reserved it to this station alone).
 *   - Each job marked while cut off, written before the first byte goes to the head with the
 *     outcome a crash would leave ("interrupted"), then its real end: a kill -9 mid-job leaves
 *     a row that uploads as interrupted, never nothing.
 *   - Which of them the registry has: `upload` sends the rest in the order they were marked,
 *     each keyed by the station's key (exactly once, pg-journal.ts `uploadOffline`), and stops
 *     at the first that does not go, so the order holds.
 *
 * A SQLite file (WAL, synchronous FULL: a row is on the disk when the call returns).
 */
export interface Uploader {
  uploadOffline(o: OfflineJob): Promise<{ job: JobRow; already: boolean; conflicts: string[] }>;
}

export interface TakenNumber {
  readonly seriesId: string;
  readonly number: number;
  readonly serial: string;
  readonly leaseId: string;
  readonly expiresAt: string;
}

export interface LeaseLeft {
  readonly leaseId: string;
  readonly seriesId: string;
  readonly expiresAt: string;
  /** Numbers not yet taken. */
  readonly left: number;
}

type JobColumns = { seq: number; key: string; job_json: string; created_at: string; started_at: string | null; ended_at: string | null; end_json: string; uploaded_at: string | null };

export const CRASHED_OFFLINE_NOTE = "service stopped while marking, cut off from the registry; position unknown: re-home before re-marking";

export class Outbox {
  readonly #db: Database.Database;
  readonly #clock: () => Date;
  /** Jobs this process began and has not ended: marking now, not to be uploaded yet. */
  readonly #live = new Set<string>();

  constructor(
    readonly path: string,
    readonly stationId: string,
    opts: { clock?: () => Date } = {},
  ) {
    this.#clock = opts.clock ?? (() => new Date());
    this.#db = new Database(path);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS leases (id TEXT PRIMARY KEY, series_id TEXT NOT NULL, expires_at TEXT NOT NULL, returned INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS lease_numbers (
        lease_id TEXT NOT NULL REFERENCES leases(id), series_id TEXT NOT NULL, number INTEGER NOT NULL, serial TEXT NOT NULL,
        taken_by TEXT UNIQUE, PRIMARY KEY (series_id, number));
      CREATE TABLE IF NOT EXISTS jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, job_json TEXT NOT NULL, created_at TEXT NOT NULL,
        started_at TEXT, ended_at TEXT, end_json TEXT NOT NULL, uploaded_at TEXT, registry_job_id INTEGER);
    `);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /**
   * The station's open leases as the registry has them now (`PgJournal.leases({ stationId, open:
   * true })`): new ones are kept, returned ones dropped. A number already taken here stays taken.
   */
  keepLeases(leases: readonly Lease[]): void {
    const mine = leases.filter((l) => l.stationId === this.stationId && !l.returned);
    this.#db.transaction(() => {
      const open = new Set(mine.map((l) => l.id));
      for (const { id } of this.#db.prepare("SELECT id FROM leases WHERE returned = 0").all() as { id: string }[]) {
        if (!open.has(id)) this.#db.prepare("UPDATE leases SET returned = 1 WHERE id = ?").run(id);
      }
      for (const l of mine) {
        this.#db.prepare("INSERT INTO leases (id, series_id, expires_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING").run(l.id, l.seriesId, l.expiresAt);
        for (const n of l.numbers) this.#db.prepare("INSERT INTO lease_numbers (lease_id, series_id, number, serial) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING").run(l.id, l.seriesId, n.number, n.serial);
      }
    })();
  }

  /** What the station may still mark while cut off: per open, unexpired lease, the numbers left. */
  leasesLeft(now = this.#clock()): LeaseLeft[] {
    return (
      this.#db
        .prepare(
          `SELECT l.id AS leaseId, l.series_id AS seriesId, l.expires_at AS expiresAt, count(n.number) AS left FROM leases l
             LEFT JOIN lease_numbers n ON n.lease_id = l.id AND n.taken_by IS NULL
            WHERE l.returned = 0 AND l.expires_at > ? GROUP BY l.id ORDER BY l.expires_at, l.id`,
        )
        .all(now.toISOString()) as LeaseLeft[]
    ).filter((l) => l.left > 0);
  }

  /**
   * Take the next leased number of a series for a job marked while cut off, under `key` (the
   * job's upload key). Refused with E_REGISTRY_UNREACHABLE when no open lease of the series
   * has a number left before its expiry: a station cut off marks nothing it cannot account for.
   */
  takeNumber(seriesId: string, key: string, now = this.#clock()): TakenNumber {
    return this.#db.transaction(() => {
      const n = this.#db
        .prepare(
          `SELECT n.series_id AS seriesId, n.number, n.serial, l.id AS leaseId, l.expires_at AS expiresAt FROM lease_numbers n JOIN leases l ON l.id = n.lease_id
            WHERE n.series_id = ? AND n.taken_by IS NULL AND l.returned = 0 AND l.expires_at > ? ORDER BY l.expires_at, n.number LIMIT 1`,
        )
        .get(seriesId, now.toISOString()) as TakenNumber | undefined;
      if (!n) {
        throw new PeenmarkError(
          "E_REGISTRY_UNREACHABLE",
          `the registry cannot be reached and this station has no leased number of series "${seriesId}" left (none leased, all used, or the lease expired): nothing can be marked from it until the registry answers`,
          { where: "series", details: { seriesId } },
        );
      }
      this.#db.prepare("UPDATE lease_numbers SET taken_by = ? WHERE series_id = ? AND number = ?").run(key, n.seriesId, n.number);
      return n;
    })();
  }

  /** The number `takeNumber` would give now, without taking it (the preview's serial). */
  peekNumber(seriesId: string, now = this.#clock()): TakenNumber | undefined {
    return this.#db
      .prepare(
        `SELECT n.series_id AS seriesId, n.number, n.serial, l.id AS leaseId, l.expires_at AS expiresAt FROM lease_numbers n JOIN leases l ON l.id = n.lease_id
          WHERE n.series_id = ? AND n.taken_by IS NULL AND l.returned = 0 AND l.expires_at > ? ORDER BY l.expires_at, n.number LIMIT 1`,
      )
      .get(seriesId, now.toISOString()) as TakenNumber | undefined;
  }

  /** The key a leased number was taken under, if it was. */
  keyOf(seriesId: string, number: number): string | undefined {
    return (this.#db.prepare("SELECT taken_by FROM lease_numbers WHERE series_id = ? AND number = ?").get(seriesId, number) as { taken_by: string | null } | undefined)?.taken_by ?? undefined;
  }

  /**
   * Hand a taken number back before any job began under its key (the start was refused: the
   * controller did not fit, the technician cancelled). Once a job began, its number is its own.
   */
  untake(seriesId: string, number: number): void {
    const key = this.keyOf(seriesId, number);
    if (key === undefined) return;
    if (this.#db.prepare("SELECT 1 FROM jobs WHERE key = ?").get(key)) throw new PeenmarkError("E_JOURNAL", `number ${number} of series "${seriesId}" belongs to job ${key}, marked while cut off`, { where: "number" });
    this.#db.prepare("UPDATE lease_numbers SET taken_by = NULL WHERE series_id = ? AND number = ?").run(seriesId, number);
  }

  /** A new upload key for a job marked while cut off. */
  newKey(): string {
    return `${this.stationId}:offline:${randomUUID()}`;
  }

  /**
   * The job is about to send its first byte: written with the outcome a crash would leave
   * (interrupted, position unknown), so a kill -9 from here on is never a job the registry misses.
   */
  begin(key: string, job: NewJob, at = this.#clock()): number {
    if (job.stationId !== this.stationId) throw new PeenmarkError("E_JOURNAL", `job of station "${job.stationId}" in the outbox of "${this.stationId}"`, { where: "job.stationId" });
    const iso = at.toISOString();
    const crashed: JobEnd = { outcome: "interrupted", note: CRASHED_OFFLINE_NOTE };
    const seq = Number(this.#db.prepare("INSERT INTO jobs (key, job_json, created_at, end_json) VALUES (?, ?, ?, ?)").run(key, JSON.stringify(job), iso, JSON.stringify(crashed)).lastInsertRowid);
    this.#live.add(key);
    return seq;
  }

  /** The first byte goes to the head now. */
  started(key: string, at = this.#clock()): void {
    this.#row(key);
    this.#db.prepare("UPDATE jobs SET started_at = ? WHERE key = ? AND started_at IS NULL").run(at.toISOString(), key);
  }

  /** A job of the outbox by its number here (`seq`), with whether its end is written and whether the registry has it. */
  bySeq(seq: number): { offline: OfflineJob; ended: boolean; uploaded: boolean } | undefined {
    const r = this.#db.prepare("SELECT * FROM jobs WHERE seq = ?").get(seq) as JobColumns | undefined;
    return r === undefined ? undefined : { offline: this.#offline(r), ended: r.ended_at !== null, uploaded: r.uploaded_at !== null };
  }

  /** The outbox number of a job by its key. */
  seqOf(key: string): number {
    return this.#row(key).seq;
  }

  /** Progress while it marks: kept in the presumptive outcome, so a crash says how far it got. */
  progress(key: string, p: NonNullable<JobEnd["progress"]>): void {
    const row = this.#row(key);
    const end = { ...(JSON.parse(row.end_json) as JobEnd), progress: p };
    this.#db.prepare("UPDATE jobs SET end_json = ? WHERE key = ? AND ended_at IS NULL").run(JSON.stringify(end), key);
  }

  /** How it ended on the metal. */
  end(key: string, end: JobEnd, at = this.#clock()): void {
    this.#row(key);
    this.#db.prepare("UPDATE jobs SET end_json = ?, ended_at = ? WHERE key = ?").run(JSON.stringify(end), at.toISOString(), key);
    this.#live.delete(key);
  }

  /** How many jobs the registry does not have yet. */
  waiting(): number {
    return (this.#db.prepare("SELECT count(*) AS n FROM jobs WHERE uploaded_at IS NULL").get() as { n: number }).n;
  }

  /** Jobs not yet in the registry, oldest first, as they will be uploaded. */
  pending(): OfflineJob[] {
    return (this.#db.prepare("SELECT * FROM jobs WHERE uploaded_at IS NULL ORDER BY seq").all() as JobColumns[]).map((r) => this.#offline(r));
  }

  /**
   * Send every job the registry does not have yet, in the order they were marked; stops at the
   * first that fails (the registry gone again) and throws its error, having kept the ones that went,
   * and before a job this process is still marking (it goes once it has ended; one left by a
   * process that died goes as it was left: interrupted).
   */
  async upload(registry: Uploader): Promise<{ uploaded: number; already: number; conflicts: { key: string; jobId: number; conflicts: string[] }[] }> {
    const out = { uploaded: 0, already: 0, conflicts: [] as { key: string; jobId: number; conflicts: string[] }[] };
    for (const o of this.pending()) {
      if (this.#live.has(o.key)) break;
      const r = await registry.uploadOffline(o);
      this.#db.prepare("UPDATE jobs SET uploaded_at = ?, registry_job_id = ? WHERE key = ?").run(this.#clock().toISOString(), r.job.id, o.key);
      if (r.already) out.already++;
      else out.uploaded++;
      if (r.conflicts.length) out.conflicts.push({ key: o.key, jobId: r.job.id, conflicts: r.conflicts });
    }
    return out;
  }

  #row(key: string): JobColumns {
    const row = this.#db.prepare("SELECT * FROM jobs WHERE key = ?").get(key) as JobColumns | undefined;
    if (!row) throw new PeenmarkError("E_JOURNAL", `no job ${key} in the outbox`, { where: "key" });
    return row;
  }

  #offline(r: JobColumns): OfflineJob {
    const end = JSON.parse(r.end_json) as JobEnd;
    return {
      key: r.key,
      job: JSON.parse(r.job_json) as NewJob,
      createdAt: r.created_at,
      ...(r.started_at === null ? {} : { startedAt: r.started_at }),
      // A job whose end was never written (the service died): it ended when it was last known of.
      endedAt: r.ended_at ?? r.started_at ?? r.created_at,
      end,
    };
  }
}
