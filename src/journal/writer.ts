import { EventEmitter } from "node:events";
import { isPeenmarkError, PeenmarkError } from "../errors.ts";
import { type JournalEngine, SqliteEngine } from "./engine.ts";
import { type AsideRecord, Journal } from "./journal.ts";
import type { JobEnd, JobRow, Progress } from "./types.ts";

/**
 * The journal's write path for a job under way: nothing here waits on the journal.
 *
 * - Progress is queued and coalesced (only the latest per job counts) and written without
 *   waiting for another process's lock or for a registry to come back (`wait: false`); a
 *   write that cannot be made now is retried every `retryMs`. One write is in flight at a
 *   time (a registry answers later): what comes meanwhile waits in the queue, coalesced.
 * - The outcome is written the same way, fsynced as always (Journal.endJob; a committed
 *   transaction on the registry).
 * - What the journal cannot take (locked, disk full, I/O error, read-only; the registry
 *   unreachable) is kept in the side file (engine.keepAside, appended and fsynced on this
 *   computer), or in memory when the disk cannot take that either, and written as soon as the
 *   journal can: the job's true state is never lost to "interrupted", and a restart enters
 *   what the side file holds.
 * - Once the journal has been unable to record for `stallMs` — writes failing, or one write
 *   unanswered that long — `stalled` is emitted (the runner stops the mark at the next safe
 *   point); `recovered` once everything is written.
 */
export interface JournalWriterOptions {
  /** How long the journal may be unable to record before `stalled`, ms. */
  readonly stallMs: number;
  /** How often a failed write is tried again, ms. */
  readonly retryMs?: number;
}

export interface JournalWriterEvents {
  /** The journal has not been able to record for stallMs: stop the mark. */
  stalled: [error: PeenmarkError];
  /** Everything queued is in the journal again. */
  recovered: [];
  /** An outcome kept while the journal could not record has now been written. */
  ended: [row: JobRow];
}

/** A value now (the SQLite file answers at once) or later (the registry answers over the network). */
type Maybe<T> = T | Promise<T>;

/**
 * What the writer writes to: the SQLite `Journal` itself, whose writes complete (or fail) before
 * the call returns — so the queue behaves exactly as on one bench — or an engine whose writes
 * resolve later.
 */
interface Target {
  readonly where: string;
  progress(id: number, p: Progress): Maybe<void>;
  endJob(id: number, end: JobEnd): Maybe<JobRow>;
  keepAside(r: AsideRecord): void;
  clearAside(): void;
}

function targetOf(j: JournalEngine | Journal): Target {
  const sqlite = j instanceof Journal ? j : j instanceof SqliteEngine ? j.journal : undefined;
  if (sqlite)
    return {
      where: sqlite.path,
      progress: (id, p) => sqlite.progress(id, p, { wait: false }),
      endJob: (id, end) => sqlite.endJob(id, end, { wait: false }),
      keepAside: (r) => sqlite.keepAside(r),
      clearAside: () => sqlite.clearAside(),
    };
  const engine = j as JournalEngine;
  return {
    where: engine.where,
    progress: (id, p) => engine.progress(id, p, { wait: false }),
    endJob: (id, end) => engine.endJob(id, end, { wait: false }),
    keepAside: (r) => engine.keepAside(r),
    clearAside: () => engine.clearAside(),
  };
}

/** `fn` on a value now or later: now stays now (no turn of the event loop for the SQLite file). */
function after<T, R>(v: () => Maybe<T>, ok: (t: T) => Maybe<R>, bad: (e: unknown) => Maybe<R>): Maybe<R> {
  let r: Maybe<T>;
  try {
    r = v();
  } catch (e) {
    return bad(e);
  }
  return r instanceof Promise ? r.then(ok, bad) : ok(r);
}

/** Steps one after another, each started when the one before has finished. */
function inTurn(steps: readonly (() => Maybe<void>)[], from = 0): Maybe<void> {
  for (let i = from; i < steps.length; i++) {
    const r = steps[i]!();
    if (r instanceof Promise) return r.then(() => inTurn(steps, i + 1));
  }
}

