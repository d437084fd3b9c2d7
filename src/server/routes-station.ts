import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { PeenmarkError } from "../errors.ts";
import { jobView, type JobView } from "../job/view.ts";
import type { Outcome } from "../journal/journal.ts";
import { MAX_REASON } from "../journal/names.ts";
import { authorise, existingJob, jobId, parseBody, personNameSchema, queryOf, type ServiceContext } from "./context.ts";

/** The station, its controller, and the journal as the page reads it. */
const ReleaseBody = z
  .object({
    operator: personNameSchema("the operator's name"),
    reason: z.string().transform((s) => s.trim()).pipe(z.string().min(10, "a release needs a written reason of at least 10 characters").max(MAX_REASON)),
  })
  .strict();

const OUTCOMES: readonly Outcome[] = ["pending", "marking", "completed", "aborted", "interrupted", "failed"];

export function stationRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const { station, runner, journal } = ctx;

  app.get("/api/station", async (req) => {
    authorise(ctx, req, "technician", "reading the station");
    return { station: { id: station.id, name: station.name, workArea: station.machine.workArea }, controller: runner.head.view() };
  });

  app.get("/api/controller", async (req) => {
    authorise(ctx, req, "technician", "reading the controller");
    return runner.head.view();
  });

  app.post("/api/controller/home", async (req) => {
    authorise(ctx, req, "technician", "homing the head");
    return runner.home();
  });

  app.post("/api/controller/unlock", async (req) => {
    authorise(ctx, req, "operator", "unlocking the controller without homing");
    req.log.warn("controller unlocked ($X) without homing");
    return runner.unlock();
  });

  /** Newest first; the live job with its live progress. */
  const live = (rows: ReturnType<typeof journal.jobs>): JobView[] => rows.map((r) => (runner.current()?.id === r.id ? runner.job(r.id) : jobView(r)));

  app.get("/api/journal", async (req) => {
    authorise(ctx, req, "technician", "reading the journal");
    const q = queryOf(req, ["serial", "limit"]);
    if (q.limit !== undefined && !/^[1-9][0-9]{0,2}$/.test(q.limit)) throw new PeenmarkError("E_USAGE", `limit ${JSON.stringify(q.limit)} is not a whole number from 1 to 500`, { where: "limit" });
    const limit = Math.min(500, Number(q.limit ?? 50));
    const rows = q.serial ? journal.find(q.serial) : journal.jobs().reverse();
    return { jobs: live(rows.slice(0, limit)) };
  });

  /** Interrupted jobs nobody has re-marked or released yet: what the page offers to re-home and re-mark. */
  app.get("/api/journal/interrupted", async (req) => {
    authorise(ctx, req, "technician", "reading the journal");
    const all = journal.jobs();
    // A re-mark that aborted or failed did not take the part over: the interrupted job stays open.
    const remarked = new Set(all.flatMap((j) => (j.remark && j.outcome !== "aborted" && j.outcome !== "failed" ? [j.remark.of] : [])));
    const open = all.filter((j) => j.outcome === "interrupted" && !j.release && !remarked.has(j.id)).reverse();
    return { jobs: open.map((j) => jobView(j)) };
  });

  app.get("/api/journal/export", async (req, reply) => {
    authorise(ctx, req, "operator", "exporting the journal");
    const q = queryOf(req, ["format", "from", "to", "outcome", "serial"]);
    const format = q.format ?? "csv";
    if (format !== "csv" && format !== "json") throw new PeenmarkError("E_USAGE", `format "${format}" is not csv or json`, { where: "format" });
    const outcome = q.outcome;
    if (outcome !== undefined && !OUTCOMES.includes(outcome as Outcome)) throw new PeenmarkError("E_USAGE", `outcome "${outcome}" is not one of ${OUTCOMES.join(", ")}`, { where: "outcome" });
    const text = journal.exportJobs({
      format,
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      ...(outcome ? { outcome: outcome as Outcome } : {}),
      ...(q.serial ? { serial: q.serial } : {}),
    });
    const stamp = new Date().toISOString().slice(0, 10);
    req.log.info({ format }, "journal exported");
    return reply
      .header("content-type", format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8")
      .header("content-disposition", `attachment; filename="peenmark-journal-${station.id}-${stamp}.${format}"`)
      .send(text);
  });

  /** An operator frees the serial an interrupted (or never started) job holds, with a reason. */
  app.post<{ Params: { id: string } }>("/api/journal/:id/release", async (req) => {
    authorise(ctx, req, "operator", "releasing a serial");
    const id = jobId(req.params.id);
    const body = parseBody(ReleaseBody, req.body);
    const row = existingJob(ctx, id, () => journal.releaseSerial(id, body));
    req.log.warn({ job: id, operator: body.operator, reason: body.reason }, "serial released");
    return { job: jobView(row) };
  });
}
