import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { PeenmarkError } from "../errors.ts";
import { jobView, type JobView } from "../job/view.ts";
import type { JobRow, Outcome } from "../journal/journal.ts";
import { MAX_REASON } from "../journal/names.ts";
import { MAX_PAGE, OUTCOMES } from "../journal/search.ts";
import { doc, JobViewSchema } from "./api-doc.ts";
import { actor, authorise, existingJob, jobId, parseBody, personNameSchema, queryOf, type ServiceContext, wholeNumber } from "./context.ts";

/** The journal as the page and a script read it: search, a job's history, statistics, export, interrupted jobs, releases. */
const ReleaseBody = z
  .object({
    operator: personNameSchema("the operator's name"),
    reason: z.string().transform((s) => s.trim()).pipe(z.string().min(10, "a release needs a written reason of at least 10 characters").max(MAX_REASON)),
  })
  .strict();

const outcome = z.enum(OUTCOMES as [Outcome, ...Outcome[]]);
const date = z.string().describe("2026-11-23 (that whole day for `to`) or 2026-11-23T18:00:00Z; read strictly");

const SearchQuery = z.object({
  serial: z.string().optional().describe("Part of the serial (or of its licence form), by identity: case, lookalike letters and invisible characters do not matter"),
  maker: z.string().optional().describe("Part of the maker's name, by identity"),
  model: z.string().optional().describe("Part of the model, without case"),
  from: date.optional(),
  to: date.optional(),
  station: z.string().optional().describe("A station id"),
  outcome: outcome.optional(),
  limit: z.string().optional().describe(`Rows per page, 1–${MAX_PAGE} (50)`),
  offset: z.string().optional().describe("Rows to skip, newest first (0)"),
});

const ExportQuery = z.object({
  format: z.enum(["csv", "json"]).optional().describe("csv (default) or json"),
  from: date.optional(),
  to: date.optional(),
  outcome: outcome.optional(),
  serial: z.string().optional().describe("Every job of this serial, by identity"),
  delimiter: z.enum(["comma", "semicolon"]).optional().describe("CSV separator: comma (RFC 4180, default) or semicolon (spreadsheets set to Spanish, French, German …)"),
  bom: z.enum(["0", "1"]).optional().describe("1: start the CSV with a UTF-8 byte-order mark, so that Excel reads accents right"),
});

const Counts = z.object({ jobs: z.number(), completed: z.number(), failed: z.number(), aborted: z.number(), interrupted: z.number(), open: z.number(), remarks: z.number() });

const EventSchema = z.object({ at: z.string(), kind: z.string(), jobId: z.number().optional(), seriesId: z.string().optional(), number: z.number().optional(), operator: z.string().optional(), reason: z.string().optional() });

