import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Head } from "../../src/job/head.ts";
import type { JobView } from "../../src/job/view.ts";
import { buildServer } from "../../src/server/app.ts";
import { benchStation, exampleProfile, exampleRecord, tempDir } from "../job/helpers.ts";
import { ENDED, jobBody, jobEvent, service } from "./helpers.ts";
import { type Answer, headBytes, listen, send, stateOf } from "./http.ts";

let svc: Awaited<ReturnType<typeof service>> | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

const JSON_TYPE = { "content-type": "application/json" };

/** An interrupted job of serial `serial` on profile slide-5x7 (its real v1 hash), as a dead service leaves one. */
function interrupted(s: NonNullable<typeof svc>, serial: string): number {
  const p = exampleProfile("slide-5x7");
  const row = s.journal.createJob({
    record: { ...(exampleRecord("slide-5x7") as object), serial } as never,
    profile: { id: "slide-5x7", hash: p.hash },
    stationId: "bench",
    program: { hash: "f".repeat(64), lines: 90, strikes: 300 },
    technician: "Ana Núñez",
  });
  s.journal.startJob(row.id);
  s.journal.endJob(row.id, { outcome: "interrupted", note: "power lost", progress: { ackedLine: 41, executedLine: 40, strikesDone: 120 } });
  return row.id;
}

const code = (a: Answer) => a.json().error.code;

