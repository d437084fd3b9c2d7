import { get, type IncomingMessage } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JobView } from "../../src/job/view.ts";
import { ROOT } from "../job/helpers.ts";
import { markJob, newJob } from "../journal/helpers.ts";
import { ENDED, jobBody, jobEvent, service } from "./helpers.ts";

/**
 * What the supervisor does over HTTP (the page does it through these routes): search the
 * journal a page at a time, read a job's history, count marks, define series and release or
 * void their numbers, mark from a series as previewed, look at a profile's versions and its
 * sample, retire it; the event stream's ids and replay; the API's own description.
 */
let svc: Awaited<ReturnType<typeof service>> | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

const TOKENS = { technician: "bench-technician-token-0001", operator: "bench-operator-token-0002" };
const as = (role: "technician" | "operator") => ({ authorization: `Bearer ${TOKENS[role]}` });
const post = (payload: unknown, headers: Record<string, string> = {}) => ({ method: "POST" as const, payload: payload as object, headers: { "content-type": "application/json", ...headers } });

describe("the journal over HTTP", () => {
  it("searches by part of a serial, maker, model, station, outcome and dates, a page at a time", async () => {
    svc = await service();
    for (let i = 1; i <= 5; i++) markJob(svc.journal, newJob({ serial: `SV26R0010${i}`, manufacturer: "Armería Centroamericana S.A." }), i === 3 ? "interrupted" : "completed");
    markJob(svc.journal, newJob({ serial: "MX2026001", stationId: "bench-2" }));
    const page1 = (await svc.app.inject({ url: "/api/journal?serial=r0o1&limit=2" })).json();
    expect([page1.total, page1.limit, page1.offset, page1.jobs.map((j: JobView) => j.serial)]).toEqual([5, 2, 0, ["SV26R00105", "SV26R00104"]]);
    const page3 = (await svc.app.inject({ url: "/api/journal?serial=r0o1&limit=2&offset=4" })).json();
    expect(page3.jobs.map((j: JobView) => j.serial)).toEqual(["SV26R00101"]);
    expect((await svc.app.inject({ url: "/api/journal?outcome=interrupted" })).json().jobs.map((j: JobView) => j.serial)).toEqual(["SV26R00103"]);
    expect((await svc.app.inject({ url: "/api/journal?station=bench-2" })).json().total).toBe(1);
    expect((await svc.app.inject({ url: "/api/journal?maker=armer%C3%ADa&model=p-9" })).json().total).toBe(5);
    expect((await svc.app.inject({ url: "/api/journal?from=2030-01-01" })).json().total).toBe(0);
    for (const [q, where] of [["limit=0", "limit"], ["limit=501", "limit"], ["offset=-1", "offset"], ["offset=1e3", "offset"], ["outcome=done", "outcome"], ["to=2026-02-31", "to"]]) {
      const r = await svc.app.inject({ url: `/api/journal?${q}` });
      expect([r.statusCode, r.json().error.code, r.json().error.where], q).toEqual([422, "E_USAGE", where]);
    }
  });

  it("gives a job's history: events, the jobs re-marking it, the one it re-marks", async () => {
    svc = await service();
    const first = markJob(svc.journal, newJob({ serial: "RM100" }), "interrupted");
    const again = markJob(svc.journal, newJob({ serial: "RM100", remark: { of: first.id, reason: "power cut mid-mark, head re-homed", authorisedBy: "Marta Ortiz" } }));
    const h = (await svc.app.inject({ url: `/api/journal/${first.id}` })).json();
    expect(h.job).toMatchObject({ id: first.id, state: "interrupted" });
    expect(h.remarks.map((j: JobView) => [j.id, j.authorisedBy])).toEqual([[again.id, "Marta Ortiz"]]);
    expect(h.events.map((e: { kind: string }) => e.kind)).toEqual([]);
    const r = (await svc.app.inject({ url: `/api/journal/${again.id}` })).json();
    expect(r.remarkOf).toMatchObject({ id: first.id });
    expect(r.events.map((e: { kind: string; operator: string }) => [e.kind, e.operator])).toEqual([["remark", "Marta Ortiz"]]);
    expect((await svc.app.inject({ url: "/api/journal/999" })).statusCode).toBe(404);
  });

  it("counts marks per day, station and technician, and exports CSV with ; and a byte-order mark", async () => {
    svc = await service({ tokens: TOKENS });
    markJob(svc.journal, newJob({ serial: "ST1" }));
    markJob(svc.journal, newJob({ serial: "ST2" }), "aborted");
    const s = (await svc.app.inject({ url: "/api/journal/stats", headers: as("technician") })).json();
    expect(s.totals).toMatchObject({ jobs: 2, completed: 1, aborted: 1 });
    expect(s.timeZone).toBe("UTC");
    expect(s.technicians).toEqual([expect.objectContaining({ technician: "Ana Núñez", jobs: 2 })]);
    expect((await svc.app.inject({ url: "/api/journal/export?format=csv&delimiter=semicolon&bom=1", headers: as("technician") })).statusCode).toBe(403);
    const csv = await svc.app.inject({ url: "/api/journal/export?format=csv&delimiter=semicolon&bom=1", headers: as("operator") });
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body.split("\r\n")[0]).toMatch(/^\uFEFFjobId;serial;licencePrefix;manufacturer;/);
    expect((await svc.app.inject({ url: "/api/journal/export?delimiter=tab", headers: as("operator") })).json().error.where).toBe("delimiter");
  });
});