export function journalRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const { station, runner, journal } = ctx;

  /** The live job with its live progress. */
  const live = (rows: readonly JobRow[]): JobView[] => {
    const current = runner.current();
    return rows.map((r) => (current?.id === r.id ? current : jobView(r)));
  };

  app.get(
    "/api/journal",
    doc({
      summary: "Search the journal: a page of jobs, newest first, and how many match",
      tag: "journal",
      role: "technician",
      query: SearchQuery,
      responses: { 200: z.object({ jobs: z.array(JobViewSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }) },
    }),
    async (req) => {
      authorise(ctx, req, "technician", "reading the journal");
      const q = queryOf(req, ["serial", "maker", "model", "from", "to", "station", "outcome", "limit", "offset"]);
      const o = q.outcome;
      if (o !== undefined && !OUTCOMES.includes(o as Outcome)) throw new PeenmarkError("E_USAGE", `outcome "${o}" is not one of ${OUTCOMES.join(", ")}`, { where: "outcome" });
      const limit = wholeNumber(q.limit, "limit");
      const offset = wholeNumber(q.offset, "offset");
      const r = await journal.search({
        ...(q.serial ? { serial: q.serial } : {}),
        ...(q.maker ? { maker: q.maker } : {}),
        ...(q.model ? { model: q.model } : {}),
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...(q.station ? { station: q.station } : {}),
        ...(o ? { outcome: o as Outcome } : {}),
        ...(limit === undefined ? {} : { limit }),
        ...(offset === undefined ? {} : { offset }),
      });
      return { jobs: live(r.jobs), total: r.total, limit: r.limit, offset: r.offset };
    },
  );

  /**
   * Interrupted jobs nobody has re-marked or released yet — and aborted or failed ones that
   * may have struck the part, which hold their serial the same way: what the page offers to
   * re-home and re-mark, or release.
   */
  app.get(
    "/api/journal/interrupted",
    doc({ summary: "Interrupted jobs not yet re-marked or released", tag: "journal", role: "technician", responses: { 200: z.object({ jobs: z.array(JobViewSchema) }) } }),
    async (req) => {
      authorise(ctx, req, "technician", "reading the journal");
      const ended = [...(await journal.jobs({ outcome: "interrupted" })), ...(await journal.jobs({ outcome: "aborted" })), ...(await journal.jobs({ outcome: "failed" }))];
      const all: JobRow[] = [];
      for (const j of ended) if (await journal.holdsSerial(j.id)) all.push(j);
      all.sort((a, b) => a.id - b.id);
      const open: JobRow[] = [];
      for (const j of all) if (!j.release && !(await journal.remarksOf(j.id)).some((r) => r.outcome !== "aborted" && r.outcome !== "failed")) open.push(j);
      return { jobs: open.reverse().map((j) => jobView(j)) };
    },
  );

  app.get(
    "/api/journal/stats",
    doc({
      summary: "Marks per local day, station and technician, with failures, aborts, interruptions and re-marks",
      tag: "journal",
      role: "technician",
      query: z.object({ from: date.optional(), to: date.optional() }),
      responses: {
        200: z.object({
          timeZone: z.string(),
          totals: Counts,
          days: z.array(Counts.extend({ day: z.string() })),
          stations: z.array(Counts.extend({ station: z.string() })),
          technicians: z.array(Counts.extend({ technician: z.string() })),
        }),
      },
    }),
    async (req) => {
      authorise(ctx, req, "technician", "reading the journal");
      const q = queryOf(req, ["from", "to"]);
      return journal.statistics({ ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) }, station.timeZone);
    },
  );

  app.get(
    "/api/journal/export",
    doc({
      summary: "The trace export as a download (CSV or JSON)",
      tag: "journal",
      role: "operator",
      query: ExportQuery,
      responses: { 200: "text/csv or application/json, as an attachment" },
    }),
    async (req, reply) => {
      const role = authorise(ctx, req, "operator", "exporting the journal");
      const q = queryOf(req, ["format", "from", "to", "outcome", "serial", "delimiter", "bom"]);
      const format = q.format ?? "csv";
      if (format !== "csv" && format !== "json") throw new PeenmarkError("E_USAGE", `format "${format}" is not csv or json`, { where: "format" });
      const o = q.outcome;
      if (o !== undefined && !OUTCOMES.includes(o as Outcome)) throw new PeenmarkError("E_USAGE", `outcome "${o}" is not one of ${OUTCOMES.join(", ")}`, { where: "outcome" });
      if (q.delimiter !== undefined && q.delimiter !== "comma" && q.delimiter !== "semicolon") throw new PeenmarkError("E_USAGE", `delimiter "${q.delimiter}" is not comma or semicolon`, { where: "delimiter" });
      if (q.bom !== undefined && q.bom !== "0" && q.bom !== "1") throw new PeenmarkError("E_USAGE", `bom "${q.bom}" is not 0 or 1`, { where: "bom" });
      const text = await journal.exportJobs({
        format,
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...(o ? { outcome: o as Outcome } : {}),
        ...(q.serial ? { serial: q.serial } : {}),
        delimiter: q.delimiter === "semicolon" ? ";" : ",",
        bom: q.bom === "1",
      });
      const stamp = new Date().toISOString().slice(0, 10);
      req.log.info({ by: actor(req, role), format, from: q.from, to: q.to, outcome: o, serial: q.serial, bytes: Buffer.byteLength(text) }, "journal exported");
      return reply
        .header("content-type", format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8")
        .header("content-disposition", `attachment; filename="peenmark-journal-${station.id}-${stamp}.${format}"`)
        .send(text);
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/journal/:id",
    doc({
      summary: "One job's history: the job, its events, the jobs that re-mark it and the one it re-marks",
      tag: "journal",
      role: "technician",
      params: z.object({ id: z.string().describe("Job number") }),
      responses: { 200: z.object({ job: JobViewSchema, events: z.array(EventSchema), remarks: z.array(JobViewSchema), remarkOf: JobViewSchema.optional() }) },
    }),
    async (req) => {
      authorise(ctx, req, "technician", "reading the journal");
      const id = jobId(req.params.id);
      const row = await existingJob(ctx, id, () => journal.job(id));
      const remarkOf = row.remark ? await journal.job(row.remark.of) : undefined;
      return {
        job: live([row])[0],
        events: await journal.events({ jobId: id }),
        remarks: live(await journal.remarksOf(id)),
        ...(remarkOf ? { remarkOf: jobView(remarkOf) } : {}),
      };
    },
  );

  /** An operator frees the serial an interrupted (or never started) job holds, with a reason. */
  app.post<{ Params: { id: string } }>(
    "/api/journal/:id/release",
    doc({
      summary: "Free the serial an interrupted or never-started job holds",
      tag: "journal",
      role: "operator",
      params: z.object({ id: z.string() }),
      body: ReleaseBody,
      responses: { 200: z.object({ job: JobViewSchema }) },
    }),
    async (req) => {
      const role = authorise(ctx, req, "operator", "releasing a serial");
      const id = jobId(req.params.id);
      const body = parseBody(ReleaseBody, req.body);
      const row = await existingJob(ctx, id, () => journal.releaseSerial(id, body));
      req.log.warn({ by: actor(req, role), job: id, serial: row.serial, operator: body.operator, reason: body.reason }, "serial released");
      return { job: jobView(row) };
    },
  );
}
