import { EventEmitter } from "node:events";
import { isPeenmarkError, PeenmarkError } from "../errors.ts";
import type { JournalEngine } from "./engine.ts";
import type { JournalEvent } from "./events.ts";
import type { AsideRecord, ExportOptions } from "./journal.ts";
import type { OfflineJob } from "./lease.ts";
import { type LeaseLeft, Outbox } from "./outbox.ts";
import type { PgJournal } from "./pg-journal.ts";
import type { JobQuery, Statistics } from "./search.ts";
import type { JobEnd, JobRow, NewJob, NumberState, OperatorAction, Progress, SeriesDefinition, SeriesNumber, SeriesRow } from "./types.ts";

/**
 * A station's journal on a shared registry, that goes on marking series numbers while the
 * registry cannot be reached (docs/REGISTRY.md, "Outages"). Online, every call is the
 * registry's (PgJournal). Cut off — the registry did not answer a probe or a call — a series
 * number is drawn from the station's leases in its outbox (outbox.ts), the job is written to
 * the outbox before the first byte goes to the head and its progress and end after, under a
 * job number of its own (negative: -1, -2 …, never a registry's). A free-typed serial, which
 * only the registry can check against every station, is refused with E_REGISTRY_UNREACHABLE.
 *
 * Every `probeMs` (default 5 s) the registry is asked `SELECT 1`. When it answers, what the
 * outbox holds is uploaded in the order marked, exactly once, and the station's open leases are
 * read again; a job written online waits for that upload first, so the registry sees this
 * station's jobs in the order they were marked.
 */
export interface CutOffState {
  readonly cutOff: boolean;
  /** Since when (ISO), when cut off. */
  readonly since?: string;
  /** What the station may still mark while cut off: per lease, the numbers left and until when. */
  readonly leases: readonly LeaseLeft[];
  /** Jobs marked while cut off that the registry does not have yet. */
  readonly waiting: number;
}

export class CutOffJournal extends EventEmitter<{ changed: [CutOffState]; uploaded: [{ uploaded: number; conflicts: { key: string; jobId: number; conflicts: string[] }[] }] }> implements JournalEngine {
  readonly kind = "postgres" as const;
  readonly #clock: () => Date;
  readonly #probeMs: number;
  #cutOffSince: string | undefined;
  #opened = false;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #probing: Promise<boolean> | undefined;
  #closed = false;

  constructor(
    readonly registry: PgJournal,
    readonly outbox: Outbox,
    opts: { clock?: () => Date; probeMs?: number } = {},
  ) {
    super();
    this.#clock = opts.clock ?? (() => new Date());
    this.#probeMs = opts.probeMs ?? 5000;
  }

  get where(): string {
    return this.registry.where;
  }
  get isOpen(): boolean {
    return !this.#closed;
  }
  get cutOff(): boolean {
    return this.#cutOffSince !== undefined;
  }

