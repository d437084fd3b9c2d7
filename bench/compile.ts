import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { compile } from "../src/compile.ts";
import { fontNames } from "../src/fonts/font.ts";
import { loadProfile, loadRecord, loadStation } from "../src/profile/load.ts";
import { lowerBound } from "../src/plan/order.ts";
import { median, percentile, table } from "./stats.ts";

/**
 * Compile benchmark: a 4-line, ~40-characters-per-line mark in the single-line font and in
 * the 5×7 dot-matrix font. Warm compile time in process (median, p95), cold CLI time (a new
 * node process per run), strikes, travel against the MST lower bound, bytes per line.
 */
const ROOT = join(import.meta.dirname, "..");
const WARM_RUNS = 60;
const COLD_RUNS = 8;

export function benchCompile(): string {
  const station = loadStation(join(ROOT, "stations", "bench.json"));
  const record = loadRecord(join(ROOT, "bench", "record-four-line.json"));
  const rows: (string | number)[][] = [["mark", "warm median ms", "warm p95 ms", "cold CLI median ms", "strikes", "travel mm", "travel ÷ bound", "bytes/line", "lines", "est. time s"]];
  for (const kind of ["single", "5x7"]) {
    const file = join(ROOT, "bench", "profiles", `four-line-${kind}.json`);
    const { profile } = loadProfile(file, { fonts: fontNames() });
    const markedAt = new Date("2026-11-23T12:00:00Z");
    const run = () => compile({ record, profile, station, markedAt });
    for (let i = 0; i < 5; i++) run(); // warm-up: fonts parsed, JIT settled
    const warm: number[] = [];
    let job = run();
    for (let i = 0; i < WARM_RUNS; i++) {
      const t = performance.now();
      job = run();
      warm.push(performance.now() - t);
    }
    const cold: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [join(ROOT, "bin", "peenmark.mjs"), "compile", "--station", join(ROOT, "stations", "bench.json"), "--profile", file, "--record", join(ROOT, "bench", "record-four-line.json")], { encoding: "utf8" });
      cold.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`cold CLI run failed: ${r.stderr}`);
    }
    // Travel of the compiled order from the block's real start point (the park position),
    // against the spanning-tree bound from the same point.
    let travel = 0;
    let bound = 0;
    for (const plan of job.plans) {
      const ops = plan.ops;
      let at = plan.from;
      for (const op of ops) {
        const s = op.kind === "strike" ? op.at : op.points[0]!;
        travel += Math.hypot(s.x - at.x, s.y - at.y);
        at = op.kind === "strike" ? op.at : op.points[op.points.length - 1]!;
      }
      bound += lowerBound(plan.items, plan.from);
    }
    const bytes = job.gcode.lines.slice(1).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    rows.push([
      `4×40 ${kind === "single" ? "peen-single" : "peen-dot-5x7"}`,
      median(warm),
      percentile(warm, 95),
      median(cold),
      job.figures.strikes,
      travel,
      travel / bound,
      bytes / (job.gcode.lines.length - 1),
      job.gcode.lines.length,
      job.figures.seconds,
    ]);
  }
  return table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(benchCompile());
