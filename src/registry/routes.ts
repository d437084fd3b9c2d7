import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { PeenmarkError } from "../errors.ts";
import type { JournalEngine } from "../journal/engine.ts";
import type { JournalEvent } from "../journal/events.ts";
import { type Column, jobsToCsv, jobsToJson, markedAt, traceFields } from "../journal/export.ts";
import { traceSerial, type MatchKind } from "../journal/trace.ts";
import type { JobRow } from "../journal/types.ts";
import { doc, ErrorSchema, StatisticsSchema } from "../server/api-doc.ts";
import { jobId } from "../server/context.ts";
import { asQuery, SearchQuerySchema, traceQuery, type TraceQuery } from "./query.ts";

/**
 * The trace service's API (docs/REGISTRY.md, "Trace requests"): a search by serial (exact,
 * licence form, `?`/`*`, confusables; exact first, each result saying how it matched) or by
 * maker, model, caliber, country, importer, station and dates; one result's whole story; the
 * result set exported with the trace fields; the registry's statistics. Read only: there is no
 * route that writes, and the registry's database login should be the read-only `trace_desk`.
 */
export interface TraceContext {
  readonly journal: JournalEngine;
  /** The time zone statistics count days in, unless a request names another. */
  readonly timeZone: string;
  /** What the export's file name says the registry is. */
  readonly name: string;
}

/** Most jobs one export writes: a trace's candidates are bounded the same way (trace.ts). */
export const MAX_EXPORT = 20_000;

type Found = { readonly job: JobRow; readonly match?: MatchKind };

/** The results of a query: every match of a serial, ranked; or one page of a filtered search. */
async function find(journal: JournalEngine, q: TraceQuery, all: boolean): Promise<{ found: Found[]; total: number }> {
  return asQuery(async () => {
    if (q.serial !== undefined) {
      const matches = await traceSerial(journal, q.serial, q.filters);
      return { found: all ? matches : matches.slice(q.offset, q.offset + q.limit), total: matches.length };
    }
    if (!all) {
      const page = await journal.search({ ...q.filters, limit: q.limit, offset: q.offset });
      return { found: page.jobs.map((job) => ({ job })), total: page.total };
    }
    const found: Found[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await journal.search({ ...q.filters, limit: 500, offset });
      if (page.total > MAX_EXPORT)
        throw new PeenmarkError("E_QUERY", `${page.total} jobs match; an export takes at most ${MAX_EXPORT}: narrow the search (dates, station, maker)`, { where: "query", details: { matches: page.total, max: MAX_EXPORT } });
      for (const job of page.jobs) found.push({ job });
      if (page.jobs.length < 500) return { found, total: page.total };
    }
  });
}

const TraceFields = z.record(z.string(), z.union([z.string(), z.number(), z.null()])).describe("The trace fields of a job (the export's columns: docs/JOURNAL.md)");
const Result = z.object({ match: z.enum(["exact", "licence", "confusable", "pattern"]).optional().describe("How the serial matched; absent for a search without a serial"), job: TraceFields });
const EventSchema = z.object({ at: z.string(), kind: z.string(), jobId: z.number().optional(), operator: z.string().optional(), reason: z.string().optional() });

/** The releases of a job's serial: the operators' log has each; the row keeps the last (a journal from before the log). */
function releasesOf(job: JobRow, events: readonly JournalEvent[]) {
  const logged = events.filter((e) => e.kind === "serial-released").map((e) => ({ at: e.at, operator: e.operator ?? null, reason: e.reason ?? null }));
  if (logged.length === 0 && job.release) return [{ at: job.release.at, operator: job.release.by, reason: job.release.reason }];
  return logged;
}

/**
 * When the job was interrupted: the operators' log has it when a station found its own job
 * left mid-mark by a dead process; a job the runner ended `interrupted` (the head's link lost)
 * says so by its outcome and note.
 */
function interruptionsOf(job: JobRow, events: readonly JournalEvent[]) {
  const logged = events.filter((e) => e.kind === "job-interrupted").map((e) => ({ at: e.at, reason: e.reason ?? null }));
  if (logged.length === 0 && job.outcome === "interrupted") return [{ at: job.endedAt ?? job.startedAt ?? job.createdAt, reason: job.note ?? null }];
  return logged;
}

/** One job's whole story for a trace: the record, where, who, when, with what, and what happened to it since. */
async function detail(journal: JournalEngine, id: number) {
  let job: JobRow;
  try {
    job = await journal.job(id);
  } catch (e) {
    if (e instanceof PeenmarkError && e.code === "E_JOURNAL" && e.details.jobId === id) throw new PeenmarkError("E_NOT_FOUND", `there is no job ${id} in the registry`, { where: "id", details: { jobId: id } });
    throw e;
  }
  const events: JournalEvent[] = await journal.events({ jobId: id });
  const remarks = await journal.remarksOf(id);
  const remarkOf = job.remark ? await journal.job(job.remark.of) : undefined;
  return {
    job: traceFields(job),
    record: job.record,
    station: job.stationId,
    technician: job.technician,
    markedAt: markedAt(job),
    profile: job.profile,
    program: job.program,
    outcome: job.outcome,
    progress: job.progress,
    remarkOf: remarkOf ? traceFields(remarkOf) : null,
    remarks: remarks.map((r) => traceFields(r)),
    releases: releasesOf(job, events),
    interruptions: interruptionsOf(job, events),
    events,
  };
}

