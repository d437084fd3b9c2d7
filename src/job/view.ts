import type { JobRow, Progress } from "../journal/journal.ts";
import type { MarkingRecord } from "../record/schema.ts";

/**
 * A job as the technician's page and the CLI see it (the JobView of the HTTP API, docs/OPERATIONS.md): the
 * journal's row, with the live state the journal does not keep (paused, seconds left).
 * Line numbers are the program's N numbers; linesTotal is the highest N.
 */
export interface JobView {
  readonly id: number;
  readonly state: "pending" | "marking" | "paused" | "completed" | "aborted" | "interrupted" | "failed";
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
  readonly outcome?: { readonly code?: string; readonly message: string };
  readonly remarkOf?: number;
  readonly reason?: string;
  readonly authorisedBy?: string;
  /** An operator freed the serial this unfinished job held. */
  readonly released?: { readonly at: string; readonly by: string; readonly reason: string };
}

/** What the runner knows of the job it streams now, fresher than the journal's throttled row. */
export interface LiveState {
  readonly paused: boolean;
  readonly secondsLeft: number;
  readonly progress: Progress;
}

const ENDED = new Set(["completed", "aborted", "interrupted", "failed"]);

export function jobView(row: JobRow, live?: LiveState): JobView {
  const ended = ENDED.has(row.outcome);
  const state: JobView["state"] = row.outcome === "marking" && live?.paused ? "paused" : row.outcome;
  const message = row.note ?? row.error?.text;
  const p = !ended && live ? live.progress : row.progress;
  return {
    id: row.id,
    state,
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
    ...(ended ? { outcome: { ...(row.error ? { code: row.error.code } : {}), message: message ?? row.outcome } } : {}),
    ...(row.remark ? { remarkOf: row.remark.of, reason: row.remark.reason, authorisedBy: row.remark.authorisedBy } : {}),
    ...(row.release ? { released: row.release } : {}),
  };
}
