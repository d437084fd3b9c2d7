import { join } from "node:path";
import { compile } from "../src/compile.ts";
import { fontNames } from "../src/fonts/font.ts";
import { loadProfile, loadRecord, loadStation } from "../src/profile/load.ts";
import { machineLimits, programMotions } from "../src/plan/estimate.ts";
import { GRBL_LOOKAHEAD, totalTime } from "../firmware-bridge/kinematics.ts";
import { measureStreaming } from "../firmware-bridge/measure.ts";
import { table } from "./stats.ts";

/**
 * Streaming benchmark, in the simulated head's virtual time (deterministic, no wall clock):
 * - streaming overhead = marking time over a 115200-baud link with character counting
 *   ÷ planner-limited time (the same program fed to GRBL's 15-block planner with no wait);
 * - planner-limited time ÷ the kinematic lower bound (unlimited look-ahead).
 */
const ROOT = join(import.meta.dirname, "..");

export async function benchStreaming(): Promise<string> {
  const station = loadStation(join(ROOT, "stations", "bench.json"));
  const record = loadRecord(join(ROOT, "bench", "record-four-line.json"));
  const rows: (string | number)[][] = [["program", "lines", "sim over link s", "planner-limited s", "lower bound s", "streaming overhead", "planner ÷ bound", "strikes sim/plan", "lost bytes"]];
  for (const [label, file] of [
    ["4×40 dot mode", "four-line-single"],
    ["4×40 scribe mode", "four-line-scribe"],
    ["4×40 5×7 dot matrix", "four-line-5x7"],
  ] as const) {
    const { profile } = loadProfile(join(ROOT, "bench", "profiles", `${file}.json`), { fonts: fontNames() });
    const job = compile({ record, profile, station, markedAt: new Date("2026-11-23T12:00:00Z") });
    const m = station.machine;
    const head = { x: 0, y: 0 }; // the simulated head starts homed at machine zero
    const motions = programMotions(job.program);
    const planner = totalTime(head, motions, machineLimits(m), GRBL_LOOKAHEAD);
    const bound = totalTime(head, motions, machineLimits(m), Infinity);
    const sim = await measureStreaming(job.gcode.lines, {
      // The programs use coordinates from the homed corner and the streamer follows Ln:, so the
      // head is GRBL with HOMING_FORCE_SET_ORIGIN and USE_LINE_NUMBERS (not stock).
      head: { build: "origin-ln", machine: { workArea: m.workArea, rapidRate: m.rapidRate, acceleration: m.acceleration, junctionDeviation: m.junctionDeviation, homing: m.homing }, pin: { strikeFrequency: m.strikeFrequency, strikeTime: m.strikeTime }, baud: station.controller.baud },
      rxBuffer: station.controller.rxBuffer,
      statusHz: station.controller.statusHz,
    });
    if (sim.outcome.outcome !== "completed") throw new Error(`${label}: the simulated job ended ${sim.outcome.outcome}`);
    const planned = job.figures.strikes;
    rows.push([label, job.gcode.lines.length, sim.seconds, planner, bound, sim.seconds / planner, planner / bound, `${sim.strikes.length}/${planned || "train"}`, sim.lostBytes]);
  }
  return table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchStreaming());
