import { fileURLToPath } from "node:url";
import pg from "pg";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { Child } from "./processes.ts";

/**
 * Several station processes (station.ts) on one PostgreSQL registry, racing on one series and
 * on a small pool of typed serials, some killed with SIGKILL mid-run and started again (the
 * same station id), optionally with the server restarted under them; then what the registry
 * holds is checked against what each station was told. Used by registry-race.test.ts and
 * `npm run bench -- registry`.
 */
const STATION = fileURLToPath(new URL("./station.ts", import.meta.url));
/** The same race with each station's job runner and simulated head (head-station.ts). */
const HEAD_STATION = fileURLToPath(new URL("./head-station.ts", import.meta.url));

export interface RaceOptions {
  readonly url: string;
  /** A schema of its own (made beforehand), or undefined for the user's default. */
  readonly schema: string | undefined;
  readonly stations: number;
  /** Jobs each station attempts in all (over its lives). */
  readonly jobs: number;
  /** How many distinct typed serials the odd jobs draw from. */
  readonly pool: number;
  /** Stations killed with SIGKILL (and started again) while the race runs. */
  readonly kills: number;
  /** Called once halfway (by marks) to restart the server; the stations ride it out. */
  readonly restartServer?: () => Promise<void>;
  readonly seed?: number;
  /** Stations that mark through their job runner on a simulated head, not at journal level. */
  readonly heads?: boolean;
}

export type Line = { e: string; [k: string]: unknown };

export interface RaceResult {
  /** Every line of every life of every station, by station id. */
  readonly lines: ReadonlyMap<string, Line[][]>;
  readonly elapsedMs: number;
  readonly kills: number;
  readonly serverRestarts: number;
}

function parse(l: string): Line {
  try {
    return JSON.parse(l) as Line;
  } catch {
    return { e: "text", text: l };
  }
}

