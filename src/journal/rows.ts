import type { MarkingRecord } from "../record/schema.ts";
import { jobKeys } from "./serial-rule.ts";
import { opt } from "./statements.ts";
import type { JobRow, NewJob, Outcome } from "./types.ts";

/** A `jobs` row as SQLite returns it (snake_case columns; see migrations.ts). */
export type JobColumns = Record<string, string | number | null>;

/**
 * The columns written when a job is created: the record as JSON plus the fields a trace
 * request asks for. `job.record` has been through MarkingRecordSchema (NFC, trimmed).
 */
export function columnsOf(job: NewJob, createdAt: string, owner: string): JobColumns {
  const r: MarkingRecord = job.record;
  const keys = jobKeys(r);
  return {
    outcome: "pending" satisfies Outcome,
    record_json: JSON.stringify(r),
    serial: r.serial,
    serial_key: keys.serialKey,
    maker_key: keys.makerKey,
    licence_key: keys.licenceKey,
    licence_prefix: r.licencePrefix ?? null,
    manufacturer: r.manufacturer,
    place_city: r.place.city,
    place_state: r.place.state ?? null,
    place_country_code: r.place.country.code,
    place_country_name: r.place.country.name,
    model: r.model ?? null,
    caliber: r.caliber,
    import_importer: r.import?.importer ?? null,
    import_city: r.import?.city ?? null,
    import_state: r.import?.state ?? null,
    import_country_code: r.import?.country.code ?? null,
    import_country_name: r.import?.country.name ?? null,
    import_year: r.import?.year ?? null,
    state_stock_agency: r.stateStock?.agency ?? null,
    state_stock_country_code: r.stateStock?.country.code ?? null,
    state_stock_country_name: r.stateStock?.country.name ?? null,
    state_stock_year: r.stateStock?.year ?? null,
    profile_id: job.profile.id,
    profile_hash: job.profile.hash,
    station_id: job.stationId,
    program_hash: job.program.hash,
    program_lines: job.program.lines,
    strike_count: job.program.strikes,
    technician: job.technician,
    created_at: createdAt,
    // the process that wrote it: open() finds a pending job whose process is gone
    owner,
    remark_of: job.remark?.of ?? null,
    remark_reason: job.remark?.reason ?? null,
    remark_authorised_by: job.remark?.authorisedBy ?? null,
    remark_current_profile_reason: job.remark?.currentProfile?.reason ?? null,
  };
}

/** `SELECT jobs.*, series_numbers.series_id, series_numbers.number` → plain data. */
export function jobFromColumns(c: JobColumns): JobRow {
  const errorCode = opt(c.error_code);
  const remarkOf = c.remark_of;
  const releasedAt = opt(c.released_at);
  return {
    id: Number(c.id),
    outcome: String(c.outcome) as Outcome,
    sentLine: Number(c.last_sent_line ?? 0),
    record: JSON.parse(String(c.record_json)) as MarkingRecord,
    serial: String(c.serial),
    licencePrefix: opt(c.licence_prefix),
    manufacturer: String(c.manufacturer),
    profile: { id: String(c.profile_id), hash: String(c.profile_hash) },
    stationId: String(c.station_id),
    program: { hash: String(c.program_hash), lines: Number(c.program_lines), strikes: Number(c.strike_count) },
    technician: String(c.technician),
    createdAt: String(c.created_at),
    startedAt: opt(c.started_at),
    endedAt: opt(c.ended_at),
    progress: { ackedLine: Number(c.last_acked_line), executedLine: Number(c.last_executed_line), strikesDone: Number(c.strikes_done) },
    error: errorCode === undefined ? undefined : { code: errorCode, text: opt(c.error_text) ?? "" },
    note: opt(c.note),
    remark:
      remarkOf === null || remarkOf === undefined
        ? undefined
        : {
            of: Number(remarkOf),
            reason: opt(c.remark_reason) ?? "",
            authorisedBy: opt(c.remark_authorised_by) ?? "",
            ...(opt(c.remark_current_profile_reason) === undefined ? {} : { currentProfile: { reason: opt(c.remark_current_profile_reason)! } }),
          },
    release: releasedAt === undefined ? undefined : { at: releasedAt, by: opt(c.released_by) ?? "", reason: opt(c.release_reason) ?? "" },
    seriesNumber: c.series_id === null || c.series_id === undefined ? undefined : { seriesId: String(c.series_id), number: Number(c.series_number) },
  };
}

/** The SELECT every job read goes through (one series number per job at most). */
export const JOB_SELECT = `
  SELECT jobs.*, sn.series_id AS series_id, sn.number AS series_number
  FROM jobs LEFT JOIN series_numbers sn ON sn.job_id = jobs.id`;
