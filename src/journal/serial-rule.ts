import type Database from "better-sqlite3";
import { PeenmarkError } from "../errors.ts";
import { identity } from "../record/identity.ts";
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
 * - an `aborted` or `failed` job that may have struck the part (a strike confirmed, or lines
 *   the controller accepted that may have run) holds it too: the part is half marked, and
 *   only an operator may decide it is not (release) or finish it (re-mark);
 * `aborted` and `failed` jobs that struck nothing hold nothing. A re-mark that ended
 *   aborted or failed did not take the serial over: the earlier job still holds it.
 * `12345678-ABC123` and serial `ABC123` with licence prefix 12345678 are the same serial.
 * Serials and makers compare by their identity (record/identity.ts: NFKC, case folding,
 * invisible characters removed, lookalikes folded): `RA2026A00417` with a Cyrillic `А` or a
 * Greek `Α` is the same serial, `CAÑONES DEL SUR` the same maker as `Cañones del Sur`.
 * A re-mark names the earlier job; only one re-mark of it at a time (from its creation, not
 * its first strike), and with the profile version the earlier job used unless an operator
 * chose the current one with a reason.
 * Runs inside the IMMEDIATE transaction that inserts the job, so two processes on one file
 * cannot both pass.
 */
export const MIN_REASON = 10;

/**
 * Whether a job's outcome holds its serial (before release and re-marks): unfinished, or
 * ended after it may have struck the part.
 */
export const HOLDS_SQL = `(outcome IN ('pending','marking','interrupted')
  OR (outcome IN ('aborted','failed') AND started_at IS NOT NULL AND (strikes_done > 0 OR last_acked_line > last_executed_line)))`;

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

/**
 * The identity keys a job is found and compared by (record/identity.ts): the serial, the
 * maker, and the licence form when there is one. Written with the job, indexed.
 */
export interface JobKeys {
  readonly serialKey: string;
  readonly makerKey: string;
  readonly licenceKey: string | null;
}

export function jobKeys(r: { readonly serial: string; readonly manufacturer: string; readonly licencePrefix?: string | undefined }): JobKeys {
  const form = licenceForm(r.serial, r.licencePrefix);
  return { serialKey: identity(r.serial), makerKey: identity(r.manufacturer), licenceKey: form === undefined ? null : identity(form) };
}

/** An earlier job of the same serial, as the rule weighs it (`holds` is 1 when it holds the serial, else 0). */
export interface Earlier {
  id: number;
  outcome: Outcome;
  serial: string;
  manufacturer: string;
  station_id: string;
  created_at: string;
  ended_at: string | null;
  last_executed_line: number;
  program_lines: number;
  profile_id: string;
  profile_hash: string;
  remark_of: number | null;
  strikes_done: number;
  holds: number;
}

/** Earlier jobs that are the same serial as `r` (same maker or licence, or the same licence form), oldest first. */
export function sameSerial(db: Database.Database, r: { readonly serial: string; readonly manufacturer: string; readonly licencePrefix?: string | undefined }): Earlier[] {
  const k = jobKeys(r);
  return stmt(
    db,
    `SELECT id, outcome, serial, manufacturer, station_id, created_at, ended_at, last_executed_line, program_lines, profile_id, profile_hash, remark_of,
            strikes_done, (${HOLDS_SQL} AND released_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM jobs later WHERE later.remark_of = jobs.id
                             AND later.outcome NOT IN ('aborted','failed'))) AS holds
     FROM jobs
     WHERE (serial_key = @serialKey AND (maker_key = @makerKey OR (licence_prefix IS NOT NULL AND licence_prefix = @licence)))
        OR (@licenceKey IS NOT NULL AND licence_key = @licenceKey)
     ORDER BY id`,
  ).all({ ...k, licence: r.licencePrefix ?? null }) as Earlier[];
}

/** "" or, when the struck text differs from what was typed now, ` (marked as "RA2026А00417")`. */
const asMarked = (e: Earlier, serial: string) => (e.serial === serial ? "" : ` (marked as "${e.serial}", which reads the same)`);

export function checkSerialRule(db: Database.Database, job: NewJob): void {
  decideSerialRule(job, sameSerial(db, job.record));
}

/**
 * The rule itself, on the earlier jobs of the same serial (oldest first) however an engine
 * found them: SQLite here, PostgreSQL in pg-journal.ts. Throws, or returns when the job may be written.
 */
export function decideSerialRule(job: NewJob, earlier: readonly Earlier[]): void {
  const r = job.record;

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
    const target = earlier.find((e) => e.id === of);
    if (!target) {
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
    // One re-mark at a time, from the moment it is written: a re-mark still pending (homing)
    // holds the serial as surely as one that strikes. Only the job named may hold it.
    const other = holding.find((e) => e.id !== of);
    if (other) {
      const what = other.remark_of === of ? `a re-mark of job ${of} already, ${other.outcome}` : `${other.outcome}`;
      throw new PeenmarkError(
        "E_SERIAL_RESERVED",
        `${who} is held by job ${other.id} (${what}): one re-mark at a time; wait for it to end, or re-mark job ${other.id} itself`,
        { where: "remark.of", details: { jobId: other.id, outcome: other.outcome } },
      );
    }
    // A re-mark strikes over the earlier mark: with the layout that mark was made with, unless
    // an operator chooses the current version, and says why.
    const sameProfile = target.profile_id === job.profile.id && target.profile_hash === job.profile.hash;
    if (!sameProfile) {
      const current = job.remark.currentProfile;
      if (!current) {
        throw new PeenmarkError(
          "E_JOURNAL",
          `job ${of} was marked with profile "${target.profile_id}" (sha256 ${target.profile_hash.slice(0, 12)}…); this re-mark would use "${job.profile.id}" (sha256 ${job.profile.hash.slice(0, 12)}…), which may place the text elsewhere: re-mark with the version job ${of} used, or have an operator choose the current version with a reason`,
          { where: "remark.profile", details: { jobId: of, profileId: target.profile_id, profileHash: target.profile_hash } },
        );
      }
      if (current.reason.trim().length < MIN_REASON) {
        throw new PeenmarkError("E_JOURNAL", `choosing the current profile version for a re-mark of job ${of} needs a written reason of at least ${MIN_REASON} characters`, { where: "remark.profileReason" });
      }
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
          : held.outcome === "aborted" || held.outcome === "failed"
            ? `${held.outcome} after ${held.strikes_done} strike${held.strikes_done === 1 ? "" : "s"}, line ${held.last_executed_line} of ${held.program_lines}: the part may be partly marked`
            : `written on ${held.created_at} and not started`;
    throw new PeenmarkError(
      "E_SERIAL_RESERVED",
      `${who} is held by job ${held.id}${asMarked(held, r.serial)} (${state}): an operator must re-mark it (naming job ${held.id}, with a reason) or release it with a reason`,
      { where: "record.serial", details: { jobId: held.id, outcome: held.outcome, serial: held.serial } },
    );
  }
  const done = completed[completed.length - 1];
  if (done) {
    throw new PeenmarkError(
      "E_SERIAL_DUPLICATE",
      `${who} was already marked by job ${done.id}${asMarked(done, r.serial)} on ${done.ended_at ?? done.created_at} at station ${done.station_id}: marking it again needs a re-mark authorised by an operator with a written reason`,
      { where: "record.serial", details: { jobId: done.id, serial: done.serial } },
    );
  }
}