export class JournalWriter extends EventEmitter<JournalWriterEvents> {
  readonly #journal: Target;
  readonly #stallMs: number;
  readonly #retryMs: number;
  readonly #progress = new Map<number, { p: Progress; aside: boolean }>();
  readonly #ends = new Map<number, { end: JobEnd; aside: boolean; at: string }>();
  #timer: NodeJS.Timeout | undefined;
  #failingSince: number | undefined;
  #lastError: PeenmarkError | undefined;
  #stalled = false;
  #closed = false;
  /** The side file could not be written either: what is queued lives in memory only. */
  #asideFailed = false;
  /** The write under way on an engine that answers later (at most one), and whether more was queued meanwhile. */
  #flushing: Promise<Map<number, JobRow>> | undefined;
  #again = false;
  #watchdog: NodeJS.Timeout | undefined;

  constructor(journal: JournalEngine | Journal, options: JournalWriterOptions) {
    super();
    this.#journal = targetOf(journal);
    this.#stallMs = options.stallMs;
    this.#retryMs = options.retryMs ?? 200;
  }

  /** The journal cannot record now: the last storage error (E_JOURNAL with a sentence, or E_REGISTRY_UNREACHABLE). */
  get failing(): PeenmarkError | undefined {
    return this.#failingSince === undefined ? undefined : this.#lastError;
  }

  /** Past stallMs without recording. */
  get stalled(): boolean {
    return this.#stalled;
  }

  /** Something is queued that the journal has not taken yet. */
  get pending(): boolean {
    return this.#progress.size > 0 || this.#ends.size > 0;
  }

  /** Whether the outcome of job `id` is waiting for the journal. */
  endPending(id: number): boolean {
    return this.#ends.has(id);
  }

