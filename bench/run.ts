import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * `npm run bench`: every benchmark, each in its own process so that one's warm caches and
 * garbage do not colour the next. Figures are medians and ratios; docs/PERFORMANCE.md says
 * what each means and keeps the last run's figures.
 */
const ROOT = join(import.meta.dirname, "..");
const BENCHES: [string, string][] = [
  ["compile.ts", "Compile: 4 lines × ~40 characters (warm in process, cold CLI), travel against the MST bound"],
  ["order.ts", "Travel order from the real start point: against the spanning-tree bound, and against LKH-3 when PEENMARK_LKH names its binary"],
  ["scale.ts", "Compile time and peak memory for 1, 4, 16, 64 and 256 lines, and the flat order's time"],
  ["streaming.ts", "Streaming to the simulated head at 115200 baud (virtual time)"],
  ["fonts.ts", "Fonts: marked length per character, and the legibility sweep (the sweep takes 30–50 minutes on 2 cores)"],
  ["datamatrix.ts", "Data Matrix strike order: travel against the MST bound"],
  ["journal.ts", "Journal: progress updates and jobs per second"],
  ["load.ts", "Load: scribe and dot jobs unloaded, under 200 previews/s, and with the journal locked 12 s by another process (real time, about 4 minutes)"],
  ["registry.ts", "Registry: stations sharing one PostgreSQL journal (marks/s, reservation wait; search over a million rows)"],
];

// `npm run bench -- fonts --quick`: the benchmarks named (by file name without .ts), with the rest of the arguments passed on.
// An argument after an option (--json FILE) goes with the option.
const argv = process.argv.slice(2);
const named = argv.filter((a, i) => !a.startsWith("-") && !(i > 0 && argv[i - 1] === "--json"));
const passed = argv.filter((a) => !named.includes(a));
const unknown = named.filter((n) => !BENCHES.some(([f]) => f === `${n}.ts`));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(", ")}; there are ${BENCHES.map(([f]) => f.replace(/\.ts$/, "")).join(", ")}`);
  process.exit(2);
}

let failed = 0;
for (const [file, title] of BENCHES) {
  if (named.length && !named.includes(file.replace(/\.ts$/, ""))) continue;
  const path = join(ROOT, "bench", file);
  if (!existsSync(path)) continue;
  console.log(`\n## ${title}\n`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path, ...passed], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.log(`(bench/${file} failed with exit code ${r.status})`);
  }
}
process.exitCode = failed ? 1 : 0;
