import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { mark, PG_URL, pgSchema, rejection } from "./engines.ts";
import { newJob, record } from "./helpers.ts";
import { TcpProxy } from "../server/tcp-proxy.ts";

describe.skipIf(!PG_URL)("a station whose link to the registry drops", () => {
  let db: Awaited<ReturnType<typeof pgSchema>>;
  let relay: TcpProxy;
  let url: string;
  beforeEach(async () => {
    db = await pgSchema();
    const target = new URL(PG_URL!);
    relay = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    url = relay.urlFor(PG_URL!);
  });
  afterEach(async () => {
    await relay.close();
    await db.drop();
  });

  it("writes nothing while it cannot reach the registry, says E_REGISTRY_UNREACHABLE, and goes on when the link returns", async () => {
    const station = new PgJournal({ url, schema: db.schema, stationId: "armoury_1", reconnectMs: 1_500 });
    await station.open();
    const first = await mark(station, newJob({ serial: "LK1", stationId: "armoury_1" }));
    relay.cut();
    const e = await rejection(() => station.createJob(newJob({ serial: "LK2", stationId: "armoury_1" })));
    expect(e.code).toBe("E_REGISTRY_UNREACHABLE");
    expect(e.message).toContain("nothing was written; no serial can be checked until it answers");
    const password = decodeURIComponent(new URL(PG_URL!).password);
    if (password) expect(e.message).not.toContain(`:${password}@`);
    relay.restore();
    // the serial the failed write asked for is free: nothing of it reached the registry
    const again = await mark(station, newJob({ serial: "LK2", stationId: "armoury_1" }));
    expect(again.outcome).toBe("completed");
    expect((await station.jobs()).map((j) => [j.id, j.serial])).toEqual([
      [first.id, "LK1"],
      [again.id, "LK2"],
    ]);
    await station.close();
  });

  it("rides out a short cut: the write waits for the link and is made once", async () => {
    const station = new PgJournal({ url, schema: db.schema, stationId: "armoury_1", reconnectMs: 20_000 });
    await station.open();
    relay.cut();
    const pending = station.createJob(newJob({ serial: "LK3", stationId: "armoury_1" }));
    await new Promise((r) => setTimeout(r, 700));
    relay.restore();
    const job = await pending;
    expect(job.outcome).toBe("pending");
    expect((await station.find("LK3")).map((j) => j.id)).toEqual([job.id]);
    await station.close();
  });

  it("finds its own job, not a second one, when the answer to its COMMIT was lost", async () => {
    const station = new PgJournal({ url, schema: db.schema, stationId: "armoury_1", reconnectMs: 20_000 });
    await station.open();
    await station.createSeries({ id: "nat", pattern: "NA{counter:5}", start: 1, end: 99, createdBy: "M. Ortiz" });
    relay.dropOnCommit = true;
    const n = await station.reserveNext("nat", new Date("2026-06-01T00:00:00Z"));
    expect(relay.commitsDropped).toBe(1);
    relay.dropOnCommit = true;
    const job = await station.createJob({ ...newJob({ stationId: "armoury_1" }), record: record({ serial: n.serial }), seriesNumber: { seriesId: "nat", number: n.number } });
    expect(relay.commitsDropped).toBe(2);
    // one reservation, one job: the retries found what the lost COMMITs had written
    expect((await station.numbers("nat")).map((x) => [x.number, x.state, x.jobId])).toEqual([[1, "reserved", job.id]]);
    expect((await station.jobs()).map((j) => j.serial)).toEqual(["NA00001"]);
    relay.dropOnCommit = true;
    await station.startJob(job.id);
    relay.dropOnCommit = true;
    const done = await station.endJob(job.id, { outcome: "completed" });
    expect(relay.commitsDropped).toBe(4);
    expect(done.outcome).toBe("completed");
    expect((await station.series("nat")).counts).toMatchObject({ committed: 1, reserved: 0 });
    await station.close();
  });
});
