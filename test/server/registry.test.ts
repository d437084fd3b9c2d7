import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import type { Head } from "../../src/job/head.ts";
import type { JobView } from "../../src/job/view.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import type { Station } from "../../src/profile/station.ts";
import { buildServer } from "../../src/server/app.ts";
import { benchStation, exampleRecord, MARKED_AT, simHead, tempDir, waitFor } from "../job/helpers.ts";
import { PG_URL, pgSchema } from "../journal/engines.ts";
import { newJob } from "../journal/helpers.ts";
import { TcpProxy } from "./tcp-proxy.ts";

/**
 * Stations marking against one PostgreSQL registry: each its own service, head and data dir,
 * all on one schema of the test server. Skipped, and said so, without PEENMARK_TEST_PG.
 */
if (!PG_URL) console.warn("PEENMARK_TEST_PG is unset: the stations-on-a-registry tests are skipped (set it to postgres://user:password@127.0.0.1:5432/db to run them)");

interface StationOnRegistry {
  readonly id: string;
  readonly app: FastifyInstance;
  readonly head: Head;
  readonly dir: string;
  /** What reached the head's controller (the simulated head in this process sees every byte). */
  received(): string;
  close(): Promise<void>;
}

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close().catch(() => undefined);
});

/** A station service on the registry `url` (schema `schema`), with its own simulated head and data dir. */
async function stationOn(url: string, schema: string, id: string, over: { journalStallTimeout?: number; reconnectMs?: number; queryTimeoutMs?: number; simSpeed?: number } = {}): Promise<StationOnRegistry> {
  const bench = benchStation();
  const station: Station = { ...bench, id, controller: { ...bench.controller, journalStallTimeout: over.journalStallTimeout ?? bench.controller.journalStallTimeout } };
  let bytes = "";
  const head = await simHead(station, over.simSpeed, undefined, undefined, {
    inbound: (byte) => {
      bytes += String.fromCharCode(byte);
      return byte;
    },
  });
  const tmp = tempDir("peenmark-registry-");
  const journal = new PgJournal({ url, schema, stationId: id, reconnectMs: over.reconnectMs ?? 2_000, queryTimeoutMs: over.queryTimeoutMs ?? 2_000, sideFile: join(tmp.dir, `registry-${id}`) });
  const app = await buildServer({ dataDir: tmp.dir, station, head, logger: false, clock: () => MARKED_AT, progressEveryMs: 20, journal }).catch(async (e: unknown) => {
    await head.close();
    tmp.cleanup();
    throw e;
  });
  const s: StationOnRegistry = {
    id,
    app,
    head,
    dir: tmp.dir,
    received: () => bytes,
    async close() {
      await app.close();
      tmp.cleanup();
    },
  };
  opened.push(s);
  return s;
}

async function schemaOnTestServer() {
  const s = await pgSchema();
  opened.push({ close: s.drop });
  return s.schema;
}

/** A registry connection of the test's own, to read what the stations wrote. */
async function reader(url: string, schema: string): Promise<PgJournal> {
  const j = new PgJournal({ url, schema, reconnectMs: 2_000 });
  await j.open();
  opened.unshift({ close: () => j.close() }); // closed after the stations, before the schema goes
  return j;
}

const ENDED = ["completed", "aborted", "interrupted", "failed"];
const ended = (s: StationOnRegistry, id: number) => waitFor<JobView>(s.app.peenmark.runner, (v) => v.id === id && ENDED.includes(v.state), 60_000);
const post = (s: StationOnRegistry, url: string, payload: unknown) => s.app.inject({ method: "POST", url, payload: payload as Record<string, unknown> });
/** slide-5x7 strikes in dot mode only: every strike the journal counts is one strike of the simulated pin. */
const markBody = (serial: string) => ({ profileId: "slide-5x7", record: { ...exampleRecord("slide-5x7"), serial }, technician: "Ana Núñez" });
/** What reached the head besides status queries (`?`, the real-time byte the station polls with while idle). */
const sentSince = (s: StationOnRegistry, from: number) => s.received().slice(from).replaceAll("?", "");
/** Lines of a program reached the head (its header comment names the job). */
const programSent = (s: StationOnRegistry) => s.received().includes("(peenmark job=");

