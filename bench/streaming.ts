import { join } from "node:path";
import { compile, type CompiledJob } from "../src/compile.ts";
import { fontNames } from "../src/fonts/font.ts";
import { simHeadOf } from "../src/job/head.ts";
import { loadProfile, loadRecord, loadStation } from "../src/profile/load.ts";
import type { Station } from "../src/profile/station.ts";
import { machineLimits, programMotions } from "../src/plan/estimate.ts";
import { totalTime } from "../firmware-bridge/kinematics.ts";
import { measureStreaming } from "../firmware-bridge/measure.ts";
import { table } from "./stats.ts";

/**
 * Streaming benchmark, in the simulated head's virtual time (deterministic, no wall clock).
 * Each program is streamed over a 115200-baud link with character counting to the simulated
 * GRBL 1.1h head as the station sets it up, starting at the park position, and compared with:
 * - the compiler's estimate (GRBL's planner behind a host that keeps it full);
 * - the kinematic bound: the same motions with unlimited look-ahead, no link, no parsing.
 * And the speed figure of the trade: 5×7 characters per second at 3.175 mm (1/8 in) on a
 * fast head (stations/fast.json: 6000 mm/min rapids, 5000 mm/s²).
 */
const ROOT = join(import.meta.dirname, "..");
const MARKED_AT = new Date("2026-11-23T12:00:00Z");

interface Row {
  readonly label: string;
  readonly job: CompiledJob;
  readonly station: Station;
}

async function measure(r: Row) {
  const m = r.station.machine;
  const sim = await measureStreaming(r.job.gcode.lines, {
    head: simHeadOf(r.station),
    rxBuffer: r.station.controller.rxBuffer,
    statusHz: r.station.controller.statusHz,
    from: m.park,
  });
  if (sim.outcome.outcome !== "completed") throw new Error(`${r.label}: the simulated job ended ${sim.outcome.outcome}: ${sim.outcome.reason}`);
  const bound = totalTime({ ...m.park, z: 0 }, programMotions(r.job.program), machineLimits(m), Infinity);
  const planned = r.job.figures.strikes;
  return { sim, bound, planned };
}

export async function benchStreaming(): Promise<string> {
  const bench = loadStation(join(ROOT, "stations", "bench.json"));
  const fast = loadStation(join(ROOT, "stations", "fast.json"));
  const four = loadRecord(join(ROOT, "bench", "record-four-line.json"));
  const rows: Row[] = [];
  for (const id of ["us-receiver", "iti-import", "cifta-state-stock", "slide-5x7", "arc-round", "receiver-datamatrix"]) {
    const { profile } = loadProfile(join(ROOT, "profiles", `${id}.json`), { fonts: fontNames() });
    const record = loadRecord(join(ROOT, "examples", "records", `${id}.json`));
    rows.push({ label: id, job: compile({ record, profile, station: bench, markedAt: MARKED_AT }), station: bench });
  }
  for (const [label, file] of [
    ["4×40 single-line, dot", "four-line-single"],
    ["4×40 single-line, scribe", "four-line-scribe"],
    ["4×40 5×7", "four-line-5x7"],
  ] as const) {
    const { profile } = loadProfile(join(ROOT, "bench", "profiles", `${file}.json`), { fonts: fontNames() });
    rows.push({ label, job: compile({ record: four, profile, station: bench, markedAt: MARKED_AT }), station: bench });
  }

  const out: (string | number)[][] = [["program", "lines", "strikes sim/plan", "sim over link s", "estimate s", "kinematic bound s", "sim ÷ estimate", "sim ÷ bound", "lost bytes"]];
  for (const r of rows) {
    const { sim, bound, planned } = await measure(r);
    out.push([r.label, r.job.gcode.lines.length, `${sim.strikes.length}/${planned || "train"}`, sim.seconds, r.job.figures.seconds, bound, sim.seconds / r.job.figures.seconds, sim.seconds / bound, sim.lostBytes]);
  }

  // Characters per second on a fast head: 4 lines of 5×7 at 3.175 mm.
  const { profile } = loadProfile(join(ROOT, "bench", "profiles", "slide-5x7-fast.json"), { fonts: fontNames() });
  const lines = loadRecord(join(ROOT, "bench", "record-5x7-3mm.json"));
  const speed: (string | number)[][] = [["station", "characters", "strikes", "sim s", "characters/s", "strikes/s"]];
  for (const station of [bench, fast]) {
    const job = compile({ record: lines, profile, station, markedAt: MARKED_AT });
    const chars = job.blocks.reduce((n, b) => n + b.lines.join("").replace(/\s/g, "").length, 0);
    const { sim } = await measure({ label: `5×7 3.175 mm on ${station.id}`, job, station });
    speed.push([station.id, chars, sim.strikes.length, sim.seconds, chars / sim.seconds, sim.strikes.length / sim.seconds]);
  }
  return `${table(out)}\n\n${table(speed)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchStreaming());
