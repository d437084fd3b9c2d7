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
  ["streaming.ts", "Streaming to the simulated head at 115200 baud (virtual time)"],
  ["fonts.ts", "Marked length per character, station fonts against an outline font"],
  ["datamatrix.ts", "Data Matrix strike order: travel against the MST bound"],
  ["journal.ts", "Journal: progress updates and jobs per second"],
];

let failed = 0;
for (const [file, title] of BENCHES) {
  const path = join(ROOT, "bench", file);
  if (!existsSync(path)) continue;
  console.log(`\n## ${title}\n`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.log(`(bench/${file} failed with exit code ${r.status})`);
  }
}
process.exitCode = failed ? 1 : 0;