describe("the service answers only its own page and its own clients (real HTTP, real headers)", () => {
  it("refuses a cross-origin text/plain POST on every route that moves the head or steers a job, and nothing moves", async () => {
    svc = await service();
    const base = await listen(svc.app);
    const bytes = headBytes(svc.head);
    const id = interrupted(svc, "SL2026S00001");
    const before = (await stateOf(svc.app, svc.dir, bytes));
    for (const path of ["/api/controller/home", "/api/controller/unlock", `/api/jobs/${id}/abort`, `/api/jobs/${id}/pause`, `/api/jobs/${id}/resume`, "/api/jobs", `/api/journal/${id}/release`, "/api/profiles"]) {
      const evil = await send(base, { method: "POST", path, headers: { origin: "http://evil.example", "content-type": "text/plain;charset=UTF-8" }, body: "{}" });
      expect(evil.status, path).toBe(403);
      expect(evil.json().error).toMatchObject({ code: "E_FORBIDDEN", details: { reason: "origin", origin: "http://evil.example" } });
      // the same without Origin but as a browser says it (Sec-Fetch-Site), and as a sandboxed frame (Origin: null)
      expect((await send(base, { method: "POST", path, headers: { "sec-fetch-site": "cross-site", ...JSON_TYPE }, body: "{}" })).status, path).toBe(403);
      expect((await send(base, { method: "POST", path, headers: { origin: "null", ...JSON_TYPE }, body: "{}" })).status, path).toBe(403);
      // a same-origin request that is not JSON: 415, before anything runs
      const plain = await send(base, { method: "POST", path, headers: { "content-type": "text/plain" }, body: "{}" });
      expect([plain.status, code(plain)], path).toEqual([415, "E_MEDIA_TYPE"]);
      const none = await send(base, { method: "POST", path });
      expect([none.status, code(none)], path).toEqual([415, "E_MEDIA_TYPE"]);
    }
    expect((await stateOf(svc.app, svc.dir, bytes))).toBe(before);
    expect(svc.head.view()).toMatchObject({ homed: false, state: "Alarm" });
    // The station's own page (same origin, JSON) homes the head.
    const own = await send(base, { method: "POST", path: "/api/controller/home", headers: { origin: base.replace(/\/$/, ""), "sec-fetch-site": "same-origin", ...JSON_TYPE }, body: "{}" });
    expect(own.status, own.text).toBe(200);
    expect(own.json<{ homed: boolean }>().homed).toBe(true);
  });

  it("refuses another host name (DNS rebinding): no page, no export, no profile published", async () => {
    svc = await service();
    const base = await listen(svc.app);
    const bytes = headBytes(svc.head);
    const before = (await stateOf(svc.app, svc.dir, bytes));
    const rebind = { host: "rebind.attacker.example:8410" };
    for (const path of ["/", "/api/journal/export?format=csv", "/api/station", "/api/events"]) {
      const a = await send(base, { path, headers: rebind });
      expect([a.status, code(a)], path).toEqual([403, "E_FORBIDDEN"]);
      expect(a.json().error.details).toMatchObject({ reason: "host" });
    }
    const profile = exampleProfile("slide-5x7").profile;
    const publish = await send(base, { method: "POST", path: "/api/profiles", headers: { ...rebind, origin: "http://rebind.attacker.example:8410", ...JSON_TYPE }, body: JSON.stringify(profile) });
    expect(publish.status).toBe(403);
    expect((await send(base, { path: "/", headers: { host: "" } })).status).toBe(403);
    expect((await stateOf(svc.app, svc.dir, bytes))).toBe(before);
    // its own names: loopback, and one configured by the operator
    for (const host of ["127.0.0.1", "localhost:8410", "[::1]:8410", "LOCALHOST."]) expect((await send(base, { path: "/api/station", headers: { host } })).status, host).toBe(200);
    await svc.close();
    svc = undefined;
    const tmp = tempDir("peenmark-host-");
    const station = benchStation();
    const app = await buildServer({ dataDir: tmp.dir, station, head: await Head.open({ station, simSpeed: 20 }), logger: false, hostNames: ["bench-3.plant.example"] });
    try {
      const b = await listen(app);
      expect((await send(b, { path: "/api/station", headers: { host: "bench-3.plant.example:8410" } })).status).toBe(200);
      expect((await send(b, { path: "/api/station", headers: { host: "bench-4.plant.example" } })).status).toBe(403);
    } finally {
      await app.close();
      tmp.cleanup();
    }
  });

  it("sends the security headers with the page and with every error", async () => {
    svc = await service();
    const base = await listen(svc.app);
    for (const path of ["/", "/app.js", "/api/nothing", "/api/jobs/0x1"]) {
      const a = await send(base, { path });
      const csp = String(a.headers["content-security-policy"]);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("upgrade-insecure-requests");
      expect(a.headers["x-content-type-options"]).toBe("nosniff");
      expect(a.headers["x-frame-options"]).toBe("DENY");
      expect(a.headers["referrer-policy"]).toBe("no-referrer");
      expect(a.headers["access-control-allow-origin"]).toBeUndefined();
    }
  });

  it("answers 405 with Allow for a wrong method, and 404 for no such route, in the one envelope", async () => {
    svc = await service();
    const base = await listen(svc.app);
    const cases: [string, string, number, string | undefined][] = [
      ["GET", "/api/controller/home", 405, "POST"],
      ["DELETE", "/api/jobs/1", 405, "GET, HEAD"],
      ["PUT", "/api/profiles", 405, "GET, HEAD, POST"],
      ["OPTIONS", "/api/jobs", 405, "POST"],
      ["POST", "/api/nothing", 404, undefined],
      ["GET", "/api/nothing", 404, undefined],
    ];
    for (const [method, path, status, allow] of cases) {
      const a = await send(base, { method, path, headers: JSON_TYPE, body: method === "GET" ? undefined : "{}" });
      expect(a.status, `${method} ${path}`).toBe(status);
      expect(code(a)).toBe(status === 405 ? "E_METHOD" : "E_NOT_FOUND");
      if (allow) expect(String(a.headers.allow).split(", ").sort().join(", ")).toBe(allow);
    }
  });

  it("reads job ids as decimal numbers only: 0x1, 1e0, ' 1', 01 are no job", async () => {
    svc = await service();
    const base = await listen(svc.app);
    const bytes = headBytes(svc.head);
    interrupted(svc, "SL2026S00002"); // job 1
    const before = (await stateOf(svc.app, svc.dir, bytes));
    for (const raw of ["0x1", "1e0", "%201", "01", "1.0", "+1", "-1", "1%20", "%EF%BC%91" /* fullwidth 1 */]) {
      for (const path of [`/api/jobs/${raw}/abort`, `/api/journal/${raw}/release`]) {
        const a = await send(base, { method: "POST", path, headers: JSON_TYPE, body: JSON.stringify({ operator: "M. Ortiz", reason: "part scrapped after inspection" }) });
        expect([a.status, code(a)], path).toEqual([404, "E_NOT_FOUND"]);
      }
      expect((await send(base, { path: `/api/jobs/${raw}` })).status).toBe(404);
    }
    expect((await stateOf(svc.app, svc.dir, bytes))).toBe(before);
    expect((await send(base, { path: "/api/jobs/1" })).status).toBe(200);
  });

  it("answers impossible dates, repeated parameters and broken escapes with 4xx, never 500", async () => {
    svc = await service();
    const base = await listen(svc.app);
    const cases: [string, number, string, string | undefined][] = [
      ["/api/journal/export?from=2026-13-01", 422, "E_USAGE", "from"],
      ["/api/journal/export?to=2026-00-01", 422, "E_USAGE", "to"],
      ["/api/journal/export?from=2026-02-31", 422, "E_USAGE", "from"],
      ["/api/journal/export?from=2026-02-28T24:00:00Z", 422, "E_USAGE", "from"],
      ["/api/journal/export?format=csv&format=json", 422, "E_USAGE", "format"],
      ["/api/journal?serial=a&serial=b", 422, "E_USAGE", "serial"],
      ["/api/journal?limit=1e2", 422, "E_USAGE", "limit"],
      ["/%25E0%25A4%25A", 404, "E_NOT_FOUND", undefined],
      ["/%E0%A4%A", 400, "E_REQUEST", undefined],
      ["/api/jobs/%E0", 400, "E_REQUEST", undefined],
    ];
    for (const [path, status, c, where] of cases) {
      const a = await send(base, { path });
      expect([a.status, code(a)], path).toEqual([status, c]);
      if (where) expect(a.json().error.where).toBe(where);
    }
    expect((await send(base, { path: "/api/journal/export?from=2026-02-28&to=2026-03-01T12:00:00-06:00" })).status).toBe(200);
    // fastify's own errors in the same envelope: bad JSON, an empty JSON body, a body too large
    const bad = await send(base, { method: "POST", path: "/api/jobs/preview", headers: JSON_TYPE, body: "{not json" });
    expect([bad.status, code(bad)]).toEqual([400, "E_JSON"]);
    const empty = await send(base, { method: "POST", path: "/api/controller/home", headers: JSON_TYPE, body: "" });
    expect([empty.status, code(empty)]).toEqual([400, "E_JSON"]);
    const big = await send(base, { method: "POST", path: "/api/jobs/preview", headers: JSON_TYPE, body: `"${"x".repeat(300 * 1024)}"` });
    expect([big.status, code(big)]).toEqual([413, "E_BODY_TOO_LARGE"]);
  });

  it("refuses identical technician and operator tokens when the service is built", async () => {
    const station = benchStation();
    const head = await Head.open({ station, simSpeed: 20 });
    const tmp = tempDir("peenmark-tokens-");
    try {
      await expect(buildServer({ dataDir: tmp.dir, station, head, logger: false, tokens: { technician: "0123456789abcdef0123", operator: "0123456789abcdef0123" } })).rejects.toThrow(/E_USAGE|the technician's and the operator's tokens are the same/);
    } finally {
      await head.close();
      tmp.cleanup();
    }
  });

  it("refuses technician and operator names with control or bidi characters, naming the code point", async () => {
    svc = await service();
    const base = await listen(svc.app);
    for (const [technician, cp] of [["Ana\u0000", "U+0000"], ["\u202EAna", "U+202E"], ["Ana\u001B[2J", "U+001B"]] as const) {
      const a = await send(base, { method: "POST", path: "/api/jobs", headers: JSON_TYPE, body: JSON.stringify({ ...jobBody({ profileId: "slide-5x7" }), technician }) });
      expect([a.status, code(a)]).toEqual([422, "E_SCHEMA"]);
      expect(a.text).toContain(cp);
      expect(a.json().error.details?.issues).toEqual([expect.objectContaining({ path: "$.technician" })]);
    }
    expect(svc.journal.jobs()).toEqual([]);
  });
});

