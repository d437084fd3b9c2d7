import { EventEmitter } from "node:events";
import { expectedSettings, type JobOutcome, type JobProgress } from "../../firmware-bridge/index.ts";
import { compile, type CompiledJob } from "../compile.ts";
import { PeenmarkError, isPeenmarkError } from "../errors.ts";
import { CutOffJournal, type CutOffState } from "../journal/cut-off.ts";
import { type JournalEngine, SqliteEngine } from "../journal/engine.ts";
import { type JobEnd, type JobRow, Journal, type Progress, type Remark } from "../journal/journal.ts";
import { parseRecord } from "../profile/load.ts";
import type { Profile } from "../profile/schema.ts";
import type { Station } from "../profile/station.ts";
import type { MarkingRecord } from "../record/schema.ts";
import { bridged, fromBridge, type ControllerView, type Head } from "./head.ts";
import { JournalWriter } from "../journal/writer.ts";
import { jobView, type JobView } from "./view.ts";

/**
 * The one place a job runs (the CLI's `peenmark mark` and the service both come here):
 *
 *   validate the record → compile (pure; the time of marking read here, at the edge)
 *   → the serial rule (read only) → check the controller's settings against the station
 *   → journal row (the serial rule again, in the engine's transaction) → home if the head
 *   needs it → journal "marking" → stream → outcome in the journal.
 *
 * The journal is either engine (journal/engine.ts): the SQLite file of one bench, or the
 * PostgreSQL registry many stations share. Every call before the first byte is awaited (a
 * registry that cannot be reached refuses the mark, E_REGISTRY_UNREACHABLE, before the head
 * hears anything); once the head runs, the journal is written through the writer
 * (journal/writer.ts) and never waited for.
 *
 * Bad input stops before the journal and before the head: no row, no byte. One head, one
 * job: a second start while one is under way is E_BUSY. Progress goes to the journal at
 * most every `progressEveryMs` (and exactly at the end), and out as events.
 */
export interface ProfileRef {
  readonly profile: Profile;
  /** sha256 of the profile version's bytes, recorded with the job. */
  readonly hash: string;
}

export interface StartRequest {
  readonly profile: ProfileRef;
  /** As received: validated here with MarkingRecordSchema. */
  readonly record: unknown;
  readonly technician: string;
  /**
   * A re-mark of a serial marked (or left unfinished) before: an operator's name and written
   * reason. `profile` must be the version the earlier job used, unless `currentProfile` says
   * why the operator chose the current one (the journal holds to that: serial-rule.ts).
   */
  readonly remark?: { readonly of?: number; readonly reason: string; readonly operator: string; readonly currentProfile?: { readonly reason: string } };
  /**
   * Draw the serial from this serial-number series (the record then carries no serial): the
   * next number is reserved when the job starts, committed when it completes, and kept
   * reserved if the job is interrupted. A start refused before its journal row is written
   * hands the number back, with the reason in the journal's event log.
   */
  readonly series?: string;
  /**
   * The serial the technician saw in the preview of a series job: when the series now draws
   * another (a number taken meanwhile), the job is refused (E_PREVIEW_STALE) and the number
   * handed back, so what is struck is what was previewed.
   */
  readonly seriesSerial?: string;
  /**
   * The hash of the program the technician saw previewed: a program compiled now that differs
   * (a date, week or shift code changed since, the profile published again) is refused
   * (E_PREVIEW_STALE), so what is struck is what was previewed.
   */
  readonly previewedProgramHash?: string;
}

export interface StartedJob {
  /** The job as written to the journal (pending: homing and streaming follow). */
  readonly job: JobView;
  /** Resolves with the job once it has ended (completed, aborted, interrupted or failed). */
  readonly done: Promise<JobView>;
}

export interface RunnerOptions {
  /** Either engine; a bare `Journal` (SQLite) is taken as its SqliteEngine. */
  readonly journal: JournalEngine | Journal;
  readonly head: Head;
  readonly station: Station;
  /** The time of marking ({date.year} in templates); the wall clock unless a test fixes it. */
  readonly clock?: () => Date;
  /** Least time between two progress writes to the journal, ms. */
  readonly progressEveryMs?: number;
  /** Least time between two progress events, ms (the page wants at most 10 a second). */
  readonly eventEveryMs?: number;
  /** How long the journal may be unable to record before the mark stops, ms (default: the station file's controller.journalStallTimeout). */
  readonly journalStallMs?: number;
}

