import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { previewSvg } from "../preview/svg.ts";
import { MarkingRecordSchema } from "../record/schema.ts";
import { requireRole } from "./auth.ts";
import { authorise, existingJob, jobId, parseBody, type ServiceContext } from "./context.ts";

/** Preview, start, follow and steer jobs. */
const PreviewBody = z.object({ profileId: z.string().min(1, "choose a profile"), record: MarkingRecordSchema }).strict();

const name = (what: string) =>
  z
    .string({ error: `expected ${what} as text` })
    .transform((s) => s.trim())
    .pipe(z.string().min(1, `${what} must not be empty`).max(120));

const JobBody = z
  .object({
    profileId: z.string().min(1, "choose a profile"),
    // The serial may be left out when it is drawn from a serial-number series.
    record: MarkingRecordSchema.extend({ serial: MarkingRecordSchema.shape.serial.optional() }),
    series: z.string().min(1).optional(),
    technician: name("the technician's name"),
    remark: z
      .object({
        of: z.number().int().positive().optional(),
        reason: z
          .string()
          .transform((s) => s.trim())
          .pipe(z.string().min(10, "a re-mark needs a written reason of at least 10 characters")),
        operator: name("the authorising operator's name"),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.series === undefined && b.record.serial === undefined) ctx.addIssue({ code: "custom", path: ["record", "serial"], message: "serial number must not be empty (or choose a serial-number series)" });
  });

export function jobRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post("/api/jobs/preview", async (req) => {
    authorise(ctx, req, "technician", "previewing a job");
    const body = parseBody(PreviewBody, req.body);
    const { profile } = ctx.profiles.get(body.profileId);
    const { compiled } = ctx.runner.prepare(profile, body.record);
    const f = compiled.figures;
    const strikes = compiled.program.ops.filter((o) => o.kind === "strike").map((o) => [o.at.x, o.at.y]);
    return {
      summary: {
        blocks: compiled.blocks,
        strikes: f.strikes,
        scribeLength: f.scribeLength,
        travel: f.travel,
        seconds: f.seconds,
        lines: compiled.gcode.lines.length - 1,
        programHash: compiled.gcode.hash,
      },
      svg: previewSvg(compiled.program, ctx.station.machine),
      strikes,
    };
  });

  app.post("/api/jobs", async (req, reply) => {
    const role = authorise(ctx, req, "technician", "marking");
    const body = parseBody(JobBody, req.body);
    if (body.remark) requireRole(role, "operator", "authorising a re-mark");
    const profile = ctx.profiles.get(body.profileId);
    const started = await ctx.runner.start({
      profile: { profile: profile.profile, hash: profile.hash },
      record: body.record,
      technician: body.technician,
      ...(body.remark ? { remark: body.remark } : {}),
      ...(body.series ? { series: body.series } : {}),
    });
    // The outcome is in the journal and on the event stream; a failure to record it is logged.
    started.done.then(
      (job) => req.log.info({ job: job.id, state: job.state, outcome: job.outcome }, "job ended"),
      (e: unknown) => req.log.error({ err: e, job: started.job.id }, "job ended without its outcome recorded"),
    );
    req.log.info({ job: started.job.id, serial: started.job.serial, profile: profile.profile.id, version: profile.version, technician: body.technician }, "job started");
    return reply.status(201).send({ job: started.job });
  });

  app.get("/api/jobs/current", async (req) => {
    authorise(ctx, req, "technician", "reading the current job");
    return { job: ctx.runner.current() ?? null };
  });

  app.get<{ Params: { id: string } }>("/api/jobs/:id", async (req) => {
    authorise(ctx, req, "technician", "reading a job");
    const id = jobId(req.params.id);
    return { job: existingJob(ctx, id, () => ctx.runner.job(id)) };
  });

  for (const action of ["pause", "resume", "abort"] as const) {
    app.post<{ Params: { id: string } }>(`/api/jobs/:id/${action}`, async (req) => {
      authorise(ctx, req, "technician", `${action === "abort" ? "aborting" : action === "pause" ? "pausing" : "resuming"} a job`);
      const id = jobId(req.params.id);
      existingJob(ctx, id, () => ctx.journal.job(id));
      const job = await ctx.runner[action](id);
      req.log.info({ job: id }, `job ${action}`);
      return { job };
    });
  }
}