export async function race(o: RaceOptions): Promise<RaceResult> {
  const setup = new PgJournal({ url: o.url, stationId: "setup", ...(o.schema ? { schema: o.schema } : {}) });
  await setup.open();
  await setup.createSeries({ id: "shared", pattern: "SH{counter:6}", start: 1, end: 999_999, createdBy: "M. Ortiz", note: "shared by every station of the race" });
  await setup.close();

  let seed = o.seed ?? 1;
  const lives = new Map<string, Line[][]>();
  const failed: string[] = [];
  const live = new Map<string, Child>();
  const spawnStation = (id: string, count: number, start: "wait" | "go"): Child => {
    const c = new Child([o.url, o.schema ?? "-", id, String(count), String(seed++), String(o.pool), start], {}, o.heads ? HEAD_STATION : STATION);
    live.set(id, c);
    void c.exited.then((x) => {
      if (x.code !== 0 && x.signal !== "SIGKILL") failed.push(`${id} exited ${JSON.stringify(x)}:\n${c.stderr}`);
    });
    return c;
  };
  const doneLines = (id: string) => (lives.get(id) ?? []).flat().concat((live.get(id)?.lines ?? []).map(parse));
  const marks = () => [...live.keys()].reduce((n, id) => n + doneLines(id).filter((l) => l.e === "completed").length, 0);

  const ids = Array.from({ length: o.stations }, (_, i) => `st-${String(i + 1).padStart(2, "0")}`);
  for (const id of ids) lives.set(id, []);
  const first = ids.map((id) => spawnStation(id, o.jobs, "wait"));
  await Promise.all(first.map((c) => c.line((l) => l.includes('"ready"'))));
  const t0 = performance.now();
  for (const c of first) c.proc.stdin.write("g");

  const total = o.stations * o.jobs;
  const random = (() => {
    let a = (o.seed ?? 1) * 7919;
    return () => ((a = (a * 48271) % 2147483647) / 2147483647);
  })();
  let kills = 0;
  let restarts = 0;
  const waitFor = async (cond: () => boolean) => {
    while (!cond()) {
      if (failed.length) throw new Error(`a station failed: ${failed.join("\n")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const finished = (id: string) => doneLines(id).some((l) => l.e === "done");
  // Marks at which to kill a station (spread over the run), and the halfway mark for the server.
  const killAt = Array.from({ length: o.kills }, (_, k) => Math.floor(((k + 1) * total * 0.4) / (o.kills + 1)));
  const events: { at: number; what: "kill" | "restart" }[] = killAt.map((at) => ({ at, what: "kill" as const }));
  if (o.restartServer) events.push({ at: Math.floor(total * 0.25), what: "restart" });
  events.sort((a, b) => a.at - b.at);
  for (const ev of events) {
    await waitFor(() => marks() >= ev.at || ids.every(finished));
    if (ids.every(finished)) break;
    if (ev.what === "restart") {
      await o.restartServer!();
      restarts++;
      continue;
    }
    const candidates = ids.filter((id) => !finished(id));
    const id = candidates[Math.floor(random() * candidates.length)]!;
    const c = live.get(id)!;
    // a moment more, so the kill lands anywhere in a job, not just after a completion
    await new Promise((r) => setTimeout(r, Math.floor(random() * 30)));
    c.proc.kill("SIGKILL");
    await c.exited;
    lives.get(id)!.push(c.lines.map(parse));
    kills++;
    const left = o.jobs - lives.get(id)!.flat().filter((l) => l.e === "completed" || l.e === "refused").length;
    spawnStation(id, Math.max(0, left), "go");
  }
  const exits = await Promise.all(ids.map(async (id) => ({ id, exit: await live.get(id)!.exited, stderr: live.get(id)!.stderr })));
  const bad = exits.filter((x) => x.exit.code !== 0);
  if (bad.length) throw new Error(`stations failed: ${bad.map((b) => `${b.id} ${JSON.stringify(b.exit)}\n${b.stderr}`).join("\n")}`);
  for (const id of ids) lives.get(id)!.push(live.get(id)!.lines.map(parse));
  return { lines: lives, elapsedMs: performance.now() - t0, kills, serverRestarts: restarts };
}

export interface RaceFindings {
  readonly jobs: number;
  readonly completed: number;
  readonly refusals: Record<string, number>;
  /** Serials with more than one job that marked or holds them (no re-marks or releases in the race). */
  readonly duplicates: string[];
  /** A station was told something the registry does not hold. */
  readonly contradictions: string[];
  /** Jobs the registry holds that no station reported: at most one per killed life (the write committed, the kill came before the report). */
  readonly unreported: number[];
  /** Jobs still pending or marking after every station has stopped cleanly. */
  readonly open: number[];
  /** Series numbers reported twice, or a committed number whose job did not complete. */
  readonly seriesProblems: string[];
  readonly reservationWaitsMs: number[];
}

export async function check(url: string, schema: string | undefined, r: RaceResult): Promise<RaceFindings> {
  const c = new pg.Client({ connectionString: url, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  await c.connect();
  try {
    const jobs = (await c.query<{ id: string; serial: string; serial_key: string; station_id: string; outcome: string }>("SELECT id, serial, serial_key, station_id, outcome FROM jobs ORDER BY id")).rows.map(
      (j) => ({ ...j, id: Number(j.id) }),
    );
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const holding = new Map<string, number[]>();
    for (const j of jobs) {
      if (j.outcome === "aborted" || j.outcome === "failed") continue;
      holding.set(j.serial_key, [...(holding.get(j.serial_key) ?? []), j.id]);
    }
    const duplicates = [...holding].filter(([, v]) => v.length > 1).map(([k, v]) => `${k}: jobs ${v.join(", ")}`);

    const contradictions: string[] = [];
    const reported = new Set<number>();
    const refusals: Record<string, number> = {};
    const waits: number[] = [];
    const numbers = new Map<number, string>();
    const seriesProblems: string[] = [];
    for (const [station, lives] of r.lines) {
      for (const life of lives) {
        for (const l of life) {
          const id = Number(l.id);
          if (l.e === "created" || l.e === "started" || l.e === "completed") {
            reported.add(id);
            const j = byId.get(id);
            if (!j) contradictions.push(`${station} was told job ${id} was written; the registry has no such job`);
            else if (j.station_id !== station) contradictions.push(`job ${id} is ${j.station_id}'s in the registry, ${station} wrote it`);
            else if (l.e === "completed" && j.outcome !== "completed") contradictions.push(`${station} was told job ${id} completed; the registry says ${j.outcome}`);
            else if (l.e === "started" && j.outcome === "pending") contradictions.push(`${station} was told job ${id} started; the registry says pending`);
          }
          if (l.e === "refused") {
            refusals[String(l.code)] = (refusals[String(l.code)] ?? 0) + 1;
            const holder = jobs.find((j) => j.serial === l.serial && j.outcome !== "aborted" && j.outcome !== "failed");
            if (!holder) contradictions.push(`${station} was refused ${String(l.serial)} (${String(l.code)}) though no job holds it`);
          }
          if (l.e === "reserved") {
            waits.push(Number(l.waitMs));
            const n = Number(l.number);
            if (numbers.has(n)) seriesProblems.push(`number ${n} handed to ${numbers.get(n)} and to ${station}`);
            numbers.set(n, station);
          }
        }
      }
    }
    const committed = (await c.query<{ number: string; outcome: string | null }>("SELECT sn.number, j.outcome FROM series_numbers sn LEFT JOIN jobs j ON j.id = sn.job_id WHERE sn.state = 'committed'")).rows;
    for (const n of committed) if (n.outcome !== "completed") seriesProblems.push(`number ${n.number} is committed, its job ${n.outcome ?? "missing"}`);
    return {
      jobs: jobs.length,
      completed: jobs.filter((j) => j.outcome === "completed").length,
      refusals,
      duplicates,
      contradictions,
      unreported: jobs.filter((j) => !reported.has(j.id)).map((j) => j.id),
      open: jobs.filter((j) => j.outcome === "pending" || j.outcome === "marking").map((j) => j.id),
      seriesProblems,
      reservationWaitsMs: waits,
    };
  } finally {
    await c.end();
  }
}

/** The q-quantile (0–1) of `xs`, nearest rank. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
