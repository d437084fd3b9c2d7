import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { Tokens } from "../config.ts";
import { PeenmarkError } from "../errors.ts";
import type { JobRunner } from "../job/runner.ts";
import type { Journal } from "../journal/journal.ts";
import { schemaError } from "../profile/load.ts";
import type { Station } from "../profile/station.ts";
import { requireRole, roleOf, type Role } from "./auth.ts";
import type { ProfileStore } from "./profiles.ts";

/** What every route works with: one station, one head (through the runner), one journal. */
export interface ServiceContext {
  readonly station: Station;
  readonly runner: JobRunner;
  readonly journal: Journal;
  readonly profiles: ProfileStore;
  readonly tokens: Tokens;
}

/** The caller's role, or 401/403; `need` raises the bar to operator where the route says so. */
export function authorise(ctx: ServiceContext, req: FastifyRequest, need: Role, doing: string): Role {
  const role = roleOf(req, ctx.tokens);
  requireRole(role, need, doing);
  return role;
}

/** A request body through its zod schema; E_SCHEMA with JSON paths from the body's root. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw schemaError("request body", r.error, "the request");
  return r.data;
}

/** `:id` as a job number. */
export function jobId(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw new PeenmarkError("E_NOT_FOUND", `"${raw}" is not a job number`, { where: "id" });
  return id;
}

/** A journal row or 404. */
export function existingJob<T>(ctx: ServiceContext, id: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PeenmarkError && e.code === "E_JOURNAL" && e.details.jobId === id && /there is no job/.test(e.message)) {
      throw new PeenmarkError("E_NOT_FOUND", `there is no job ${id} in the journal`, { where: "id", details: { jobId: id } });
    }
    throw e;
  }
}
