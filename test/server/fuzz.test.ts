import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobView } from "../../src/job/view.ts";
import { exampleProfile, exampleRecord } from "../job/helpers.ts";
import { service } from "./helpers.ts";
import { headBytes, listen, stateOf } from "./http.ts";
import { mulberry32 } from "../../src/random.ts";

/**
 * A bounded fuzz over every route of the service: a fixed seed, a fixed count, random
 * methods, paths, ids, query strings, Host/Origin/Content-Type headers and bodies (valid
 * bodies bent one field at a time, lookalike and invisible characters, prototype keys,
 * broken JSON, a body over the limit). Every answer is in the one error envelope and never
 * 500; a refused request (4xx) changes nothing: not the journal, not the published profiles,
 * not a byte to the head. The counts go to docs/SECURITY.md.
 */
const SEED = 0x11c0ffee;
const COUNT = 1500;

/** Draws from mulberry32 (the same sequence for the same seed): a number, one of a list, a coin. */
function prng(seed: number) {
  const next = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick, chance: (p: number) => next() < p };
}

/** The routes as fastify prints them: every route the service has, whatever a later change adds. */
function routesOf(printed: string): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of printed.split("\n")) {
    const m = /^([│├└─\s]*)(\S.*?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = Math.floor(m[1]!.length / 4);
    stack.length = depth;
    stack.push(m[2]!);
    const url = stack.join("");
    for (const method of m[3]!.split(", ")) if (method !== "HEAD") out.push({ method, url: url.startsWith("*") ? `/${url}` : url });
  }
  return out;
}

interface Reply {
  status: number;
  type: string;
  text: string;
}