  /** Queue the latest progress of a marking job; written at once if the journal takes it. Never waited for. */
  progress(id: number, p: Progress): void {
    if (this.#ends.has(id)) return;
    this.#progress.set(id, { p, aside: false });
    this.#kick();
  }

  /**
   * Write the outcome now if the journal takes it (the row); otherwise keep it (side file,
   * memory) and write it when the journal can (the `ended` event): undefined. Errors that are
   * not storage failures (a job in the wrong state) are thrown. On SQLite this returns the
   * answer itself; on the registry a promise of it.
   */
  end(id: number, end: JobEnd): Maybe<JobRow | undefined> {
    this.#progress.delete(id);
    this.#ends.set(id, { end, aside: false, at: new Date().toISOString() });
    const written = this.#flush(id);
    return written instanceof Promise ? written.then((w) => w.get(id)) : written.get(id);
  }

  /** Stop retrying (the service is closing). What was not written stays in the side file. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unwatch();
  }

  /** Write what was just queued: now, or after the write under way. */
  #kick(): void {
    if (this.#flushing) {
      this.#again = true;
      return;
    }
    const r = this.#flush();
    if (r instanceof Promise) r.catch((e: unknown) => process.emitWarning(`the journal writer failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** One write at a time; `caller`'s outcome is the one whose refusal is thrown. */
  #flush(caller?: number): Maybe<Map<number, JobRow>> {
    if (this.#flushing) return this.#flushing.catch(() => undefined).then(() => this.#flush(caller));
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#again = false;
    const r = this.#flushOnce(caller);
    if (!(r instanceof Promise)) return r;
    this.#watch();
    const run = r.finally(() => {
      this.#flushing = undefined;
      this.#unwatch();
      if (this.#again && !this.#timer && !this.#closed && this.pending) this.#kick();
      this.#again = false;
    });
    this.#flushing = run;
    return run;
  }

  /** Write what is queued; rows written for jobs other than `caller` go out as `ended`. */
  #flushOnce(caller?: number): Maybe<Map<number, JobRow>> {
    const written = new Map<number, JobRow>();
    let failure: PeenmarkError | undefined;
    const steps: (() => Maybe<void>)[] = [];
    for (const [id, q] of [...this.#progress]) {
      steps.push(() =>
        after(
          () => this.#journal.progress(id, q.p),
          () => {
            // A newer progress queued while this one was written stays queued.
            if (this.#progress.get(id) === q) this.#progress.delete(id);
          },
          (e) => {
            if (!storage(e)) {
              if (this.#progress.get(id) === q) this.#progress.delete(id); // the job ended meanwhile: its outcome carries the exact progress
              return;
            }
            failure = e;
            if (!q.aside) q.aside = this.#keep({ kind: "progress", jobId: id, at: new Date().toISOString(), progress: q.p });
          },
        ),
      );
    }
    for (const [id, q] of [...this.#ends]) {
      steps.push(() =>
        after(
          () => this.#journal.endJob(id, q.end),
          (row) => {
            this.#ends.delete(id);
            written.set(id, row);
          },
          (e) => {
            if (!storage(e)) {
              this.#ends.delete(id);
              // The caller hears it; a late write that meets a job in another state (ended by an
              // open() elsewhere, say) is dropped with a warning, never thrown from a timer.
              if (id === caller) throw e;
              process.emitWarning(`the kept outcome of job ${id} could not be entered: ${e instanceof Error ? e.message : String(e)}`);
              return;
            }
            failure = e;
            if (!q.aside) q.aside = this.#keep({ kind: "end", jobId: id, at: q.at, end: q.end });
          },
        ),
      );
    }
    const settle = (): Map<number, JobRow> => {
      if (failure) this.#failed(failure);
      // Recovered once nothing is left: a registry's answer may come after newer progress was queued.
      else if (this.#failingSince !== undefined && !this.pending) this.#recovered();
      for (const [id, row] of written) if (id !== caller) this.emit("ended", row);
      return written;
    };
    const done = inTurn(steps);
    return done instanceof Promise ? done.then(settle) : settle();
  }

  /**
   * A write that goes unanswered (a registry that stopped answering, before the engine's own
   * timeout drops the link) counts as not recording from the moment it was sent.
   */
  #watch(): void {
    this.#unwatch();
    const since = performance.now();
    this.#watchdog = setTimeout(() => {
      this.#watchdog = undefined;
      if (this.#stalled || this.#closed) return;
      this.#failingSince ??= since;
      this.#lastError ??= new PeenmarkError("E_REGISTRY_UNREACHABLE", `the registry ${this.#journal.where} has not answered a write for ${(this.#stallMs / 1000).toFixed(1)} s: nothing more is recorded until it answers`, { where: this.#journal.where });
      this.#stalled = true;
      this.emit("stalled", this.#lastError);
    }, Math.max(0, this.#stallMs - (this.#failingSince === undefined ? 0 : since - this.#failingSince)));
    this.#watchdog.unref?.();
  }

  #unwatch(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }

  #failed(e: PeenmarkError): void {
    this.#lastError = e;
    const now = performance.now();
    this.#failingSince ??= now;
    if (!this.#stalled && now - this.#failingSince >= this.#stallMs) {
      this.#stalled = true;
      this.emit("stalled", e);
    }
    if (!this.#closed) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#kick();
      }, this.#retryMs);
      this.#timer.unref?.();
    }
  }

  #recovered(): void {
    this.#failingSince = undefined;
    this.#lastError = undefined;
    this.#stalled = false;
    // Everything the side file held is in the journal now.
    try {
      this.#journal.clearAside();
      this.#asideFailed = false;
    } catch {
      // Left behind, it is applied again at the next open: its records are idempotent there (a job no longer marking is skipped).
    }
    this.emit("recovered");
  }

  /** Into the side file; false when the disk cannot take it (kept in memory, retried with the next failure). */
  #keep(r: AsideRecord): boolean {
    try {
      this.#journal.keepAside(r);
      return true;
    } catch {
      this.#asideFailed = true;
      return false;
    }
  }

  /** The side file could not be written: a crash now would lose what is queued. */
  get memoryOnly(): boolean {
    return this.#asideFailed && this.pending;
  }
}

/** The journal failing to store (SQLite's storage errors; the registry out of reach), not a refusal. */
function storage(e: unknown): e is PeenmarkError {
  return isPeenmarkError(e) && ((e.code === "E_JOURNAL" && typeof e.details.storage === "string") || e.code === "E_REGISTRY_UNREACHABLE");
}
