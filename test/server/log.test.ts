import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT } from "../compile/examples.ts";
import { stationFixture } from "./child.ts";

/**
 * The station's log: the page's event stream carries the bench token in its query, which no
 * log line may hold; request lines are debug (the log is the station's acts, not its
 * traffic); every operator's act says who did it.
 */
const stations = stationFixture();
afterEach(() => stations.stopAll());

const lines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string; level: number });

describe("the station's log", () => {
  it("never holds a token from a request's query", { timeout: 60_000 }, async () => {
    const tokens = { PEENMARK_TOKEN_TECHNICIAN: "tech-secret-0123456789", PEENMARK_TOKEN_OPERATOR: "op-secret-9876543210" };
    const station = stations.start(stations.dataDir("peenmark-log-"), [], { ...tokens, PEENMARK_LOG: "debug" });
    const url = await station.url;
    const events = await fetch(new URL(`/api/events?access_token=${tokens.PEENMARK_TOKEN_OPERATOR}`, url));
    expect(events.status).toBe(200);
    await events.body?.cancel();
    await new Promise((r) => setTimeout(r, 300));
    station.proc.kill("SIGTERM");
    await station.exited;
    expect(station.stdout).toContain("/api/events?access_token=[redacted]");
    expect(station.stdout).not.toContain(tokens.PEENMARK_TOKEN_OPERATOR);
    expect(station.stdout).not.toContain(tokens.PEENMARK_TOKEN_TECHNICIAN);
  });

  it("logs requests at debug only, and who published a profile and exported the journal", { timeout: 60_000 }, async () => {
    const station = stations.start(stations.dataDir("peenmark-log-"));
    const url = await station.url;
    for (const path of ["/", "/style.css", "/app.js", "/api/station", "/api/profiles", "/api/journal"]) expect((await fetch(new URL(path, url))).status).toBe(200);
    expect((await fetch(new URL("/api/jobs/99", url))).status).toBe(404);
    const profile = JSON.parse(readFileSync(join(ROOT, "profiles", "slide-5x7.json"), "utf8")) as Record<string, unknown>;
    profile.description = "bench copy for the log";
    const operator = { "content-type": "application/json", "x-peenmark-operator": encodeURIComponent("Marta Ortiz") };
    expect((await fetch(new URL("/api/profiles", url), { method: "POST", headers: operator, body: JSON.stringify(profile) })).status).toBe(201);
    expect((await fetch(new URL("/api/journal/export?format=csv&delimiter=semicolon&bom=1", url), { headers: operator })).status).toBe(200);
    station.proc.kill("SIGTERM");
    await station.exited;
    const log = lines(station.stdout);
    // Nothing of the page's traffic at info; a refused request at info.
    expect(log.filter((l) => l.msg === "request completed")).toEqual([]);
    expect(log.filter((l) => l.msg === "request refused").map((l) => (l.req as { url: string }).url)).toEqual(["/api/jobs/99"]);
    const published = log.find((l) => l.msg === "profile published")!;
    expect(published).toMatchObject({ by: { role: "operator", operator: "Marta Ortiz" }, profile: "slide-5x7", version: 2 });
    expect(log.find((l) => l.msg === "journal exported")).toMatchObject({ by: { role: "operator", operator: "Marta Ortiz" }, format: "csv" });
  });
});
