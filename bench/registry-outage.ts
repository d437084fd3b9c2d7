/**
 * The registry stopped under marking stations (`npm run bench -- registry --outage 30`):
 * N station processes (test/journal/cut-off-station.ts, each on a CutOffJournal with an outbox
 * of its own), each leased a block of series "shared" beforehand, marking jobs — half from the
 * series, half typed serials — while the PostgreSQL server is stopped for OUTAGE seconds and
 * started again. Cut off, a station may mark only numbers of its lease (typed serials are
 * refused); when the server is back, what it marked reaches the registry, in order, once.
 * Then the registry is checked against every station's report.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PgJournal } from "../src/journal/pg-journal.ts";
import { Child } from "../test/journal/processes.ts";

const STATION = fileURLToPath(new URL("../test/journal/cut-off-station.ts", import.meta.url));

export interface OutageOptions {
  readonly url: string;
  readonly schema: string;
  readonly stations: number;
  readonly jobs: number;
  readonly leaseSize: number;
  readonly outageSeconds: number;
  readonly stop: () => Promise<void>;
  readonly start: () => Promise<void>;
}

type Line = { e: string; [k: string]: unknown };

export async function outage(o: OutageOptions): Promise<boolean> {
  const owner = new PgJournal({ url: o.url, schema: o.schema });
  await owner.open();
  await owner.createSeries({ id: "shared", pattern: "OU{counter:6}", start: 1, end: 999_999, createdBy: "M. Ortiz" });
  const ids = Array.from({ length: o.stations }, (_, i) => `outpost-${i + 1}`);
  const leased = new Map<string, Set<number>>();
  for (const id of ids) {
    const l = await owner.leaseNumbers("shared", { stationId: id, size: o.leaseSize, hours: 24, operator: "M. Ortiz", reason: "the outposts lose their line: a block each beforehand" }, new Date("2026-06-01T00:00:00Z"));
    leased.set(id, new Set(l.numbers.map((n) => n.number)));
  }
  await owner.close();

  const dir = mkdtempSync(join(tmpdir(), "peenmark-outage-"));
  const t0 = performance.now();
  // Paced so that each station marks before, during and after the outage (about 5 s each side).
  const pauseMs = Math.round(((o.outageSeconds + 10) * 1000) / o.jobs);
  const children = ids.map((id, i) => ({ id, c: new Child([o.url, o.schema, id, String(o.jobs), String(100 + i), String(o.stations * 4), dir, String(pauseMs)], {}, STATION) }));
  await Promise.all(children.map(({ c }) => c.line((l) => l.includes('"e":"open"'))));
  // The stations mark online for a while, then the server stops under them.
  await new Promise((r) => setTimeout(r, 5_000));
  const stoppedAt = performance.now();
  await o.stop();
  console.log(`server stopped at ${((stoppedAt - t0) / 1000).toFixed(1)} s for ${o.outageSeconds} s`);
  await new Promise((r) => setTimeout(r, o.outageSeconds * 1000));
  await o.start();
  const startedAt = performance.now();
  console.log(`server started again at ${((startedAt - t0) / 1000).toFixed(1)} s`);
  const exits = await Promise.all(children.map(async ({ id, c }) => ({ id, exit: await c.exited, lines: c.lines.map((l) => JSON.parse(l) as Line), stderr: c.stderr })));
  const elapsed = (performance.now() - t0) / 1000;
  rmSync(dir, { recursive: true, force: true });

  const c = new pg.Client({ connectionString: o.url, options: `-c search_path=${o.schema}` });
  await c.connect();
  const rows = (await c.query<{ id: string; serial: string; station_id: string; outcome: string; request_id: string | null; note: string | null }>("SELECT id, serial, station_id, outcome, request_id, note FROM jobs ORDER BY id")).rows;
  const reservedNoJob = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM series_numbers WHERE state = 'reserved' AND job_id IS NULL AND lease_id IS NULL")).rows[0]!.n);
  await c.end();

  const problems: string[] = [];
  let offline = 0;
  let online = 0;
  let late = 0;
  const refused: Record<string, number> = {};
  const bySerial = new Map<string, typeof rows>();
  for (const r of rows) if (r.outcome !== "aborted" && r.outcome !== "failed") bySerial.set(r.serial, [...(bySerial.get(r.serial) ?? []), r]);
  for (const [serial, js] of bySerial) if (js.length > 1) problems.push(`serial ${serial} held by ${js.length} jobs: ${js.map((j) => `${j.id}@${j.station_id}`).join(", ")}`);
  for (const { id, exit, lines, stderr } of exits) {
    if (exit.code !== 0) problems.push(`${id} exited ${exit.code}: ${stderr.slice(-400)}`);
    const done = lines.find((l) => l.e === "done");
    if (!done || Number(done.waiting) !== 0) problems.push(`${id} stopped with ${String(done?.waiting ?? "?")} jobs not uploaded`);
    for (const l of lines) {
      if (l.e === "refused") refused[String(l.code)] = (refused[String(l.code)] ?? 0) + 1;
      if (l.e === "reserved" && l.offline && !leased.get(id)!.has(Number(l.number))) problems.push(`${id} marked number ${String(l.number)} cut off, not of its lease`);
      if (l.e !== "completed") continue;
      if (l.offline) offline++;
      else online++;
      if (l.late) late++;
      const inRegistry = rows.filter((r) => r.serial === l.serial && r.station_id === id);
      if (inRegistry.length !== 1) problems.push(`${id} marked ${String(l.serial)}; the registry has it ${inRegistry.length} times`);
      else if (inRegistry[0]!.outcome !== "completed") problems.push(`${id} completed ${String(l.serial)}; the registry says ${inRegistry[0]!.outcome}`);
      else if (l.offline && !/cut off from the registry/.test(inRegistry[0]!.note ?? "")) problems.push(`${String(l.serial)} marked cut off, the registry does not say so`);
      if (inRegistry[0] && /CONFLICT/.test(inRegistry[0].note ?? "")) problems.push(`${String(l.serial)}: ${inRegistry[0].note}`);
    }
  }
  const open = rows.filter((r) => r.outcome === "pending" || r.outcome === "marking");
  console.log("");
  console.log("| figure | value |");
  console.log("|---|---:|");
  console.log(`| stations × jobs tried | ${o.stations} × ${o.jobs} |`);
  console.log(`| registry stopped | ${o.outageSeconds} s |`);
  console.log(`| marks online | ${online} (of them ${late} whose outcome waited for the server) |`);
  console.log(`| **marks while cut off, from leases** | **${offline}** |`);
  console.log(`| refused | ${Object.entries(refused).map(([k, v]) => `${k} ${v}`).join(", ") || "none"} |`);
  console.log(`| jobs in the registry | ${rows.length} |`);
  console.log(`| **marks missing from the registry or there twice** | **${problems.filter((p) => /registry has it/.test(p)).length}** |`);
  console.log(`| duplicate serials | ${problems.filter((p) => /held by/.test(p)).length} |`);
  console.log(`| jobs left open (pending/marking) | ${open.length} |`);
  console.log(`| series numbers left reserved without a job (reserved online as the server stopped, for an operator) | ${reservedNoJob} |`);
  console.log(`| wall time | ${elapsed.toFixed(1)} s |`);
  if (problems.length || open.length) {
    console.log(`\nFAILED:\n${[...problems, ...open.map((j) => `job ${j.id} (${j.serial}@${j.station_id}) left ${j.outcome}`)].join("\n")}`);
    return false;
  }
  return true;
}
