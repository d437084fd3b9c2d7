import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import type { Head } from "../../src/job/head.ts";
import type { JobView } from "../../src/job/view.ts";
import { CutOffJournal, type CutOffState } from "../../src/journal/cut-off.ts";
import { Outbox } from "../../src/journal/outbox.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import type { Station } from "../../src/profile/station.ts";
import { buildServer } from "../../src/server/app.ts";
import { benchStation, exampleRecord, MARKED_AT, simHead, tempDir, waitFor } from "../job/helpers.ts";
import { PG_URL, pgSchema } from "../journal/engines.ts";
import { TcpProxy } from "./tcp-proxy.ts";

/**
 * A station cut off from its registry (docs/REGISTRY.md, "Outages"): the station service on a
 * CutOffJournal, its registry behind a TCP proxy the test cuts. Cut off, it refuses typed
 * serials and marks series numbers from the lease it was granted beforehand; when the
 * registry answers again, what it marked arrives, once.
 */
if (!PG_URL) console.warn("PEENMARK_TEST_PG is unset: the cut-off station tests are skipped");

const opened: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close().catch(() => undefined);
});

const STATION = "customs-2";
const GRANT = { operator: "Marta Ortiz", reason: "the customs post loses its line on Fridays" };

async function setUp() {
  const db = await pgSchema();
  opened.push({ close: db.drop });
  const target = new URL(PG_URL!);
  const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  opened.push({ close: () => proxy.close() });
  const owner = new PgJournal({ url: PG_URL!, schema: db.schema, reconnectMs: 2_000 });
  await owner.open();
  opened.push({ close: () => owner.close() });
  await owner.createSeries({ id: "nat", pattern: "RX{yy}{counter:5}", start: 1, end: 99999, createdBy: "Marta Ortiz" });
  const lease = await owner.leaseNumbers("nat", { stationId: STATION, size: 3, hours: 24, ...GRANT }, MARKED_AT);

  const bench = benchStation();
  const station: Station = { ...bench, id: STATION };
  let bytes = "";
  const head: Head = await simHead(station, undefined, undefined, undefined, {
    inbound: (byte) => {
      bytes += String.fromCharCode(byte);
      return byte;
    },
  });
  const tmp = tempDir("peenmark-cutoff-");
  const registry = new PgJournal({ url: proxy.urlFor(PG_URL!), schema: db.schema, stationId: STATION, reconnectMs: 500, queryTimeoutMs: 700, sideFile: join(tmp.dir, `registry-${STATION}`) });
  const journal = new CutOffJournal(registry, new Outbox(join(tmp.dir, `outbox-${STATION}.db`), STATION, { clock: () => MARKED_AT }), { clock: () => MARKED_AT, probeMs: 200 });
  const app: FastifyInstance = await buildServer({ dataDir: tmp.dir, station, head, logger: false, clock: () => MARKED_AT, progressEveryMs: 20, journal });
  opened.push({
    close: async () => {
      await app.close();
      tmp.cleanup();
    },
  });
  return { owner, proxy, app, lease, received: () => bytes };
}

const stationState = async (app: FastifyInstance) => (await app.inject({ method: "GET", url: "/api/station" })).json<{ journal: { cutOff?: CutOffState } }>().journal.cutOff!;
const post = (app: FastifyInstance, url: string, payload: unknown) => app.inject({ method: "POST", url, payload: payload as Record<string, unknown> });
const record = { ...exampleRecord("us-receiver"), model: "RX-9", caliber: "9MM" };

describe.skipIf(!PG_URL)("a station cut off from its registry (PostgreSQL)", () => {
  it("marks series numbers from its lease, refuses typed serials, and everything it marked reaches the registry once it answers", { timeout: 120_000 }, async () => {
    const { owner, proxy, app, lease } = await setUp();
    expect(await stationState(app)).toEqual({ cutOff: false, leases: [{ leaseId: lease.id, seriesId: "nat", expiresAt: lease.expiresAt, left: 3 }], waiting: 0 });

    proxy.cut();
    await expect.poll(async () => (await stationState(app)).cutOff, { timeout: 10_000 }).toBe(true);

    const typed = await post(app, "/api/jobs", { profileId: "us-receiver", record: { ...record, serial: "RX2600777" }, technician: "Ana Núñez" });
    expect(typed.statusCode, typed.body).toBe(503);
    expect(typed.json().error.code).toBe("E_REGISTRY_UNREACHABLE");
    expect(typed.json().error.message).toMatch(/typed serial cannot be checked against the other stations; while cut off this station marks only series numbers it holds a lease of \(series "nat": 3 left until /);

    const marked: JobView[] = [];
    for (let i = 0; i < 2; i++) {
      const fromSeries: Record<string, unknown> = { ...record };
      delete fromSeries.serial;
      const r = await post(app, "/api/jobs", { profileId: "us-receiver", series: "nat", record: fromSeries, technician: "Ana Núñez" });
      expect(r.statusCode, r.body).toBe(201);
      const id = r.json<{ job: JobView }>().job.id;
      expect(id, "a job number of the station's own while cut off").toBeLessThan(0);
      marked.push(await waitFor<JobView>(app.peenmark.runner, (v) => v.id === id && ["completed", "aborted", "interrupted", "failed"].includes(v.state), 60_000));
    }
    expect(marked.map((v) => [v.serial, v.state])).toEqual([
      [lease.numbers[0]!.serial, "completed"],
      [lease.numbers[1]!.serial, "completed"],
    ]);
    expect(await stationState(app)).toMatchObject({ cutOff: true, leases: [{ seriesId: "nat", left: 1 }], waiting: 2 });

    proxy.restore();
    await expect.poll(async () => await stationState(app), { timeout: 15_000 }).toMatchObject({ cutOff: false, waiting: 0 });
    const inRegistry = await owner.jobs();
    expect(inRegistry.map((j) => [j.serial, j.outcome, j.stationId])).toEqual([
      [lease.numbers[0]!.serial, "completed", STATION],
      [lease.numbers[1]!.serial, "completed", STATION],
    ]);
    expect(inRegistry.every((j) => /marked while station customs-2 was cut off from the registry/.test(j.note ?? ""))).toBe(true);
    expect((await owner.numbers("nat", "committed")).map((n) => n.number)).toEqual([lease.numbers[0]!.number, lease.numbers[1]!.number]);
    // More probes find nothing more to send: exactly once.
    await new Promise((r) => setTimeout(r, 700));
    expect((await owner.jobs()).length).toBe(2);
    // Back on line: typed serials again, checked against every station.
    const again = await post(app, "/api/jobs", { profileId: "us-receiver", record: { ...record, serial: lease.numbers[0]!.serial }, technician: "Ana Núñez" });
    expect(again.json().error?.code, again.body).toBe("E_SERIAL_DUPLICATE");
  });
});