describe.skipIf(!PG_URL)("stations marking against one registry (PostgreSQL)", () => {
  it("two stations, one free-typed serial: exactly one marks it, the other is refused before its head hears a line of the program", async () => {
    const schema = await schemaOnTestServer();
    const a = await stationOn(PG_URL!, schema, "armoury-1");
    const b = await stationOn(PG_URL!, schema, "customs-2");

    const [ra, rb] = await Promise.all([post(a, "/api/jobs", markBody("RG2026A00001")), post(b, "/api/jobs", markBody("RG2026A00001"))]);
    const results = [
      { s: a, r: ra },
      { s: b, r: rb },
    ];
    const won = results.filter((x) => x.r.statusCode === 201);
    const lost = results.filter((x) => x.r.statusCode !== 201);
    expect(won.map((x) => x.s.id), `${ra.body}\n${rb.body}`).toHaveLength(1);
    const winner = won[0]!.s;
    const loser = lost[0]!.s;
    // The winner's job is pending or marking: the serial is held, not yet marked.
    expect(lost[0]!.r.statusCode).toBe(409);
    expect(lost[0]!.r.json().error.code).toBe("E_SERIAL_RESERVED");
    const job = won[0]!.r.json<{ job: JobView }>().job;
    expect(job.stationId).toBe(winner.id);
    expect((await ended(winner, job.id)).state).toBe("completed");

    // Marked now: the other station is told it is a duplicate, and sends nothing at all.
    const before = loser.received().length;
    const again = await post(loser, "/api/jobs", markBody("RG2026A00001"));
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().error.code).toBe("E_SERIAL_DUPLICATE");
    expect(sentSince(loser, before)).toBe("");
    expect(programSent(loser)).toBe(false);
    expect((await loser.head.sim!.snapshot()).strikes).toHaveLength(0);
    expect((await winner.head.sim!.snapshot()).strikes.length).toBeGreaterThan(0);

    // One registry: both stations' journals show the one job, with the station that marked it.
    const seen = await loser.app.inject({ method: "GET", url: "/api/journal?serial=RG2026A00001" });
    expect(seen.json<{ jobs: JobView[] }>().jobs.map((j) => [j.id, j.state, j.stationId])).toEqual([[job.id, "completed", winner.id]]);
    const rows = await (await reader(PG_URL!, schema)).find("RG2026A00001");
    expect(rows.map((r) => [r.outcome, r.stationId])).toEqual([["completed", winner.id]]);
  });

  it("two stations drawing from one series never draw the same number, and each job says which station marked it", async () => {
    const schema = await schemaOnTestServer();
    const a = await stationOn(PG_URL!, schema, "armoury-1");
    const b = await stationOn(PG_URL!, schema, "customs-2");
    const made = await post(a, "/api/series", { id: "nat", pattern: "RX{yy}{counter:5}", start: 1, end: 99999, operator: "Marta Ortiz" });
    expect(made.statusCode, made.body).toBe(201);
    // The other station sees the series the first defined: it is the registry's.
    expect((await b.app.inject({ method: "GET", url: "/api/series" })).json<{ series: { id: string }[] }>().series.map((s) => s.id)).toEqual(["nat"]);

    const { serial: _none, ...record } = exampleRecord("us-receiver");
    const markFromSeries = async (s: StationOnRegistry, n: number) => {
      const jobs: JobView[] = [];
      for (let i = 0; i < n; i++) {
        const r = await post(s, "/api/jobs", { profileId: "us-receiver", series: "nat", record, technician: "Ana Núñez" });
        expect(r.statusCode, r.body).toBe(201);
        const started = r.json<{ job: JobView }>().job;
        const end = await ended(s, started.id);
        expect(end.state, end.outcome?.message).toBe("completed");
        jobs.push(end);
      }
      return jobs;
    };
    const [fromA, fromB] = await Promise.all([markFromSeries(a, 3), markFromSeries(b, 3)]);
    const all = [...fromA, ...fromB];
    const serials = all.map((j) => j.serial);
    expect(new Set(serials).size, serials.join(" ")).toBe(6);
    expect(fromA.every((j) => j.stationId === "armoury-1")).toBe(true);
    expect(fromB.every((j) => j.stationId === "customs-2")).toBe(true);

    const registry = await reader(PG_URL!, schema);
    const numbers = await registry.numbers("nat");
    expect(numbers.map((n) => n.state)).toEqual(Array(6).fill("committed"));
    expect(numbers.map((n) => n.number).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(numbers.map((n) => n.serial))).toEqual(new Set(serials));
    // Every number bound to the job (and the station) that struck it.
    for (const n of numbers) {
      const j = await registry.job(n.jobId!);
      expect(j.serial).toBe(n.serial);
      expect(all.find((v) => v.id === j.id)?.stationId).toBe(j.stationId);
    }
  });

  it("a registry that cannot be reached: the station says so, refuses the mark with E_REGISTRY_UNREACHABLE naming it, and its head hears nothing", async () => {
    const schema = await schemaOnTestServer();
    const proxy = await TcpProxy.start({ host: new URL(PG_URL!).hostname, port: Number(new URL(PG_URL!).port || 5432) });
    opened.push(proxy);
    const s = await stationOn(proxy.urlFor(PG_URL!), schema, "armoury-1", { reconnectMs: 500 });
    const station = await s.app.inject({ method: "GET", url: "/api/station" });
    expect(station.json().journal).toMatchObject({ kind: "postgres", recording: true });
    expect(station.json().journal.where).not.toContain("peenmark_test@"); // the password is never shown…
    expect(station.json().journal.where).toContain("***"); // …only that there is one

    proxy.cut();
    const before = s.received().length;
    const r = await post(s, "/api/jobs", markBody("RG2026A00002"));
    expect(r.statusCode, r.body).toBe(503);
    const error = r.json().error as { code: string; message: string; where: string };
    expect(error.code).toBe("E_REGISTRY_UNREACHABLE");
    expect(error.message).toContain(`127.0.0.1:${proxy.port}`);
    expect(error.message).not.toContain(":peenmark_test@");
    expect(sentSince(s, before)).toBe("");
    expect(s.app.peenmark.runner.busy).toBe(false);
    const down = (await s.app.inject({ method: "GET", url: "/api/station" })).json().journal;
    expect(down).toMatchObject({ kind: "postgres", recording: false, code: "E_REGISTRY_UNREACHABLE" });

    // Nothing was written; once the registry answers the same mark goes through.
    proxy.restore();
    expect(await (await reader(PG_URL!, schema)).find("RG2026A00002")).toEqual([]);
    const ok = await post(s, "/api/jobs", markBody("RG2026A00002"));
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await s.app.inject({ method: "GET", url: "/api/station" })).json().journal.recording).toBe(true);
    expect((await ended(s, ok.json<{ job: JobView }>().job.id)).state).toBe("completed");
  });

  it("a service on the registry's engine alone (no outbox: cut-off.ts) whose registry is down at start does not start: E_REGISTRY_UNREACHABLE, the URL without its password", async () => {
    const schema = await schemaOnTestServer();
    const proxy = await TcpProxy.start({ host: "127.0.0.1", port: 1 });
    opened.push(proxy);
    proxy.cut();
    const url = proxy.urlFor(PG_URL!);
    await expect(stationOn(url, schema, "armoury-1", { reconnectMs: 300 })).rejects.toMatchObject({
      code: "E_REGISTRY_UNREACHABLE",
      message: expect.not.stringContaining(":peenmark_test@"),
    });
  });

  // The link is found lost by the engine (a statement unanswered for queryTimeoutMs, shorter than
  // the stall timeout) or, when its timeout is longer, by the writer: a write unanswered for the
  // stall timeout counts as not recording.
  it.each([
    { by: "the engine's statement timeout", queryTimeoutMs: 700 },
    { by: "the writer's stall timeout", queryTimeoutMs: 6_000 },
  ])("a registry that stops answering mid-mark ($by): the mark pauses at a safe point after journalStallTimeout, and resumes and is recorded once it answers", { timeout: 60_000 }, async ({ queryTimeoutMs }) => {
    const schema = await schemaOnTestServer();
    const proxy = await TcpProxy.start({ host: new URL(PG_URL!).hostname, port: Number(new URL(PG_URL!).port || 5432) });
    opened.push(proxy);
    const s = await stationOn(proxy.urlFor(PG_URL!), schema, "armoury-1", { journalStallTimeout: 1, reconnectMs: 500, queryTimeoutMs, simSpeed: 10 });
    const views: JobView[] = [];
    s.app.peenmark.runner.on("job", (v) => views.push(v));
    const r = await post(s, "/api/jobs", markBody("RG2026A00003"));
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json<{ job: JobView }>().job.id;
    await waitFor<JobView>(s.app.peenmark.runner, (v) => v.id === id && v.state === "marking" && v.progress.strikesDone > 5, 30_000);

    proxy.stall();
    const paused = await waitFor<JobView>(s.app.peenmark.runner, (v) => v.id === id && v.state === "paused" && v.drained === true, 30_000);
    expect(paused.journal?.code).toBe("E_REGISTRY_UNREACHABLE");
    expect(paused.journal?.message).toMatch(/registry .* (has not answered|cannot be reached)/);
    const resumeRefused = await post(s, `/api/jobs/${id}/resume`, {});
    expect(resumeRefused.statusCode).toBe(503);
    expect(resumeRefused.json().error.code).toBe("E_REGISTRY_UNREACHABLE");
    // At rest, pin off: nothing more is struck while the registry does not answer.
    const held = (await s.head.sim!.snapshot()).strikes.length;
    await new Promise((r) => setTimeout(r, 500));
    expect((await s.head.sim!.snapshot()).strikes.length).toBe(held);

    proxy.restore();
    // The writer tries again; once the registry takes the queued progress the job may go on.
    await expect.poll(async () => (await s.app.inject({ method: "GET", url: `/api/jobs/${id}` })).json<{ job: JobView }>().job.journal, { timeout: 15_000 }).toBeUndefined();
    const registry = await reader(PG_URL!, schema);
    expect((await registry.job(id)).progress.strikesDone).toBe(held);
    const resumed = await post(s, `/api/jobs/${id}/resume`, {});
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect((await ended(s, id)).state).toBe("completed");
    const row = await registry.job(id);
    expect([row.outcome, row.stationId, row.progress.strikesDone]).toEqual(["completed", "armoury-1", (await s.head.sim!.snapshot()).strikes.length]);
    expect(views.some((v) => v.journal?.code === "E_REGISTRY_UNREACHABLE")).toBe(true);
  });

  it("a registry cut off when the job ends: the outcome is kept in the side file and reaches the registry once it is back", async () => {
    const schema = await schemaOnTestServer();
    const proxy = await TcpProxy.start({ host: new URL(PG_URL!).hostname, port: Number(new URL(PG_URL!).port || 5432) });
    opened.push(proxy);
    const s = await stationOn(proxy.urlFor(PG_URL!), schema, "armoury-1", { journalStallTimeout: 20, reconnectMs: 500, queryTimeoutMs: 700 });
    const r = await post(s, "/api/jobs", markBody("RG2026A00004"));
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json<{ job: JobView }>().job.id;
    await waitFor<JobView>(s.app.peenmark.runner, (v) => v.id === id && v.state === "marking" && v.progress.strikesDone > 3, 30_000);

    proxy.cut();
    const abort = await post(s, `/api/jobs/${id}/abort`, {});
    expect(abort.statusCode, abort.body).toBe(200);
    const end = await ended(s, id);
    expect(end.state).toBe("aborted");
    expect(end.journal).toMatchObject({ recorded: false, code: "E_REGISTRY_UNREACHABLE" });
    expect(end.journal?.message).toMatch(/^not yet in the journal: the registry/);
    const registry = new PgJournal({ url: PG_URL!, schema, reconnectMs: 2_000 });
    await registry.open();
    opened.unshift({ close: () => registry.close() });
    expect((await registry.job(id)).outcome).toBe("marking"); // the serial stays held meanwhile
    const { readdirSync, readFileSync } = await import("node:fs");
    const side = readdirSync(s.dir).filter((n) => n.startsWith("registry-armoury-1.side-"));
    expect(side).toHaveLength(1);
    expect(readFileSync(join(s.dir, side[0]!), "utf8")).toContain('"kind":"end"');

    proxy.restore();
    const entered = await waitFor<JobView>(s.app.peenmark.runner, (v) => v.id === id && v.state === "aborted" && v.journal === undefined, 15_000);
    expect(entered.outcome?.message).toBe(end.outcome?.message);
    const row = await registry.job(id);
    expect([row.outcome, row.stationId]).toEqual(["aborted", "armoury-1"]);
    expect(readdirSync(s.dir).filter((n) => n.startsWith("registry-armoury-1.side-"))).toEqual([]);
  });

  it("a station that stopped with records in its side file: its next start enters them in the registry", async () => {
    const schema = await schemaOnTestServer();
    const tmp = tempDir("peenmark-registry-");
    opened.push({ close: async () => tmp.cleanup() });
    const sideFile = join(tmp.dir, "registry-armoury-1");
    const first = new PgJournal({ url: PG_URL!, schema, stationId: "armoury-1", reconnectMs: 2_000, sideFile });
    await first.open();
    const ended = await first.startJob((await first.createJob(newJob({ serial: "RG2026S00001", stationId: "armoury-1" }))).id);
    const cut = await first.startJob((await first.createJob(newJob({ serial: "RG2026S00002", stationId: "armoury-1" }))).id);
    // What the writer kept while the registry was away: the first job's outcome, the second's progress.
    first.keepAside({ kind: "progress", jobId: cut.id, at: "2026-11-23T12:00:01.000Z", progress: { ackedLine: 40, executedLine: 38, strikesDone: 150 } });
    first.keepAside({ kind: "end", jobId: ended.id, at: "2026-11-23T12:00:02.000Z", end: { outcome: "completed", note: "every line of the program executed", progress: { ackedLine: 120, executedLine: 120, strikesDone: 480 } } });
    // The side file is this process's: open() takes its own as a dead process's (the station restarted with the same pid).
    await first.close();

    const again = new PgJournal({ url: PG_URL!, schema, stationId: "armoury-1", reconnectMs: 2_000, sideFile });
    const interrupted = await again.open();
    opened.unshift({ close: () => again.close() });
    const done = await again.job(ended.id);
    expect([done.outcome, done.progress.strikesDone]).toEqual(["completed", 480]);
    expect(done.note).toMatch(/^every line of the program executed \(recorded at 2026-11-23T12:00:02.000Z in the side file while the registry postgres:\/\/.* could not write; entered when it could\)$/);
    // The job still marking: its last progress from the side file. (Its owner is this process,
    // alive, so open() leaves it marking; a dead owner's job is then interrupted with this
    // progress, as the journal tests show for every engine.)
    expect(interrupted).toEqual([]);
    const marking = await again.job(cut.id);
    expect([marking.outcome, marking.progress.strikesDone, marking.progress.executedLine]).toEqual(["marking", 150, 38]);
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(tmp.dir)).toEqual([]);
  });
});
