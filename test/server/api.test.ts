import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../src/compile.ts";
import type { JobView } from "../../src/job/view.ts";
import { parseRecord } from "../../src/profile/load.ts";
import { MARKED_AT, ROOT, benchStation, exampleProfile, exampleRecord } from "../job/helpers.ts";
import { ENDED, jobBody, jobEvent, service } from "./helpers.ts";

let svc: Awaited<ReturnType<typeof service>> | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

async function startJob(s: NonNullable<typeof svc>, body = jobBody()) {
  const res = await s.app.inject({ method: "POST", url: "/api/jobs", payload: body });
  return { status: res.statusCode, body: res.json() as { job: JobView; error?: { code: string; message: string } } };
}

async function finish(s: NonNullable<typeof svc>, id: number): Promise<JobView> {
  const now = await s.runner.job(id);
  if (ENDED.includes(now.state)) return now;
  return jobEvent(s.app, (v) => v.id === id && ENDED.includes(v.state), 60_000);
}

describe("marking through the service on the simulated head", () => {
  it("marks an example profile to completion; the journal holds the program's hash and strike count", async () => {
    svc = await service();
    const { status, body } = await startJob(svc);
    expect(status).toBe(201);
    expect(body.job.state).toBe("pending");
    const ended = await finish(svc, body.job.id);
    expect(ended.state, ended.outcome?.message).toBe("completed");

    const expected = compile({ record: parseRecord("r", exampleRecord("us-receiver")), profile: exampleProfile("us-receiver").profile, station: benchStation(), markedAt: MARKED_AT });
    const row = svc.journal.job(body.job.id);
    expect(row.outcome).toBe("completed");
    expect(row.program.hash).toBe(expected.gcode.hash);
    expect(row.program.strikes).toBe(expected.gcode.strikeLines.length);
    expect(row.progress.strikesDone).toBe(expected.gcode.strikeLines.length);
    expect(row.progress.executedLine).toBe(row.program.lines);
    expect(row.profile.hash).toBe(exampleProfile("us-receiver").hash);
    // The simulated workpiece was struck: dot strikes plus the scribe trains' dots.
    expect((await svc.head.sim!.snapshot()).strikes.length).toBeGreaterThanOrEqual(expected.figures.strikes);

    const got = await svc.app.inject({ url: `/api/jobs/${body.job.id}` });
    expect(got.json().job).toMatchObject({ state: "completed", progress: { strikesDone: row.program.strikes, strikesTotal: row.program.strikes } });
    const journal = await svc.app.inject({ url: "/api/journal?serial=RA2026A00417" });
    expect(journal.json().jobs.map((j: JobView) => j.id)).toEqual([body.job.id]);
  });

  it("refuses an invalid record with 422 and the JSON paths, and writes nothing", async () => {
    svc = await service();
    const record = { ...exampleRecord("us-receiver"), serial: "", place: { city: "Prescott", country: { code: "USA", name: "United States" } } };
    const { status, body } = await startJob(svc, jobBody({ record }));
    expect(status).toBe(422);
    expect(body.error!.code).toBe("E_SCHEMA");
    const paths = (body.error as unknown as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path);
    expect(paths).toContain("$.record.serial");
    expect(paths).toContain("$.record.place.country.code");
    expect(svc.journal.jobs()).toEqual([]);
    expect((await svc.head.sim!.snapshot()).strikes).toEqual([]);
    expect(svc.head.view().state).toBe("Alarm"); // never homed: not a byte of a job went out
  });

  it("refuses a record the profile cannot mark (a missing field) with 422 naming the field", async () => {
    svc = await service();
    // A model is marked only if one is designated (its line is left out); a state is not optional.
    const example = exampleRecord("us-receiver");
    const { state: _state, ...place } = example.place as Record<string, unknown>;
    const record = { ...example, place };
    const { status, body } = await startJob(svc, jobBody({ record }));
    expect(status).toBe(422);
    expect(body.error!.code).toBe("E_RECORD_FIELD_MISSING");
    expect(body.error!.message).toMatch(/place\.state/);
    expect(svc.journal.jobs()).toEqual([]);
  });

  it("answers 409 E_SERIAL_DUPLICATE for a serial already marked, and a re-mark with a reason is its own journal entry", async () => {
    svc = await service();
    const first = await startJob(svc);
    await finish(svc, first.body.job.id);

    const again = await startJob(svc);
    expect(again.status).toBe(409);
    expect(again.body.error!.code).toBe("E_SERIAL_DUPLICATE");
    expect(svc.journal.jobs()).toHaveLength(1);

    const tooShort = await startJob(svc, jobBody({ remark: { reason: "bad", operator: "Luis" } }));
    expect(tooShort.status).toBe(422);

    const remark = await startJob(svc, jobBody({ remark: { of: first.body.job.id, reason: "first mark too shallow on hardened receiver", operator: "Luis Ortega" } }));
    expect(remark.status).toBe(201);
    const ended = await finish(svc, remark.body.job.id);
    expect(ended).toMatchObject({ state: "completed", remarkOf: first.body.job.id, reason: "first mark too shallow on hardened receiver" });
    expect(remark.body.job.id).not.toBe(first.body.job.id);
    expect(svc.journal.find("RA2026A00417").map((j) => [j.id, j.outcome, j.remark?.of])).toEqual([
      [remark.body.job.id, "completed", first.body.job.id],
      [first.body.job.id, "completed", undefined],
    ]);
  });

  it("answers 409 E_BUSY to a second start while a job is marking", async () => {
    svc = await service();
    const first = await startJob(svc);
    expect(first.status).toBe(201);
    const second = await startJob(svc, jobBody({ serial: "RA2026A00999" }));
    expect(second.status).toBe(409);
    expect(second.body.error!.code).toBe("E_BUSY");
    expect(svc.journal.jobs()).toHaveLength(1);
    expect((await finish(svc, first.body.job.id)).state).toBe("completed");
  });

  it("pauses (the head stops between two strikes, none while paused) and resumes to completion", async () => {
    svc = await service();
    const { body } = await startJob(svc);
    const id = body.job.id;
    await jobEvent(svc.app, (v) => v.id === id && v.progress.strikesDone >= 20);
    const paused = await svc.app.inject({ method: "POST", url: `/api/jobs/${id}/pause`, payload: {} });
    expect(paused.statusCode).toBe(200);
    expect(paused.json().job.state).toBe("paused");
    // The head runs what the controller holds, then stands; no feed hold.
    const strikes = async () => (await svc!.head.sim!.snapshot()).strikes.length;
    let held = -1;
    await until(async () => svc!.head.view().state === "Idle" && (await svc!.runner.job(id)).progress.strikesDone === (held = await strikes()));
    await sleep(300);
    expect(await strikes()).toBe(held);
    expect((await svc.runner.job(id)).state).toBe("paused");
    // The journal holds where the head stands, should the power go now.
    expect(svc.journal.job(id).progress.strikesDone).toBe(held);

    const resumed = await svc.app.inject({ method: "POST", url: `/api/jobs/${id}/resume`, payload: {} });
    expect(resumed.json().job.state).toBe("marking");
    const ended = await finish(svc, id);
    expect(ended.state).toBe("completed");
    expect(ended.progress.strikesDone).toBe(ended.progress.strikesTotal);
  });

  it("resumes when Resume comes while the head is still decelerating into the hold", async () => {
    svc = await service();
    const { body } = await startJob(svc);
    const id = body.job.id;
    await jobEvent(svc.app, (v) => v.id === id && v.progress.strikesDone >= 20);
    const [paused, resumed] = [await svc.app.inject({ method: "POST", url: `/api/jobs/${id}/pause`, payload: {} }), await svc.app.inject({ method: "POST", url: `/api/jobs/${id}/resume`, payload: {} })];
    expect(paused.statusCode).toBe(200);
    expect(resumed.json().job.state).toBe("marking");
    expect((await finish(svc, id)).state).toBe("completed");
  });

  it("aborts: the journal says aborted; after the hold only the strikes GRBL had prepared, whole; nothing after the reset", async () => {
    // The virtual times at which the abort's feed hold ("!") and reset (0x18) reach the head.
    let abortedAt = Number.POSITIVE_INFINITY;
    let resetAt = Number.POSITIVE_INFINITY;
    const s = await service({
      inProcessFaults: {
        inbound: (byte) => {
          if (byte === 0x21 && abortedAt === Number.POSITIVE_INFINITY) abortedAt = s.head.localSim!.now;
          if (byte === 0x18 && resetAt === Number.POSITIVE_INFINITY && abortedAt < Number.POSITIVE_INFINITY) resetAt = s.head.localSim!.now;
          return byte;
        },
      },
    });
    svc = s;
    const { body } = await startJob(svc);
    const id = body.job.id;
    await jobEvent(svc.app, (v) => v.id === id && v.progress.strikesDone >= 20);
    const sim = svc.head.localSim!;
    const res = await svc.app.inject({ method: "POST", url: `/api/jobs/${id}/abort`, payload: {} });
    expect(res.statusCode).toBe(200);
    const ended = await finish(svc, id);
    expect(ended.state).toBe("aborted");
    const row = svc.journal.job(id);
    expect(row.outcome).toBe("aborted");
    expect(row.progress.strikesDone).toBeLessThan(row.program.strikes);
    expect(abortedAt).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(resetAt).toBeGreaterThan(abortedAt);
    // The hold cannot slow the ~50 ms of segments GRBL had prepared (stepper.c): a strike at
    // most lands after it, whole and at rest; nothing after the reset.
    expect(sim.strikes.filter((s) => s.t > abortedAt).length).toBeLessThanOrEqual(1);
    expect(sim.strikes.filter((s) => s.t > resetAt)).toEqual([]);
    for (const p of sim.pinIntervals) expect(p.off! - p.on, `pin-on at line ${p.line}`).toBeGreaterThan(0.0099);
    // What the journal says was struck is what the head reported striking.
    expect(row.progress.strikesDone).toBe(sim.strikes.length);
    const count = sim.strikes.length;
    await sleep(200);
    expect(sim.strikes.length).toBe(count);
    // The head struck part of the mark: the aborted job holds its serial (a half-marked part)
    // until an operator re-marks it or releases it.
    const again = await startJob(svc);
    expect(again.status).toBe(409);
    expect(again.body.error!.code).toBe("E_SERIAL_RESERVED");
    expect(again.body.error!.message).toMatch(new RegExp(`held by job ${id} \\(aborted after ${row.progress.strikesDone} strikes.*partly marked`));
    const released = await svc.app.inject({ method: "POST", url: `/api/journal/${id}/release`, payload: { operator: "Luis Ortega", reason: "part scrapped, serial never used" } });
    expect(released.statusCode, released.body).toBe(200);
    const afterRelease = await startJob(svc);
    expect(afterRelease.status).toBe(201);
    expect((await finish(svc, afterRelease.body.job.id)).state).toBe("completed");
  });

  it("previews a job without touching the journal or the head", async () => {
    svc = await service();
    const res = await svc.app.inject({ method: "POST", url: "/api/jobs/preview", payload: { profileId: "us-receiver", record: exampleRecord("us-receiver") } });
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p.svg).toMatch(/^<svg/);
    expect(p.summary.blocks.map((b: { id: string }) => b.id)).toEqual(["serial", "maker", "model"]);
    expect(p.strikes.length).toBe(p.summary.strikes);
    expect(p.summary.programHash).toMatch(/^[0-9a-f]{64}$/);
    expect(svc.journal.jobs()).toEqual([]);
    expect((await svc.head.sim!.snapshot()).strikes).toEqual([]);
    const unknown = await svc.app.inject({ method: "POST", url: "/api/jobs/preview", payload: { profileId: "no-such", record: exampleRecord("us-receiver") } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("E_NOT_FOUND");
  });

  it("refuses to mark on a controller whose settings do not fit the station", async () => {
    svc = undefined;
    const { runnerOnSim } = await import("../job/helpers.ts");
    const r = await runnerOnSim({ simSettings: { 30: 255 } });
    try {
      await expect(r.runner.start({ profile: exampleProfile("us-receiver"), record: exampleRecord("us-receiver"), technician: "Ana" })).rejects.toMatchObject({
        code: "E_CONTROLLER",
        details: { code: "E_SETTINGS_MISMATCH" },
        message: expect.stringMatching(/\$30/),
      });
      expect(r.journal.jobs()).toEqual([]);
      expect(r.runner.busy).toBe(false);
    } finally {
      await r.close();
    }
  });
});

describe("roles, tokens and profiles", () => {
  const tokens = { technician: "t".repeat(20), operator: "o".repeat(20) };
  const as = (who: "technician" | "operator") => ({ authorization: `Bearer ${tokens[who]}` });

  it("asks for a token, lets a technician read but not publish, lets an operator publish", async () => {
    svc = await service({ tokens });
    expect((await svc.app.inject({ url: "/api/profiles" })).statusCode).toBe(401);
    expect((await svc.app.inject({ url: "/api/profiles", headers: { authorization: "Bearer wrong-token-wrong-token" } })).statusCode).toBe(401);
    expect((await svc.app.inject({ url: "/api/profiles", headers: as("technician") })).statusCode).toBe(200);

    const draft = JSON.parse(readFileSync(join(ROOT, "profiles", "us-receiver.json"), "utf8"));
    draft.name = "US receiver, serial at 3.5 mm";
    draft.blocks[0].capHeight = 3.5;
    const denied = await svc.app.inject({ method: "POST", url: "/api/profiles", headers: as("technician"), payload: draft });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe("E_FORBIDDEN");
    expect((await svc.app.inject({ method: "POST", url: "/api/profiles/check", headers: as("technician"), payload: draft })).statusCode).toBe(403);

    const published = await svc.app.inject({ method: "POST", url: "/api/profiles", headers: as("operator"), payload: draft });
    expect(published.statusCode).toBe(201);
    expect(published.json()).toMatchObject({ id: "us-receiver", version: 2 });
    const list = (await svc.app.inject({ url: "/api/profiles", headers: as("technician") })).json() as { id: string; version: number; name: string; hash: string; fields: string[] }[];
    const mine = list.find((p) => p.id === "us-receiver")!;
    expect(mine).toMatchObject({ version: 2, name: "US receiver, serial at 3.5 mm", hash: published.json().hash });
    expect(mine.fields).toEqual(["serial", "manufacturer", "place.city", "place.state", "model", "caliber"]);

    // A technician may mark, but a re-mark needs an operator's token.
    const remark = await svc.app.inject({ method: "POST", url: "/api/jobs", headers: as("technician"), payload: jobBody({ remark: { reason: "re-mark after polishing", operator: "Luis" } }) });
    expect(remark.statusCode).toBe(403);
    expect((await svc.app.inject({ method: "GET", url: "/api/journal/export?format=csv", headers: as("technician") })).statusCode).toBe(403);
    const csv = await svc.app.inject({ method: "GET", url: "/api/journal/export?format=csv", headers: as("operator") });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-disposition"]).toMatch(/attachment; filename="peenmark-journal-bench-.*\.csv"/);
    expect(csv.body.split("\r\n")[0]).toMatch(/^jobId,serial,/);
  });

  it("publishes every version as a new file and never overwrites one; the same content again is no new version", async () => {
    svc = await service();
    const draft = JSON.parse(readFileSync(join(ROOT, "profiles", "slide-5x7.json"), "utf8"));
    // The repository's file as it is: version 1 already, whatever the spacing.
    const same = await svc.app.inject({ method: "POST", url: "/api/profiles", payload: draft });
    expect([same.statusCode, same.json()]).toMatchObject([200, { id: "slide-5x7", version: 1, unchanged: true }]);
    draft.description = "revised for the new fixture";
    const v2 = await svc.app.inject({ method: "POST", url: "/api/profiles", payload: draft });
    // Key order is no change either.
    const reordered = Object.fromEntries(Object.entries(draft).reverse());
    const again = await svc.app.inject({ method: "POST", url: "/api/profiles", payload: reordered });
    expect([again.statusCode, again.json().version, again.json().hash]).toEqual([200, 2, v2.json().hash]);
    draft.description = "second revision";
    const v3 = await svc.app.inject({ method: "POST", url: "/api/profiles", payload: draft });
    expect([v2.statusCode, v2.json().version, v3.json().version]).toEqual([201, 2, 3]);
    const dir = join(svc.dir, "profiles", "slide-5x7");
    expect(existsSync(join(dir, "v2.json")) && existsSync(join(dir, "v3.json"))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "v2.json"), "utf8")).description).not.toBe("second revision");
    const one = (await svc.app.inject({ url: "/api/profiles/slide-5x7" })).json();
    expect(one).toMatchObject({ version: 3, hash: v3.json().hash, profile: { description: "second revision" } });
  });

  it("checks a profile draft: 422 with the JSON path of what is wrong, unknown fonts named", async () => {
    svc = await service();
    const draft = JSON.parse(readFileSync(join(ROOT, "profiles", "us-receiver.json"), "utf8"));
    draft.blocks[1].capHeight = -2;
    const bad = await svc.app.inject({ method: "POST", url: "/api/profiles/check", payload: draft });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.issues.map((i: { path: string }) => i.path)).toContain("$.blocks[1].capHeight");
    draft.blocks[1].capHeight = 2;
    draft.blocks[1].font = "comic-sans";
    const font = await svc.app.inject({ method: "POST", url: "/api/profiles/check", payload: draft });
    expect(font.statusCode).toBe(422);
    expect(font.json().error.code).toBe("E_FONT_UNKNOWN");
    draft.blocks[1].font = "peen-single";
    const ok = await svc.app.inject({ method: "POST", url: "/api/profiles/check", payload: draft });
    expect(ok.json()).toMatchObject({ ok: true, id: "us-receiver" });
    expect(existsSync(join(svc.dir, "profiles"))).toBe(false);
  });

  it("refuses bodies over 256 KiB with 413", async () => {
    svc = await service();
    const res = await svc.app.inject({ method: "POST", url: "/api/profiles/check", headers: { "content-type": "application/json" }, payload: JSON.stringify({ name: "x".repeat(300 * 1024) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe("E_BODY_TOO_LARGE");
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(test: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await sleep(10);
  }
}
