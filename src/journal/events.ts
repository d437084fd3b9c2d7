import type Database from "better-sqlite3";
import { stmt } from "./statements.ts";

/**
 * The operators' log: every act that changes what a serial or a series number may be used
 * for (release, void, re-mark, a job found interrupted) is written here, in the same
 * transaction as the change.
 */
export type EventKind =
  | "job-interrupted"
  | "serial-released"
  | "remark"
  | "remark-current-profile"
  | "series-created"
  | "number-released"
  | "number-voided"
  | "number-reissued"
  | "lease-granted"
  | "lease-returned"
  | "offline-upload"
  | "offline-conflict";

export interface JournalEvent {
  readonly at: string;
  readonly kind: EventKind;
  readonly jobId?: number;
  readonly seriesId?: string;
  readonly number?: number;
  readonly operator?: string;
  readonly reason?: string;
}

export function logEvent(db: Database.Database, e: JournalEvent): void {
  stmt(db, "INSERT INTO events (at, kind, job_id, series_id, number, operator, reason) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
    e.at,
    e.kind,
    e.jobId ?? null,
    e.seriesId ?? null,
    e.number ?? null,
    e.operator ?? null,
    e.reason ?? null,
  );
}

type EventColumns = { at: string; kind: EventKind; job_id: number | null; series_id: string | null; number: number | null; operator: string | null; reason: string | null };

/** Events about a job or a series, oldest first. */
export function listEvents(db: Database.Database, filter: { jobId?: number; seriesId?: string } = {}): JournalEvent[] {
  const rows = stmt(
    db,
    "SELECT at, kind, job_id, series_id, number, operator, reason FROM events WHERE (? IS NULL OR job_id = ?) AND (? IS NULL OR series_id = ?) ORDER BY id",
  ).all(filter.jobId ?? null, filter.jobId ?? null, filter.seriesId ?? null, filter.seriesId ?? null) as EventColumns[];
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
