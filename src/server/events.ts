import type { FastifyInstance } from "fastify";
import type { ControllerView } from "../job/head.ts";
import type { JobView } from "../job/view.ts";
import { authorise, type ServiceContext } from "./context.ts";

/**
 * Server-sent events at /api/events: `controller` (ControllerView) and `job` (JobView, at most
 * ten a second from the runner), `error` ({code, message}). A new client gets the current
 * controller and job at once, so the page never waits for the next change to draw. A comment
 * line every 15 s keeps proxies from closing an idle stream.
 */
const HEARTBEAT_MS = 15_000;

export function eventRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const streams = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of [...streams]) end();
  });

  app.get("/api/events", async (req, reply) => {
    authorise(ctx, req, "technician", "following events");
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const onController = (v: ControllerView) => send("controller", v);
    const onJob = (v: JobView) => send("job", v);
    const onError = (e: { code: string; message: string }) => send("error", e);
    const { runner } = ctx;
    runner.on("controller", onController);
    runner.on("job", onJob);
    app.peenmark.alerts.on("alert", onError);
    const beat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
    const end = () => {
      clearInterval(beat);
      runner.off("controller", onController);
      runner.off("job", onJob);
      app.peenmark.alerts.off("alert", onError);
      streams.delete(end);
      if (!res.writableEnded) res.end();
    };
    streams.add(end);
    req.raw.on("close", end);
    res.write("retry: 2000\n\n");
    send("controller", runner.head.view());
    const job = runner.current();
    if (job) send("job", job);
  });
}
