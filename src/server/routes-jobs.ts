import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { MarkingRecordSchema } from "../record/schema.ts";
import { requireRole } from "./auth.ts";
import { PeenmarkError } from "../errors.ts";
import { MAX_REASON } from "../journal/names.ts";
import { parseRecord } from "../profile/load.ts";
import { doc, JobViewSchema } from "./api-doc.ts";
import { actor, authorise, existingJob, jobId, parseBody, personNameSchema, type ServiceContext } from "./context.ts";
import type { ProfileVersion } from "./profiles.ts";

/** Preview, start, follow and steer jobs. */
const reasonText = (min: string) =>
  z
    .string()
    .transform((s) => s.trim())
    .pipe(z.string().min(10, min).max(MAX_REASON));

/** Which profile version a re-mark strikes with: the one the earlier job used, unless "current" (with a reason). */
const remarkProfile = {
  profile: z.literal("current", { error: 'expected "current" (or leave it out for the version the earlier job was marked with)' }).optional(),
  profileReason: reasonText("choosing the current profile version needs a written reason of at least 10 characters").optional(),
};

const PreviewBody = z
  .object({
    profileId: z.string().min(1, "choose a profile"),
    // The serial may be left out when it is drawn from a serial-number series: the preview shows the number the series gives next.
    record: MarkingRecordSchema.extend({ serial: MarkingRecordSchema.shape.serial.optional() }),
    series: z.string().min(1).optional(),
    // A re-mark's preview shows the version the re-mark will strike with.
    remark: z.object({ of: z.number().int().positive(), profile: remarkProfile.profile }).strict().optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.series === undefined && b.record.serial === undefined) ctx.addIssue({ code: "custom", path: ["record", "serial"], message: "serial number must not be empty (or choose a serial-number series)" });
    if (b.series !== undefined && b.record.serial !== undefined) ctx.addIssue({ code: "custom", path: ["record", "serial"], message: "leave the serial empty when it is drawn from a series" });
    if (b.series !== undefined && b.remark) ctx.addIssue({ code: "custom", path: ["series"], message: "a re-mark names the serial it marks again; it draws none from a series" });
  });

