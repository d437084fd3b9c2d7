import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { PeenmarkError } from "../errors.ts";
import { MAX_REASON } from "../journal/names.ts";
import type { NumberState } from "../journal/journal.ts";
import { doc, SeriesNumberSchema, SeriesRowSchema } from "./api-doc.ts";
import { actor, authorise, parseBody, personNameSchema, queryOf, type ServiceContext } from "./context.ts";

/**
 * Serial-number series on the page and over HTTP: every client lists them (the technician
 * picks one to mark from); operators define them and release or void their numbers, each
 * with their name and a reason (journal/series.ts keeps every number's history).
 */
const STATES: readonly NumberState[] = ["reserved", "committed", "released", "void"];

const whole = (what: string) => z.number({ error: `expected ${what} as a whole number` }).int(`${what} must be a whole number`).min(0, `${what} must be 0 or more`);

const CreateBody = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "an id is 1–40 letters, digits, '-' or '_'"),
    pattern: z.string().min(1, "give the pattern, such as RX{yy}{counter:5}").describe("Letters and digits around {counter:N} (N digits), {yy}, {yyyy}, {licence}"),
    start: whole("start"),
    end: whole("end"),
    step: whole("step").min(1, "step must be at least 1").optional(),
    licencePrefix: z.string().regex(/^\d{8}$/, "the 8-digit abbreviated licence number").optional(),
    operator: personNameSchema("the operator's name"),
    note: z.string().max(MAX_REASON).optional(),
  })
  .strict();

const ActionBody = z
  .object({
    operator: personNameSchema("the operator's name"),
    reason: z.string().transform((s) => s.trim()).pipe(z.string().min(10, "a written reason of at least 10 characters").max(MAX_REASON)),
  })
  .strict();

const Next = z.object({ number: z.number().int(), serial: z.string() }).nullable().describe("The number and serial the series hands out next (null when exhausted)");

function seriesId(raw: string): string {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(raw)) throw new PeenmarkError("E_NOT_FOUND", `there is no serial-number series ${JSON.stringify(raw)}`, { where: "id" });
  return raw;
}

function numberOf(raw: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(raw)) throw new PeenmarkError("E_NOT_FOUND", `${JSON.stringify(raw)} is not a number of the series`, { where: "number" });
  return Number(raw);
}

/** The journal's "no such series" as 404. */
async function found<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PeenmarkError && e.code === "E_JOURNAL" && (e.where === "seriesId" || e.where === "number") && /there is no serial-number series|was never handed out/.test(e.message))
      throw new PeenmarkError("E_NOT_FOUND", e.message, { where: e.where });
    throw e;
  }
}

export function seriesRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const { journal } = ctx;
  const now = () => ctx.clock();

  app.get(
    "/api/series",
    doc({ summary: "Every serial-number series, with what it hands out next", tag: "series", role: "technician", responses: { 200: z.object({ series: z.array(SeriesRowSchema.extend({ next: Next })) }) } }),
    async (req) => {
      authorise(ctx, req, "technician", "reading serial-number series");
      const at = now();
      const series = [];
      for (const s of await journal.listSeries()) series.push({ ...s, next: (await journal.peekNext(s.id, at)) ?? null });
      return { series };
    },
  );

  app.post(
    "/api/series",
    doc({ summary: "Define a serial-number series", tag: "series", role: "operator", body: CreateBody, responses: { 201: z.object({ series: SeriesRowSchema }) } }),
    async (req, reply) => {
      const role = authorise(ctx, req, "operator", "defining a serial-number series");
      const b = parseBody(CreateBody, req.body);
      const s = await journal.createSeries({
        id: b.id,
        pattern: b.pattern,
        start: b.start,
        end: b.end,
        ...(b.step === undefined ? {} : { step: b.step }),
        ...(b.licencePrefix === undefined ? {} : { licencePrefix: b.licencePrefix }),
        createdBy: b.operator,
        ...(b.note ? { note: b.note } : {}),
      });
      req.log.info({ by: actor(req, role), series: s.id, pattern: s.pattern, start: s.start, end: s.end, operator: b.operator }, "series created");
      return reply.status(201).send({ series: s });
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/series/:id",
    doc({
      summary: "One series and its numbers (the newest first), optionally of one state",
      tag: "series",
      role: "technician",
      params: z.object({ id: z.string() }),
      query: z.object({ state: z.enum(["reserved", "committed", "released", "void"]).optional() }),
      responses: { 200: z.object({ series: SeriesRowSchema, next: Next, numbers: z.array(SeriesNumberSchema) }) },
    }),
    async (req) => {
      authorise(ctx, req, "technician", "reading serial-number series");
      const id = seriesId(req.params.id);
      const q = queryOf(req, ["state"]);
      if (q.state !== undefined && !STATES.includes(q.state as NumberState)) throw new PeenmarkError("E_USAGE", `state "${q.state}" is not one of ${STATES.join(", ")}`, { where: "state" });
      const series = await found(() => journal.series(id));
      return { series, next: (await journal.peekNext(id, now())) ?? null, numbers: (await journal.numbers(id, q.state as NumberState | undefined)).reverse() };
    },
  );

  for (const verb of ["release", "void"] as const) {
    app.post<{ Params: { id: string; number: string } }>(
      `/api/series/:id/numbers/:number/${verb}`,
      doc({
        summary: verb === "release" ? "Hand a reserved number back (it is drawn again first); a job holding it releases its serial" : "Void a reserved or released number: it is never used",
        tag: "series",
        role: "operator",
        params: z.object({ id: z.string(), number: z.string() }),
        body: ActionBody,
        responses: { 200: z.object({ number: SeriesNumberSchema }) },
      }),
      async (req) => {
        const role = authorise(ctx, req, "operator", verb === "release" ? "releasing a series number" : "voiding a series number");
        const id = seriesId(req.params.id);
        const n = numberOf(req.params.number);
        const body = parseBody(ActionBody, req.body);
        const done = await found(() => (verb === "release" ? journal.releaseReservation(id, n, body) : journal.voidNumber(id, n, body)));
        req.log.warn({ by: actor(req, role), series: id, number: n, serial: done.serial, operator: body.operator, reason: body.reason }, `series number ${verb === "release" ? "released" : "voided"}`);
        return { number: done };
      },
    );
  }
}