describe("series over HTTP", () => {
  it("operators define series and release or void numbers with a reason; everyone sees what comes next", async () => {
    svc = await service({ tokens: TOKENS });
    const body = { id: "sv", pattern: "SV{yy}R{counter:5}", start: 107, end: 999, operator: "Marta Ortiz" };
    expect((await svc.app.inject({ url: "/api/series", ...post(body, as("technician")) })).statusCode).toBe(403);
    const created = await svc.app.inject({ url: "/api/series", ...post(body, as("operator")) });
    expect([created.statusCode, created.json().series.id]).toEqual([201, "sv"]);
    expect((await svc.app.inject({ url: "/api/series", ...post(body, as("operator")) })).json().error.code).toBe("E_JOURNAL");
    const list = (await svc.app.inject({ url: "/api/series", headers: as("technician") })).json();
    expect(list.series[0]).toMatchObject({ id: "sv", next: { number: 107, serial: "SV26R00107" } });
    svc.journal.reserveNext("sv", new Date("2026-11-23T12:00:00Z"));
    const reason = { operator: "Marta Ortiz", reason: "blank scrapped before marking" };
    expect((await svc.app.inject({ url: "/api/series/sv/numbers/107/void", ...post({ operator: "M", reason: "short" }, as("operator")) })).statusCode).toBe(422);
    const voided = await svc.app.inject({ url: "/api/series/sv/numbers/107/void", ...post(reason, as("operator")) });
    expect(voided.json().number).toMatchObject({ number: 107, state: "void", operator: "Marta Ortiz" });
    const one = (await svc.app.inject({ url: "/api/series/sv?state=void", headers: as("technician") })).json();
    expect([one.next.serial, one.numbers.map((n: { number: number }) => n.number)]).toEqual(["SV26R00108", [107]]);
    expect((await svc.app.inject({ url: "/api/series/nope", headers: as("technician") })).statusCode).toBe(404);
    expect((await svc.app.inject({ url: "/api/series/sv/numbers/500/release", ...post(reason, as("operator")) })).statusCode).toBe(404);
  });

  it("marks from a series as previewed, and refuses when the series now gives another serial", async () => {
    svc = await service();
    svc.journal.createSeries({ id: "rx", pattern: "RX{yy}{counter:5}", start: 1, end: 99, createdBy: "M. Ortiz" });
    const { serial: _, ...record } = jobBody().record as Record<string, unknown>;
    const preview = await svc.app.inject({ url: "/api/jobs/preview", ...post({ profileId: "us-receiver", record, series: "rx" }) });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().series).toEqual({ id: "rx", number: 1, serial: "RX2600001" });
    expect(preview.json().record.serial).toBe("RX2600001");
    expect(preview.json().summary.blocks[0].lines).toEqual(["RX2600001"]);
    // Another station took number 1 meanwhile: this job would strike RX2600002, not what was previewed.
    svc.journal.reserveNext("rx", new Date("2026-11-23T12:00:00Z"));
    const stale = await svc.app.inject({ url: "/api/jobs", ...post({ profileId: "us-receiver", record, series: "rx", seriesSerial: "RX2600001", technician: "Ana Ruiz" }) });
    expect([stale.statusCode, stale.json().error.code]).toEqual([409, "E_PREVIEW_STALE"]);
    // The number it drew is handed back: it comes next again.
    expect(svc.journal.peekNext("rx", new Date("2026-11-23T12:00:00Z"))?.serial).toBe("RX2600002");
    const ok = await svc.app.inject({ url: "/api/jobs", ...post({ profileId: "us-receiver", record, series: "rx", seriesSerial: "RX2600002", technician: "Ana Ruiz" }) });
    expect([ok.statusCode, ok.json().job.serial]).toEqual([201, "RX2600002"]);
    const done = await jobEvent(svc.app, (v) => ENDED.includes(v.state), 60_000);
    expect(done).toMatchObject({ state: "completed", series: { seriesId: "rx", number: 2 } });
    const exhausted = await svc.app.inject({ url: "/api/jobs/preview", ...post({ profileId: "us-receiver", record, series: "nope" }) });
    expect([exhausted.statusCode, exhausted.json().error.code]).toEqual([404, "E_NOT_FOUND"]);
  });
});

