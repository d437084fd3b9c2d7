import swagger from "@fastify/swagger";
import type { FastifyInstance, FastifySchema } from "fastify";
import { z } from "zod";
import { ProfileSchema } from "../profile/schema.ts";
import { MarkingRecordSchema } from "../record/schema.ts";

/**
 * The API's own description, OpenAPI 3.1 at GET /api/openapi.json, made by @fastify/swagger
 * from the route table: each route carries a `schema` whose body, query and responses are
 * the zod schemas the routes validate with (z.toJSONSchema, JSON Schema 2020-12, which
 * OpenAPI 3.1 takes as it is). fastify itself neither validates nor serialises with them:
 * the routes parse with zod (one error envelope, messages a person reads) and answer with
 * JSON.stringify, so the description can never change what the service does.
 */

/** A zod schema as the JSON Schema of an OpenAPI 3.1 document (no `$schema` key inside one). */
export function jsonSchema(schema: z.ZodType, io: "input" | "output" = "input"): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe("Stable code: E_SCHEMA, E_SERIAL_DUPLICATE, E_FORBIDDEN …"),
      message: z.string().describe("A sentence for a person (English), saying what to do."),
      where: z.string().optional().describe("The field, JSON path, block or parameter it is about."),
      details: z.record(z.string(), z.unknown()).optional().describe("Machine-readable details; `issues: [{ path, message }]` for E_SCHEMA."),
    }),
  })
  .describe("Every error the service answers with, fastify's own included.");

/** How many jobs ended each way (journal/search.ts `Counts`). */
export const CountsSchema = z.object({ jobs: z.number(), completed: z.number(), failed: z.number(), aborted: z.number(), interrupted: z.number(), open: z.number(), remarks: z.number() });

/** journal/search.ts `Statistics`: marks per local day, station, station and day, technician. */
export const StatisticsSchema = z.object({
  timeZone: z.string(),
  totals: CountsSchema,
  days: z.array(CountsSchema.extend({ day: z.string() })),
  stations: z.array(CountsSchema.extend({ station: z.string() })),
  stationDays: z.array(CountsSchema.extend({ station: z.string(), day: z.string() })),
  technicians: z.array(CountsSchema.extend({ technician: z.string() })),
});

const Progress = z.object({
  linesTotal: z.number().int(),
  linesAcked: z.number().int(),
  linesExecuted: z.number().int(),
  strikesTotal: z.number().int(),
  strikesDone: z.number().int(),
  secondsLeft: z.number(),
});

export const JobViewSchema = z
  .object({
    id: z.number().int(),
    state: z.enum(["pending", "marking", "paused", "completed", "aborted", "interrupted", "failed"]),
    drained: z.boolean().optional().describe("Paused jobs: true once the head stands between two strikes, pin off; false while it finishes the strikes the controller holds."),
    profileId: z.string(),
    profileHash: z.string(),
    programHash: z.string(),
    serial: z.string(),
    record: MarkingRecordSchema,
    technician: z.string(),
    stationId: z.string(),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    progress: Progress,
    outcome: z
      .object({
        code: z.string().optional().describe("ALARM:N, error:N or a service code"),
        message: z.string().describe("The station's note or the controller's words (English)"),
        note: z.string().optional().describe("A stable key for a station note (service-stopped, never-started, aborted-before-start …), which the page translates"),
      })
      .optional(),
    remarkOf: z.number().int().optional(),
    reason: z.string().optional(),
    authorisedBy: z.string().optional(),
    released: z.object({ at: z.string(), by: z.string(), reason: z.string() }).optional(),
    series: z.object({ seriesId: z.string(), number: z.number().int() }).optional(),
    journal: z
      .object({ recorded: z.literal(false), code: z.string().optional().describe("E_JOURNAL (the file) or E_REGISTRY_UNREACHABLE (the registry)"), message: z.string() })
      .optional()
      .describe("The journal cannot record this job's latest state now (locked, disk full, I/O error, read-only; the registry out of reach): kept beside it and written when it can; the serial stays held."),
  })
  .describe("A job as the page and the API see it (JobView).");

export const ControllerViewSchema = z
  .object({
    connected: z.boolean(),
    kind: z.enum(["sim", "serial"]),
    port: z.string().optional(),
    state: z.string().describe("GRBL's state (Idle, Run, Hold, Alarm, Home, Jog …) or Disconnected"),
    position: z.object({ x: z.number(), y: z.number() }).describe("Machine position, mm"),
    workPosition: z.object({ x: z.number(), y: z.number() }).optional().describe("Work position, mm (the program's coordinates), once the controller has reported its work offset (WCO)"),
    homed: z.boolean(),
    message: z.string().optional(),
    simStrikes: z.number().int().optional(),
  })
  .describe("The head's controller (ControllerView).");