describe("templates and profiles on disk", () => {
  it("refuses {toString}, {constructor} and {__proto__} at check and publish, and a bad file on disk never breaks the list", async () => {
    svc = await service();
    const base = await listen(svc.app);
    const good = exampleProfile("slide-5x7").profile;
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"]) {
      const bad = { ...good, id: "proto-test", blocks: good.blocks.map((b, i) => (i === 0 && b.kind === "text" ? { ...b, lines: [`{${name}}`] } : b)) };
      for (const path of ["/api/profiles/check", "/api/profiles"]) {
        const a = await send(base, { method: "POST", path, headers: JSON_TYPE, body: JSON.stringify(bad) });
        expect([a.status, code(a)], `${name} ${path}`).toEqual([422, "E_SCHEMA"]);
        expect(a.text).toContain(`unknown template field {${name}}`);
      }
    }
    // a file written by hand with {toString}: reported and skipped, every other profile listed
    mkdirSync(join(svc.dir, "profiles", "hand-edited"), { recursive: true });
    writeFileSync(join(svc.dir, "profiles", "hand-edited", "v1.json"), JSON.stringify({ ...good, id: "hand-edited", blocks: good.blocks.map((b, i) => (i === 0 && b.kind === "text" ? { ...b, lines: ["{toString}"] } : b)) }));
    writeFileSync(join(svc.dir, "profiles", "hand-edited", "v2.json"), "{ not json");
    const list = await send(base, { path: "/api/profiles" });
    expect(list.status, list.text).toBe(200);
    const ids = list.json<{ id: string }[]>().map((p) => p.id);
    expect(ids).toContain("slide-5x7");
    expect(ids).not.toContain("hand-edited");
    const one = await send(base, { path: "/api/profiles/hand-edited" });
    expect(one.status).toBeLessThan(500);
  });
});

