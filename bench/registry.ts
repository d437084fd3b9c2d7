/**
 * `npm run bench -- registry [--stations 8] [--jobs 300] [--kills 4] [--no-restart] [--heads] [--no-race] [--outage SECONDS [--outage-jobs 80] [--lease 40]] [--search-rows N]`
 *
 * With --heads: each station marks through its job runner on a simulated head (test/journal/head-station.ts,
 * the head at HEAD_STATION_SPEED × real time, default 200) instead of at journal level.
 * With --outage: the server stopped for that long under stations holding leases (bench/registry-outage.ts).
 *
 * Second part: the trace searches over N jobs (default 1 000 000; bench/registry-search.ts).
 *
 * Many stations, one PostgreSQL registry (docs/REGISTRY.md): N station processes
 * (test/journal/station.ts), each writing M jobs as the runner does, at journal level (create,
 * start, four progress updates, end; no head: the head's own time is not what is measured),
 * half of them from one shared series and half typed serials from a small pool (so they
 * collide on purpose), with stations killed by SIGKILL and started again, and the server
 * restarted once mid-run. Then the registry is checked against what every station was told
 * (test/journal/registry-race.ts) and the figures printed: marks per second for the registry,
 * and the p50/p99 time a station waits for a series reservation.
 *
 * The registry: $PEENMARK_BENCH_PG, else $PEENMARK_TEST_PG (a database the user may create
 * schemas in; the bench works in a schema of its own and drops it). The restart runs
 * `pg_ctlcluster VERSION main restart` for the cluster on the URL's port (root needed), or
 * the command in $PEENMARK_BENCH_PG_RESTART; --no-restart leaves the server alone.
 */
import { execFileSync, execSync } from "node:child_process";
import { pgSchema } from "../test/journal/engines.ts";
import { check, quantile, race } from "../test/journal/registry-race.ts";
import { outage } from "./registry-outage.ts";
import { benchSearch } from "./registry-search.ts";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const url = process.env.PEENMARK_BENCH_PG || process.env.PEENMARK_TEST_PG;
if (!url) {
  console.log("no registry to measure: set PEENMARK_BENCH_PG (or PEENMARK_TEST_PG) to a postgres:// URL; `bash scripts/start-test-postgres.sh` makes one on loopback");
  process.exit(0);
}

function restartCommand(): (() => Promise<void>) | undefined {
  if (argv.includes("--no-restart")) return undefined;
  const given = process.env.PEENMARK_BENCH_PG_RESTART;
  if (given) return async () => void execSync(given, { stdio: "inherit" });
  return clusterCommand("restart");
}

/** `pg_ctlcluster VERSION main ACTION` for the cluster on the URL's port (root needed). */
function clusterCommand(action: "restart" | "stop" | "start"): (() => Promise<void>) | undefined {
  try {
    const port = new URL(url!).port || "5432";
    const cluster = execFileSync("pg_lsclusters", ["-h"], { encoding: "utf8" })
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .find((f) => f[2] === port);
    if (!cluster) return undefined;
    return async () => void execFileSync("pg_ctlcluster", [cluster[0]!, cluster[1]!, action], { stdio: "inherit" });
  } catch {
    return undefined;
  }
}

const stations = opt("stations", 8);
const jobs = opt("jobs", 300);
const kills = opt("kills", 4);
const restart = restartCommand();

