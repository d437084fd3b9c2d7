import type { MarkingRecord } from "../record/schema.ts";

/**
 * The plain data the journal takes and gives. Times are ISO 8601 UTC strings
 * (`2026-11-23T18:09:00.000Z`), line numbers are the program's N numbers.
 *
 * Outcomes and how a job moves between them (docs/JOURNAL.md draws it):
 *   pending ─start─► marking ─► completed | aborted | failed | interrupted
 *   pending ─► aborted | failed             (cancelled or refused before the first byte)
 *   marking ─(service died; found by open())─► interrupted
 */
export type Outcome = "pending" | "marking" | "completed" | "aborted" | "interrupted" | "failed";

/** Outcomes that hold the job's serial: nobody else may mark it until an operator acts. */
export const RESERVING: readonly Outcome[] = ["pending", "marking", "interrupted"];

export interface Progress {
  /** Highest program line the controller acknowledged with `ok`. */
  readonly ackedLine: number;
  /** Highest program line the controller reported executing (`Ln:` in a status report). */
  readonly executedLine: number;
  /** Strikes (dots, or dot trains counted by their dots) executed so far. */
  readonly strikesDone: number;
  /**
   * Highest program line sent to the controller (recorded with progress, kept in the row's
   * `sentLine`): what the controller may still run after the host dies.
   */
  readonly sentLine?: number;
}

/** A re-mark of a serial that was marked (or left unfinished) before: explicit, reasoned, authorised. */
export interface Remark {
  /** The earlier job of the same serial this job re-marks. */
  readonly of: number;
  /** Why, in words; at least 10 characters. */
  readonly reason: string;
  /** The operator who authorised it. */
  readonly authorisedBy: string;
  /**
   * Set when the operator chose the profile version current now over the one the earlier
   * job was marked with (which a re-mark uses otherwise), with why.
   */
  readonly currentProfile?: { readonly reason: string };
}

/** What the runner writes before the first byte goes to the head. */
export interface NewJob {
  readonly record: MarkingRecord;
  readonly profile: { readonly id: string; readonly hash: string };
  readonly stationId: string;
  /** sha256 (hex) of the G-code text streamed, its line count and its strike count. */
  readonly program: { readonly hash: string; readonly lines: number; readonly strikes: number };
  /** Who pressed Mark. */
  readonly technician: string;
  readonly remark?: Remark;
  /** A number reserved with `reserveNext`: the job takes it over; completing the job commits it. */
  readonly seriesNumber?: { readonly seriesId: string; readonly number: number };
}

export interface JobEnd {
  readonly outcome: "completed" | "aborted" | "failed" | "interrupted";
  /** The controller's code (`error:9`, `ALARM:1`) when the outcome is `failed`. */
  readonly error?: { readonly code: string; readonly text: string };
  readonly note?: string;
  /** Final progress, if the runner knows it better than the last `progress()` call. */
  readonly progress?: Progress;
}

export interface JobRow {
  readonly id: number;
  readonly outcome: Outcome;
  /** Highest program line sent to the controller (0: none, or a journal from before schema 4). */
  readonly sentLine: number;
  readonly record: MarkingRecord;
  readonly serial: string;
  readonly licencePrefix: string | undefined;
  readonly manufacturer: string;
  readonly profile: { readonly id: string; readonly hash: string };
  readonly stationId: string;
  readonly program: { readonly hash: string; readonly lines: number; readonly strikes: number };
  readonly technician: string;
  readonly createdAt: string;
  readonly startedAt: string | undefined;
  readonly endedAt: string | undefined;
  readonly progress: Progress;
  readonly error: { readonly code: string; readonly text: string } | undefined;
  readonly note: string | undefined;
  readonly remark: Remark | undefined;
  /** Set when an operator released the serial this unfinished job held. */
  readonly release: { readonly at: string; readonly by: string; readonly reason: string } | undefined;
  readonly seriesNumber: { readonly seriesId: string; readonly number: number } | undefined;
}

/** An operator's action on the journal, kept for the record. */
export interface OperatorAction {
  readonly reason: string;
  readonly operator: string;
}

export interface SeriesDefinition {
  /** Short name operators type: letters, digits, `-`, `_`. */
  readonly id: string;
  /** e.g. `AB{yy}-{counter:6}`; see pattern.ts. */
  readonly pattern: string;
  readonly licencePrefix?: string;
  readonly start: number;
  readonly end: number;
  readonly step?: number;
  readonly createdBy: string;
  readonly note?: string;
}

export interface SeriesRow {
  readonly id: string;
  readonly pattern: string;
  readonly licencePrefix: string | undefined;
  readonly start: number;
  readonly end: number;
  readonly step: number;
  /** The next number never handed out (end + step once all are out). */
  readonly nextNumber: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly note: string | undefined;
  /** How many numbers are in each state. */
  readonly counts: { readonly reserved: number; readonly committed: number; readonly released: number; readonly void: number };
}

export type NumberState = "reserved" | "committed" | "released" | "void";

export interface SeriesNumber {
  readonly seriesId: string;
  readonly number: number;
  readonly serial: string;
  readonly state: NumberState;
  readonly jobId: number | undefined;
  readonly reservedAt: string;
  readonly updatedAt: string;
  /** Why it was released or voided, and by whom. */
  readonly reason: string | undefined;
  readonly operator: string | undefined;
}
