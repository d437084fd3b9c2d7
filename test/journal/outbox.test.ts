import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CRASHED_OFFLINE_NOTE, Outbox } from "../../src/journal/outbox.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { PG_URL, pgSchema, rejection } from "./engines.ts";
import { newJob, record, steppingClock } from "./helpers.ts";
import { TcpProxy } from "../server/tcp-proxy.ts";

/**
 * A station cut off from its registry (src/journal/outbox.ts): it marks only numbers of its
 * leases, before they expire, keeps every job on its own disk before the first byte goes to the
 * head, and when the registry answers again sends them in the order marked, exactly once.
 */
const JUNE_2026 = new Date("2026-06-01T00:00:00Z");
const NOW = new Date("2026-11-23T12:00:00Z");
const GRANT = { operator: "M. Ortiz", reason: "customs post 2 goes off-line on Fridays" };

describe.skipIf(!PG_URL)("the station's outbox while cut off from the registry (PostgreSQL)", () => {
  let schema: string;
  let drop: () => Promise<void>;
  let dir: string;
  const closers: (() => unknown)[] = [];
  let registry: PgJournal;

  beforeEach(async () => {
    ({ schema, drop } = await pgSchema());
    dir = mkdtempSync(join(tmpdir(), "peenmark-outbox-"));
    registry = new PgJournal({ url: PG_URL!, schema, stationId: "customs_2", clock: steppingClock(), reconnectMs: 2000 });
    await registry.open();
    closers.push(() => registry.close());
    await registry.createSeries({ id: "nat", pattern: "NA{counter:5}", start: 1, end: 99999, createdBy: "M. Ortiz" });
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const outbox = () => {
    const o = new Outbox(join(dir, "outbox.db"), "customs_2", { clock: () => NOW });
    closers.push(() => o.close());
    return o;
  };

  /** What the runner does while cut off: take a leased number, keep the job, mark, keep its end. */
  function markCutOff(box: Outbox, outcome: "completed" | "aborted" | "crash") {
    const key = box.newKey();
    const n = box.takeNumber("nat", key);
    const job = { ...newJob({ stationId: "customs_2" }), record: record({ serial: n.serial }), seriesNumber: { seriesId: "nat", number: n.number } };
    box.begin(key, job);
    box.started(key);
    box.progress(key, { ackedLine: 60, executedLine: 58, strikesDone: 200 });
    if (outcome !== "crash") box.end(key, { outcome, progress: { ackedLine: 120, executedLine: 120, strikesDone: outcome === "completed" ? 480 : 200 } });
    return { key, serial: n.serial };
  }

  it("marks only leased numbers, in order, until none is left or the lease expires", async () => {
    const box = outbox();
    expect(await rejection(() => box.takeNumber("nat", box.newKey())), "no lease: nothing to mark from").toMatchObject({ code: "E_REGISTRY_UNREACHABLE", where: "series" });
    const lease = await registry.leaseNumbers("nat", { size: 3, hours: 3, ...GRANT }, JUNE_2026);
    box.keepLeases(await registry.leases({ stationId: "customs_2", open: true }));
    expect(box.leasesLeft()).toEqual([{ leaseId: lease.id, seriesId: "nat", expiresAt: lease.expiresAt, left: 3 }]);
    expect(markCutOff(box, "completed").serial).toBe("NA00001");
    expect(markCutOff(box, "completed").serial).toBe("NA00002");
    const late = new Date(Date.parse(lease.expiresAt) + 1000);
    expect(box.leasesLeft(late), "a lease past its expiry offers nothing").toEqual([]);
    expect(await rejection(() => box.takeNumber("nat", box.newKey(), late))).toMatchObject({ code: "E_REGISTRY_UNREACHABLE" });
    expect(markCutOff(box, "completed").serial).toBe("NA00003");
    expect((await rejection(() => box.takeNumber("nat", box.newKey()))).message).toMatch(/no leased number of series "nat" left/);
    // Returned in the registry (an operator took it back): the station no longer marks from it.
    await registry.returnLease(lease.id, { operator: "M. Ortiz", reason: "the post is back on line for good" });
    box.keepLeases(await registry.leases({ stationId: "customs_2", open: true }));
    expect(box.leasesLeft()).toEqual([]);
  });

  it("uploads in the order marked, exactly once, a crashed job as interrupted; a registry still away keeps them", async () => {
    await registry.leaseNumbers("nat", { size: 3, hours: 24, ...GRANT }, JUNE_2026);
    let box = outbox();
    box.keepLeases(await registry.leases({ stationId: "customs_2", open: true }));
    const a = markCutOff(box, "completed");
    const b = markCutOff(box, "aborted");
    const c = markCutOff(box, "crash");
    box.close();
    box = outbox(); // the service restarted: the outbox is on the disk

    // The link to the registry is still down.
    const target = new URL(PG_URL!);
    const relay = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    closers.push(() => relay.close());
    const away = new PgJournal({ url: relay.urlFor(PG_URL!), schema, stationId: "customs_2", reconnectMs: 300 });
    await away.open();
    closers.push(() => away.close());
    relay.cut();
    expect(await rejection(() => box.upload(away))).toMatchObject({ code: "E_REGISTRY_UNREACHABLE" });
    expect(box.pending().map((o) => o.key)).toEqual([a.key, b.key, c.key]);

    relay.restore();
    const sent = await box.upload(away);
    expect(sent).toEqual({ uploaded: 3, already: 0, conflicts: [] });
    expect(box.pending()).toEqual([]);
    expect((await box.upload(registry)).uploaded, "nothing twice").toBe(0);
    const rows = (await registry.jobs()).map((j) => ({ serial: j.serial, outcome: j.outcome }));
    expect(rows).toEqual([
      { serial: a.serial, outcome: "completed" },
      { serial: b.serial, outcome: "aborted" },
      { serial: c.serial, outcome: "interrupted" },
    ]);
    const crashed = (await registry.find(c.serial))[0]!;
    expect(crashed.note).toContain(CRASHED_OFFLINE_NOTE);
    expect(crashed.progress.strikesDone, "as far as the outbox knew").toBe(200);
    // The crashed job's serial is held across every station, as any interrupted job's.
    const other = new PgJournal({ url: PG_URL!, schema, stationId: "armoury_1", clock: steppingClock(), reconnectMs: 2000 });
    await other.open();
    closers.push(() => other.close());
    expect(await rejection(() => other.createJob({ ...newJob({ stationId: "armoury_1" }), record: record({ serial: c.serial }) }))).toMatchObject({ code: "E_SERIAL_RESERVED" });
    expect(await rejection(() => other.createJob({ ...newJob({ stationId: "armoury_1" }), record: record({ serial: a.serial }) }))).toMatchObject({ code: "E_SERIAL_DUPLICATE" });
  });

  it("does not upload a job it is still marking when the registry comes back: it goes, with its real end, once it has ended", async () => {
    await registry.leaseNumbers("nat", { size: 2, hours: 24, ...GRANT }, JUNE_2026);
    const box = outbox();
    box.keepLeases(await registry.leases({ stationId: "customs_2", open: true }));
    const done = markCutOff(box, "completed");
    const key = box.newKey();
    const n = box.takeNumber("nat", key);
    box.begin(key, { ...newJob({ stationId: "customs_2" }), record: record({ serial: n.serial }), seriesNumber: { seriesId: "nat", number: n.number } });
    box.started(key);
    expect(await box.upload(registry), "the registry is back mid-job: the finished one goes").toMatchObject({ uploaded: 1 });
    expect((await registry.jobs()).map((j) => j.serial)).toEqual([done.serial]);
    box.end(key, { outcome: "completed", progress: { ackedLine: 120, executedLine: 120, strikesDone: 480 } });
    expect(await box.upload(registry)).toMatchObject({ uploaded: 1 });
    expect((await registry.jobs()).map((j) => [j.serial, j.outcome])).toEqual([
      [done.serial, "completed"],
      [n.serial, "completed"],
    ]);
  });
});
