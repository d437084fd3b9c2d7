import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { againstPlan, maxAtOneSpot } from "../firmware-bridge/sim/compare.ts";
import type { Strike } from "../firmware-bridge/sim/head.ts";
import { compile } from "../src/compile.ts";
import { fontNames } from "../src/fonts/font.ts";
import { Head } from "../src/job/head.ts";
import type { JobView } from "../src/job/view.ts";
import { loadProfile, loadRecord, loadStation, parseRecord } from "../src/profile/load.ts";
import { buildServer } from "../src/server/app.ts";
import { holdJournalLock } from "../test/fixtures/hold-lock.ts";
import { table } from "./stats.ts";

/**
 * Load: the station as it runs (`buildServer`, the head in the streaming worker, the journal's
 * writer, the preview pool), the simulated head in real time, marking the same scribe job
 * (arc-round) and dot job (slide-5x7) three ways:
 *   - unloaded;
 *   - under 200 previews a second over HTTP (us-receiver, each a full compile);
 *   - with another process holding the journal's write lock (BEGIN IMMEDIATE) for 12 s from
 *     the first strike.
 * Job time is the head's own: first strike to last strike, on its clock. Spots: the dot job's
 * strikes matched to the program's spots (over-struck, off position); the scribe job's most
 * strikes in one 0.05 mm square against the unloaded run's.
 */
const ROOT = join(import.meta.dirname, "..");
const MARKED_AT = new Date("2026-11-23T12:00:00Z");
const LOCK_MS = 12_000;
const PREVIEWS_PER_S = 200;

type Condition = "unloaded" | "200 previews/s" | "journal locked 12 s";

interface Run {
  readonly job: string;
  readonly condition: Condition;
  readonly seconds: number;
  readonly strikes: number;
  readonly maxAtOneSpot: number;
  readonly overStruck: number | undefined;
  readonly offPlan: number | undefined;
  readonly state: string;
  readonly journalStrikes: number;
  readonly planned: number;
  readonly previews?: { ok: number; refused: number; other: number; why: Record<string, number>; p50: number; p90: number; sent: number; rate: number };
  readonly journalMet?: boolean;
}

const station = loadStation(join(ROOT, "stations", "bench.json"));
const previewBody = JSON.stringify({ profileId: "us-receiver", record: loadRecord(join(ROOT, "examples", "records", "us-receiver.json")) });

function plan(id: string) {
  const { profile } = loadProfile(join(ROOT, "profiles", `${id}.json`), { fonts: fontNames() });
  const record = parseRecord("record", loadRecord(join(ROOT, "examples", "records", `${id}.json`)));
  const c = compile({ record, profile, station, markedAt: MARKED_AT });
  return { strikeLines: c.gcode.strikeLines.length, spots: c.program.ops.filter((o) => o.kind === "strike").map((o) => o.at), dots: c.program.ops.every((o) => o.kind !== "scribe") };
}