if (!argv.includes("--no-race")) {
  const db = await pgSchema(url);
  try {
    const serverSettings = await (async () => {
      const { default: pg } = await import("pg");
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const r = await c.query<{ name: string; setting: string }>("SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'max_connections') ORDER BY name");
      await c.end();
      return r.rows.map((x) => `${x.name}=${x.setting}`).join(", ");
    })();
    console.log(`registry: ${new URL(url).host}, ${serverSettings}`);
    console.log(`${stations} stations × ${jobs} jobs${argv.includes("--heads") ? " through each station's job runner and simulated head (slide-5x7)" : " at journal level"} (half from one shared series, half typed from ${Math.round((stations * jobs) / 8)} serials), ${kills} kill -9, ${restart ? "one server restart" : "no server restart"}`);
    const result = await race({ url, schema: db.schema, stations, jobs, pool: Math.round((stations * jobs) / 8), kills, ...(restart ? { restartServer: restart } : {}), seed: 14, heads: argv.includes("--heads") });
    const f = await check(url, db.schema, result);
    const seconds = result.elapsedMs / 1000;
    const ok = f.duplicates.length === 0 && f.contradictions.length === 0 && f.seriesProblems.length === 0 && f.open.length === 0 && f.unreported.length <= result.kills;
    console.log("");
    console.log("| figure | value |");
    console.log("|---|---:|");
    console.log(`| jobs in the registry | ${f.jobs} |`);
    console.log(`| completed marks | ${f.completed} |`);
    console.log(`| wall time | ${seconds.toFixed(1)} s |`);
    console.log(`| **marks/s (registry)** | **${(f.completed / seconds).toFixed(1)}** |`);
    console.log(`| series reservations | ${f.reservationWaitsMs.length} |`);
    console.log(`| **reservation wait p50** | **${quantile(f.reservationWaitsMs, 0.5).toFixed(1)} ms** |`);
    console.log(`| **reservation wait p99** | **${quantile(f.reservationWaitsMs, 0.99).toFixed(1)} ms** |`);
    console.log(`| reservation wait max | ${Math.max(...f.reservationWaitsMs).toFixed(1)} ms |`);
    console.log(`| refusals | ${Object.entries(f.refusals).map(([k, v]) => `${k} ${v}`).join(", ")} |`);
    console.log(`| stations killed / server restarts | ${result.kills} / ${result.serverRestarts} |`);
    console.log(`| duplicate serials | ${f.duplicates.length} |`);
    console.log(`| contradictions (station told ≠ registry) | ${f.contradictions.length} |`);
    console.log(`| series problems | ${f.seriesProblems.length} |`);
    console.log(`| jobs left open | ${f.open.length} |`);
    console.log(`| written but not reported (killed between commit and report) | ${f.unreported.length} |`);
    if (!ok) {
      console.log("\nFAILED:", JSON.stringify({ duplicates: f.duplicates, contradictions: f.contradictions, series: f.seriesProblems, open: f.open, unreported: f.unreported }, null, 2));
      process.exitCode = 1;
    }
  } finally {
    await db.drop();
  }
}

// The registry stopped for --outage seconds under stations that hold leases (bench/registry-outage.ts).
const outageSeconds = opt("outage", 0);
if (outageSeconds > 0) {
  const stop = process.env.PEENMARK_BENCH_PG_STOP ? async () => void execSync(process.env.PEENMARK_BENCH_PG_STOP!, { stdio: "inherit" }) : clusterCommand("stop");
  const start = process.env.PEENMARK_BENCH_PG_START ? async () => void execSync(process.env.PEENMARK_BENCH_PG_START!, { stdio: "inherit" }) : clusterCommand("start");
  if (!stop || !start) {
    console.log("\n--outage: cannot stop and start the server here (no local cluster on the URL's port): set PEENMARK_BENCH_PG_STOP and PEENMARK_BENCH_PG_START");
    process.exitCode = 1;
  } else {
    console.log(`\n## The registry stopped for ${outageSeconds} s under ${stations} stations holding leases`);
    const odb = await pgSchema(url);
    try {
      const ok = await outage({ url, schema: odb.schema, stations, jobs: opt("outage-jobs", 80), leaseSize: opt("lease", 40), outageSeconds, stop, start });
      if (!ok) process.exitCode = 1;
    } finally {
      await odb.drop();
    }
  }
}

// Trace searches over a registry of a million jobs (`--search-rows 0` leaves them out).
const searchRows = opt("search-rows", 1_000_000);
if (searchRows > 0) await benchSearch(url, searchRows);
