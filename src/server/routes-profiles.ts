import type { FastifyInstance } from "fastify";
import { authorise, type ServiceContext } from "./context.ts";
import { recordFields, summary } from "./profiles.ts";

/** Profiles by id: list, one, check a draft, publish a new version (operators). */
export function profileRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get("/api/profiles", async (req) => {
    authorise(ctx, req, "technician", "reading profiles");
    const { profiles, problems } = ctx.profiles.list();
    for (const p of problems) req.log.warn(p);
    return profiles.map(summary);
  });

  app.get<{ Params: { id: string } }>("/api/profiles/:id", async (req) => {
    authorise(ctx, req, "technician", "reading a profile");
    const v = ctx.profiles.get(req.params.id);
    return { profile: v.profile, version: v.version, hash: v.hash, fields: recordFields(v.profile) };
  });

  app.post("/api/profiles/check", async (req) => {
    authorise(ctx, req, "operator", "checking a profile");
    const profile = ctx.profiles.check(req.body);
    return { ok: true, id: profile.id, blocks: profile.blocks.map((b) => ({ id: b.id, kind: b.kind, origin: b.origin, ...(b.kind === "text" ? { lines: b.lines, font: b.font, capHeight: b.capHeight, mode: b.mode } : { payload: b.payload, module: b.module }) })) };
  });

  app.post("/api/profiles", async (req, reply) => {
    authorise(ctx, req, "operator", "publishing a profile");
    const v = ctx.profiles.publish(req.body);
    req.log.info({ profile: v.profile.id, version: v.version, hash: v.hash }, "profile published");
    return reply.status(201).send({ id: v.profile.id, version: v.version, hash: v.hash });
  });
}

