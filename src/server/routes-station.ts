import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { tokensConfigured } from "./auth.ts";
import { actor, authorise, type ServiceContext } from "./context.ts";
import { ControllerViewSchema, doc, JournalStateSchema } from "./api-doc.ts";
import { TranslatedTextSchema } from "../profile/schema.ts";

/** The station and its controller. */
export function stationRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const { station, runner } = ctx;

  app.get(
    "/api/station",
    doc({
      summary: "The station, its controller, its journal (or registry), and who the caller is",
      tag: "station",
      role: "technician",
      responses: {
        200: z.object({
          station: z.object({ id: z.string(), name: TranslatedTextSchema, workArea: z.object({ width: z.number(), height: z.number() }), timeZone: z.string() }),
          controller: ControllerViewSchema,
          journal: JournalStateSchema,
          you: z.object({ role: z.enum(["technician", "operator"]), tokens: z.boolean().describe("Whether the station asks for tokens (without, every client on the computer is an operator)") }),
        }),
      },
    }),
    async (req) => {
      const role = authorise(ctx, req, "technician", "reading the station");
      return {
        station: { id: station.id, name: station.name, workArea: station.machine.workArea, timeZone: station.timeZone },
        controller: runner.head.view(),
        journal: runner.journalState(),
        you: { role, tokens: tokensConfigured(ctx.tokens) },
      };
    },
  );

  app.get("/api/controller", doc({ summary: "The controller's state and position", tag: "station", role: "technician", responses: { 200: ControllerViewSchema } }), async (req) => {
    authorise(ctx, req, "technician", "reading the controller");
    return runner.head.view();
  });

  app.post(
    "/api/controller/home",
    doc({ summary: "Reset the controller if it waits for one, then home ($H)", tag: "station", role: "technician", body: z.object({}), responses: { 200: ControllerViewSchema } }),
    async (req) => {
      authorise(ctx, req, "technician", "homing the head");
      return runner.home();
    },
  );

  app.post(
    "/api/controller/unlock",
    doc({ summary: "Clear the alarm lock without homing ($X)", tag: "station", role: "operator", body: z.object({}), responses: { 200: ControllerViewSchema } }),
    async (req) => {
      const role = authorise(ctx, req, "operator", "unlocking the controller without homing");
      req.log.warn({ by: actor(req, role) }, "controller unlocked ($X) without homing");
      return runner.unlock();
    },
  );
}
