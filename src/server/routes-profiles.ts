import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { compile } from "../compile.ts";
import { PeenmarkError } from "../errors.ts";
import { MAX_REASON } from "../journal/names.ts";
import { checkError } from "../profile/check.ts";
import { parseRecord } from "../profile/load.ts";
import { MarkingRecordSchema } from "../record/schema.ts";
import { doc, ProfileFileSchema } from "./api-doc.ts";
import { actor, authorise, parseBody, personNameSchema, queryOf, type ServiceContext } from "./context.ts";
import { previewOf } from "./preview.ts";
import { recordFields, summary } from "./profiles.ts";

/** Profiles by id: list, one, its versions, a preview of its sample, check a draft, publish a new version, retire (operators). */
const ActionBody = z
  .object({
    operator: personNameSchema("the operator's name"),
    reason: z.string().transform((s) => s.trim()).pipe(z.string().min(10, "a written reason of at least 10 characters").max(MAX_REASON)),
  })
  .strict();

const PreviewBody = z
  .object({
    version: z.number().int().positive().optional().describe("A version number (default: the newest)"),
    record: MarkingRecordSchema.optional().describe("A record to compile (default: the profile's sample)"),
  })
  .strict();

const Problem = z.object({ code: z.string(), path: z.string().optional(), block: z.string().optional(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() });
const Preview = z.object({ summary: z.record(z.string(), z.unknown()), svg: z.string(), strikes: z.array(z.array(z.number())) });
const Summary = z.record(z.string(), z.unknown()).describe("id, name, description, rules, version, hash, fields, blocks, defaults, form, sample, retired");

function profileId(raw: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,23}$/.test(raw)) throw new PeenmarkError("E_NOT_FOUND", `there is no profile ${JSON.stringify(raw)} at this station`, { where: "id" });
  return raw;
}