describe("re-marks through the service", () => {
  it("re-marks with the profile version the interrupted job used after v2 moved a block 3 mm, and with v2 only when an operator chooses it", async () => {
    svc = await service();
    const base = await listen(svc.app);
    const v1 = exampleProfile("slide-5x7");
    const id = interrupted(svc, "SL2026R00417");
    // v2: a block moved 3 mm (slide-5x7 marks maker, model and caliber; the serial is on the frame)
    const v2 = { ...v1.profile, blocks: v1.profile.blocks.map((b) => (b.id === "maker" ? { ...b, origin: { x: b.origin.x + 3, y: b.origin.y } } : b)) };
    const published = await send(base, { method: "POST", path: "/api/profiles", headers: JSON_TYPE, body: JSON.stringify(v2) });
    expect(published.status, published.text).toBe(201);
    const v2hash = published.json<{ hash: string }>().hash;
    await send(base, { method: "POST", path: "/api/controller/home", headers: JSON_TYPE, body: "{}" });

    const record = { ...(exampleRecord("slide-5x7") as object), serial: "SL2026R00417" };
    const previewOf = async (remark?: object) => (await send(base, { method: "POST", path: "/api/jobs/preview", headers: JSON_TYPE, body: JSON.stringify({ profileId: "slide-5x7", record, ...(remark ? { remark } : {}) }) })).json<{ summary: { programHash: string } }>().summary.programHash;
    expect(await previewOf({ of: id })).not.toBe(await previewOf());

    const remark = { of: id, reason: "interrupted by a power cut at line 40", operator: "Luis Ortega" };
    const started = await send(base, { method: "POST", path: "/api/jobs", headers: JSON_TYPE, body: JSON.stringify({ profileId: "slide-5x7", record, technician: "Ana Núñez", remark }) });
    expect(started.status, started.text).toBe(201);
    const job = started.json<{ job: JobView }>().job;
    expect(svc.journal.job(job.id).profile.hash).toBe(v1.hash);
    expect(svc.journal.job(job.id).program.hash).toBe(await previewOf({ of: id }));
    const now = await svc.runner.job(job.id);
    const ended = now.state === "completed" ? now : await jobEvent(svc.app, (v) => v.id === job.id && ENDED.includes(v.state));
    expect(ended.state).toBe("completed");

    // the current version only when chosen, with a reason, recorded with who and why
    const id2 = interrupted(svc, "SL2026R00418");
    const choose = (extra: object) => send(base, { method: "POST", path: "/api/jobs", headers: JSON_TYPE, body: JSON.stringify({ profileId: "slide-5x7", record: { ...record, serial: "SL2026R00418" }, technician: "Ana Núñez", remark: { ...remark, of: id2, ...extra } }) });
    const noReason = await choose({ profile: "current" });
    const issues = (noReason.json().error.details as { issues?: { path: string }[] } | undefined)?.issues ?? [];
    expect([noReason.status, issues[0]?.path]).toEqual([422, "$.remark.profileReason"]);
    const chosen = await choose({ profile: "current", profileReason: "v1 strikes over the slide's serrations" });
    expect(chosen.status, chosen.text).toBe(201);
    const row = svc.journal.job(chosen.json<{ job: JobView }>().job.id);
    expect(row.profile.hash).toBe(v2hash);
    expect(row.remark?.currentProfile?.reason).toBe("v1 strikes over the slide's serrations");
    expect(svc.journal.events({ jobId: row.id }).find((e) => e.kind === "remark-current-profile")?.operator).toBe("Luis Ortega");
  });
});