describe("what is struck is what was previewed", () => {
  it("refuses a mark whose program is no longer the one previewed (E_PREVIEW_STALE naming programHash); the previewed program marks", async () => {
    svc = await service();
    const body = { profileId: "us-receiver", record: jobBody().record };
    const preview = await svc.app.inject({ url: "/api/jobs/preview", ...post(body) });
    expect(preview.statusCode, preview.body).toBe(200);
    const hash: string = preview.json().summary.programHash;
    // What a shift or date code changing between preview and Mark does to the program's hash.
    const other = `${hash[0] === "0" ? "1" : "0"}${hash.slice(1)}`;
    const stale = await svc.app.inject({ url: "/api/jobs", ...post({ ...body, programHash: other, technician: "Ana Ruiz" }) });
    expect([stale.statusCode, stale.json().error.code, stale.json().error.where]).toEqual([409, "E_PREVIEW_STALE", "programHash"]);
    expect(stale.json().error.message).toMatch(/no longer the one previewed .*: preview again/);
    expect(svc.journal.jobs(), "nothing written").toEqual([]);
    const bad = await svc.app.inject({ url: "/api/jobs", ...post({ ...body, programHash: "not-a-hash", technician: "Ana Ruiz" }) });
    expect([bad.statusCode, bad.json().error.details.issues[0].path]).toEqual([422, "$.programHash"]);
    const ok = await svc.app.inject({ url: "/api/jobs", ...post({ ...body, programHash: hash, technician: "Ana Ruiz" }) });
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await jobEvent(svc.app, (v) => ENDED.includes(v.state), 60_000)).programHash).toBe(hash);
  });
});