/** One request on its own socket; a 200 event stream is read up to its headers and closed. */
function shoot(base: string, method: string, path: string, headers: Record<string, string>, body: string | undefined): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, method, path, setHost: false, agent: false, headers: { ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }), ...headers } },
      (res) => {
        const type = String(res.headers["content-type"] ?? "");
        if (type.startsWith("text/event-stream")) {
          resolve({ status: res.statusCode ?? 0, type, text: "" });
          res.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, type, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`no answer to ${method} ${path} in 20 s`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

let svc: Awaited<ReturnType<typeof service>>;
let base: string;
beforeAll(async () => {
  svc = await service();
  base = await listen(svc.app);
});
afterAll(async () => {
  await svc.close();
});

describe("a bounded fuzz over every route", () => {
  it(`answers ${COUNT} random requests (seed ${SEED.toString(16)}) without a 500, each refusal changing nothing`, async () => {
    const r = prng(SEED);
    const routes = routesOf(svc.app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThanOrEqual(18);
    const bytes = headBytes(svc.head);
    const own = new URL(base).host;

    // Something for the routes to act on: an interrupted job and a series.
    const slide = exampleProfile("slide-5x7");
    const job = svc.journal.createJob({ record: { ...(exampleRecord("slide-5x7") as object), serial: "FZ2026000001" } as never, profile: { id: "slide-5x7", hash: slide.hash }, stationId: "bench", program: { hash: "e".repeat(64), lines: 90, strikes: 300 }, technician: "Ana Núñez" });
    svc.journal.startJob(job.id);
    svc.journal.endJob(job.id, { outcome: "interrupted", note: "fuzz" });
    svc.journal.createSeries({ id: "fz", pattern: "FZ{counter:6}", start: 1, end: 999999, createdBy: "M. Ortiz" });

    const WEIRD = ["RA2026А00417", "RA\u200B2026", "\u202Eevil", "Ana\u0000", "=HYPERLINK(\"http://x\")", "x".repeat(5000), "", " ", "𝐑𝐀", "ǅ", "İ", "\uFFFF", "\uD800"];
    const ids = [String(job.id), "2", "999999", "0", "0x1", "1e0", "%201", "-1", "abc", "%E0", "..%2F..", "9007199254740993", "%00", "01", "1.5"];
    const files = ["", "index.html", "app.js", "i18n/en.json", "../package.json", "%2e%2e/%2e%2e/etc/passwd", "api", "style.css%00.js", "x.txt", "%E0%A4%A"];
    const queries = ["", "?format=csv", "?format=json&from=2026-01-01&to=2026-12-31", "?from=2026-13-01", "?to=2026-02-31", "?serial=a&serial=b", "?serial=RA2026%D0%9000417", "?limit=1e2", "?limit=0", "?__proto__=1", "?constructor[prototype][x]=1", "?outcome=completed&outcome=failed", "?access_token=x", "?format=%00"];
    // Mostly what the station's own clients send, so that requests get past the gate to the routes; the rest from elsewhere.
    const hosts = [...Array(12).fill(own), "evil.example", "", "localhost", "127.0.0.1:1", "[::1]", "rebind.attacker.example:8410"];
    const origins = [...Array(8).fill(undefined), `http://${own}`, `http://${own}`, "http://evil.example", "null", "file://", `https://${own}`];
    const sites = [...Array(8).fill(undefined), "same-origin", "cross-site", "same-site", "none"];
    const types = [...Array(10).fill("application/json"), "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined, "application/json; charset=latin1"];
    const validJob = { profileId: "slide-5x7", record: { ...(exampleRecord("slide-5x7") as object), serial: "FZ2026000099" }, technician: "Ana Núñez" };
    const validProfile = slide.profile as unknown as Record<string, unknown>;

    const bend = (v: unknown, depth = 0): unknown => {
      if (depth > 4 || r.chance(0.15)) return r.pick<unknown>([null, 0, -1, 1e308, "", r.pick(WEIRD), [], {}, true, { __proto__: { x: 1 } }, JSON.parse('{"__proto__": {"polluted": 1}}'), { constructor: { prototype: { x: 1 } } }]);
      if (Array.isArray(v)) return v.map((x) => bend(x, depth + 1));
      if (v && typeof v === "object") {
        const o: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) if (!r.chance(0.05)) o[k] = r.chance(0.3) ? bend(x, depth + 1) : x;
        if (r.chance(0.1)) o[r.pick(["remark", "series", "extra", "toString", "__proto__"])] = bend({ of: job.id, reason: "x".repeat(12), operator: "M. Ortiz" }, depth + 1);
        return o;
      }
      return v;
    };
    const bodyFor = (url: string): string | undefined => {
      const k = r.next();
      if (k < 0.05) return undefined;
      if (k < 0.1) return "{not json";
      if (k < 0.12) return "[".repeat(5000) + "]".repeat(5000);
      if (k < 0.13) return `"${"x".repeat(300 * 1024)}"`;
      if (k < 0.2) return JSON.stringify(r.pick<unknown>([null, 1, "x", [], {}, WEIRD]));
      const seed = url.startsWith("/api/profiles") ? validProfile : url.includes("release") ? { operator: "M. Ortiz", reason: "part scrapped after inspection" } : url.includes("preview") ? { profileId: validJob.profileId, record: validJob.record } : validJob;
      return JSON.stringify(bend(seed));
    };

    const tally = new Map<number, number>();
    const problems: string[] = [];
    let refusedUnchanged = 0;
    for (let n = 0; n < COUNT; n++) {
      const route = r.pick(routes);
      const method = r.chance(0.75) ? route.method : r.pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);
      const path = route.url.replace(":id", () => r.pick(ids)).replace("/*", () => `/${r.pick(files)}`) + (r.chance(0.4) ? r.pick(queries) : "");
      const headers: Record<string, string> = { host: r.pick(hosts) };
      const origin = r.pick(origins);
      if (origin !== undefined) headers.origin = origin;
      const site = r.pick(sites);
      if (site !== undefined) headers["sec-fetch-site"] = site;
      const type = r.pick(types);
      if (type !== undefined) headers["content-type"] = type;
      if (r.chance(0.1)) headers.authorization = r.pick(["Bearer x", "Basic YTpi", "Bearer " + "a".repeat(64), "garbage"]);
      const body = method === "GET" || method === "HEAD" ? undefined : bodyFor(route.url);

      const before = (await stateOf(svc.app, svc.dir, bytes));
      const res = await shoot(base, method, path, headers, body);
      tally.set(res.status, (tally.get(res.status) ?? 0) + 1);
      const what = `#${n} ${method} ${path} ${JSON.stringify(headers)} ${body === undefined ? "" : body.slice(0, 120)}`;
      if (res.status >= 500 || res.status < 100) problems.push(`${res.status} ${res.text.slice(0, 200)} for ${what}`);
      if (res.status >= 400) {
        let envelope = false;
        try {
          const e = (JSON.parse(res.text) as { error?: { code?: unknown; message?: unknown } }).error;
          envelope = typeof e?.code === "string" && /^E_[A-Z_]+$/.test(e.code) && typeof e.message === "string";
        } catch {
          envelope = method === "HEAD" && res.text === "";
        }
        if (!envelope) problems.push(`no error envelope (${res.status} ${res.text.slice(0, 120)}) for ${what}`);
        if ((await stateOf(svc.app, svc.dir, bytes)) !== before) problems.push(`state changed on a refused request (${res.status} ${res.text.slice(0, 160)}) for ${what}`);
        else refusedUnchanged++;
      }
      // A job the fuzz happened to start is ended before the next request, so what follows compares a still station.
      if (res.status === 201 && route.url === "/api/jobs") {
        const started = (JSON.parse(res.text) as { job: JobView }).job;
        await svc.runner.abort(started.id).catch(() => undefined);
        for (let i = 0; i < 200 && svc.runner.busy; i++) await new Promise((ok) => setTimeout(ok, 25));
        // The head's state reaches the service by message (the streaming worker): take a fresh
        // report once the head stands, so that a late one is not counted against the next request.
        await svc.head.refresh().catch(() => undefined);
        await new Promise((ok) => setTimeout(ok, 300));
        await svc.head.refresh().catch(() => undefined);
      }
    }
    const summary = [...tally.entries()].sort((a, b) => a[0] - b[0]).map(([s, c]) => `${s}: ${c}`).join(", ");
    console.log(`fuzz seed ${SEED.toString(16)}: ${COUNT} requests over ${routes.length} routes; ${summary}; ${refusedUnchanged} refusals, state unchanged`);
    expect(problems).toEqual([]);
    expect([...tally.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
  });
});