export function traceRoutes(app: FastifyInstance, ctx: TraceContext): void {
  const { journal } = ctx;

  app.get(
    "/api/trace/search",
    doc({
      summary: "Search the registry: by serial (exact first, each result saying how it matched) or by maker, model, caliber, country, importer, station and dates",
      tag: "trace",
      role: "trace",
      query: SearchQuerySchema,
      responses: { 200: z.object({ results: z.array(Result), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }), 400: ErrorSchema },
    }),
    async (req) => {
      const { query } = traceQuery(req);
      const { found, total } = await find(journal, query, false);
      return { results: found.map((f) => ({ ...(f.match ? { match: f.match } : {}), job: traceFields(f.job) })), total, limit: query.limit, offset: query.offset };
    },
  );

  app.get(
    "/api/trace/export",
    doc({
      summary: "The result set of a search as a download, CSV or JSON, with the trace fields (and how each serial matched)",
      tag: "trace",
      role: "trace",
      query: SearchQuerySchema.omit({ limit: true, offset: true }).extend({
        format: z.enum(["csv", "json"]).optional().describe("csv (default) or json"),
        delimiter: z.enum(["comma", "semicolon"]).optional().describe("CSV separator: comma (RFC 4180, default) or semicolon (spreadsheets set to Spanish)"),
        bom: z.enum(["0", "1"]).optional().describe("1: a UTF-8 byte-order mark first, for Excel"),
      }),
      responses: { 200: "text/csv or application/json, as an attachment", 400: ErrorSchema },
    }),
    async (req, reply) => {
      const { query, rest } = traceQuery(req, ["format", "delimiter", "bom"]);
      const format = rest.format ?? "csv";
      if (format !== "csv" && format !== "json") throw new PeenmarkError("E_QUERY", `format "${format}" is not csv or json`, { where: "format" });
      if (rest.delimiter !== undefined && rest.delimiter !== "comma" && rest.delimiter !== "semicolon") throw new PeenmarkError("E_QUERY", `delimiter "${rest.delimiter}" is not comma or semicolon`, { where: "delimiter" });
      if (rest.bom !== undefined && rest.bom !== "0" && rest.bom !== "1") throw new PeenmarkError("E_QUERY", `bom "${rest.bom}" is not 0 or 1`, { where: "bom" });
      const { found } = await find(journal, query, true);
      const matchOf = new Map(found.map((f) => [f.job.id, f.match]));
      const lead: Column[] = query.serial === undefined ? [] : [{ key: "match", value: (j) => matchOf.get(j.id) }];
      const jobs = found.map((f) => f.job);
      const text = format === "csv" ? jobsToCsv(jobs, { delimiter: rest.delimiter === "semicolon" ? ";" : ",", bom: rest.bom === "1" }, lead) : jobsToJson(jobs, lead);
      req.log.info({ format, serial: query.serial, filters: query.filters, jobs: jobs.length }, "trace export");
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .header("content-type", format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8")
        .header("content-disposition", `attachment; filename="peenmark-trace-${ctx.name}-${stamp}.${format}"`)
        .send(text);
    },
  );

  app.get(
    "/api/trace/stats",
    doc({
      summary: "Registry-wide statistics: marks per station per day, failures, interruptions, re-marks, series usage",
      tag: "trace",
      role: "trace",
      query: z.object({ from: z.string().optional(), to: z.string().optional(), timeZone: z.string().optional().describe("IANA time zone the days are counted in (America/El_Salvador)") }),
      responses: {
        200: StatisticsSchema.extend({
          series: z.array(z.object({ id: z.string(), pattern: z.string(), start: z.number(), end: z.number(), step: z.number(), nextNumber: z.number(), counts: z.record(z.string(), z.number()) })),
        }),
        400: ErrorSchema,
      },
    }),
    async (req) => {
      const { query, rest } = traceQuery(req, ["timeZone"]);
      const timeZone = rest.timeZone ?? ctx.timeZone;
      try {
        new Intl.DateTimeFormat("en", { timeZone });
      } catch {
        throw new PeenmarkError("E_QUERY", `timeZone "${timeZone}" is not an IANA time zone (America/El_Salvador, UTC)`, { where: "timeZone" });
      }
      const range = { ...(query.filters.from ? { from: query.filters.from } : {}), ...(query.filters.to ? { to: query.filters.to } : {}) };
      const stats = await asQuery(() => journal.statistics(range, timeZone));
      const series = await journal.listSeries();
      return { ...stats, series: series.map((s) => ({ id: s.id, pattern: s.pattern, start: s.start, end: s.end, step: s.step, nextNumber: s.nextNumber, counts: s.counts })) };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/trace/jobs/:id",
    doc({
      summary: "One job for a trace: the record, station, technician, time, profile version and program hash, re-marks, releases, interruptions and events",
      tag: "trace",
      role: "trace",
      params: z.object({ id: z.string().describe("Job number") }),
      responses: {
        200: z.object({
          job: TraceFields,
          record: z.record(z.string(), z.unknown()),
          station: z.string(),
          technician: z.string(),
          markedAt: z.string(),
          profile: z.object({ id: z.string(), hash: z.string() }),
          program: z.object({ hash: z.string(), lines: z.number(), strikes: z.number() }),
          outcome: z.string(),
          remarkOf: TraceFields.nullable(),
          remarks: z.array(TraceFields),
          releases: z.array(z.object({ at: z.string(), operator: z.string().nullable(), reason: z.string().nullable() })),
          interruptions: z.array(z.object({ at: z.string(), reason: z.string().nullable() })),
          events: z.array(EventSchema),
        }),
        404: ErrorSchema,
      },
    }),
    async (req) => detail(journal, jobId(req.params.id)),
  );
}
