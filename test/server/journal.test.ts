import { afterEach, describe, expect, it } from "vitest";
import type { JobView } from "../../src/job/view.ts";
import { ENGINES } from "../journal/engines.ts";
import { ENDED, jobBody, jobEvent, service } from "./helpers.ts";

let svc: Awaited<ReturnType<typeof service>> | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

/** A job stopped by a hard-limit alarm halfway: interrupted, holding its serial. */
async function interruptedJob(s: NonNullable<typeof svc>, serial: string): Promise<JobView> {
  const res = await s.app.inject({ method: "POST", url: "/api/jobs", payload: jobBody({ profileId: "slide-5x7", serial }) });
  expect(res.statusCode).toBe(201);
  const id = (res.json() as { job: JobView }).job.id;
  await jobEvent(s.app, (v) => v.id === id && v.progress.strikesDone >= 5);
  await s.head.sim!.act("hardLimit");
  const ended = await jobEvent(s.app, (v) => v.id === id && ENDED.includes(v.state));
  expect(ended.state).toBe("interrupted");
  return ended;
}

// On both engines: the station on its SQLite file, and on a registry (skipped without PEENMARK_TEST_PG).
for (const { name: engine, available } of ENGINES) describe.skipIf(!available)(`on ${engine}`, () => {
  describe("interrupted jobs, releases and re-marks through the service", () => {
    it("lists an interrupted job until an operator releases its serial with a reason", async () => {
      svc = await service({ engine });
      const job = await interruptedJob(svc, "SL2026R00001");
      const list = (await svc.app.inject({ url: "/api/journal/interrupted" })).json() as { jobs: JobView[] };
      expect(list.jobs.map((j) => [j.id, j.state, j.outcome?.code])).toEqual([[job.id, "interrupted", "ALARM:1"]]);

      const short = await svc.app.inject({ method: "POST", url: `/api/journal/${job.id}/release`, payload: { operator: "Luis", reason: "scrap" } });
      expect(short.statusCode).toBe(422);
      const released = await svc.app.inject({ method: "POST", url: `/api/journal/${job.id}/release`, payload: { operator: "Luis Ortega", reason: "receiver scrapped after the hard-limit crash" } });
      expect(released.statusCode).toBe(200);
      expect(released.json().job).toMatchObject({ id: job.id, state: "interrupted", released: { by: "Luis Ortega" } });
      expect((await svc.app.inject({ url: "/api/journal/interrupted" })).json().jobs).toEqual([]);
      const twice = await svc.app.inject({ method: "POST", url: `/api/journal/${job.id}/release`, payload: { operator: "Luis Ortega", reason: "receiver scrapped after the hard-limit crash" } });
      expect(twice.statusCode).toBe(409);
      expect((await svc.app.inject({ method: "POST", url: "/api/journal/999/release", payload: { operator: "Luis", reason: "no such job at all" } })).statusCode).toBe(404);
    });

    it("takes an interrupted job off the list once it is re-marked (after re-homing), as its own journal entry", async () => {
      svc = await service({ engine });
      const job = await interruptedJob(svc, "SL2026R00002");
      // The hard limit left GRBL waiting for a reset: the service says so, and homing resets it.
      const locked = await svc.app.inject({ method: "POST", url: "/api/jobs", payload: jobBody({ profileId: "slide-5x7", serial: "SL2026R00003" }) });
      expect(locked.statusCode).toBe(503);
      expect(locked.json().error).toMatchObject({ code: "E_CONTROLLER", details: { code: "E_CONTROLLER_ALARM" } });
      const homed = await svc.app.inject({ method: "POST", url: "/api/controller/home", payload: {} });
      expect(homed.json()).toMatchObject({ homed: true, state: "Idle" });

      const refused = await svc.app.inject({ method: "POST", url: "/api/jobs", payload: jobBody({ profileId: "slide-5x7", serial: "SL2026R00002" }) });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe("E_SERIAL_RESERVED");
      const remark = await svc.app.inject({ method: "POST", url: "/api/jobs", payload: jobBody({ profileId: "slide-5x7", serial: "SL2026R00002", remark: { of: job.id, reason: "interrupted by a hard-limit alarm", operator: "Luis Ortega" } }) });
      expect(remark.statusCode).toBe(201);
      const id = (remark.json() as { job: JobView }).job.id;
      expect((await svc.app.inject({ url: "/api/journal/interrupted" })).json().jobs).toEqual([]);
      const ended = await jobEvent(svc.app, (v) => v.id === id && ENDED.includes(v.state));
      expect(ended).toMatchObject({ state: "completed", remarkOf: job.id, authorisedBy: "Luis Ortega" });
      const history = (await svc.app.inject({ url: "/api/journal?serial=SL2026R00002" })).json().jobs as JobView[];
      expect(history.map((j) => [j.id, j.state])).toEqual([
        [id, "completed"],
        [job.id, "interrupted"],
      ]);
    });
  });
});