export function profileRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    "/api/profiles",
    doc({
      summary: "The newest version of each profile (retired ones with ?all=1)",
      tag: "profiles",
      role: "technician",
      query: z.object({ all: z.enum(["0", "1"]).optional() }),
      responses: { 200: z.array(Summary) },
    }),
    async (req) => {
      authorise(ctx, req, "technician", "reading profiles");
      const all = queryOf(req, ["all"]).all === "1";
      const { profiles, problems } = ctx.profiles.list({ includeRetired: all });
      for (const p of problems) req.log.warn(p);
      return profiles.map((v) => summary(v, ctx.profiles.retirement(v.profile.id)));
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/profiles/:id",
    doc({
      summary: "A profile's newest version, its versions and whether it is retired",
      tag: "profiles",
      role: "technician",
      params: z.object({ id: z.string() }),
      responses: { 200: z.object({ profile: ProfileFileSchema, version: z.number(), hash: z.string(), fields: z.array(z.string()), versions: z.array(z.record(z.string(), z.unknown())), summary: Summary }) },
    }),
    async (req) => {
      authorise(ctx, req, "technician", "reading a profile");
      const id = profileId(req.params.id);
      const v = ctx.profiles.get(id, { includeRetired: true });
      return { profile: v.profile, version: v.version, hash: v.hash, fields: recordFields(v.profile), versions: ctx.profiles.versions(id), summary: summary(v, ctx.profiles.retirement(id)) };
    },
  );

  app.post<{ Params: { id: string } }>(
    "/api/profiles/:id/preview",
    doc({
      summary: "A profile (a version of it) compiled on a record: its sample unless one is given; nothing is struck",
      tag: "profiles",
      role: "technician",
      params: z.object({ id: z.string() }),
      body: PreviewBody,
      responses: { 200: Preview.extend({ version: z.number(), hash: z.string(), record: MarkingRecordSchema }) },
    }),
    async (req) => {
      authorise(ctx, req, "technician", "previewing a profile");
      const id = profileId(req.params.id);
      const body = parseBody(PreviewBody, req.body);
      const v = body.version === undefined ? ctx.profiles.get(id, { includeRetired: true }) : ctx.profiles.version(id, body.version);
      const given = body.record ?? v.profile.sample;
      if (!given) throw new PeenmarkError("E_RECORD_FIELD_MISSING", `profile "${id}" version ${v.version} has no sample record: give a record to preview`, { where: "record" });
      const record = parseRecord("record", given);
      const compiled = compile({ record, profile: v.profile, station: ctx.station, markedAt: ctx.clock() });
      return { ...previewOf(compiled, ctx.station), version: v.version, hash: v.hash, record };
    },
  );

  app.post(
    "/api/profiles/check",
    doc({
      summary: "Check a profile: schema, fonts, marking rules, and its sample compiled on this station; every problem at once",
      tag: "profiles",
      role: "operator",
      body: ProfileFileSchema,
      responses: {
        200: z.object({ ok: z.literal(true), id: z.string(), blocks: z.array(z.record(z.string(), z.unknown())), warnings: z.array(z.object({ kind: z.string(), message: z.string() })), preview: Preview.optional() }),
        422: z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.object({ problems: z.array(Problem) }) }) }).describe("Every problem, each with its JSON path, block and code"),
      },
    }),
    async (req) => {
      authorise(ctx, req, "operator", "checking a profile");
      const check = ctx.profiles.check(req.body);
      if (!check.profile) throw checkError("request body", check);
      const profile = check.profile;
      return {
        ok: true,
        id: profile.id,
        blocks: profile.blocks.map((b) => ({ id: b.id, kind: b.kind, origin: b.origin, ...(b.kind === "text" ? { lines: b.lines, font: b.font, capHeight: b.capHeight, mode: b.mode } : b.kind === "datamatrix" ? { payload: b.payload, module: b.module } : { mode: b.mode, ...(b.height !== undefined ? { height: b.height } : { width: b.width }) }) })),
        warnings: check.warnings,
        ...(check.compiled ? { preview: previewOf(check.compiled, ctx.station) } : {}),
      };
    },
  );

  app.post(
    "/api/profiles",
    doc({
      summary: "Publish a profile as the next version of its id (the same content as the newest is no new version)",
      tag: "profiles",
      role: "operator",
      body: ProfileFileSchema,
      responses: { 201: z.object({ id: z.string(), version: z.number(), hash: z.string(), unchanged: z.literal(false) }), 200: z.object({ id: z.string(), version: z.number(), hash: z.string(), unchanged: z.literal(true) }) },
    }),
    async (req, reply) => {
      const role = authorise(ctx, req, "operator", "publishing a profile");
      const by = actor(req, role);
      const v = ctx.profiles.publish(req.body, { operator: by.operator ?? "operator" });
      req.log.info({ by, profile: v.profile.id, version: v.version, hash: v.hash, unchanged: v.unchanged }, v.unchanged ? "profile published again unchanged: no new version" : "profile published");
      return reply.status(v.unchanged ? 200 : 201).send({ id: v.profile.id, version: v.version, hash: v.hash, unchanged: v.unchanged });
    },
  );

  for (const verb of ["retire", "restore"] as const) {
    app.post<{ Params: { id: string } }>(
      `/api/profiles/:id/${verb}`,
      doc({
        summary: verb === "retire" ? "Retire a profile: no longer offered or marked; its versions stay for re-marks" : "Bring a retired profile back",
        tag: "profiles",
        role: "operator",
        params: z.object({ id: z.string() }),
        body: ActionBody,
        responses: { 200: z.object({ profile: Summary }) },
      }),
      async (req) => {
        const role = authorise(ctx, req, "operator", verb === "retire" ? "retiring a profile" : "restoring a profile");
        const id = profileId(req.params.id);
        const body = parseBody(ActionBody, req.body);
        ctx.profiles.setRetired(id, verb === "retire", body, ctx.clock());
        req.log.warn({ by: actor(req, role), profile: id, operator: body.operator, reason: body.reason }, verb === "retire" ? "profile retired" : "profile restored");
        return { profile: summary(ctx.profiles.get(id, { includeRetired: true }), ctx.profiles.retirement(id)) };
      },
    );
  }
}