async function run(id: string, condition: Condition): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "peenmark-load-"));
  const head = await Head.open({ station, simSpeed: 1 });
  const app = await buildServer({ dataDir: dir, station, head, logger: false, clock: () => MARKED_AT });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  const p = plan(id);
  const views: JobView[] = [];
  app.peenmark.runner.on("job", (v) => views.push(v));
  let previews: Run["previews"];
  let stopFlood: (() => Promise<void>) | undefined;
  let lock: Promise<void> | undefined;
  try {
    const res = await fetch(new URL("/api/jobs", url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ profileId: id, record: loadRecord(join(ROOT, "examples", "records", `${id}.json`)), technician: "Bench" }) });
    if (res.status !== 201) throw new Error(`${id}: ${res.status} ${await res.text()}`);
    const jobId = ((await res.json()) as { job: JobView }).job.id;
    const ended = new Promise<JobView>((resolve) => app.peenmark.runner.on("job", (v) => v.id === jobId && ["completed", "aborted", "interrupted", "failed"].includes(v.state) && resolve(v)));
    // The load starts with the first strike (homing before it is not the job).
    while ((await head.sim!.snapshot()).strikes.length === 0) await new Promise((r) => setTimeout(r, 20));
    if (condition === "200 previews/s") {
      // From another process, at a steady rate, answers not awaited: the service's loop takes the flood.
      const bodyFile = join(dir, "preview.json");
      writeFileSync(bodyFile, previewBody);
      const flood = spawn(process.execPath, [join(ROOT, "bench", "flood.mjs"), url, String(PREVIEWS_PER_S), bodyFile], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
      let out = "";
      flood.stdout.on("data", (c: Buffer) => (out += c.toString()));
      const closed = new Promise<void>((r) => flood.on("close", () => r()));
      stopFlood = async () => {
        if (flood.stdin.writableEnded) return closed;
        flood.stdin.end();
        await closed;
        const c = JSON.parse(out) as { sent: number; ok: number; refused: number; other: number; why: Record<string, number>; seconds: number; p50: number | null; p90: number | null };
        previews = { sent: c.sent, ok: c.ok, refused: c.refused, other: c.other, why: c.why, p50: c.p50 ?? NaN, p90: c.p90 ?? NaN, rate: c.sent / c.seconds };
      };
    }
    if (condition === "journal locked 12 s") lock = holdJournalLock(join(dir, "peenmark.db"), LOCK_MS).released;
    const view = await ended;
    await stopFlood?.();
    await lock;
    const strikes: readonly Strike[] = (await head.sim!.snapshot()).strikes;
    const dots = p.dots ? againstPlan(strikes, p.spots) : undefined;
    const row = await app.peenmark.journal.job(jobId);
    return {
      job: id,
      condition,
      seconds: strikes.length ? strikes.at(-1)!.t - strikes[0]!.t : 0,
      strikes: strikes.length,
      maxAtOneSpot: maxAtOneSpot(strikes),
      overStruck: dots?.overStruck,
      offPlan: dots?.offPlan,
      state: `${view.state} / journal ${row.outcome}`,
      journalStrikes: row.progress.strikesDone,
      planned: p.strikeLines,
      ...(previews ? { previews } : {}),
      ...(condition === "journal locked 12 s" ? { journalMet: views.some((v) => v.journal?.recorded === false) } : {}),
    };
  } finally {
    await stopFlood?.();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs: Run[] = [];
for (const id of ["arc-round", "slide-5x7"]) for (const c of ["unloaded", "200 previews/s", "journal locked 12 s"] as const) runs.push(await run(id, c));

const rows: (string | number)[][] = [["job", "condition", "job time, s", "÷ unloaded", "strikes", "most at one spot", "over-struck / off position", "outcome (page / journal)", "journal strikes / strike lines"]];
for (const r of runs) {
  const base = runs.find((b) => b.job === r.job && b.condition === "unloaded")!;
  rows.push([
    r.job,
    r.condition,
    r.seconds,
    r.seconds / base.seconds,
    r.strikes,
    r.maxAtOneSpot,
    r.overStruck === undefined ? "—" : `${r.overStruck} / ${r.offPlan}`,
    r.state,
    `${r.journalStrikes} / ${r.planned}`,
  ]);
}
console.log(table(rows));
console.log("");
for (const r of runs.filter((r) => r.previews)) {
  const pv = r.previews!;
  console.log(`${r.job} under previews: ${pv.sent} sent during the job (${pv.rate.toFixed(0)}/s, from another process), ${pv.ok} compiled (answer median ${pv.p50.toFixed(0)} ms, p90 ${pv.p90.toFixed(0)} ms), ${pv.refused} refused 503 E_OVERLOADED, ${pv.other} other${pv.other ? ` ${JSON.stringify(pv.why)}` : ""}`);
}
for (const r of runs.filter((r) => r.journalMet !== undefined)) console.log(`${r.job} with the journal locked: the job reported the journal not recording: ${r.journalMet ? "yes" : "NO (the lock was not met)"}`);
const worst = Math.max(...runs.map((r) => r.seconds / runs.find((b) => b.job === r.job && b.condition === "unloaded")!.seconds));
const spotsOk = runs.every((r) => r.maxAtOneSpot <= runs.find((b) => b.job === r.job && b.condition === "unloaded")!.maxAtOneSpot && (r.overStruck ?? 0) === 0 && (r.offPlan ?? 0) === 0);
const outcomesOk = runs.every((r) => r.state === "completed / journal completed" && r.journalStrikes === r.planned);
console.log(`\nworst job time ÷ unloaded: ${worst.toFixed(4)} (target ≤ 1.02); spots: ${spotsOk ? "none struck more than planned, none off position" : "SOME STRUCK MORE THAN PLANNED OR OFF POSITION"}; outcomes: ${outcomesOk ? "completed, journal matches the head" : "MISMATCH"}`);
