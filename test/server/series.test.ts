import { afterEach, describe, expect, it } from "vitest";
import type { JobView } from "../../src/job/view.ts";
import { exampleRecord } from "../job/helpers.ts";
import { ENGINES } from "../journal/engines.ts";
import { ENDED, jobEvent, service } from "./helpers.ts";

/**
 * Marking from a serial-number series over the HTTP API: the number is reserved when the
 * job starts and committed when it completes; a start the station refuses hands its number
 * back with the reason in the journal, so no gap is left that nobody can explain.
 */
let svc: Awaited<ReturnType<typeof service>> | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

const withoutSerial = () => {
  const { serial: _drop, ...rest } = exampleRecord("slide-5x7");
  return rest;
};

// On both engines: the station on its SQLite file, and on a registry (skipped without PEENMARK_TEST_PG).
for (const { name: engine, available } of ENGINES) describe.skipIf(!available)(`on ${engine}`, () => {
  describe("a job drawing its serial from a series", () => {
    it("marks the next number, commits it, and hands back a number whose start was refused", async () => {
      svc = await service({ engine });
      await svc.app.peenmark.journal.createSeries({ id: "rx", pattern: "RX{yy}{counter:5}", start: 1, end: 99999, createdBy: "Marta (operator)" });

      const start = (record: unknown) => svc!.app.inject({ method: "POST", url: "/api/jobs", payload: { profileId: "us-receiver", series: "rx", record, technician: "Ana" } });
      const first = await start({ ...exampleRecord("us-receiver"), serial: undefined });
      expect(first.statusCode, first.body).toBe(201);
      const job = (first.json() as { job: JobView }).job;
      expect(job.serial).toBe("RX2600001");
      const ended = await jobEvent(svc.app, (v) => v.id === job.id && ENDED.includes(v.state), 60_000);
      expect(ended.state).toBe("completed");
      expect((await svc.app.peenmark.journal.numbers("rx")).map((n) => [n.number, n.serial, n.state])).toEqual([[1, "RX2600001", "committed"]]);

      // A record the profile cannot mark (the maker's name runs off the work area): refused, number handed back.
      const tooLong = { ...exampleRecord("us-receiver"), serial: undefined, manufacturer: "Ridgeline Arms and Precision Manufacturing Company of Northern Arizona" };
      const refused = await start(tooLong);
      expect(refused.statusCode).toBe(422);
      expect((refused.json() as { error: { code: string } }).error.code).toBe("E_OUT_OF_BOUNDS");
      const two = (await svc.app.peenmark.journal.numbers("rx")).find((n) => n.number === 2)!;
      expect(two.state).toBe("released");
      expect(two.reason).toContain("E_OUT_OF_BOUNDS");

      // The next good start gets the handed-back number: nothing is skipped.
      const again = await start({ ...exampleRecord("us-receiver"), serial: undefined });
      expect(again.statusCode).toBe(201);
      expect((again.json() as { job: JobView }).job.serial).toBe("RX2600002");
      await jobEvent(svc.app, (v) => ENDED.includes(v.state), 60_000);
    });

    it("refuses a record that carries its own serial and asks for a series, without reserving", async () => {
      svc = await service({ engine });
      await svc.app.peenmark.journal.createSeries({ id: "sl", pattern: "SL{counter:4}", start: 1, end: 9999, createdBy: "Marta (operator)" });
      const r = await svc.app.inject({ method: "POST", url: "/api/jobs", payload: { profileId: "slide-5x7", series: "sl", record: { ...withoutSerial(), serial: "X123" }, technician: "Ana" } });
      expect(r.statusCode).toBe(422);
      expect(r.body).toContain("leave the serial empty");
      expect(await svc.app.peenmark.journal.numbers("sl")).toEqual([]);
    });
  });

  describe("a series number whose serial is already in the journal", () => {
    it("is voided with the reason, so the next start draws the next number instead of jamming", async () => {
      svc = await service({ engine });
      await svc.app.peenmark.journal.createSeries({ id: "rx", pattern: "RX{yy}{counter:5}", start: 1, end: 99999, createdBy: "Marta (operator)" });
      // RX2600001 was marked by hand, outside the series.
      const byHand = await svc.app.inject({ method: "POST", url: "/api/jobs", payload: { profileId: "us-receiver", record: { ...exampleRecord("us-receiver"), serial: "RX2600001" }, technician: "Ana" } });
      expect(byHand.statusCode).toBe(201);
      await jobEvent(svc.app, (v) => ENDED.includes(v.state), 60_000);

      const start = () => svc!.app.inject({ method: "POST", url: "/api/jobs", payload: { profileId: "us-receiver", series: "rx", record: { ...exampleRecord("us-receiver"), serial: undefined }, technician: "Ana" } });
      const refused = await start();
      expect(refused.statusCode).toBe(409);
      const one = (await svc.app.peenmark.journal.numbers("rx")).find((n) => n.number === 1)!;
      expect(one.state).toBe("void");
      expect(one.reason).toContain("E_SERIAL_DUPLICATE");
      const next = await start();
      expect(next.statusCode).toBe(201);
      expect((next.json() as { job: JobView }).job.serial).toBe("RX2600002");
      await jobEvent(svc.app, (v) => ENDED.includes(v.state), 60_000);
    });
  });
});
