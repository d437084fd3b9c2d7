import { EventEmitter } from "node:events";
import { isPeenmarkError, PeenmarkError } from "../errors.ts";
import type { AsideRecord, Journal } from "./journal.ts";
import type { JobEnd, JobRow, Progress } from "./types.ts";

/**
 * The journal's write path for a job under way: nothing here waits on the journal.
 *
 * - Progress is queued and coalesced (only the latest per job counts) and written without
 *   waiting for another process's lock (`wait: false`); a write that cannot be made now is
 *   retried every `retryMs`.
 * - The outcome is written the same way, fsynced as always (Journal.endJob).
 * - What the journal cannot take (locked, disk full, I/O error, read-only) is kept in the
 *   side file next to it (Journal.keepAside, appended and fsynced), or in memory when the
 *   disk cannot take that either, and written as soon as the journal can: the job's true
 *   state is never lost to "interrupted", and a restart enters what the side file holds.
 * - Once the journal has been unable to record for `stallMs`, `stalled` is emitted (the
 *   runner stops the mark at the next safe point); `recovered` once everything is written.
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

export class JournalWriter extends EventEmitter<JournalWriterEvents> {
  readonly #journal: Journal;
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

  constructor(journal: Journal, options: JournalWriterOptions) {
    super();
    this.#journal = journal;
    this.#stallMs = options.stallMs;
    this.#retryMs = options.retryMs ?? 200;
  }

  /** The journal cannot record now: the last storage error (E_JOURNAL with a sentence). */
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

  /** Queue the latest progress of a marking job; written at once if the journal takes it. */
  progress(id: number, p: Progress): void {
    if (this.#ends.has(id)) return;
    this.#progress.set(id, { p, aside: false });
    this.#flush();
  }

  /**
   * Write the outcome now if the journal takes it (returns the row); otherwise keep it (side
   * file, memory) and write it when the journal can (the `ended` event), returning undefined.
   * Errors that are not storage failures (a job in the wrong state) are thrown.
   */
  end(id: number, end: JobEnd): JobRow | undefined {
    this.#progress.delete(id);
    this.#ends.set(id, { end, aside: false, at: new Date().toISOString() });
    const written = this.#flush(id);
    return written.get(id);
  }

  /** Stop retrying (the service is closing). What was not written stays in the side file. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Write what is queued; rows written for jobs other than `caller` go out as `ended`. */
  #flush(caller?: number): Map<number, JobRow> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const written = new Map<number, JobRow>();
    let failure: PeenmarkError | undefined;
    for (const [id, q] of [...this.#progress]) {
      try {
        this.#journal.progress(id, q.p, { wait: false });
        this.#progress.delete(id);
      } catch (e) {
        if (!storage(e)) {
          this.#progress.delete(id); // the job ended meanwhile: its outcome carries the exact progress
          continue;
        }
        failure = e;
        if (!q.aside) q.aside = this.#keep({ kind: "progress", jobId: id, at: new Date().toISOString(), progress: q.p });
      }
    }
    for (const [id, q] of [...this.#ends]) {
      try {
        const row = this.#journal.endJob(id, q.end, { wait: false });
        this.#ends.delete(id);
        written.set(id, row);
      } catch (e) {
        if (!storage(e)) {
          this.#ends.delete(id);
          // The caller hears it; a late write that meets a job in another state (ended by an
          // open() elsewhere, say) is dropped with a warning, never thrown from a timer.
          if (id === caller) throw e;
          process.emitWarning(`the kept outcome of job ${id} could not be entered: ${e instanceof Error ? e.message : String(e)}`);
          continue;
        }
        failure = e;
        if (!q.aside) q.aside = this.#keep({ kind: "end", jobId: id, at: q.at, end: q.end });
      }
    }
    if (failure) this.#failed(failure);
    else if (this.#failingSince !== undefined) this.#recovered();
    for (const [id, row] of written) if (id !== caller) this.emit("ended", row);
    return written;
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
      this.#timer = setTimeout(() => this.#flush(), this.#retryMs);
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

function storage(e: unknown): e is PeenmarkError {
  return isPeenmarkError(e) && e.code === "E_JOURNAL" && typeof e.details.storage === "string";
}