export const JournalStateSchema = z
  .object({
    kind: z.enum(["sqlite", "postgres"]).describe("The SQLite file of this bench, or the PostgreSQL registry stations share"),
    where: z.string().describe("The file, or the registry's URL without its password"),
    recording: z.boolean().describe("false: the journal cannot record now (the registry unreachable, the file locked or full); marks are refused or paused"),
    code: z.string().optional().describe("E_REGISTRY_UNREACHABLE or E_JOURNAL, when not recording"),
    message: z.string().optional(),
    cutOff: z
      .object({
        cutOff: z.boolean().describe("true: the registry does not answer; the station marks only series numbers of its leases"),
        since: z.string().optional(),
        leases: z.array(z.object({ leaseId: z.string(), seriesId: z.string(), expiresAt: z.string(), left: z.number().int() })).describe("What it may still mark while cut off"),
        waiting: z.number().int().describe("Jobs marked while cut off that the registry does not have yet (uploaded, in order, when it answers)"),
      })
      .optional()
      .describe("A station on a registry (docs/REGISTRY.md, \"Outages\")"),
  })
  .describe("Where this station's journal is and whether it records now.");

export const SeriesRowSchema = z.object({
  id: z.string(),
  pattern: z.string(),
  licencePrefix: z.string().optional(),
  start: z.number().int(),
  end: z.number().int(),
  step: z.number().int(),
  nextNumber: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string(),
  note: z.string().optional(),
  counts: z.object({ reserved: z.number().int(), committed: z.number().int(), released: z.number().int(), void: z.number().int() }),
});

export const SeriesNumberSchema = z.object({
  seriesId: z.string(),
  number: z.number().int(),
  serial: z.string(),
  state: z.enum(["reserved", "committed", "released", "void"]),
  jobId: z.number().int().optional(),
  reservedAt: z.string(),
  updatedAt: z.string(),
  reason: z.string().optional(),
  operator: z.string().optional(),
});

export const ProfileFileSchema = ProfileSchema;

const ROLE_TEXT = { none: "No token needed.", technician: "Role: technician (or operator).", operator: "Role: operator.", trace: "Role: trace (the registry's read-only token)." } as const;

/** What a route is, for the description: a summary, its group, the role it needs, its body, query, path and answers. */
export interface RouteDoc {
  readonly summary: string;
  readonly description?: string;
  readonly tag: "station" | "jobs" | "journal" | "series" | "profiles" | "events" | "page" | "trace";
  readonly role: keyof typeof ROLE_TEXT;
  readonly body?: z.ZodType;
  readonly query?: z.ZodObject;
  readonly params?: z.ZodObject;
  /** Answers by status; a zod schema, or a description alone. */
  readonly responses?: Readonly<Record<number, z.ZodType | string>>;
  readonly hide?: boolean;
}

export function doc(d: RouteDoc): { schema: FastifySchema } {
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(d.responses ?? { 200: "OK" })) responses[status] = typeof r === "string" ? { description: r, type: "null" } : { description: r.description ?? "OK", ...jsonSchema(r, "output") };
  responses["4xx"] = { description: "The error envelope", ...jsonSchema(ErrorSchema, "output") };
  const schema: Record<string, unknown> = {
    summary: d.summary,
    description: [d.description, ROLE_TEXT[d.role]].filter(Boolean).join("\n\n"),
    tags: [d.tag],
    ...(d.role === "none" ? { security: [] } : {}),
    ...(d.body ? { body: jsonSchema(d.body) } : {}),
    ...(d.query ? { querystring: jsonSchema(d.query) } : {}),
    ...(d.params ? { params: jsonSchema(d.params) } : {}),
    response: responses,
    ...(d.hide ? { hide: true } : {}),
  };
  return { schema: schema as FastifySchema };
}

/** What the description says of the service it describes: the station's, or the registry's trace service's. */
export interface ApiInfo {
  readonly title: string;
  readonly description: string;
  /** What the bearer token is. */
  readonly token: string;
  readonly tags: readonly { readonly name: string; readonly description: string }[];
}

export const STATION_API: ApiInfo = {
  title: "peenmark station",
  description:
    "The HTTP API of a peenmark marking station: what the technician's page uses, and what a script or an ERP can use (docs/OPERATIONS.md). Every POST carries Content-Type: application/json and either no Origin or the station's own (docs/SECURITY.md).",
  token: "The technician's or the operator's token (none on a station without tokens, which answers loopback only).",
  tags: [
    { name: "station", description: "The station and its head" },
    { name: "jobs", description: "Preview, mark, pause, resume, abort" },
    { name: "journal", description: "Every mark: search, a job's history, statistics, export, release" },
    { name: "series", description: "Serial-number series" },
    { name: "profiles", description: "Marking profiles: versions, check, publish, retire" },
    { name: "events", description: "Server-sent events" },
  ],
};

/** Register before the routes: the plugin collects them as they are added. */
export async function registerApiDoc(app: FastifyInstance, version: string, info: ApiInfo = STATION_API): Promise<void> {
  // The routes validate with zod and answer with JSON.stringify: the schemas are for the description only.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: info.title, version, description: info.description },
      components: { securitySchemes: { token: { type: "http", scheme: "bearer", description: info.token } } },
      security: [{ token: [] }],
      tags: info.tags.map((t) => ({ ...t })),
    },
    hideUntagged: true,
  });
}