describe("one serial, one firearm through the service", () => {
  it("refuses lookalike serials and makers on an iti profile in dejavu-sans: mixed scripts named by code point, the rest duplicates", async () => {
    svc = await service();
    const base = await listen(svc.app);
    const profile = {
      id: "iti-frame",
      name: "Frame, ITI, DejaVu Sans",
      rules: "iti",
      blocks: [
        // charSpacing: DejaVu Sans kerns R into A until their outlines touch (E_LAYOUT without it).
        { id: "serial", lines: ["{serial}"], font: "dejavu-sans", capHeight: 2, charSpacing: 0.2, origin: { x: 10, y: 40 }, mode: "scribe", pitch: 0.2, force: 70 },
        { id: "maker", lines: ["{manufacturer} {place.country.code}"], font: "dejavu-sans", capHeight: 1.6, origin: { x: 10, y: 34 }, mode: "scribe", pitch: 0.2, force: 60 },
      ],
    };
    expect((await send(base, { method: "POST", path: "/api/profiles", headers: JSON_TYPE, body: JSON.stringify(profile) })).status).toBe(201);
    await send(base, { method: "POST", path: "/api/controller/home", headers: JSON_TYPE, body: "{}" });
    const record = (serial: string, manufacturer = "Cañones del Sur") => ({ serial, manufacturer, place: { city: "Rosario", country: { code: "AR", name: "Argentina" } }, caliber: "9×19 mm" });
    const mark = async (serial: string, manufacturer?: string) => {
      const a = await send(base, { method: "POST", path: "/api/jobs", headers: JSON_TYPE, body: JSON.stringify({ profileId: "iti-frame", record: record(serial, manufacturer), technician: "Ana Núñez" }) });
      if (a.status === 201) {
        const id = a.json<{ job: JobView }>().job.id;
        const v = await svc!.runner.job(id);
        if (!ENDED.includes(v.state)) await jobEvent(svc!.app, (x) => x.id === id && ENDED.includes(x.state));
        expect((await svc!.runner.job(id)).state).toBe("completed");
      }
      return a;
    };
    const first = await mark("RA2026A00417");
    expect(first.status, JSON.stringify(first.json())).toBe(201);
    for (const [serial, cp] of [["RA2026А00417", "U+0410"], ["RA2026Α00417", "U+0391"], ["RA2026\u200BA00417", "U+200B"]] as const) {
      for (const path of ["/api/jobs/preview", "/api/jobs"]) {
        const a = await send(base, { method: "POST", path, headers: JSON_TYPE, body: JSON.stringify({ profileId: "iti-frame", record: record(serial), ...(path === "/api/jobs" ? { technician: "Ana Núñez" } : {}) }) });
        expect([a.status, code(a)], `${serial} ${path}`).toEqual([422, "E_SERIAL_RULE"]);
        expect(a.json().error.message).toContain(cp);
      }
    }
    // one script, the same identity: a duplicate
    expect((await mark("ABC2026")).status).toBe(201);
    const cyrillic = await mark("АВС2026");
    expect([cyrillic.status, code(cyrillic)]).toEqual([409, "E_SERIAL_DUPLICATE"]);
    // makers with invisible characters, a Cyrillic а, or in capitals
    expect((await mark("CS2026001")).status).toBe(201);
    for (const maker of ["CAÑONES DEL SUR", "Cañones\u200B del Sur", "Cañones\u2060 del Sur", "Cаñones del Sur"]) {
      const a = await mark("CS2026001", maker);
      expect([a.status, code(a)], JSON.stringify(maker)).toEqual([409, "E_SERIAL_DUPLICATE"]);
    }
    expect(svc.journal.jobs().map((j) => j.serial)).toEqual(["RA2026A00417", "ABC2026", "CS2026001"]);
    const found = await send(base, { path: `/api/journal?serial=${encodeURIComponent("RA2026А00417")}` });
    expect(found.json<{ jobs: JobView[] }>().jobs.map((j) => j.serial)).toEqual(["RA2026A00417"]);
  });
});

