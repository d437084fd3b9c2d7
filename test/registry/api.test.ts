import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildRegistry } from "../../src/registry/app.ts";
import { forEachEngine, mark, type OpenedEngine } from "../journal/engines.ts";
import { newJob } from "../journal/helpers.ts";

/** The trace service's API over either engine (PostgreSQL's half runs when PEENMARK_TEST_PG is set). */
const TOKEN = "trace-desk-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };

forEachEngine((engine) => {
  let opened: OpenedEngine;
  let app: FastifyInstance;
  let ids: Record<string, number>;
  beforeEach(async () => {
    opened = await engine.open();
    const j = opened.journal;
    const exact = await mark(j, newJob({ serial: "TX8520", manufacturer: "Forjas Querétaro S.A." }));
    const confusable = await mark(j, newJob({ serial: "TXB5Z0", manufacturer: "Armas del Norte", stationId: "customs-2" }), "interrupted");
    const other = await mark(j, newJob({ serial: "TX8521", manufacturer: "Forjas Querétaro S.A." }));
    const licensed = await mark(j, newJob({ serial: "QX77", licencePrefix: "98312345", manufacturer: "Indumil" }));
    await j.releaseSerial(confusable.id, { operator: "Marta Ruiz", reason: "frame destroyed at the proof house" });
    const remark = await mark(j, newJob({ serial: "TX8520", manufacturer: "Forjas Querétaro S.A.", remark: { of: exact.id, reason: "first mark too shallow on the frame", authorisedBy: "Marta Ruiz" } }));
    ids = { exact: exact.id, confusable: confusable.id, other: other.id, licensed: licensed.id, remark: remark.id };
    app = await buildRegistry({ journal: j, token: TOKEN, logger: false });
  });
  afterEach(async () => {
    await app.close();
    await opened.done();
  });
  const get = (url: string, headers: Record<string, string> = auth) => app.inject({ url, headers });

  describe("the trace API", () => {
    it("answers no request without the trace token, and no other token", async () => {
      for (const url of ["/api/trace/search?serial=TX8520", "/api/trace/stats", `/api/trace/jobs/1`, "/api/trace/export", "/api/openapi.json"]) {
        const r = await get(url, {});
        expect(r.statusCode, url).toBe(401);
        expect(r.json().error.code).toBe("E_AUTH");
      }
      expect((await get("/api/trace/stats", { authorization: "Bearer not-the-trace-token-at-all" })).statusCode).toBe(401);
      // read only: there is nothing to write to
      const post = await app.inject({ method: "POST", url: "/api/trace/search", headers: { ...auth, "content-type": "application/json" }, payload: "{}" });
      expect(post.statusCode).toBe(405);
      // the page needs no token and is the trace page, not the station's
      const page = await get("/", {});
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("trace.js");
      expect((await get("/index.html", {})).statusCode).toBe(404);
      expect((await get("/app.js", {})).statusCode).toBe(404);
    });

    it("finds a serial exactly, then its confusable look-alike, saying how each matched", async () => {
      const r = (await get("/api/trace/search?serial=tx852O")).json();
      expect(r.results.map((x: { match: string; job: { serial: string; jobId: number } }) => [x.job.serial, x.match, x.job.jobId])).toEqual([
        ["TX8520", "exact", ids.remark],
        ["TX8520", "exact", ids.exact],
        ["TXB5Z0", "confusable", ids.confusable],
      ]);
      expect(r.total).toBe(3);
      expect(r.results[2].job).toMatchObject({ stationId: "customs-2", outcome: "interrupted", manufacturer: "Armas del Norte", technician: "Ana Núñez", programHash: "b".repeat(64) });
    });

    it("finds worn serials with ? and *, the licence form, and narrows by other fields", async () => {
      const serials = async (q: string) => (await get(`/api/trace/search?${q}`)).json().results.map((x: { match: string; job: { serial: string } }) => `${x.job.serial}:${x.match}`);
      expect(await serials("serial=TX85%3F0")).toEqual(["TX8520:pattern", "TXB5Z0:pattern", "TX8520:pattern"]);
      expect(await serials("serial=98312345-QX77")).toEqual(["QX77:licence"]);
      expect(await serials("serial=TX*&station=customs-2")).toEqual(["TXB5Z0:pattern"]);
      expect(await serials("serial=TX*&maker=querétaro&limit=2")).toEqual(["TX8520:pattern", "TX8521:pattern"]);
      // no serial: a filtered search, newest first, without a match kind
      expect(await serials("maker=indumil")).toEqual(["QX77:undefined"]);
      expect(await serials("country=mx&caliber=9%C3%9719&model=compacta&limit=1")).toEqual(["TX8520:undefined"]);
      expect(await serials("country=méxico&from=2026-11-23&to=2026-11-23")).toHaveLength(5);
      expect(await serials("importer=ansa")).toEqual([]);
    });

    it("refuses a bad query with 400 and a code naming the field", async () => {
      const bad = async (q: string) => {
        const r = await get(`/api/trace/search?${q}`);
        return [r.statusCode, r.json().error.code, r.json().error.where];
      };
      expect(await bad("serial=T*")).toEqual([400, "E_QUERY", "serial"]);
      expect(await bad("serial=**")).toEqual([400, "E_QUERY", "serial"]);
      expect(await bad("from=yesterday")).toEqual([400, "E_QUERY", "from"]);
      expect(await bad("limit=501")).toEqual([400, "E_QUERY", "limit"]);
      expect(await bad("limit=x")).toEqual([400, "E_QUERY", "limit"]);
      expect(await bad("outcome=lost")).toEqual([400, "E_QUERY", "outcome"]);
      expect(await bad("maker=a&maker=b")).toEqual([400, "E_QUERY", "maker"]);
      expect(await bad(`model=${"x".repeat(201)}`)).toEqual([400, "E_QUERY", "model"]);
      const tz = await get("/api/trace/stats?timeZone=Mars/Olympus");
      expect([tz.statusCode, tz.json().error.where]).toEqual([400, "timeZone"]);
      const fmt = await get("/api/trace/export?format=xml");
      expect([fmt.statusCode, fmt.json().error.where]).toEqual([400, "format"]);
    });

    it("shows one job's whole story: record, station, technician, profile and program, re-marks, releases, interruptions", async () => {
      const d = (await get(`/api/trace/jobs/${ids.exact}`)).json();
      expect(d).toMatchObject({ station: "bench-1", technician: "Ana Núñez", profile: { id: "frame-left", hash: "a".repeat(64) }, program: { hash: "b".repeat(64), lines: 120, strikes: 480 }, outcome: "completed" });
      expect(d.record.serial).toBe("TX8520");
      expect(d.remarks.map((r: { jobId: number; remarkReason: string }) => [r.jobId, r.remarkReason])).toEqual([[ids.remark, "first mark too shallow on the frame"]]);
      const c = (await get(`/api/trace/jobs/${ids.confusable}`)).json();
      expect(c.releases).toEqual([expect.objectContaining({ operator: "Marta Ruiz", reason: "frame destroyed at the proof house" })]);
      expect(c.outcome).toBe("interrupted");
      expect(c.interruptions).toHaveLength(1);
      expect(d.interruptions).toEqual([]);
      const r = (await get(`/api/trace/jobs/${ids.remark}`)).json();
      expect(r.remarkOf.jobId).toBe(ids.exact);
      const none = await get("/api/trace/jobs/999");
      expect([none.statusCode, none.json().error.code]).toEqual([404, "E_NOT_FOUND"]);
    });

    it("exports a result set as CSV and JSON with the trace fields and the match", async () => {
      const csv = await get("/api/trace/export?serial=TX8520&format=csv");
      expect(csv.headers["content-type"]).toContain("text/csv");
      expect(csv.headers["content-disposition"]).toMatch(/attachment; filename="peenmark-trace-registry-\d{4}-\d\d-\d\d\.csv"/);
      const lines = csv.body.trim().split("\r\n");
      expect(lines[0]!.startsWith("match,jobId,serial,licencePrefix,manufacturer")).toBe(true);
      expect(lines[0]).toContain("programHash");
      expect(lines.slice(1).map((l) => l.split(",").slice(0, 3).join(","))).toEqual([`exact,${ids.remark},TX8520`, `exact,${ids.exact},TX8520`, `confusable,${ids.confusable},TXB5Z0`]);
      const json = (await get("/api/trace/export?maker=querétaro&format=json")).json();
      expect(json.map((j: { jobId: number }) => j.jobId)).toEqual([ids.remark, ids.other, ids.exact]);
      expect(json[0]).toHaveProperty("profileHash", "a".repeat(64));
      expect(json[0]).not.toHaveProperty("match");
    });

    it("counts marks per station per day, failures, interruptions, re-marks and series usage", async () => {
      await opened.journal.createSeries({ id: "nat-2026", pattern: "NA{counter:5}", start: 1, end: 99999, createdBy: "Marta Ruiz" });
      const s = (await get("/api/trace/stats?timeZone=America/El_Salvador")).json();
      expect(s.timeZone).toBe("America/El_Salvador");
      expect(s.totals).toMatchObject({ jobs: 5, completed: 4, interrupted: 1, remarks: 1 });
      expect(s.stationDays).toEqual([
        expect.objectContaining({ station: "bench-1", day: "2026-11-23", jobs: 4, completed: 4, remarks: 1 }),
        expect.objectContaining({ station: "customs-2", day: "2026-11-23", jobs: 1, interrupted: 1 }),
      ]);
      expect(s.series).toEqual([expect.objectContaining({ id: "nat-2026", counts: { reserved: 0, committed: 0, released: 0, void: 0 } })]);
    });
  });
});