const JobBody = z
  .object({
    profileId: z.string().min(1, "choose a profile"),
    // The serial may be left out when it is drawn from a serial-number series.
    record: MarkingRecordSchema.extend({ serial: MarkingRecordSchema.shape.serial.optional() }),
    series: z.string().min(1).optional(),
    /** The serial the preview of a series job showed: the job is refused (E_PREVIEW_STALE) if the series now gives another. */
    seriesSerial: z.string().min(1).optional(),
    /**
     * The program the preview showed (its summary.programHash): the job is refused
     * (E_PREVIEW_STALE) when the program is now another — a date, week or shift code changed
     * between preview and Mark, or the profile was published again.
     */
    programHash: z.string().regex(/^[0-9a-f]{64}$/, "the preview's programHash: 64 hexadecimal digits").optional(),
    technician: personNameSchema("the technician's name"),
    remark: z
      .object({
        of: z.number().int().positive().optional(),
        reason: reasonText("a re-mark needs a written reason of at least 10 characters"),
        operator: personNameSchema("the authorising operator's name"),
        ...remarkProfile,
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.series === undefined && b.record.serial === undefined) ctx.addIssue({ code: "custom", path: ["record", "serial"], message: "serial number must not be empty (or choose a serial-number series)" });
    if (b.series !== undefined && b.remark) ctx.addIssue({ code: "custom", path: ["series"], message: "a re-mark names the serial it marks again; it draws none from a series" });
    if (b.remark?.profile === "current" && b.remark.profileReason === undefined)
      ctx.addIssue({ code: "custom", path: ["remark", "profileReason"], message: "choosing the current profile version needs a written reason of at least 10 characters" });
    if (b.remark?.profileReason !== undefined && b.remark.profile !== "current") ctx.addIssue({ code: "custom", path: ["remark", "profile"], message: 'a profileReason goes with profile "current"' });
  });

/**
 * The profile version a re-mark strikes with, and the job it re-marks: by default the version
 * the earlier job was marked with (found by its hash among the station's profile files), so
 * the text lands where the first strikes did; the current version only when the operator
 * chose it. The journal refuses a mismatch either way (serial-rule.ts).
 */
async function remarkVersion(ctx: ServiceContext, profileId: string, record: unknown, remark: { of?: number | undefined; profile?: "current" | undefined }): Promise<{ version: ProfileVersion; of: number }> {
  const r = parseRecord("record", record);
  const of = remark.of ?? (await ctx.journal.lastJobOf(r))?.id;
  if (of === undefined) throw new PeenmarkError("E_JOURNAL", `there is no earlier job of serial "${r.serial}" of ${r.manufacturer} to re-mark: mark it without a re-mark`, { where: "remark.of" });
  const earlier = await existingJob(ctx, of, () => ctx.journal.job(of));
  if (remark.profile === "current") return { version: ctx.profiles.get(profileId), of };
  if (earlier.profile.id !== profileId)
    throw new PeenmarkError("E_JOURNAL", `job ${of} was marked with profile "${earlier.profile.id}", not "${profileId}": re-mark it with "${earlier.profile.id}", or have an operator choose the current version of "${profileId}" with a reason`, {
      where: "profileId",
      details: { jobId: of, profileId: earlier.profile.id },
    });
  const version = ctx.profiles.byHash(earlier.profile.id, earlier.profile.hash);
  if (!version)
    throw new PeenmarkError(
      "E_NOT_FOUND",
      `the version of profile "${earlier.profile.id}" that job ${of} was marked with (sha256 ${earlier.profile.hash.slice(0, 12)}…) is no longer at this station: an operator may re-mark with the current version (remark.profile "current", with remark.profileReason)`,
      { where: "remark.profile", details: { jobId: of, profileId: earlier.profile.id, profileHash: earlier.profile.hash } },
    );
  return { version, of };
}

export function jobRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post(
    "/api/jobs/preview",
    {
      // A full preview pool refuses at once, before the body is read: a flood costs the loop next to nothing.
      onRequest: async () => {
        if (ctx.compiler.full) throw ctx.compiler.overloaded();
      },
      ...doc({
      summary: "Compile a record with a profile: what would be struck, nothing sent to the head",
      tag: "jobs",
      role: "technician",
      body: PreviewBody,
      responses: {
        200: z.object({
          summary: z.record(z.string(), z.unknown()).describe("blocks (as laid out, cap heights asked and measured), strikes, scribeLength, travel, seconds, lines, programHash"),
          svg: z.string(),
          strikes: z.array(z.array(z.number())),
          record: MarkingRecordSchema.describe("The record as compiled (with a series' next serial)"),
          series: z.object({ id: z.string(), number: z.number().int(), serial: z.string() }).optional(),
        }),
      },
      }),
    },
    async (req, reply) => {
      authorise(ctx, req, "technician", "previewing a job");
      const body = parseBody(PreviewBody, req.body);
      const { profile } = body.remark ? (await remarkVersion(ctx, body.profileId, body.record, body.remark)).version : ctx.profiles.get(body.profileId);
      const markedAt = ctx.clock();
      let next: { number: number; serial: string } | undefined;
      if (body.series !== undefined) {
        const id = body.series;
        const peeked = await ctx.journal.peekNext(id, markedAt).catch((e: unknown) => {
          if (e instanceof PeenmarkError && e.where === "seriesId") throw new PeenmarkError("E_NOT_FOUND", e.message, { where: "series" });
          throw e;
        });
        if (!peeked) throw new PeenmarkError("E_SERIES_EXHAUSTED", `series "${id}" has no number left: ask an operator for a new series`, { where: "series" });
        next = peeked;
      }
      // Compiled in the preview pool, off this loop: a flood is queued, then refused (503 E_OVERLOADED).
      const { record, preview, json } = await ctx.compiler.preview(profile, next ? { ...body.record, serial: next.serial } : body.record, ctx.station, markedAt);
      if (next) return { ...preview, record, series: { id: body.series!, ...next } };
      // Serialized in the preview worker: the service's loop only sends it.
      return reply.type("application/json; charset=utf-8").send(json);
    },
  );

  app.post(
    "/api/jobs",
    doc({
      summary: "Mark: the job is written to the journal, then streamed to the head",
      description: "A re-mark (remark) needs the operator role. With series, the serial is drawn from it; seriesSerial (what the preview showed) makes a changed next number a refusal (E_PREVIEW_STALE), and programHash (the preview's) a program that changed since the preview (a date or shift code, a republished profile).",
      tag: "jobs",
      role: "technician",
      body: JobBody,
      responses: { 201: z.object({ job: JobViewSchema }) },
    }),
    async (req, reply) => {
    const role = authorise(ctx, req, "technician", "marking");
    const body = parseBody(JobBody, req.body);
    if (body.remark) requireRole(role, "operator", "authorising a re-mark");
    const chosen = body.remark ? await remarkVersion(ctx, body.profileId, body.record, body.remark) : undefined;
    const profile = chosen?.version ?? ctx.profiles.get(body.profileId);
    const remark = body.remark && {
      of: chosen!.of,
      reason: body.remark.reason,
      operator: body.remark.operator,
      ...(body.remark.profile === "current" ? { currentProfile: { reason: body.remark.profileReason! } } : {}),
    };
    const started = await ctx.runner.start({
      profile: { profile: profile.profile, hash: profile.hash },
      record: body.record,
      technician: body.technician,
      ...(remark ? { remark } : {}),
      ...(body.series ? { series: body.series } : {}),
      ...(body.series && body.seriesSerial ? { seriesSerial: body.seriesSerial } : {}),
      ...(body.programHash ? { previewedProgramHash: body.programHash } : {}),
    });
    // The outcome is in the journal and on the event stream; a failure to record it is logged.
    started.done.then(
      (job) => req.log.info({ job: job.id, state: job.state, outcome: job.outcome }, "job ended"),
      (e: unknown) => req.log.error({ err: e, job: started.job.id }, "job ended without its outcome recorded"),
    );
    req.log.info(
      { job: started.job.id, serial: started.job.serial, profile: profile.profile.id, version: profile.version, technician: body.technician, ...(body.remark ? { by: actor(req, role), operator: body.remark.operator, reason: body.remark.reason } : {}) },
      body.remark ? "re-mark started" : "job started",
    );
    return reply.status(201).send({ job: started.job });
    },
  );

  app.get("/api/jobs/current", doc({ summary: "The job under way, or null", tag: "jobs", role: "technician", responses: { 200: z.object({ job: JobViewSchema.nullable() }) } }), async (req) => {
    authorise(ctx, req, "technician", "reading the current job");
    return { job: ctx.runner.current() ?? null };
  });

  app.get<{ Params: { id: string } }>(
    "/api/jobs/:id",
    doc({ summary: "A job, with its live progress when it is under way", tag: "jobs", role: "technician", params: z.object({ id: z.string() }), responses: { 200: z.object({ job: JobViewSchema }) } }),
    async (req) => {
      authorise(ctx, req, "technician", "reading a job");
      const id = jobId(req.params.id);
      return { job: await existingJob(ctx, id, () => ctx.runner.job(id)) };
    },
  );

  const ACTION_DOC = {
    pause: "Pause: nothing more is sent; the head finishes the strikes the controller holds, then stands between two strikes, pin off",
    resume: "Resume a paused job where it stands",
    abort: "Abort: the head stops and the pin goes off; the job ends aborted",
  } as const;
  for (const action of ["pause", "resume", "abort"] as const) {
    app.post<{ Params: { id: string } }>(
      `/api/jobs/:id/${action}`,
      doc({ summary: ACTION_DOC[action], tag: "jobs", role: "technician", params: z.object({ id: z.string() }), body: z.object({}), responses: { 200: z.object({ job: JobViewSchema }) } }),
      async (req) => {
        authorise(ctx, req, "technician", `${action === "abort" ? "aborting" : action === "pause" ? "pausing" : "resuming"} a job`);
        const id = jobId(req.params.id);
        // The job under way is steered without asking the journal: a registry out of reach
        // never keeps a technician from pausing or aborting the head.
        if (ctx.runner.current()?.id !== id) await existingJob(ctx, id, () => ctx.journal.job(id));
        const job = await ctx.runner[action](id);
        req.log.info({ job: id }, `job ${action}`);
        return { job };
      },
    );
  }
}
