import { mkdirSync, writeFileSync } from "node:fs";
import { get, type IncomingMessage } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ControllerView } from "../../src/job/head.ts";
import type { JobView } from "../../src/job/view.ts";
import { tempDir } from "../job/helpers.ts";
import { jobBody, service } from "./helpers.ts";

let svc: Awaited<ReturnType<typeof service>> | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await svc?.close();
  svc = undefined;
  for (const f of cleanups.splice(0)) f();
});

type Event = { event: string; data: unknown };

/** Reads `text/event-stream` until `enough` says so. */
function readEvents(url: string, enough: (events: Event[]) => boolean, ms = 30_000): Promise<{ res: IncomingMessage; events: Event[] }> {
  return new Promise((resolve, reject) => {
    const events: Event[] = [];
    const req = get(url, (res) => {
      let buf = "";
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`not enough events within ${ms} ms: ${events.map((e) => e.event).join(" ")}`));
      }, ms);
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        resolve({ res, events });
        res.resume();
        return;
      }
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
        if (enough(events)) {
          clearTimeout(timer);
          req.destroy();
          resolve({ res, events });
        }
      });
    });
    req.on("error", (e) => {
      if (!events.length) reject(e);
    });
  });
}

describe("the event stream and the page", () => {
  it("sends the controller at once, then job progress up to the outcome", async () => {
    svc = await service();
    const base = await svc.app.listen({ host: "127.0.0.1", port: 0 });
    const reading = readEvents(`${base}/api/events`, (ev) => ev.some((e) => e.event === "job" && (e.data as JobView).state === "completed"));
    await new Promise((r) => setTimeout(r, 100));
    const started = await svc.app.inject({ method: "POST", url: "/api/jobs", payload: jobBody({ profileId: "slide-5x7" }) });
    expect(started.statusCode).toBe(201);
    const { res, events } = await reading;
    expect(res.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(events[0]!.event).toBe("controller");
    expect((events[0]!.data as ControllerView).kind).toBe("sim");
    const jobs = events.filter((e) => e.event === "job").map((e) => e.data as JobView);
    expect(jobs.map((j) => j.state)).toContain("marking");
    const strikes = jobs.map((j) => j.progress.strikesDone);
    expect(strikes).toEqual([...strikes].sort((a, b) => a - b));
    expect(jobs.at(-1)).toMatchObject({ state: "completed", progress: { strikesDone: jobs.at(-1)!.progress.strikesTotal } });
    expect(events.some((e) => e.event === "controller" && (e.data as ControllerView).state === "Run")).toBe(true);
  });

  it("asks for a token on the stream when tokens are configured (query parameter: EventSource has no headers)", async () => {
    const tokens = { technician: "t".repeat(20), operator: "o".repeat(20) };
    svc = await service({ tokens });
    const base = await svc.app.listen({ host: "127.0.0.1", port: 0 });
    expect((await readEvents(`${base}/api/events`, () => true)).res.statusCode).toBe(401);
    const ok = await readEvents(`${base}/api/events?access_token=${tokens.technician}`, (ev) => ev.length > 0);
    expect(ok.events[0]!.event).toBe("controller");
    // The query token is for the event stream only.
    expect((await svc.app.inject({ url: `/api/journal?access_token=${tokens.technician}` })).statusCode).toBe(401);
  });

  it("serves the page's files with their types, and nothing outside its folder", async () => {
    const web = tempDir("peenmark-web-");
    cleanups.push(web.cleanup);
    mkdirSync(join(web.dir, "i18n"));
    writeFileSync(join(web.dir, "index.html"), "<!doctype html><title>peenmark</title>");
    writeFileSync(join(web.dir, "app.js"), "export {};");
    writeFileSync(join(web.dir, "i18n", "es.json"), '{"mark":"Marcar"}');
    svc = await service({ webDir: web.dir });
    const page = await svc.app.inject({ url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body).toContain("<title>peenmark</title>");
    expect((await svc.app.inject({ url: "/app.js" })).headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect((await svc.app.inject({ url: "/i18n/es.json" })).json()).toEqual({ mark: "Marcar" });
    expect((await svc.app.inject({ url: "/../package.json" })).statusCode).toBe(404);
    expect((await svc.app.inject({ url: "/%2e%2e/%2e%2e/package.json" })).statusCode).toBe(404);
    const api = await svc.app.inject({ url: "/api/nothing" });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe("E_NOT_FOUND");
  });
});
