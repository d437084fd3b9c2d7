import { INTERRUPTED_NOTE, NEVER_STARTED_NOTE, type JobRow, type Progress } from "../journal/journal.ts";
import type { MarkingRecord } from "../record/schema.ts";

/**
 * A job as the technician's page and the CLI see it (the JobView of the HTTP API, docs/OPERATIONS.md): the
 * journal's row, with the live state the journal does not keep (paused, seconds left).
 * Line numbers are the program's N numbers; linesTotal is the highest N.
 */
export interface JobView {
  readonly id: number;
  readonly state: "pending" | "marking" | "paused" | "completed" | "aborted" | "interrupted" | "failed";
  /**
   * Paused jobs only: true once the head stands between two strikes with the pin off; false
   * while it still runs the few strikes the controller holds ("pausing…" on the page).
   */
  readonly drained?: boolean;
  readonly profileId: string;
  readonly profileHash: string;
  readonly programHash: string;
  readonly serial: string;
  readonly record: MarkingRecord;
  readonly technician: string;
  readonly stationId: string;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly progress: {
    readonly linesTotal: number;
    readonly linesAcked: number;
    readonly linesExecuted: number;
    readonly strikesTotal: number;
    readonly strikesDone: number;
    /** Estimated seconds of marking left; 0 once the job has ended. */
    readonly secondsLeft: number;
  };
  /** `note`: a stable key for a station note the page translates (NOTE_KEYS); `message` is the English text as recorded. */
  readonly outcome?: { readonly code?: string; readonly message: string; readonly note?: string };
  readonly remarkOf?: number;
  readonly reason?: string;
  readonly authorisedBy?: string;
  /** An operator freed the serial this unfinished job held. */
  readonly released?: { readonly at: string; readonly by: string; readonly reason: string };
  /** The serial-number series number this job took. */
  readonly series?: { readonly seriesId: string; readonly number: number };
  /**
   * The journal could not record this job's latest state (locked by another process, disk
   * full, I/O error, read-only; the registry out of reach: code E_REGISTRY_UNREACHABLE): it is
   * kept beside the journal and written when it can; the serial stays held meanwhile.
   */
  readonly journal?: { readonly recorded: false; readonly code?: string; readonly message: string };
}

/** What the runner knows of the job it streams now, fresher than the journal's throttled row. */
export interface LiveState {
  readonly paused: boolean;
  /** Paused and at rest (see JobView.drained); when absent, a pause counts as at rest. */
  readonly drained?: boolean;
  readonly secondsLeft: number;
  readonly progress: Progress;
}

const ENDED = new Set(["completed", "aborted", "interrupted", "failed"]);

/**
 * The notes the station itself writes on a job (journal.ts, runner.ts, the streamer's reasons),
 * by a stable key the page translates; a note not listed is shown as recorded, in English.
 */
export const NOTE_KEYS: readonly (readonly [key: string, test: (note: string) => boolean])[] = [
  ["service-stopped", (n) => n === INTERRUPTED_NOTE],
  ["service-stopped-sent", (n) => /^service stopped while marking; lines? \d/.test(n)],
  ["controller-silent", (n) => n.startsWith("controller silent:")],
  ["worker-stopped", (n) => n.startsWith("the streaming worker stopped while marking")],
  ["never-started", (n) => n === NEVER_STARTED_NOTE],
  ["aborted-before-start", (n) => n.startsWith("aborted before the first byte went to the head")],
  ["service-stopped-marking", (n) => n.startsWith("the service was stopped while marking")],
  ["completed", (n) => n === "every line of the program executed"],
  ["alarm", (n) => n.startsWith("the controller raised ALARM:")],
  ["controller-reset", (n) => n.startsWith("the controller reset itself during the job")],
  ["reset-unconfirmed", (n) => /the controller did not confirm the reset within/.test(n)],
];

export function noteKey(note: string | undefined): string | undefined {
  if (note === undefined) return undefined;
  return NOTE_KEYS.find(([, test]) => test(note))?.[0];
}

export function jobView(row: JobRow, live?: LiveState): JobView {
  const ended = ENDED.has(row.outcome);
  const state: JobView["state"] = row.outcome === "marking" && live?.paused ? "paused" : row.outcome;
  const note = noteKey(row.note);
  const message = row.note ?? row.error?.text;
  const p = !ended && live ? live.progress : row.progress;
  return {
    id: row.id,
    state,
    ...(state === "paused" ? { drained: live?.drained ?? true } : {}),
    profileId: row.profile.id,
    profileHash: row.profile.hash,
    programHash: row.program.hash,
    serial: row.serial,
    record: row.record,
    technician: row.technician,
    stationId: row.stationId,
    createdAt: row.createdAt,
    ...(row.startedAt === undefined ? {} : { startedAt: row.startedAt }),
    ...(row.endedAt === undefined ? {} : { endedAt: row.endedAt }),
    progress: {
      linesTotal: row.program.lines,
      linesAcked: p.ackedLine,
      linesExecuted: p.executedLine,
      strikesTotal: row.program.strikes,
      strikesDone: p.strikesDone,
      secondsLeft: ended ? 0 : (live?.secondsLeft ?? 0),
    },
    ...(ended ? { outcome: { ...(row.error ? { code: row.error.code } : {}), message: message ?? row.outcome, ...(note ? { note } : {}) } } : {}),
    ...(row.remark ? { remarkOf: row.remark.of, reason: row.remark.reason, authorisedBy: row.remark.authorisedBy } : {}),
    ...(row.release ? { released: row.release } : {}),
    ...(row.seriesNumber ? { series: row.seriesNumber } : {}),
  };
}
