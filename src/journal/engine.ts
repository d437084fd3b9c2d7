import type { JournalEvent } from "./events.ts";
import type { AsideRecord, ExportOptions, Journal } from "./journal.ts";
import type { JobQuery, Statistics } from "./search.ts";
import type { JobEnd, JobRow, NewJob, NumberState, OperatorAction, Progress, SeriesDefinition, SeriesNumber, SeriesRow } from "./types.ts";

/**
 * The journal as every engine offers it: the embedded SQLite file of one bench (journal.ts,
 * wrapped by SqliteEngine below) and the PostgreSQL registry many stations share
 * (pg-journal.ts). The same methods, names and errors as `Journal`, each returning a promise:
 * a network database answers later, an embedded one at once. A caller awaits every call,
 * whichever engine it was given (open-journal.ts chooses).
 *
 * The rules are the engine's, not the caller's: the serial rule, re-marks, releases and series
 * are decided inside one transaction of the engine (SQLite: an IMMEDIATE transaction on the
 * file; PostgreSQL: a SERIALIZABLE transaction, retried when the server reports a conflict), so
 * two stations sharing a registry cannot both pass.
 */
export interface JournalEngine {
  /** `sqlite` or `postgres`. */
  readonly kind: "sqlite" | "postgres";
  /** Where it is, for messages: the file, or the server and database (never the password). */
  readonly where: string;
  readonly isOpen: boolean;
  /** Creates or migrates the schema; returns this station's jobs whose process is gone, now interrupted. */
  open(): Promise<JobRow[]>;
  close(): Promise<void>;
  /**
   * The serial rule for a job about to be written, without writing it (read only): the runner
   * asks before it talks to the controller, so a refused serial sends the head nothing.
   * createJob decides again inside its transaction.
   */
  checkSerial(input: NewJob): Promise<void>;
  createJob(input: NewJob): Promise<JobRow>;
  startJob(id: number): Promise<JobRow>;
  /**
   * `wait: false` is the write path of a job under way (writer.ts): one try, no waiting for
   * another process's lock (SQLite) or for a registry to come back (PostgreSQL); a write that
   * cannot be made now fails at once with a storage failure, and the writer keeps it aside.
   */
  progress(id: number, p: Progress, options?: { wait?: boolean }): Promise<void>;
  endJob(id: number, end: JobEnd, options?: { wait?: boolean }): Promise<JobRow>;
  /**
   * The side file: what the journal could not take while a job ran (appended and fsynced on
   * this computer, whichever engine), entered at the next open() when this process is gone.
   * Throws (an fs error) when the disk cannot take it either.
   */
  keepAside(record: AsideRecord): void;
  /** Everything kept aside has reached the journal: the side file goes. */
  clearAside(): void;
  releaseSerial(id: number, action: OperatorAction): Promise<JobRow>;
  job(id: number): Promise<JobRow>;
  /** Whether job `id` holds its serial now: unfinished, or ended after it may have struck the part, and not released. */
  holdsSerial(id: number): Promise<boolean>;
  find(serial: string): Promise<JobRow[]>;
  lastJobOf(record: { readonly serial: string; readonly manufacturer: string; readonly licencePrefix?: string | undefined }): Promise<JobRow | undefined>;
  jobs(filter?: Omit<ExportOptions, "format">): Promise<JobRow[]>;
  search(q?: JobQuery): Promise<{ jobs: JobRow[]; total: number; limit: number; offset: number }>;
  remarksOf(id: number): Promise<JobRow[]>;
  statistics(range?: { from?: string; to?: string }, timeZone?: string): Promise<Statistics>;
  exportJobs(options: ExportOptions): Promise<string>;
  events(filter?: { jobId?: number; seriesId?: string }): Promise<JournalEvent[]>;
  createSeries(def: SeriesDefinition): Promise<SeriesRow>;
  series(id: string): Promise<SeriesRow>;
  listSeries(): Promise<SeriesRow[]>;
  numbers(seriesId: string, state?: NumberState): Promise<SeriesNumber[]>;
  reserveNext(seriesId: string, now: Date): Promise<SeriesNumber>;
  peekNext(seriesId: string, now: Date): Promise<{ number: number; serial: string } | undefined>;
  releaseReservation(seriesId: string, number: number, action: OperatorAction): Promise<SeriesNumber>;
  voidNumber(seriesId: string, number: number, action: OperatorAction): Promise<SeriesNumber>;
}

