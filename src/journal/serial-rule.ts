import type Database from "better-sqlite3";
import { PeenmarkError } from "../errors.ts";
import { stmt } from "./statements.ts";
import type { NewJob, Outcome } from "./types.ts";

/**
 * The serial-number rule (27 CFR 478.92: a serial "not used on any other firearm"; industry
 * practice: an interrupted mark neither silently consumes nor silently reuses a serial).
 *
 * For the same serial and the same manufacturer, or the same licence prefix:
 * - a `completed` job makes a new job a duplicate (E_SERIAL_DUPLICATE);
 * - a `pending`, `marking` or `interrupted` job holds the serial (E_SERIAL_RESERVED) until
 *   an operator releases it with a reason or re-marks it;
 * - a re-mark (an operator's written reason of at least 10 characters, naming the earlier
 *   job) passes both, except over a job a head is marking right now.
 * `aborted` and `failed` jobs hold nothing: an operator saw them end. A re-mark that ended
 *   aborted or failed did not take the serial over: the earlier job still holds it.
 * `12345678-ABC123` and serial `ABC123` with licence prefix 12345678 are the same serial.
 * Runs inside the IMMEDIATE transaction that inserts the job, so two processes on one file
 * cannot both pass.
 */
export const MIN_REASON = 10;

/**
 * The serial as struck in the licence form, `12345678-SERIAL` (27 CFR 478.92(a)(1)(iv)),
 * whether the record carries the licence in its own field or typed into the serial; undefined
 * for a serial without a licence. The licence identifies the licensee, so two jobs with the
 * same licence form are the same serial whatever maker name they were entered with.
 */
export function licenceForm(serial: string, licencePrefix: string | undefined): string | undefined {
  const form = licencePrefix ? `${licencePrefix}-${serial}` : serial;
  return /^\d{8}-./.test(form) ? form : undefined;
}

interface Earlier {
  id: number;
  outcome: Outcome;
  manufacturer: string;
  station_id: string;
  created_at: string;
  ended_at: string | null;
  last_executed_line: number;
  program_lines: number;
  holds: number;
}

export function checkSerialRule(db: Database.Database, job: NewJob): void {
  const r = job.record;
  const earlier = stmt(
    db,
    `SELECT id, outcome, manufacturer, station_id, created_at, ended_at, last_executed_line, program_lines,
            (outcome IN ('pending','marking','interrupted') AND released_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM jobs later WHERE later.remark_of = jobs.id
                             AND later.outcome NOT IN ('aborted','failed'))) AS holds
     FROM jobs
     WHERE (serial = ? AND (manufacturer = ? OR (licence_prefix IS NOT NULL AND licence_prefix = ?)))
        OR (? IS NOT NULL AND (CASE WHEN licence_prefix IS NULL THEN serial ELSE licence_prefix || '-' || serial END) = ?)
     ORDER BY id`,
  ).all(r.serial, r.manufacturer, r.licencePrefix ?? null, licenceForm(r.serial, r.licencePrefix), licenceForm(r.serial, r.licencePrefix)) as Earlier[];

  const holding = earlier.filter((e) => e.holds === 1);
  const completed = earlier.filter((e) => e.outcome === "completed");
  const who = `serial "${r.serial}" of ${r.manufacturer}${r.licencePrefix ? ` (licence ${r.licencePrefix})` : ""}`;

  if (job.remark) {
    const { of, reason, authorisedBy } = job.remark;
    if (authorisedBy.trim() === "") {
      throw new PeenmarkError("E_JOURNAL", `a re-mark of ${who} needs the operator who authorised it`, { where: "remark.authorisedBy" });
    }
    if (reason.trim().length < MIN_REASON) {
      throw new PeenmarkError("E_JOURNAL", `a re-mark of ${who} needs a written reason of at least ${MIN_REASON} characters`, { where: "remark.reason" });
    }
    if (!earlier.some((e) => e.id === of)) {
      throw new PeenmarkError("E_JOURNAL", `job ${of} is not a job of ${who}: a re-mark names the earlier job of the same serial`, {
        where: "remark.of",
        details: { jobs: earlier.map((e) => e.id) },
      });
    }
    const live = holding.find((e) => e.outcome === "marking");
    if (live) {
      throw new PeenmarkError("E_SERIAL_RESERVED", `${who} is being marked now by job ${live.id} at station ${live.station_id}: wait for it to end`, {
        where: "record.serial",
        details: { jobId: live.id, outcome: live.outcome },
      });
    }
    return;
  }

  const held = holding[0];
  if (held) {
    const state =
      held.outcome === "interrupted"
        ? `interrupted at line ${held.last_executed_line} of ${held.program_lines}`
        : held.outcome === "marking"
          ? `being marked at station ${held.station_id}`
          : `written on ${held.created_at} and not started`;
    throw new PeenmarkError(
      "E_SERIAL_RESERVED",
      `${who} is held by job ${held.id} (${state}): an operator must re-mark it (naming job ${held.id}, with a reason) or release it with a reason`,
      { where: "record.serial", details: { jobId: held.id, outcome: held.outcome } },
    );
  }
  const done = completed[completed.length - 1];
  if (done) {
    throw new PeenmarkError(
      "E_SERIAL_DUPLICATE",
      `${who} was already marked by job ${done.id} on ${done.ended_at ?? done.created_at} at station ${done.station_id}: marking it again needs a re-mark authorised by an operator with a written reason`,
      { where: "record.serial", details: { jobId: done.id } },
    );
  }
}
