import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../job/helpers.ts";
import { Station } from "./child.ts";

/** The page's event stream carries the bench token in its query; the station's log must not. */
const children: Station[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
    await c.exited;
  }
  for (const f of cleanups.splice(0)) f();
});

describe("the station's log", () => {
  it("never holds a token from a request's query", { timeout: 60_000 }, async () => {
    const tmp = tempDir("peenmark-log-");
    cleanups.push(tmp.cleanup);
    const tokens = { PEENMARK_TOKEN_TECHNICIAN: "tech-secret-0123456789", PEENMARK_TOKEN_OPERATOR: "op-secret-9876543210" };
    const station = new Station(tmp.dir, [], tokens);
    children.push(station);
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
