import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { Tokens } from "../config.ts";
import { PeenmarkError } from "../errors.ts";
import type { JobRunner } from "../job/runner.ts";
import type { CompilePool } from "./compile-pool.ts";
import type { JournalEngine } from "../journal/engine.ts";
import { MAX_NAME, nameProblem } from "../journal/names.ts";
import { schemaError } from "../profile/load.ts";
import type { Station } from "../profile/station.ts";
import { requireRole, roleOf, type Role } from "./auth.ts";
import type { ProfileStore } from "./profiles.ts";

/** What every route works with: one station, one head (through the runner), one journal (either engine: every call awaited). */
export interface ServiceContext {
  readonly station: Station;
  readonly runner: JobRunner;
  readonly journal: JournalEngine;
  readonly profiles: ProfileStore;
  readonly tokens: Tokens;
  /** The time of marking and of operators' acts; the wall clock unless a test fixes it. */
  readonly clock: () => Date;
  /** Previews compile in worker threads, with a bounded queue (compile-pool.ts). */
  readonly compiler: CompilePool;
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

/**
 * `:id` as a job number: decimal digits only, no sign, no leading zero, no space, no `0x1`
 * or `1e0` (which `Number()` reads as 1): a state-changing route acts on the job named
 * exactly or on none.
 */
export function jobId(raw: string): number {
  const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw new PeenmarkError("E_NOT_FOUND", `${JSON.stringify(raw)} is not a job number (1, 2, 3 …)`, { where: "id" });
  return id;
}

/**
 * The query string's parameters, each given at most once (`?serial=a&serial=b` is refused,
 * not half-read). Parameters not in `names` are ignored.
 */
export function queryOf<N extends string>(req: FastifyRequest, names: readonly N[]): Partial<Record<N, string>> {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const out: Partial<Record<N, string>> = {};
  for (const n of names) {
    if (!Object.hasOwn(q, n)) continue;
    const v = q[n];
    if (typeof v !== "string") throw new PeenmarkError("E_USAGE", `the query parameter ${n} is given ${Array.isArray(v) ? `${v.length} times` : "without a value"}: give it once`, { where: n });
    out[n] = v;
  }
  return out;
}

/** A person's name in a request body: trimmed, 1–120 characters, no control or bidi character (journal/names.ts). */
export function personNameSchema(what: string) {
  return z
    .string({ error: `expected ${what} as text` })
    .transform((s) => s.normalize("NFC").trim())
    .pipe(
      z
        .string()
        .min(1, `${what} must not be empty`)
        .max(MAX_NAME, `${what} is longer than ${MAX_NAME} characters`)
        .superRefine((s, c) => {
          const bad = nameProblem(s);
          if (bad) c.addIssue({ code: "custom", message: `${what} ${bad}` });
        }),
    );
}

/**
 * Who asked, for the log of an operator's action: the role the token gave, the name the
 * page's signed-in operator sends (`X-Peenmark-Operator`, checked like every name), the
 * address. A name in the body (release, re-mark) is logged by the route beside it.
 */
export function actor(req: FastifyRequest, role: Role): { role: Role; operator?: string; ip: string } {
  const raw = req.headers["x-peenmark-operator"];
  let operator: string | undefined;
  if (typeof raw === "string") {
    let name: string;
    try {
      name = decodeURIComponent(raw).normalize("NFC").trim();
    } catch {
      name = "";
    }
    if (name !== "" && name.length <= MAX_NAME && nameProblem(name) === undefined) operator = name;
  }
  return { role, ...(operator === undefined ? {} : { operator }), ip: req.ip };
}

/** A whole number in a query parameter (`limit`, `offset`): decimal digits only. */
export function wholeNumber(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(raw)) throw new PeenmarkError("E_USAGE", `${name} ${JSON.stringify(raw)} is not a whole number`, { where: name });
  return Number(raw);
}

/** A journal row or 404. */
export async function existingJob<T>(ctx: ServiceContext, id: number, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PeenmarkError && e.code === "E_JOURNAL" && e.details.jobId === id && /there is no job/.test(e.message)) {
      throw new PeenmarkError("E_NOT_FOUND", `there is no job ${id} in the journal`, { where: "id", details: { jobId: id } });
    }
    throw e;
  }
}