  state(): CutOffState {
    return { cutOff: this.cutOff, ...(this.#cutOffSince ? { since: this.#cutOffSince } : {}), leases: this.outbox.leasesLeft(this.#clock()), waiting: this.outbox.waiting() };
  }

  /**
   * Opens the registry; a registry that cannot be reached leaves the station cut off (it may
   * mark from its leases) instead of failing, and is opened when it answers.
   */
  async open(): Promise<JobRow[]> {
    let interrupted: JobRow[] = [];
    try {
      interrupted = await this.registry.open();
      this.#opened = true;
      await this.#cameBack();
    } catch (e) {
      if (!unreachable(e)) throw e;
      this.#wentAway();
    }
    this.#timer = setInterval(() => {
      this.probe().catch((e: unknown) => process.emitWarning(`the registry probe failed: ${e instanceof Error ? e.message : String(e)}`));
    }, this.#probeMs);
    this.#timer.unref();
    return interrupted;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#probing?.catch(() => undefined);
    await this.#flushing?.catch(() => undefined);
    this.outbox.close();
    if (this.#opened) await this.registry.close();
  }

  /** Ask the registry whether it answers; on the way back, upload and read the leases. */
  probe(): Promise<boolean> {
    this.#probing ??= this.#probe().finally(() => (this.#probing = undefined));
    return this.#probing;
  }

  async #probe(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      if (!this.#opened) {
        await this.registry.open();
        this.#opened = true;
      } else await this.registry.ping();
    } catch (e) {
      if (!unreachable(e)) throw e;
      this.#wentAway();
      return false;
    }
    if (this.#closed) return false;
    await this.#cameBack().catch((e: unknown) => {
      if (!unreachable(e)) throw e;
      this.#wentAway();
    });
    return !this.cutOff;
  }

  #wentAway(): void {
    if (this.#cutOffSince !== undefined) return;
    this.#cutOffSince = this.#clock().toISOString();
    this.emit("changed", this.state());
  }

  /** The registry answers: upload what was marked meanwhile, in order, then read the leases again. */
  async #cameBack(): Promise<void> {
    if (this.#closed) return;
    this.#flushing ??= (async () => {
      try {
        if (this.outbox.waiting()) {
          const sent = await this.outbox.upload(this.registry);
          this.emit("uploaded", { uploaded: sent.uploaded, conflicts: sent.conflicts });
        }
        const stationId = this.registry.stationId;
        if (stationId !== undefined) this.outbox.keepLeases(await this.registry.leases({ stationId, open: true }));
        const was = this.cutOff;
        this.#cutOffSince = undefined;
        if (was) this.emit("changed", this.state());
      } finally {
        this.#flushing = undefined;
      }
    })();
    return this.#flushing;
  }

  /** A call to the registry; E_REGISTRY_UNREACHABLE leaves the station cut off. */
  async #online<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.#opened) throw this.#away();
    try {
      return await fn();
    } catch (e) {
      if (unreachable(e)) this.#wentAway();
      throw e;
    }
  }

  #away(): PeenmarkError {
    return new PeenmarkError("E_REGISTRY_UNREACHABLE", `the registry ${this.where} cannot be reached: nothing was written; no serial can be checked until it answers`, { where: this.where });
  }

  /** A job of the outbox (negative number), or undefined for the registry's. */
  #offline(id: number): { row: JobRow; key: string } {
    const got = this.outbox.bySeq(-id);
    if (!got) throw new PeenmarkError("E_JOURNAL", `there is no job ${id} in this station's outbox`, { details: { jobId: id } });
    return { row: offlineRow(-id, got.offline, got.ended), key: got.offline.key };
  }

  async checkSerial(input: NewJob): Promise<void> {
    if (this.cutOff) {
      const n = input.seriesNumber;
      if (n && this.outbox.keyOf(n.seriesId, n.number) !== undefined) return;
      throw new PeenmarkError(
        "E_REGISTRY_UNREACHABLE",
        `the registry ${this.where} cannot be reached: a typed serial cannot be checked against the other stations; while cut off this station marks only series numbers it holds a lease of (${this.#leasesSaid()})`,
        { where: this.where },
      );
    }
    if (this.outbox.waiting()) await this.#online(() => this.#cameBack());
    return this.#online(() => this.registry.checkSerial(input));
  }

  async createJob(input: NewJob): Promise<JobRow> {
    const n = input.seriesNumber;
    const key = n ? this.outbox.keyOf(n.seriesId, n.number) : undefined;
    if (key !== undefined) {
      const seq = this.outbox.begin(key, input, this.#clock());
      return this.#offline(-seq).row;
    }
    if (this.cutOff) throw this.#away();
    return this.#online(() => this.registry.createJob(input));
  }

  async startJob(id: number): Promise<JobRow> {
    if (id < 0) {
      const { key } = this.#offline(id);
      this.outbox.started(key, this.#clock());
      return this.#offline(id).row;
    }
    return this.#online(() => this.registry.startJob(id));
  }

  async progress(id: number, p: Progress, options?: { wait?: boolean }): Promise<void> {
    if (id < 0) return void this.outbox.progress(this.#offline(id).key, p);
    return this.#online(() => this.registry.progress(id, p, options));
  }

  async endJob(id: number, end: JobEnd, options?: { wait?: boolean }): Promise<JobRow> {
    if (id < 0) {
      const { key } = this.#offline(id);
      this.outbox.end(key, end, this.#clock());
      this.emit("changed", this.state()); // one more waiting to upload, a number fewer left
      // Sent at once if the registry is back already; else at the next probe that finds it.
      if (!this.cutOff) void this.#cameBack().catch(() => undefined);
      return this.#offline(id).row;
    }
    return this.#online(() => this.registry.endJob(id, end, options));
  }

  keepAside(record: AsideRecord): void {
    this.registry.keepAside(record);
  }
  clearAside(): void {
    this.registry.clearAside();
  }

  async releaseSerial(id: number, action: OperatorAction): Promise<JobRow> {
    if (id < 0) throw new PeenmarkError("E_REGISTRY_UNREACHABLE", `job ${id} was marked while cut off and is not in the registry yet: release its serial once it is (it uploads when the registry answers)`, { where: "id" });
    return this.#online(() => this.registry.releaseSerial(id, action));
  }

  async job(id: number): Promise<JobRow> {
    if (id < 0) return this.#offline(id).row;
    return this.#online(() => this.registry.job(id));
  }

  async holdsSerial(id: number): Promise<boolean> {
    if (id < 0) {
      const r = this.#offline(id).row;
      return !(r.outcome === "aborted" || r.outcome === "failed") || r.progress.strikesDone > 0;
    }
    return this.#online(() => this.registry.holdsSerial(id));
  }

  find(serial: string): Promise<JobRow[]> {
    return this.#online(() => this.registry.find(serial));
  }
  lastJobOf(record: { readonly serial: string; readonly manufacturer: string; readonly licencePrefix?: string | undefined }): Promise<JobRow | undefined> {
    return this.#online(() => this.registry.lastJobOf(record));
  }
  jobs(filter?: Omit<ExportOptions, "format">): Promise<JobRow[]> {
    return this.#online(() => this.registry.jobs(filter));
  }
  search(q?: JobQuery): Promise<{ jobs: JobRow[]; total: number; limit: number; offset: number }> {
    return this.#online(() => this.registry.search(q));
  }
  remarksOf(id: number): Promise<JobRow[]> {
    return id < 0 ? Promise.resolve([]) : this.#online(() => this.registry.remarksOf(id));
  }
  statistics(range?: { from?: string; to?: string }, timeZone?: string): Promise<Statistics> {
    return this.#online(() => this.registry.statistics(range, timeZone));
  }
  exportJobs(options: ExportOptions): Promise<string> {
    return this.#online(() => this.registry.exportJobs(options));
  }
  events(filter?: { jobId?: number; seriesId?: string }): Promise<JournalEvent[]> {
    return this.#online(() => this.registry.events(filter));
  }
  createSeries(def: SeriesDefinition): Promise<SeriesRow> {
    return this.#online(() => this.registry.createSeries(def));
  }
  series(id: string): Promise<SeriesRow> {
    return this.#online(() => this.registry.series(id));
  }
  listSeries(): Promise<SeriesRow[]> {
    return this.#online(() => this.registry.listSeries());
  }
  numbers(seriesId: string, state?: NumberState): Promise<SeriesNumber[]> {
    return this.#online(() => this.registry.numbers(seriesId, state));
  }

  async reserveNext(seriesId: string, now: Date): Promise<SeriesNumber> {
    if (!this.cutOff) {
      try {
        return await this.#online(() => this.registry.reserveNext(seriesId, now));
      } catch (e) {
        if (!unreachable(e)) throw e;
      }
    }
    const t = this.outbox.takeNumber(seriesId, this.outbox.newKey(), this.#clock());
    const at = this.#clock().toISOString();
    return { seriesId, number: t.number, serial: t.serial, state: "reserved", jobId: undefined, reservedAt: at, updatedAt: at, reason: `lease ${t.leaseId}, marked while cut off`, operator: undefined };
  }

  async peekNext(seriesId: string, now: Date): Promise<{ number: number; serial: string } | undefined> {
    if (!this.cutOff) {
      try {
        return await this.#online(() => this.registry.peekNext(seriesId, now));
      } catch (e) {
        if (!unreachable(e)) throw e;
      }
    }
    const n = this.outbox.peekNumber(seriesId, this.#clock());
    return n && { number: n.number, serial: n.serial };
  }

  async releaseReservation(seriesId: string, number: number, action: OperatorAction): Promise<SeriesNumber> {
    if (this.outbox.keyOf(seriesId, number) !== undefined) return this.#handBack(seriesId, number);
    return this.#online(() => this.registry.releaseReservation(seriesId, number, action));
  }

  async voidNumber(seriesId: string, number: number, action: OperatorAction): Promise<SeriesNumber> {
    // A leased number whose serial turned out taken cannot be told from here: it goes back to
    // the lease, and the registry decides once it answers (the lease's return releases it).
    if (this.outbox.keyOf(seriesId, number) !== undefined) return this.#handBack(seriesId, number);
    return this.#online(() => this.registry.voidNumber(seriesId, number, action));
  }

  #handBack(seriesId: string, number: number): SeriesNumber {
    this.outbox.untake(seriesId, number);
    const at = this.#clock().toISOString();
    return { seriesId, number, serial: "", state: "reserved", jobId: undefined, reservedAt: at, updatedAt: at, reason: "handed back to this station's lease", operator: undefined };
  }

  #leasesSaid(): string {
    const l = this.outbox.leasesLeft(this.#clock());
    return l.length ? l.map((x) => `series "${x.seriesId}": ${x.left} left until ${x.expiresAt}`).join("; ") : "it holds none";
  }
}

function unreachable(e: unknown): boolean {
  return isPeenmarkError(e) && e.code === "E_REGISTRY_UNREACHABLE";
}

/** A job of the outbox as the runner and the page see a journal's row. */
function offlineRow(seq: number, o: OfflineJob, ended: boolean): JobRow {
  const r = o.job.record;
  const outcome = ended ? o.end.outcome : o.startedAt ? "marking" : "pending";
  return {
    id: -seq,
    outcome,
    sentLine: 0,
    record: r,
    serial: r.serial,
    licencePrefix: r.licencePrefix,
    manufacturer: r.manufacturer,
    profile: o.job.profile,
    stationId: o.job.stationId,
    program: o.job.program,
    technician: o.job.technician,
    createdAt: o.createdAt,
    startedAt: o.startedAt,
    endedAt: ended ? o.endedAt : undefined,
    progress: o.end.progress ?? { ackedLine: 0, executedLine: 0, strikesDone: 0 },
    error: ended ? o.end.error : undefined,
    note: ended ? o.end.note : undefined,
    remark: undefined,
    release: undefined,
    seriesNumber: o.job.seriesNumber,
  } satisfies JobRow;
}
