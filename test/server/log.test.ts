import { afterEach, describe, expect, it } from "vitest";
import { stationFixture } from "./child.ts";

/** The page's event stream carries the bench token in its query; the station's log must not. */
const stations = stationFixture();
afterEach(() => stations.stopAll());

describe("the station's log", () => {
  it("never holds a token from a request's query", { timeout: 60_000 }, async () => {
    const tokens = { PEENMARK_TOKEN_TECHNICIAN: "tech-secret-0123456789", PEENMARK_TOKEN_OPERATOR: "op-secret-9876543210" };
    const station = stations.start(stations.dataDir("peenmark-log-"), [], tokens);
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
});