/**
 * The SQLite journal behind the async interface: each method calls the synchronous `Journal`
 * and resolves at once (a throw becomes a rejection with the same PeenmarkError). Nothing is
 * decided here; the behaviour is journal.ts's, unchanged.
 */
export class SqliteEngine implements JournalEngine {
  readonly kind = "sqlite" as const;
  constructor(readonly journal: Journal) {}

  get where(): string {
    return this.journal.path;
  }
  get isOpen(): boolean {
    return this.journal.isOpen;
  }
  async open(): Promise<JobRow[]> {
    return this.journal.open();
  }
  async close(): Promise<void> {
    this.journal.close();
  }
  async checkSerial(input: NewJob): Promise<void> {
    this.journal.checkSerial(input);
  }
  async createJob(input: NewJob): Promise<JobRow> {
    return this.journal.createJob(input);
  }
  async startJob(id: number): Promise<JobRow> {
    return this.journal.startJob(id);
  }
  async progress(id: number, p: Progress, options: { wait?: boolean } = {}): Promise<void> {
    this.journal.progress(id, p, options);
  }
  async endJob(id: number, end: JobEnd, options: { wait?: boolean } = {}): Promise<JobRow> {
    return this.journal.endJob(id, end, options);
  }
  keepAside(record: AsideRecord): void {
    this.journal.keepAside(record);
  }
  clearAside(): void {
    this.journal.clearAside();
  }
  async releaseSerial(id: number, action: OperatorAction): Promise<JobRow> {
    return this.journal.releaseSerial(id, action);
  }
  async job(id: number): Promise<JobRow> {
    return this.journal.job(id);
  }
  async holdsSerial(id: number): Promise<boolean> {
    return this.journal.holdsSerial(id);
  }
  async find(serial: string): Promise<JobRow[]> {
    return this.journal.find(serial);
  }
  async lastJobOf(record: { readonly serial: string; readonly manufacturer: string; readonly licencePrefix?: string | undefined }): Promise<JobRow | undefined> {
    return this.journal.lastJobOf(record);
  }
  async jobs(filter: Omit<ExportOptions, "format"> = {}): Promise<JobRow[]> {
    return this.journal.jobs(filter);
  }
  async search(q: JobQuery = {}): Promise<{ jobs: JobRow[]; total: number; limit: number; offset: number }> {
    return this.journal.search(q);
  }
  async remarksOf(id: number): Promise<JobRow[]> {
    return this.journal.remarksOf(id);
  }
  async statistics(range: { from?: string; to?: string } = {}, timeZone = "UTC"): Promise<Statistics> {
    return this.journal.statistics(range, timeZone);
  }
  async exportJobs(options: ExportOptions): Promise<string> {
    return this.journal.exportJobs(options);
  }
  async events(filter: { jobId?: number; seriesId?: string } = {}): Promise<JournalEvent[]> {
    return this.journal.events(filter);
  }
  async createSeries(def: SeriesDefinition): Promise<SeriesRow> {
    return this.journal.createSeries(def);
  }
  async series(id: string): Promise<SeriesRow> {
    return this.journal.series(id);
  }
  async listSeries(): Promise<SeriesRow[]> {
    return this.journal.listSeries();
  }
  async numbers(seriesId: string, state?: NumberState): Promise<SeriesNumber[]> {
    return this.journal.numbers(seriesId, state);
  }
  async reserveNext(seriesId: string, now: Date): Promise<SeriesNumber> {
    return this.journal.reserveNext(seriesId, now);
  }
  async peekNext(seriesId: string, now: Date): Promise<{ number: number; serial: string } | undefined> {
    return this.journal.peekNext(seriesId, now);
  }
  async releaseReservation(seriesId: string, number: number, action: OperatorAction): Promise<SeriesNumber> {
    return this.journal.releaseReservation(seriesId, number, action);
  }
  async voidNumber(seriesId: string, number: number, action: OperatorAction): Promise<SeriesNumber> {
    return this.journal.voidNumber(seriesId, number, action);
  }
}