describe("the export", () => {
  it("neutralises cells a spreadsheet would run, and carries release, error and interruption details", async () => {
    svc = await service();
    const base = await listen(svc.app);
    const id = interrupted(svc, "SL2026X00001");
    const p = exampleProfile("slide-5x7");
    const evil = svc.journal.createJob({ record: { ...(exampleRecord("slide-5x7") as object), serial: "SL2026X00002", model: "-2+3" } as never, profile: { id: "slide-5x7", hash: p.hash }, stationId: "bench", program: { hash: "f".repeat(64), lines: 90, strikes: 300 }, technician: '=HYPERLINK("http://evil.example","click")' });
    svc.journal.endJob(evil.id, { outcome: "failed", error: { code: "ALARM:1", text: "Hard limit: @reset" } });
    await send(base, { method: "POST", path: `/api/journal/${id}/release`, headers: JSON_TYPE, body: JSON.stringify({ operator: "M. Ortiz", reason: "part scrapped after inspection" }) });
    const csv = (await send(base, { path: "/api/journal/export?format=csv" })).text;
    const [header, ...rows] = csv.trimEnd().split("\r\n");
    const cols = header!.split(",");
    for (const c of ["errorCode", "errorText", "note", "linesExecuted", "strikesDone", "releasedAt", "releasedBy", "releaseReason"]) expect(cols).toContain(c);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(csv).toContain(",'-2+3,");
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    const released = rows.find((r) => r.startsWith(`${id},`))!;
    expect(released).toContain("M. Ortiz");
    expect(released).toContain("part scrapped after inspection");
    expect(released).toContain("power lost");
    expect(rows.find((r) => r.startsWith(`${evil.id},`))).toContain("ALARM:1");
  });
});