describe("profiles over HTTP", () => {
  it("lists versions with hashes, previews a version on its sample, retires and restores with a reason", async () => {
    svc = await service();
    const draft = JSON.parse(readFileSync(join(ROOT, "profiles", "slide-5x7.json"), "utf8"));
    draft.blocks[0].origin.x += 2;
    expect((await svc.app.inject({ url: "/api/profiles", ...post(draft) })).statusCode).toBe(201);
    const one = (await svc.app.inject({ url: "/api/profiles/slide-5x7" })).json();
    expect(one.versions.map((v: { version: number; source: string }) => [v.version, v.source])).toEqual([
      [1, "builtin"],
      [2, "published"],
    ]);
    expect(one.versions[0].hash).not.toBe(one.versions[1].hash);
    expect(one.summary).toMatchObject({ version: 2, sample: true, form: { upperCaseSerial: true }, name: { en: expect.any(String), es: expect.any(String) } });
    const v1 = (await svc.app.inject({ url: "/api/profiles/slide-5x7/preview", ...post({ version: 1 }) })).json();
    const v2 = (await svc.app.inject({ url: "/api/profiles/slide-5x7/preview", ...post({}) })).json();
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.svg).not.toBe(v2.svg);
    expect(v2.record.serial).toBe(draft.sample.serial);

    const reason = { operator: "Marta Ortiz", reason: "fixture replaced by the new slide jig" };
    const retired = await svc.app.inject({ url: "/api/profiles/slide-5x7/retire", ...post(reason) });
    expect(retired.json().profile.retired).toMatchObject({ by: "Marta Ortiz", reason: reason.reason });
    expect((await svc.app.inject({ url: "/api/profiles" })).json().map((p: { id: string }) => p.id)).not.toContain("slide-5x7");
    expect((await svc.app.inject({ url: "/api/profiles?all=1" })).json().map((p: { id: string }) => p.id)).toContain("slide-5x7");
    const refused = await svc.app.inject({ url: "/api/jobs/preview", ...post({ profileId: "slide-5x7", record: draft.sample }) });
    expect([refused.statusCode, refused.json().error.message]).toEqual([404, expect.stringMatching(/was retired .* by Marta Ortiz/)]);
    expect((await svc.app.inject({ url: "/api/profiles/slide-5x7/retire", ...post(reason) })).json().error.code).toBe("E_JOURNAL");
    expect((await svc.app.inject({ url: "/api/profiles/slide-5x7/restore", ...post(reason) })).json().profile.retired).toBeUndefined();
    expect((await svc.app.inject({ url: "/api/jobs/preview", ...post({ profileId: "slide-5x7", record: draft.sample }) })).statusCode).toBe(200);
  });

  it("checks a profile in one round: schema, fonts, and its sample compiled on the station", async () => {
    svc = await service();
    const draft = JSON.parse(readFileSync(join(ROOT, "profiles", "us-receiver.json"), "utf8"));
    draft.blocks[0].capHeight = 1.2;
    draft.blocks[1].font = "comic-sans";
    draft.blocks[2].origin.y = 95;
    const bad = await svc.app.inject({ url: "/api/profiles/check", ...post(draft) });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.problems.map((p: { code: string; path: string }) => [p.code, p.path])).toEqual([
      ["E_FONT_UNKNOWN", "$.blocks[1].font"],
      ["E_MARK_RULE", "$.blocks[0]"],
      ["E_OUT_OF_BOUNDS", "$.blocks[2]"],
    ]);
    // Nothing of it may be published.
    expect((await svc.app.inject({ url: "/api/profiles", ...post(draft) })).statusCode).toBe(422);
    const good = JSON.parse(readFileSync(join(ROOT, "profiles", "us-receiver.json"), "utf8"));
    const ok = (await svc.app.inject({ url: "/api/profiles/check", ...post(good) })).json();
    expect(ok).toMatchObject({ ok: true, id: "us-receiver", warnings: [] });
    expect(ok.preview.summary.blocks[0].lines).toEqual([good.sample.serial]);
    delete good.sample;
    expect((await svc.app.inject({ url: "/api/profiles/check", ...post(good) })).json().warnings).toEqual([{ kind: "no-sample", message: expect.stringMatching(/no sample record/) }]);
  });
});