interface Active {
  id: number | undefined;
  compiled: CompiledJob | undefined;
  progress: Progress;
  paused: boolean;
  /** Paused and at rest: the progress in the journal is where the head stands. */
  drained: boolean;
  secondsLeft: number;
  streaming: boolean;
  abortRequested: boolean;
  /** Set when the service stops during the job: the head is held and reset, and the job ends interrupted. */
  closing: boolean;
  lastWrite: number;
  lastEvent: number;
  /** The journal row as the runner last wrote it (created, then started): what every view of the job under way shows, with the live state. */
  row: JobRow | undefined;
  /** Paused by the station because the journal could not record (not by the technician). */
  journalPause: boolean;
  /** Whether the last view said the paused head was at rest. */
  eventTimer: NodeJS.Timeout | undefined;
}

const ZERO: Progress = { ackedLine: 0, executedLine: 0, strikesDone: 0 };

/** Streamer positions count the header comment as line 1; the journal counts N numbers. */
const toN = (position: number) => Math.max(0, position - 1);

export class JobRunner extends EventEmitter<{ job: [view: JobView]; controller: [view: ControllerView]; journal: [state: ReturnType<JobRunner["journalState"]>] }> {
  readonly journal: JournalEngine;
  readonly head: Head;
  readonly station: Station;
  readonly #clock: () => Date;
  readonly #progressEveryMs: number;
  readonly #eventEveryMs: number;
  #active: Active | undefined;
  #done: Promise<JobView> | undefined;
  readonly #writer: JournalWriter;
  /** Outcomes the journal took late (written from the side file's queue), shown until the journal has them. */
  readonly #unrecorded = new Map<number, JobRow>();
  /** The registry could not be reached at the last start (E_REGISTRY_UNREACHABLE): said on every view until a start reaches it. */
  #unreachable: PeenmarkError | undefined;
  readonly #onProgress = (p: JobProgress) => this.#progress(p);
  readonly #onController = (v: ControllerView) => {
    this.#tell("controller", v);
  };

  constructor(opts: RunnerOptions) {
    super();
    this.journal = opts.journal instanceof Journal ? new SqliteEngine(opts.journal) : opts.journal;
    this.head = opts.head;
    this.station = opts.station;
    this.#clock = opts.clock ?? (() => new Date());
    this.#progressEveryMs = opts.progressEveryMs ?? 250;
    this.#eventEveryMs = opts.eventEveryMs ?? 100;
    this.#writer = new JournalWriter(this.journal, { stallMs: opts.journalStallMs ?? this.station.controller.journalStallTimeout * 1000 });
    this.#writer.on("stalled", (e) => void this.#journalStalled(e));
    this.#writer.on("recovered", () => {
      const a = this.#active;
      if (a?.id !== undefined) this.#changed(a);
    });
    this.#writer.on("ended", (row) => {
      this.#unrecorded.delete(row.id);
      this.#tell("job", jobView(row));
    });
    this.head.controller.on("progress", this.#onProgress);
    this.head.on("controller", this.#onController);
    // A station on a registry: cut off, back, what it uploaded (the page's registry line).
    if (this.journal instanceof CutOffJournal) {
      const tellJournal = () => {
        try {
          this.emit("journal", this.journalState());
        } catch (e) {
          process.emitWarning(`a journal event listener failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      };
      this.journal.on("changed", tellJournal);
      this.journal.on("uploaded", (u) => {
        for (const c of u.conflicts) process.emitWarning(`job ${c.key}, marked while cut off, is in the registry as job ${c.jobId} with a conflict for an operator: ${c.conflicts.join("; ")}`);
        tellJournal();
      });
    }
  }

  /** The journal cannot record now (E_JOURNAL with the reason, E_REGISTRY_UNREACHABLE), or undefined. */
  get journalFailing(): PeenmarkError | undefined {
    return this.#writer.failing ?? this.#unreachable;
  }

  /**
   * The journal as the station's view shows it: which engine, where (a registry's URL without
   * its password), and whether it records now; when it does not, why.
   */
  journalState(): { kind: "sqlite" | "postgres"; where: string; recording: boolean; code?: string; message?: string; cutOff?: CutOffState } {
    const failing = this.journalFailing;
    const cut = this.journal instanceof CutOffJournal ? { cutOff: this.journal.state() } : {};
    const base = { kind: this.journal.kind, where: this.journal.where, ...cut };
    return failing ? { ...base, recording: false, code: failing.code, message: failing.message } : { ...base, recording: true };
  }

  /** Remember (or forget) that the registry could not be reached, from what a call to it did. */
  #heard(e: unknown): void {
    if (isPeenmarkError(e) && e.code === "E_REGISTRY_UNREACHABLE") this.#unreachable = e;
  }

  /**
   * The journal has not been able to record for the stall timeout: stop the mark at the next
   * safe point (the streamer's pause: nothing more sent, the head finishes the strikes the
   * controller holds and stands, pin off). The job's state is in the side file; the
   * technician resumes once the journal records again.
   */
  async #journalStalled(e: PeenmarkError): Promise<void> {
    const a = this.#active;
    if (!a || a.id === undefined || !a.streaming || a.paused) return;
    a.paused = true;
    a.journalPause = true;
    this.#changed(a);
    await this.head.controller.pause().catch(() => undefined);
    process.emitWarning(`job ${a.id} paused: ${e.message}`);
  }

  /** Validate and compile, nothing else: the preview, and the first step of a job. */
  prepare(profile: Profile, record: unknown, markedAt = this.#clock()): { record: MarkingRecord; compiled: CompiledJob } {
    const r = parseRecord("record", record);
    return { record: r, compiled: compile({ record: r, profile, station: this.station, markedAt }) };
  }

  get busy(): boolean {
    return this.#active !== undefined;
  }

  /** The job under way, if any. */
  current(): JobView | undefined {
    const a = this.#active;
    if (!a || a.id === undefined) return undefined;
    return this.#view(a);
  }

  /** A job from the journal, with the live state when it is the one under way. */
  async job(id: number): Promise<JobView> {
    const a = this.#active;
    if (a && a.id === id) return this.#view(a);
    const kept = this.#unrecorded.get(id);
    const failing = this.#writer.failing;
    if (kept && failing) return { ...jobView(kept), journal: { recorded: false as const, code: failing.code, message: `not yet in the journal: ${failing.message}` } };
    return jobView(await this.journal.job(id));
  }

  /**
   * Start a job; resolves once its journal row is written and the job is under way. Throws
   * (changing nothing) for a bad record, a profile the record does not fit, a controller that
   * does not fit the station, the serial rule, or a job already under way (E_BUSY).
   */
  async start(req: StartRequest): Promise<StartedJob> {
    if (this.#active) throw this.#busy();
    const active: Active = {
      id: undefined,
      compiled: undefined,
      progress: ZERO,
      paused: false,
      drained: false,
      secondsLeft: 0,
      streaming: false,
      abortRequested: false,
      closing: false,
      lastWrite: 0,
      lastEvent: 0,
      eventTimer: undefined,
      row: undefined,
      journalPause: false,
    };
    this.#active = active;
    let row: JobRow;
    try {
      const technician = req.technician.trim();
      if (!technician) throw new PeenmarkError("E_SCHEMA", "the technician's name is missing: say who is marking", { where: "technician", details: { issues: [{ path: "$.technician", message: "the technician's name must not be empty" }] } });
      const markedAt = this.#clock();
      const drawn = req.series === undefined ? undefined : await this.#drawSerial(req.series, req.record, markedAt);
      try {
        if (drawn && req.seriesSerial !== undefined && drawn.record.serial !== req.seriesSerial)
          throw new PeenmarkError("E_PREVIEW_STALE", `series "${req.series}" now gives serial "${String(drawn.record.serial)}", not "${req.seriesSerial}" as previewed (a number was taken or handed back meanwhile): preview again`, {
            where: "seriesSerial",
            details: { previewed: req.seriesSerial, now: drawn.record.serial },
          });
        const { record, compiled } = this.prepare(req.profile.profile, drawn ? drawn.record : req.record, markedAt);
        if (req.previewedProgramHash !== undefined && compiled.gcode.hash !== req.previewedProgramHash)
          throw new PeenmarkError("E_PREVIEW_STALE", "the program to strike is no longer the one previewed (a date, week or shift code changed since the preview, or the profile was published again): preview again", {
            where: "programHash",
            details: { previewed: req.previewedProgramHash, now: compiled.gcode.hash },
          });
        active.compiled = compiled;
        active.secondsLeft = compiled.figures.seconds;
        const remark = req.remark ? await this.#remark(record, req.remark) : undefined;
        const job = {
          record,
          profile: { id: req.profile.profile.id, hash: req.profile.hash },
          stationId: this.station.id,
          program: { hash: compiled.gcode.hash, lines: toN(compiled.gcode.lines.length), strikes: compiled.gcode.strikeLines.length },
          technician,
          ...(remark ? { remark } : {}),
          ...(drawn ? { seriesNumber: { seriesId: req.series!, number: drawn.number } } : {}),
        };
        // The serial rule first (read only): a refused serial, or a registry that cannot be
        // reached, sends the head nothing, not even `$$`.
        await this.journal.checkSerial(job);
        this.#unreachable = undefined;
        await this.#checkController();
        row = await this.journal.createJob(job);
      } catch (e) {
        if (drawn) {
          const why = e instanceof PeenmarkError ? e.toString() : String(e);
          // A number whose serial the journal already holds (marked by hand, or held by another
          // job) can never be marked from this series: void it, or every start would draw it again.
          const taken = e instanceof PeenmarkError && (e.code === "E_SERIAL_DUPLICATE" || e.code === "E_SERIAL_RESERVED");
          try {
            if (taken) await this.journal.voidNumber(req.series!, drawn.number, { operator: "station", reason: `its serial is already in the journal: ${why}` });
            else await this.journal.releaseReservation(req.series!, drawn.number, { operator: "station", reason: `job not started, number handed back: ${why}` });
          } catch (handBack) {
            // The refusal is what the technician must hear; a number that could not be handed
            // back stays reserved, without a job, for an operator to release (docs/JOURNAL.md).
            if (!(isPeenmarkError(handBack) && handBack.code === "E_REGISTRY_UNREACHABLE")) throw handBack;
            process.emitWarning(`number ${drawn.number} of series "${req.series}" stays reserved: ${handBack.message}`);
          }
        }
        throw e;
      }
      active.id = row.id;
      active.row = row;
    } catch (e) {
      this.#active = undefined;
      this.#heard(e);
      throw e;
    }
    const done = this.#run(active, row);
    this.#done = done;
    const view = this.#view(active);
    this.#tell("job", view);
    return { job: view, done };
  }

  /**
   * Reserve the series' next number for a record that has no serial of its own. The record
   * is checked first (with a stand-in serial) so that a form error does not churn numbers.
   */
  async #drawSerial(seriesId: string, record: unknown, now: Date): Promise<{ record: Record<string, unknown>; number: number }> {
    const fields = record && typeof record === "object" ? (record as Record<string, unknown>) : {};
    if (fields.serial !== undefined && fields.serial !== "")
      throw new PeenmarkError("E_SCHEMA", `the record has serial "${String(fields.serial)}" and asks for series "${seriesId}": leave the serial empty to draw it from the series`, {
        where: "serial",
        details: { issues: [{ path: "$.record.serial", message: "leave empty when marking from a series" }] },
      });
    parseRecord("record", { ...fields, serial: "0" });
    const n = await this.journal.reserveNext(seriesId, now);
    return { record: { ...fields, serial: n.serial }, number: n.number };
  }

  /**
   * Pause at the next safe point: nothing more is sent, the head runs what the controller
   * holds (a fraction of a second) and stops between two strikes, pin off (streamer.ts). The
   * journal gets the exact progress once it stands.
   */
  async pause(id: number): Promise<JobView> {
    const a = this.#marking(id, "paused");
    await bridged(() => this.head.controller.pause(), "pausing");
    a.paused = true;
    return this.#changed(a);
  }

  async resume(id: number): Promise<JobView> {
    const a = this.#marking(id, "resumed");
    const failing = this.#writer.failing;
    if (failing?.code === "E_REGISTRY_UNREACHABLE")
      throw new PeenmarkError("E_REGISTRY_UNREACHABLE", `job ${id} stays paused: ${failing.message}. Resume once the registry answers`, { where: this.journal.where, details: { jobId: id } });
    if (failing)
      throw new PeenmarkError("E_JOURNAL", `job ${id} stays paused: ${failing.message}. Free the disk or the lock, then resume`, { details: { jobId: id, ...failing.details } });
    a.journalPause = false;
    await bridged(() => this.head.controller.resume(), "resuming");
    a.paused = false;
    a.drained = false;
    return this.#changed(a);
  }

  /** Stop the job (feed hold, then a reset that switches the pin off); the outcome follows in the journal. */
  async abort(id: number): Promise<JobView> {
    const a = this.#active;
    if (!a || a.id !== id) throw new PeenmarkError("E_JOURNAL", `job ${id} is not under way: only the job being marked can be aborted`, { details: { jobId: id } });
    a.abortRequested = true;
    if (a.streaming) this.head.controller.abort();
    // Homing before the job: stop it now (a soft reset), not after the cycle ends.
    else await this.head.abortHoming().catch(() => false);
    return this.#view(a);
  }

  /** Commands for the head outside a job; refused (E_BUSY) while one is under way. */
  async home(): Promise<ControllerView> {
    if (this.#active) throw this.#busy();
    return this.head.home();
  }

  async unlock(): Promise<ControllerView> {
    if (this.#active) throw this.#busy();
    return this.head.unlock();
  }

  async jog(move: { x?: number; y?: number; feed: number }): Promise<ControllerView> {
    if (this.#active) throw this.#busy();
    await this.head.jog(move);
    return this.head.view();
  }

  /** Abort the job under way (if any) and wait for its outcome; then stop listening to the head. */
  /**
   * Stop for good (the service is shutting down). A job under way is held and reset (pin off)
   * and ends `interrupted`, not `aborted`: nobody decided to give up on the part, it is half
   * marked, and its serial stays held until an operator re-marks or releases it.
   */
  async close(): Promise<void> {
    const a = this.#active;
    if (a && a.id !== undefined) {
      a.closing = true;
      await this.abort(a.id).catch(() => undefined);
    }
    if (this.#done) await this.#done.catch(() => undefined);
    this.head.controller.off("progress", this.#onProgress);
    this.head.off("controller", this.#onController);
    this.#writer.close();
  }

  // ------------------------------------------------------------------ internals

  #busy(): PeenmarkError {
    const a = this.#active;
    const what = a?.id === undefined ? "a job is being prepared" : `job ${a.id} is under way`;
    return new PeenmarkError("E_BUSY", `the head is busy: ${what}; wait for it to end or abort it`, { details: a?.id === undefined ? {} : { jobId: a.id } });
  }

  #marking(id: number, verb: string): Active {
    const a = this.#active;
    if (!a || a.id !== id || !a.streaming) throw new PeenmarkError("E_JOURNAL", `job ${id} is not marking: only the job being marked can be ${verb}`, { details: { jobId: id } });
    return a;
  }

  async #remark(record: MarkingRecord, r: NonNullable<StartRequest["remark"]>): Promise<Remark> {
    let of = r.of;
    if (of === undefined) {
      // The newest earlier job of this serial for this maker or licence: what the operator is looking at.
      const same = await this.journal.lastJobOf(record);
      if (!same) throw new PeenmarkError("E_JOURNAL", `there is no earlier job of serial "${record.serial}" of ${record.manufacturer} to re-mark: mark it without a re-mark`, { where: "remark.of" });
      of = same.id;
    }
    return { of, reason: r.reason, authorisedBy: r.operator, ...(r.currentProfile ? { currentProfile: r.currentProfile } : {}) };
  }

  async #checkController(): Promise<void> {
    const view = this.head.view();
    if (!view.connected) throw new PeenmarkError("E_CONTROLLER", `the head on ${this.head.port} is not connected${view.message ? ` (${view.message})` : ""}: check the cable and the controller's power`, { details: { code: "E_LINK_CLOSED" } });
    if (this.head.needsReset) {
      throw new PeenmarkError("E_CONTROLLER", `the controller stopped${view.message ? ` (${view.message})` : ""} and waits for a reset: check the head and the part, then home it`, { details: { code: "E_CONTROLLER_ALARM" } });
    }
    await bridged(() => this.head.controller.requireSettings(expectedSettings(this.station.machine)), `the controller on ${this.head.port} cannot mark for station ${this.station.id}`);
  }

  async #run(a: Active, row: JobRow): Promise<JobView> {
    const id = row.id;
    const compiled = a.compiled!;
    let end: JobEnd;
    try {
      if (!a.abortRequested) await this.head.prepareJob();
      const state = (await this.head.refresh()).state;
      if (a.abortRequested) {
        end = { outcome: "aborted", note: "aborted before the first byte went to the head" };
      } else if (state !== "Idle") {
        const hint = state === "Alarm" ? "home the head, or unlock it if you know the position is right" : "wait for it to finish";
        end = { outcome: "failed", error: { code: "E_CONTROLLER", text: `the controller is ${state}, not Idle: ${hint}` } };
      } else {
        a.row = await this.journal.startJob(id);
        const strikes = new Set(compiled.gcode.strikeLines.map((i) => i + 1));
        // The streamer's job exists as soon as run() returns its promise (the controller was
        // just seen Idle), so a pause or abort from here on reaches it.
        const running = this.head.controller.run(compiled.gcode.lines, {
          strikes,
          totalSeconds: compiled.figures.seconds,
          positionTolerance: this.station.machine.positionTolerance,
          silenceTimeoutMs: this.station.controller.silenceTimeout * 1000,
        });
        a.streaming = true;
        this.#tell("job", this.#view(a));
        end = outcomeToEnd(await running);
      }
    } catch (e) {
      const err = isPeenmarkError(e) ? e : fromBridge(e, "marking");
      const code = isPeenmarkError(err) ? String(err.details.code ?? err.code) : "E_INTERNAL";
      // Abort during the homing before the job: the reset that stopped it is the cause.
      if (a.abortRequested && !a.streaming) end = { outcome: "aborted", note: "aborted before the first byte went to the head (homing stopped by a reset: home again before marking)" };
      else end = { outcome: "failed", error: { code, text: err instanceof Error ? err.message : String(err) } };
    }
    if (end.progress === undefined && a.streaming) end = { ...end, progress: a.progress };
    if (a.closing && a.streaming && end.outcome === "aborted")
      end = { ...end, outcome: "interrupted", note: `the service was stopped while marking (${end.note ?? "feed hold, reset"}); position unknown: re-home before re-marking` };
    let final: JobRow;
    let unrecorded: { code?: string; message: string } | undefined;
    try {
      const written = this.journal.isOpen ? await this.#writer.end(id, end) : undefined;
      if (written) final = written;
      else {
        // The journal cannot take the outcome now: it is kept (side file, memory) and written
        // as soon as the journal can; the row still says "marking", so the serial stays held.
        const failing = this.#writer.failing;
        unrecorded = failing ? { code: failing.code, message: `not yet in the journal: ${failing.message}` } : { message: "the journal is closed: the outcome was not recorded" };
        final = { ...(a.row ?? row), outcome: end.outcome, ...(end.note === undefined ? {} : { note: end.note }), ...(end.error ? { error: end.error } : {}), progress: end.progress ?? a.progress };
        if (failing) this.#unrecorded.set(id, final);
      }
    } catch (e) {
      // The journal refused the outcome (closed underneath us): the row keeps its last state.
      final = (this.journal.isOpen ? await this.journal.job(id).catch(() => undefined) : undefined) ?? { ...row, outcome: end.outcome };
      if (!isPeenmarkError(e)) throw e;
    } finally {
      if (a.eventTimer) clearTimeout(a.eventTimer);
      this.#active = undefined;
    }
    const view = unrecorded ? { ...jobView(final), journal: { recorded: false as const, ...unrecorded } } : jobView(final);
    this.#tell("job", view);
    this.#tell("controller", this.head.view());
    return view;
  }

  #progress(p: JobProgress): void {
    const a = this.#active;
    if (!a || a.id === undefined || !a.streaming) return;
    a.progress = { ackedLine: toN(p.acked), executedLine: toN(p.executed), strikesDone: p.strikesDone, sentLine: toN(p.sent) };
    if (p.secondsLeft !== undefined) a.secondsLeft = p.secondsLeft;
    const now = performance.now();
    // A pause may last long: once the head stands, the journal holds exactly where, should the power go.
    const standing = p.drained && !a.drained;
    if (p.drained) a.drained = true;
    if (standing) {
      // The page hears at once that the head stands: "Pausing…" becomes "Paused".
      a.lastEvent = now;
      this.#changed(a);
    }
    if (standing || now - a.lastWrite >= this.#progressEveryMs) {
      a.lastWrite = now;
      // Queued and coalesced, never waited for: a journal that cannot record now does not hold the head up (writer.ts).
      this.#writer.progress(a.id, a.progress);
    }
    if (now - a.lastEvent >= this.#eventEveryMs) {
      a.lastEvent = now;
      this.#tell("job", this.#view(a));
    } else if (!a.eventTimer) {
      a.eventTimer = setTimeout(() => {
        a.eventTimer = undefined;
        if (this.#active !== a) return;
        a.lastEvent = performance.now();
        this.#tell("job", this.#view(a));
      }, this.#eventEveryMs);
    }
  }

  /** Emit the outcome even past a listener that throws: the journal is written, the caller's `done` must settle. */
  #tell<E extends "job" | "controller">(event: E, view: E extends "job" ? JobView : ControllerView): void {
    try {
      (this.emit as (e: string, v: unknown) => boolean)(event, view);
    } catch (e) {
      process.emitWarning(`a ${event} event listener failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  #changed(a: Active): JobView {
    const v = this.#view(a);
    this.#tell("job", v);
    return v;
  }

  #view(a: Active): JobView {
    // Drained: the streamer saw the head stand with everything sent run (a pause sends
    // nothing more and lets the controller finish the strikes it holds; no feed hold).
    const drained = a.paused && a.drained;
    // The row as the runner last wrote it (created, started): while the job runs nothing else
    // changes it but progress, which the live state carries. No read per view: a registry
    // answers later, and a view must not wait on it.
    const view = jobView(a.row!, { paused: a.paused, drained, secondsLeft: a.secondsLeft, progress: a.progress });
    const failing = this.#writer.failing;
    if (!failing) return view;
    const what = a.journalPause ? "the mark was stopped between two strikes (pin off) until it can" : "the job's state is kept beside it until it can";
    return { ...view, journal: { recorded: false as const, code: failing.code, message: `${failing.message}; ${what}` } };
  }
}

/** The streamer's outcome as the journal records it: exact final progress, the controller's code for failures. */
export function outcomeToEnd(o: JobOutcome): JobEnd {
  const progress: Progress = { ackedLine: toN(o.lastAckedLine), executedLine: toN(o.lastExecutedLine), strikesDone: o.strikesDone };
  const error = o.error
    ? { code: `error:${o.error.code}`, text: `${o.error.name}: ${o.error.meaning} (line ${toN(o.error.line)} "${o.error.text}")` }
    : o.alarm
      ? { code: `ALARM:${o.alarm.code}`, text: `${o.alarm.name}: ${o.alarm.meaning}` }
      : o.position
        ? { code: "E_POSITION", text: `head ${o.position.off.toFixed(3)} mm off its path after line ${toN(o.position.line)}` }
        : undefined;
  return { outcome: o.outcome, note: o.reason, progress, ...(error ? { error } : {}) };
}
