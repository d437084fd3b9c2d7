import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PG_URL, pgSchema } from "./engines.ts";
import { check, race } from "./registry-race.ts";

/**
 * Many stations, one registry: station processes racing on one series and on typed serials
 * drawn from a small pool, two of them killed with SIGKILL mid-run and started again. Nothing
 * the registry holds may contradict what a station was told; no serial is held or marked
 * twice; every collision is refused with the serial rule's code. (`npm run bench -- registry`
 * runs 8 stations × 300 jobs with a server restart as well.)
 */
describe.skipIf(!PG_URL)("stations sharing the PostgreSQL registry", () => {
  let db: Awaited<ReturnType<typeof pgSchema>>;
  beforeEach(async () => {
    db = await pgSchema();
  });
  afterEach(async () => {
    await db.drop();
  });

  it("never mark or hold one serial twice, under concurrency and kill -9, and lose no job", async () => {
    const result = await race({ url: PG_URL!, schema: db.schema, stations: 4, jobs: 40, pool: 25, kills: 2, seed: 14 });
    const f = await check(PG_URL!, db.schema, result);
    expect(result.kills).toBe(2);
    expect(f.duplicates).toEqual([]);
    expect(f.contradictions).toEqual([]);
    expect(f.seriesProblems).toEqual([]);
    expect(f.open).toEqual([]);
    // a write may commit just before its station is killed and not be reported: at most one per kill
    expect(f.unreported.length).toBeLessThanOrEqual(result.kills);
    // 4 × 20 typed serials from 25: collisions are certain; every one is the serial rule's refusal
    const codes = Object.keys(f.refusals).sort();
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(["E_SERIAL_DUPLICATE", "E_SERIAL_RESERVED"]).toContain(code);
    expect(f.refusals.E_SERIAL_DUPLICATE ?? 0).toBeGreaterThan(0);
    // every series job that was reported reserved got its own number
    expect(f.reservationWaitsMs.length).toBeGreaterThanOrEqual(4 * 20 - result.kills);
  });

  it("hold through each station's job runner and simulated head: compile, serial check, reservation, streaming, outcome, under kill -9", { timeout: 120_000 }, async () => {
    const result = await race({ url: PG_URL!, schema: db.schema, stations: 3, jobs: 8, pool: 4, kills: 1, seed: 21, heads: true });
    const f = await check(PG_URL!, db.schema, result);
    expect(result.kills).toBe(1);
    expect(f.duplicates).toEqual([]);
    expect(f.contradictions).toEqual([]);
    expect(f.seriesProblems).toEqual([]);
    expect(f.open).toEqual([]);
    expect(f.unreported.length).toBeLessThanOrEqual(result.kills);
    for (const code of Object.keys(f.refusals)) expect(["E_SERIAL_DUPLICATE", "E_SERIAL_RESERVED"]).toContain(code);
    expect(f.completed, "the heads marked").toBeGreaterThan(3 * 4 - 2);
  });
});
