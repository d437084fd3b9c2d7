import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jobsToCsv } from "../../src/journal/export.ts";
import { localDay } from "../../src/journal/search.ts";
import type { JournalEngine } from "../../src/journal/engine.ts";
import { forEachEngine, mark, type OpenedEngine } from "./engines.ts";
import { newJob, record } from "./helpers.ts";

/**
 * The journal as a supervisor searches it: parts of serials and makers by identity, models
 * without case, dates, stations and outcomes, a page at a time with the total; a job's
 * re-marks; statistics per local day, station and technician; the next number of a series
 * without taking it; CSV for a Spanish spreadsheet.
 */

forEachEngine((engine) => {
  let opened: OpenedEngine;
  let journal: JournalEngine;
  beforeEach(async () => {
    // Two hours per clock reading: jobs spread over days, and over the local midnight of UTC−6.
    let t = Date.parse("2026-11-23T14:00:00.000Z");
    const clock = () => new Date((t += 2 * 3_600_000));
    opened = await engine.open(clock);
    journal = opened.journal;
  });
  afterEach(async () => {
    await opened.done();
  });

  async function fill(): Promise<void> {
    await mark(journal, newJob({ serial: "SV26R00107", manufacturer: "Armería Centroamericana S.A." }));
    await mark(journal, newJob({ serial: "SV26R00108", manufacturer: "Armería Centroamericana S.A.", stationId: "bench-2" }), "aborted");
    await mark(journal, { ...newJob({ serial: "MX2026001", manufacturer: "Forjas Querétaro S.A." }), record: record({ serial: "MX2026001", model: "P-9 100% Acero" }), technician: "Luis Pérez" }, "interrupted");
    await mark(journal, newJob({ serial: "CO-77/12", manufacturer: "Indumil" }));
  }

  describe("search", () => {
    it("finds parts of serials by identity, newest first, with the total", async () => {
      await fill();
      const r = await journal.search({ serial: "r00" });
      expect(r.jobs.map((j) => j.serial)).toEqual(["SV26R00108", "SV26R00107"]);
      expect(r.total).toBe(2);
      // Lookalikes and case: a small letter o for a zero, a Cyrillic Ѕ (U+0405) for an S.
      expect((await journal.search({ serial: "r0o1" })).jobs.map((j) => j.serial)).toEqual(["SV26R00108", "SV26R00107"]);
      expect((await journal.search({ serial: "\u0405V26R" })).jobs.map((j) => j.serial)).toEqual(["SV26R00108", "SV26R00107"]);
      expect((await journal.search({ serial: "77/1" })).jobs.map((j) => j.serial)).toEqual(["CO-77/12"]);
      expect(await journal.search({ serial: "NOPE" })).toMatchObject({ jobs: [], total: 0 });
    });

    it("filters by maker, model, station, outcome and dates together", async () => {
      await fill();
      expect((await journal.search({ maker: "armería centro" })).total).toBe(2);
      expect((await journal.search({ maker: "ARMERÍA", station: "bench-2" })).jobs.map((j) => j.serial)).toEqual(["SV26R00108"]);
      // A model with a LIKE wildcard in it is found as text, not as a pattern.
      expect((await journal.search({ model: "100%" })).jobs.map((j) => j.serial)).toEqual(["MX2026001"]);
      expect((await journal.search({ model: "0% a" })).total).toBe(1);
      expect((await journal.search({ model: "_" })).total).toBe(0);
      expect((await journal.search({ outcome: "interrupted" })).jobs.map((j) => j.technician)).toEqual(["Luis Pérez"]);
      const all = (await journal.search({ limit: 500 })).jobs;
      const secondDay = all.filter((j) => j.createdAt >= "2026-11-24T00:00:00.000Z" && j.createdAt < "2026-11-25T00:00:00.000Z").map((j) => j.id);
      expect((await journal.search({ from: "2026-11-24", to: "2026-11-24" })).jobs.map((j) => j.id)).toEqual(secondDay);
      await expect(() => journal.search({ from: "2026-02-31" })).rejects.toThrow(/from "2026-02-31" is not a date/);
      await expect(() => journal.search({ outcome: "done" as never })).rejects.toThrow(/outcome "done"/);
    });

    it("pages through the journal, newest first", async () => {
      for (let i = 1; i <= 7; i++) await mark(journal, newJob({ serial: `PG${i}00` }));
      const first = await journal.search({ limit: 3 });
      const second = await journal.search({ limit: 3, offset: 3 });
      const last = await journal.search({ limit: 3, offset: 6 });
      expect([first.total, second.total, last.total]).toEqual([7, 7, 7]);
      expect([...first.jobs, ...second.jobs, ...last.jobs].map((j) => j.serial)).toEqual(["PG700", "PG600", "PG500", "PG400", "PG300", "PG200", "PG100"]);
      await expect(() => journal.search({ limit: 0 })).rejects.toThrow(/limit 0/);
      await expect(() => journal.search({ limit: 501 })).rejects.toThrow(/limit 501/);
      await expect(() => journal.search({ offset: -1 })).rejects.toThrow(/offset -1/);
    });

    it("lists the re-marks of a job", async () => {
      const first = await mark(journal, newJob({ serial: "RM100" }), "interrupted");
      const remark = await mark(journal, newJob({ serial: "RM100", remark: { of: first.id, reason: "power cut mid-mark, re-homed", authorisedBy: "Marta Ortiz" } }));
      expect((await journal.remarksOf(first.id)).map((j) => [j.id, j.remark?.authorisedBy])).toEqual([[remark.id, "Marta Ortiz"]]);
      expect(await journal.remarksOf(remark.id)).toEqual([]);
    });
  });

  describe("statistics", () => {
    it("counts marks per local day, station and technician, with failures, interruptions and re-marks", async () => {
      await fill();
      const first = (await journal.search({ serial: "MX2026001" })).jobs[0]!;
      await mark(journal, { ...newJob({ serial: "MX2026001", manufacturer: "Forjas Querétaro S.A." }), remark: { of: first.id, reason: "power cut mid-mark, re-homed", authorisedBy: "Marta Ortiz" } });
      const rows = (await journal.search({ limit: 500 })).jobs;
      const s = await journal.statistics({}, "America/El_Salvador");
      expect(s.totals).toEqual({ jobs: 5, completed: 3, failed: 0, aborted: 1, interrupted: 1, open: 0, remarks: 1 });
      // Days as the station counts them, UTC−6: what the page shows under each date.
      const expected = new Map<string, number>();
      for (const j of rows) expected.set(localDay(j.createdAt, "America/El_Salvador"), (expected.get(localDay(j.createdAt, "America/El_Salvador")) ?? 0) + 1);
      expect(s.days.map((d) => [d.day, d.jobs])).toEqual([...expected].sort());
      expect(localDay("2026-11-24T03:00:00.000Z", "America/El_Salvador")).toBe("2026-11-23");
      expect(s.stations.map((x) => [x.station, x.jobs])).toEqual([
        ["bench-1", 4],
        ["bench-2", 1],
      ]);
      expect(s.technicians.find((t) => t.technician === "Luis Pérez")).toMatchObject({ jobs: 1, interrupted: 1 });
      expect((await journal.statistics({ from: "2030-01-01" }, "UTC")).totals.jobs).toBe(0);
    });
  });

  describe("the next number of a series", () => {
    it("is the one reserveNext hands out, and peeking takes nothing", async () => {
      await journal.createSeries({ id: "sv", pattern: "SV{yy}R{counter:5}", start: 107, end: 110, createdBy: "M. Ortiz" });
      const now = new Date("2026-11-23T12:00:00Z");
      expect(await journal.peekNext("sv", now)).toEqual({ number: 107, serial: "SV26R00107" });
      expect(await journal.peekNext("sv", now)).toEqual({ number: 107, serial: "SV26R00107" });
      expect((await journal.reserveNext("sv", now)).serial).toBe("SV26R00107");
      expect((await journal.peekNext("sv", now))?.serial).toBe("SV26R00108");
      await journal.releaseReservation("sv", 107, { operator: "M. Ortiz", reason: "blank scrapped before marking" });
      expect((await journal.peekNext("sv", now))?.serial).toBe("SV26R00107");
      for (let i = 0; i < 4; i++) await journal.reserveNext("sv", now);
      expect(await journal.peekNext("sv", now)).toBeUndefined();
    });
  });

  describe("CSV for a spreadsheet in Spanish", () => {
    it("separates with ; and starts with a byte-order mark when asked", async () => {
      const job = await mark(journal, { ...newJob({ serial: "MX2026001" }), record: record({ serial: "MX2026001", caliber: "5,56×45 mm" }) });
      const csv = jobsToCsv([job], { delimiter: ";", bom: true });
      expect(csv.startsWith("\uFEFFjobId;serial;")).toBe(true);
      // A field holding the separator is quoted; a comma alone no longer needs it.
      expect(csv).toContain(";5,56×45 mm;");
      expect(jobsToCsv([job])).toContain(',"5,56×45 mm",');
      expect(jobsToCsv([{ ...job, technician: "Ruiz; Ana" }], { delimiter: ";" })).toContain(';"Ruiz; Ana";');
    });
  });
});
