import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { ControllerView } from "../job/head.ts";
import type { JobView } from "../job/view.ts";
import { doc } from "./api-doc.ts";
import { authorise, type ServiceContext } from "./context.ts";

/**
 * Server-sent events at /api/events: `controller` (ControllerView), `job` (JobView, at most
 * ten a second from the runner), `error` ({code, message}). Every event has an `id:` —
 * `<boot>-<n>`, the boot part new at every start of the service — and the last events are
 * kept: a client that reconnects (EventSource does, sending `Last-Event-ID`) gets what it
 * missed, in order, so the end of a job is never lost to a dropped connection. A client
 * that was away longer than the buffer holds, or that comes from before a restart, gets
 * the present instead: the current controller, and the current job if one is under way.
 * A new client gets the present at once, so the page never waits for the next change to
 * draw. A comment line every 15 s keeps proxies from closing an idle stream.
 */
const HEARTBEAT_MS = 15_000;
/** Events kept for replay: about half a minute of a job's progress at ten a second, and every controller change in it. */
export const REPLAY_EVENTS = 512;

interface Sent {
  readonly n: number;
  readonly event: string;
  readonly data: string;
}

export function eventRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const boot = randomBytes(4).toString("hex");
  let counter = 0;
  const kept: Sent[] = [];
  const streams = new Set<{ write: (s: Sent) => void; end: () => void }>();
  const publish = (event: string, payload: unknown) => {
    const s: Sent = { n: ++counter, event, data: JSON.stringify(payload) };
    kept.push(s);
    if (kept.length > REPLAY_EVENTS) kept.splice(0, kept.length - REPLAY_EVENTS);
    for (const st of streams) st.write(s);
  };
  const { runner } = ctx;
  const onController = (v: ControllerView) => publish("controller", v);
  const onJob = (v: JobView) => publish("job", v);
  const onError = (e: { code: string; message: string }) => publish("error", e);
  const onJournal = (v: unknown) => publish("journal", v);
  runner.on("controller", onController);
  runner.on("job", onJob);
  runner.on("journal", onJournal);
  app.peenmark.alerts.on("alert", onError);
  app.addHook("preClose", async () => {
    for (const st of [...streams]) st.end();
    runner.off("controller", onController);
    runner.off("job", onJob);
    runner.off("journal", onJournal);
    app.peenmark.alerts.off("alert", onError);
  });

  app.get(
    "/api/events",
    doc({
      summary: "Server-sent events: controller, job, journal (a station on a registry: cut off or back), error; with id: and Last-Event-ID replay",
      description:
        "The technician's token may come as ?access_token= (EventSource cannot send headers). Each event's id is <boot>-<n>; send Last-Event-ID to get what was missed since, or the present state when that is too old or from before a restart.",
      tag: "events",
      role: "technician",
      responses: { 200: "text/event-stream" },
    }),
    async (req, reply) => {
      authorise(ctx, req, "technician", "following events");
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
      const line = (s: Sent) => `id: ${boot}-${s.n}\nevent: ${s.event}\ndata: ${s.data}\n\n`;
      const beat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
      const stream = {
        write: (s: Sent) => res.write(line(s)),
        end: () => {
          clearInterval(beat);
          streams.delete(stream);
          if (!res.writableEnded) res.end();
        },
      };
      req.raw.on("close", stream.end);
      res.write("retry: 2000\n\n");

      const last = /^([0-9a-f]{8})-([1-9][0-9]{0,15})$/.exec(String(req.headers["last-event-id"] ?? ""));
      const since = last && last[1] === boot ? Number(last[2]) : undefined;
      const oldest = kept[0]?.n ?? counter + 1;
      if (since !== undefined && since >= oldest - 1 && since <= counter) {
        // Reconnected within the buffer: exactly what it missed.
        for (const s of kept) if (s.n > since) stream.write(s);
      } else {
        // New, or away too long, or from before a restart: the present, with ids of their own.
        const present: Sent[] = [{ n: ++counter, event: "controller", data: JSON.stringify(runner.head.view()) }];
        const job = runner.current();
        if (job) present.push({ n: ++counter, event: "job", data: JSON.stringify(job) });
        for (const s of present) {
          kept.push(s);
          stream.write(s);
        }
        if (kept.length > REPLAY_EVENTS) kept.splice(0, kept.length - REPLAY_EVENTS);
      }
      streams.add(stream);
    },
  );
}
