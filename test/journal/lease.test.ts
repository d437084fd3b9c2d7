import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OfflineJob } from "../../src/journal/lease.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { PG_URL, pgSchema, rejection } from "./engines.ts";
import { newJob, record, steppingClock } from "./helpers.ts";

/**
 * Leases on the PostgreSQL registry (src/journal/lease.ts): a block of series numbers
 * reserved to one station beforehand, for it to mark while it cannot reach the registry, and
 * the upload of what it marked then — exactly once, never refused, conflicts entered for an
 * operator. (An embedded SQLite journal is on the bench itself: it cannot be out of reach.)
 */
const JUNE_2026 = new Date("2026-06-01T00:00:00Z");
const GRANT = { operator: "M. Ortiz", reason: "customs post 2 goes off-line on Fridays" };

describe.skipIf(!PG_URL)("leases and offline uploads (PostgreSQL)", () => {
  let drop: () => Promise<void>;
  const opened: PgJournal[] = [];
  const station = async (id: string) => {
    const j = new PgJournal({ url: PG_URL!, schema, stationId: id, clock: steppingClock(), reconnectMs: 2000 });
    opened.push(j);
    await j.open();
    return j;
  };
  let schema: string;
  let armoury: PgJournal;
  let customs: PgJournal;

  beforeEach(async () => {
    ({ schema, drop } = await pgSchema());
    armoury = await station("armoury_1");
    customs = await station("customs_2");
    await armoury.createSeries({ id: "nat", pattern: "NA{counter:5}", start: 1, end: 99999, createdBy: "M. Ortiz" });
  });
  afterEach(async () => {
    for (const j of opened.splice(0)) if (j.isOpen) await j.close();
    await drop();
  });

  const offline = ({ serial, number, ...over }: Partial<OfflineJob> & { serial: string; number: number; key: string }): OfflineJob => ({
    job: { ...newJob({ stationId: "customs_2" }), record: record({ serial }), seriesNumber: { seriesId: "nat", number } },
    createdAt: "2026-11-23T11:00:00.000Z",
    startedAt: "2026-11-23T11:00:01.000Z",
    endedAt: "2026-11-23T11:00:40.000Z",
    end: { outcome: "completed", progress: { ackedLine: 120, executedLine: 120, strikesDone: 480 } },
    ...over,
  });

  it("reserves a block to one station: no other station draws its numbers", async () => {
    const lease = await customs.leaseNumbers("nat", { size: 5, hours: 48, ...GRANT }, JUNE_2026);
    expect(lease.numbers.map((n) => n.serial)).toEqual(["NA00001", "NA00002", "NA00003", "NA00004", "NA00005"]);
    expect(lease).toMatchObject({ stationId: "customs_2", seriesId: "nat", createdBy: "M. Ortiz", used: 0, expiresAt: expect.stringMatching(/^2026-11-2/) });
    const drawn = await armoury.reserveNext("nat", JUNE_2026);
    expect(drawn.serial, "the armoury draws past the lease").toBe("NA00006");
    expect((await armoury.leases({ stationId: "customs_2", open: true })).map((l) => l.id)).toEqual([lease.id]);
    const events = await armoury.events({ seriesId: "nat" });
    expect(events.find((e) => e.kind === "lease-granted")?.reason).toMatch(/^5 numbers to station customs_2 until .*: customs post 2 goes off-line on Fridays$/);
  });

  it("refuses bad terms, naming the field, and changes nothing", async () => {
    expect(await rejection(() => customs.leaseNumbers("nat", { size: 0, hours: 8, ...GRANT }, JUNE_2026))).toMatchObject({ code: "E_JOURNAL", where: "size" });
    expect(await rejection(() => customs.leaseNumbers("nat", { size: 5, hours: 0, ...GRANT }, JUNE_2026))).toMatchObject({ code: "E_JOURNAL", where: "hours" });
    expect(await rejection(() => customs.leaseNumbers("nat", { size: 5, hours: 8, operator: "M. Ortiz", reason: "short" }, JUNE_2026))).toMatchObject({ code: "E_JOURNAL", where: "reason" });
    const small = await armoury.createSeries({ id: "small", pattern: "SM{counter:2}", start: 1, end: 3, createdBy: "M. Ortiz" });
    expect(small.nextNumber).toBe(1);
    expect(await rejection(() => customs.leaseNumbers("small", { size: 4, hours: 8, ...GRANT }, JUNE_2026))).toMatchObject({ code: "E_SERIES_EXHAUSTED", where: "size", details: { left: 3 } });
    expect((await armoury.series("small")).nextNumber, "nothing taken").toBe(1);
    expect(await armoury.leases()).toEqual([]);
  });

  it("enters what a station marked while cut off exactly once, binding and committing its number", async () => {
    const lease = await customs.leaseNumbers("nat", { size: 3, hours: 48, ...GRANT }, JUNE_2026);
    const job = offline({ key: "customs_2:offline:0001", serial: lease.numbers[0]!.serial, number: lease.numbers[0]!.number });
    const first = await customs.uploadOffline(job);
    expect(first).toMatchObject({ already: false, conflicts: [] });
    expect(first.job).toMatchObject({ outcome: "completed", serial: "NA00001", stationId: "customs_2", seriesNumber: { seriesId: "nat", number: 1 }, createdAt: job.createdAt, endedAt: job.endedAt });
    expect(first.job.note).toMatch(/marked while station customs_2 was cut off from the registry; uploaded /);
    // The answer was lost, the station restarted: it uploads again and finds its row.
    const again = await customs.uploadOffline(job);
    expect(again).toMatchObject({ already: true, job: { id: first.job.id } });
    expect((await armoury.find("NA00001")).map((j) => j.id), "one job, not two").toEqual([first.job.id]);
    expect((await armoury.numbers("nat", "committed")).map((n) => n.number)).toEqual([1]);
    // And the serial rule holds across stations for it from now on.
    expect(await rejection(() => armoury.createJob({ ...newJob({ stationId: "armoury_1" }), record: record({ serial: "NA00001" }) }))).toMatchObject({ code: "E_SERIAL_DUPLICATE" });
  });

  it("never refuses a job that happened on the metal: a number not leased to the station is entered with the conflict for an operator", async () => {
    await customs.leaseNumbers("nat", { size: 2, hours: 48, ...GRANT }, JUNE_2026);
    const other = await armoury.reserveNext("nat", JUNE_2026);
    const up = await customs.uploadOffline(offline({ key: "customs_2:offline:0002", serial: other.serial, number: other.number }));
    expect(up.conflicts.join("; ")).toMatch(/not leased to station customs_2/);
    expect(up.job.note).toMatch(/CONFLICT, for an operator to settle: .*not leased to station customs_2/);
    expect(up.job.seriesNumber, "the armoury's number is not taken over").toBeUndefined();
    expect((await armoury.events({ jobId: up.job.id })).map((e) => e.kind)).toEqual(["offline-upload", "offline-conflict"]);
    expect(await rejection(() => customs.uploadOffline({ ...offline({ key: "customs_2:offline:0003", serial: "NA00001", number: 1 }), job: { ...offline({ key: "x", serial: "NA00001", number: 1 }).job, stationId: "armoury_1" } }))).toMatchObject({
      code: "E_JOURNAL",
      where: "job.stationId",
    });
  });

  it("returns a lease: the numbers no job took are released and drawn again first; the taken ones stay", async () => {
    const lease = await customs.leaseNumbers("nat", { size: 3, hours: 48, ...GRANT }, JUNE_2026);
    await customs.uploadOffline(offline({ key: "customs_2:offline:0004", serial: "NA00002", number: 2 }));
    const back = await customs.returnLease(lease.id, { operator: "station customs_2", reason: "back on line: numbers not used are handed back" });
    expect(back).toMatchObject({ used: 1, returned: { by: "station customs_2" } });
    expect((await armoury.numbers("nat", "released")).map((n) => n.number)).toEqual([1, 3]);
    expect((await armoury.reserveNext("nat", JUNE_2026)).number).toBe(1);
    expect(await rejection(() => customs.returnLease(lease.id, { operator: "M. Ortiz", reason: "returned twice by mistake" }))).toMatchObject({ code: "E_JOURNAL", where: "leaseId" });
  });
});
