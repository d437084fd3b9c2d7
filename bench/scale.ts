import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { compile } from "../src/compile.ts";
import { fontNames } from "../src/fonts/font.ts";
import { loadProfile, loadRecord, loadStation } from "../src/profile/load.ts";
import type { Profile, TextBlock } from "../src/profile/schema.ts";
import { costOf, lowerBound, orderItems, type OrderItem } from "../src/plan/order.ts";
import { moveCost } from "../src/plan/plan.ts";
import { median, table } from "./stats.ts";

/**
 * Compile time and peak memory against the size of the mark: 1, 4, 16, 64 and 256 lines of
 * about 40 characters of 5×7 at 1.6 mm (bench/profiles/four-line-5x7.json's block, blocks
 * of up to 8 lines stacked down a work area made tall enough), each size in a fresh
 * process (peak resident memory is the process's). Also the travel order over all the
 * mark's strikes as one set of items (one flat order, not block by block), to show it is
 * linear in the items, and its cost against the bound (the bound's O(n²) Prim is left out
 * above 16 lines).
 */
const ROOT = join(import.meta.dirname, "..");
const MARKED_AT = new Date("2026-11-23T12:00:00Z");
const SIZES = [1, 4, 16, 64, 256];
const LINE = 2.88; // 1.6 mm × 1.8 line spacing

function one(lines: number) {
  const base = loadStation(join(ROOT, "stations", "bench.json"));
  const height = Math.max(base.machine.workArea.height, lines * LINE + 20);
  const station = { ...base, machine: { ...base.machine, workArea: { ...base.machine.workArea, height }, park: { x: 0, y: height } } };
  const { profile: four } = loadProfile(join(ROOT, "bench", "profiles", "four-line-5x7.json"), { fonts: fontNames() });
  const template = four.blocks[0] as TextBlock;
  const blocks: TextBlock[] = [];
  for (let done = 0, b = 0; done < lines; b++) {
    const here = Math.min(8, lines - done);
    blocks.push({ ...template, id: `text-${b}`, lines: Array.from({ length: here }, (_v, i) => `{extra.${(done + i) % 4}}`), origin: { x: template.origin.x, y: height - 10 - done * LINE } });
    done += here;
  }
  const profile: Profile = { ...four, blocks };
  const record = loadRecord(join(ROOT, "bench", "record-four-line.json"));
  const runs = lines <= 16 ? 5 : lines <= 64 ? 3 : 1;
  const ms: number[] = [];
  let job = compile({ record, profile, station, markedAt: MARKED_AT });
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    job = compile({ record, profile, station, markedAt: MARKED_AT });
    ms.push(performance.now() - t);
  }
  const items: OrderItem[] = job.program.ops.map((op) => (op.kind === "strike" ? { start: op.at, end: op.at, reversible: true } : { start: op.points[0]!, end: op.points[op.points.length - 1]!, reversible: true }));
  const cost = moveCost(station.machine);
  const t = performance.now();
  const tour = orderItems(items, station.machine.park, { cost });
  const orderMs = performance.now() - t;
  const flat = costOf(items, tour, station.machine.park, cost);
  const bound = lines <= 16 ? lowerBound(items, station.machine.park, cost) : NaN;
  return { lines, gcodeLines: job.gcode.lines.length, strikes: job.figures.strikes, compileMs: median(ms), orderMs, flat, bound, maxRSS: process.resourceUsage().maxRSS / 1024 };
}

export function benchScale(): string {
  const rows: (string | number)[][] = [["lines", "G-code lines", "strikes", "compile ms (median)", "peak RSS MB", "flat order ms", "flat order ÷ bound"]];
  let prev: number | undefined;
  for (const n of SIZES) {
    const r = spawnSync(process.execPath, ["--import", "tsx", "--max-old-space-size=4096", join(ROOT, "bench", "scale.ts"), "--one", String(n)], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) {
      rows.push([n, "failed", r.stderr.split("\n").find((l) => /Error/.test(l)) ?? `exit ${r.status}`, "", "", "", ""]);
      continue;
    }
    const o = JSON.parse(r.stdout.trim().split("\n").pop()!);
    rows.push([n, o.gcodeLines, o.strikes, o.compileMs, o.maxRSS, `${o.orderMs.toFixed(0)}${prev ? ` (×${(o.orderMs / prev).toFixed(2)})` : ""}`, Number.isFinite(o.bound) ? o.flat / o.bound : "—"]);
    prev = o.orderMs;
  }
  return table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf("--one");
  if (i > 0) console.log(JSON.stringify(one(Number(process.argv[i + 1]))));
  else console.log(benchScale());
}