describe("the station and its description", () => {
  it("says who the caller is", async () => {
    svc = await service({ tokens: TOKENS });
    expect((await svc.app.inject({ url: "/api/station", headers: as("technician") })).json().you).toEqual({ role: "technician", tokens: true });
    expect((await svc.app.inject({ url: "/api/station", headers: as("operator") })).json().you).toEqual({ role: "operator", tokens: true });
  });

  it("describes every route of the API in OpenAPI 3.1, from the schemas the routes validate with", async () => {
    svc = await service();
    const docRes = await svc.app.inject({ url: "/api/openapi.json" });
    expect(docRes.statusCode).toBe(200);
    const doc = docRes.json() as { openapi: string; paths: Record<string, Record<string, { summary: string; tags: string[]; responses: Record<string, unknown>; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> };
    expect(doc.openapi).toBe("3.1.0");
    const documented = Object.entries(doc.paths).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m.toUpperCase()} ${p}`));
    for (const want of ["POST /api/jobs", "POST /api/jobs/preview", "GET /api/journal", "GET /api/journal/{id}", "GET /api/journal/stats", "GET /api/journal/export", "POST /api/journal/{id}/release", "GET /api/series", "POST /api/series", "POST /api/series/{id}/numbers/{number}/void", "GET /api/profiles/{id}", "POST /api/profiles/{id}/retire", "POST /api/profiles/check", "GET /api/events", "POST /api/controller/home"])
      expect(documented).toContain(want);
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [m, op] of Object.entries(methods)) {
        expect(op.summary, `${m} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses), `${m} ${path}`).toContain("4XX");
      }
    // The body of POST /api/jobs is the route's own zod schema.
    expect(Object.keys(doc.paths["/api/jobs"]!.post!.requestBody!.content["application/json"]!.schema.properties!)).toEqual(["profileId", "record", "series", "seriesSerial", "programHash", "technician", "remark"]);
  });
});

describe("the event stream", () => {
  it("numbers every event and replays what a client missed after Last-Event-ID", async () => {
    svc = await service();
    const address = await svc.app.listen({ host: "127.0.0.1", port: 0 });
    const read = (headers: Record<string, string>, enough: (ev: { id: string; event: string; data: unknown }[]) => boolean) =>
      new Promise<{ id: string; event: string; data: unknown }[]>((resolve, reject) => {
        const out: { id: string; event: string; data: unknown }[] = [];
        const req = get(`${address}/api/events`, { headers }, (res: IncomingMessage) => {
          let buf = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            buf += c;
            let i: number;
            while ((i = buf.indexOf("\n\n")) >= 0) {
              const block = buf.slice(0, i);
              buf = buf.slice(i + 2);
              const id = /^id: (.*)$/m.exec(block)?.[1];
              const event = /^event: (.*)$/m.exec(block)?.[1];
              const data = /^data: (.*)$/m.exec(block)?.[1];
              if (id && event && data) out.push({ id, event, data: JSON.parse(data) });
            }
            if (enough(out)) {
              req.destroy();
              resolve(out);
            }
          });
        });
        req.on("error", reject);
        setTimeout(() => reject(new Error(`events: ${out.map((e) => `${e.id} ${e.event}`).join(", ")}`)), 20_000);
      });
    const first = await read({}, (ev) => ev.length >= 1);
    expect(first[0]!.event).toBe("controller");
    expect(first[0]!.id).toMatch(/^[0-9a-f]{8}-[1-9]\d*$/);
    // While nobody listens, a job is marked: a client that comes back gets every event it missed, in order.
    await svc.app.inject({ url: "/api/controller/home", ...post({}) });
    const job = (await svc.app.inject({ url: "/api/jobs", ...post(jobBody({ profileId: "slide-5x7" })) })).json().job as JobView;
    await jobEvent(svc.app, (v) => v.id === job.id && ENDED.includes(v.state), 60_000);
    const replay = await read({ "last-event-id": first[0]!.id }, (ev) => ev.some((e) => e.event === "job" && ENDED.includes((e.data as JobView).state)));
    const n = (id: string) => Number(id.split("-")[1]);
    expect(replay.map((e) => n(e.id))).toEqual(replay.map((e) => n(e.id)).sort((a, b) => a - b));
    expect(n(replay[0]!.id)).toBe(n(first[0]!.id) + 1);
    expect(replay.filter((e) => e.event === "job").map((e) => (e.data as JobView).state)).toContain("marking");
    // From before a restart (another boot) or unknown: the present, not a replay.
    const fresh = await read({ "last-event-id": "00000000-5" }, (ev) => ev.length >= 1);
    expect(fresh.map((e) => e.event)).toEqual(["controller"]);
  });
});
