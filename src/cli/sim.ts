import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import { PeenmarkError } from "../errors.ts";
import { loadStation } from "../profile/load.ts";
import { NAMED_BUILDS, SimHead, startPtyHead, strikesToPng, strikesToSvg, type HeadMachine, type PinDriver } from "../../firmware-bridge/sim/index.ts";
import { simHeadOf } from "../job/head.ts";
import { args, helpText, type OptionHelp } from "./args.ts";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../paths.ts";

const USAGE = "peenmark sim [--pty /tmp/peenmark-head] [--station stations/bench.json] [--build stock|origin] [--line-numbers] [--realtime|--fast] [--set 32=0,30=255] [--workpiece out.svg|out.png]";

export const OPTIONS = {
  pty: { type: "string", default: "/tmp/peenmark-head" },
  station: { type: "string", default: join(PACKAGE_ROOT, "stations", "bench.json") },
  realtime: { type: "boolean" },
  fast: { type: "boolean" },
  set: { type: "string" },
  build: { type: "string", default: "stock" },
  "line-numbers": { type: "boolean" },
  workpiece: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export const HELP: Record<string, OptionHelp> = {
  pty: { arg: "PATH", help: "the link a host opens as the controller's serial port" },
  realtime: { help: "run the head at the station's own speed (the default)" },
  fast: { help: "run the head's clock as fast as the host allows" },
  set: { arg: "N=V,…", help: "settings that differ from what the station implies (a mis-set controller)" },
  build: { arg: "stock|origin", help: "GRBL 1.1h as built: stock config.h, or with HOMING_FORCE_SET_ORIGIN" },
  "line-numbers": { help: "a build with USE_LINE_NUMBERS (Ln: in status reports, one planner block fewer)" },
  workpiece: { arg: "FILE", help: "when stopped, write the simulated workpiece: .svg or .png" },
};

/** `--set 32=0,30=255`: settings that differ from what the station implies (a mis-set controller). */
function parseSettings(text: string | undefined): Record<number, number> {
  const out: Record<number, number> = {};
  if (!text) return out;
  for (const part of text.split(",")) {
    const m = /^\$?(\d+)=(-?\d+(?:\.\d+)?)$/.exec(part.trim());
    if (!m) throw new PeenmarkError("E_USAGE", `--set ${part}: expected N=value, such as 32=1`);
    out[Number(m[1])] = Number(m[2]);
  }
  return out;
}

/**
 * The simulated head on a pseudo-terminal: a host (the station, `peenmark mark`, a GRBL
 * sender) opens the --pty path as it would a real controller's port. Runs until SIGINT or
 * SIGTERM; then writes the simulated workpiece if --workpiece was given.
 */
export async function run(argv: string[]): Promise<number> {
  const { values } = args(argv, OPTIONS);
  if (values.help) {
    console.log(helpText(USAGE, OPTIONS, HELP));
    return 0;
  }
  if (values.realtime && values.fast) throw new PeenmarkError("E_USAGE", `--realtime and --fast exclude each other\nusage: ${USAGE}`);
  if (values.workpiece && ![".svg", ".png"].includes(extname(values.workpiece).toLowerCase())) throw new PeenmarkError("E_USAGE", `--workpiece ${values.workpiece}: expected a .svg or .png file name`);
  // The firmware build (GRBL config.h): stock 1.1h as the bench head is flashed, or with
  // HOMING_FORCE_SET_ORIGIN ("origin"); --line-numbers adds USE_LINE_NUMBERS.
  const named = values.build.replace(/-ln$/, "");
  if (named !== "stock" && named !== "origin") throw new PeenmarkError("E_USAGE", `--build ${values.build}: expected stock or origin\nusage: ${USAGE}`);
  const build = { ...NAMED_BUILDS[named], ...(values["line-numbers"] || values.build.endsWith("-ln") ? { lineNumbers: true } : {}) };
  const station = loadStation(values.station);
  const m = station.machine;
  const base = simHeadOf(station);
  const head = new SimHead({ ...base, settings: { ...base.settings, ...parseSettings(values.set) }, build });
  const clock = values.fast ? "fast" : "realtime";
  const pty = await startPtyHead({ link: values.pty, head, clock });
  head.on("strike", (s) => {
    if (process.env.PEENMARK_SIM_TRACE) console.log(`strike x=${s.x.toFixed(3)} y=${s.y.toFixed(3)} force=${s.force} line=${s.line}`);
  });
  console.log(`simulated head "${station.id}" on ${pty.link} (device end ${pty.devicePath}), GRBL 1.1h [OPT:${head.buildOptions}], ${clock} clock, ${station.controller.baud} baud`);

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await pty.close();
  if (values.workpiece) {
    const opts = { width: m.workArea.width, height: m.workArea.height, pinDiameter: m.pinDiameter };
    writeFileSync(values.workpiece, extname(values.workpiece).toLowerCase() === ".png" ? strikesToPng(head.strikes, opts) : strikesToSvg(head.strikes, opts));
  }
  console.log(`simulated head stopped after ${head.now.toFixed(1)} s: ${head.strikes.length} strikes`);
  return 0;
}
