import { writeFileSync, renameSync } from "node:fs";
import { dirname, basename, join, extname } from "node:path";
import { PeenmarkError } from "../errors.ts";
import { compile, type CompiledJob } from "../compile.ts";
import { loadProfile, loadRecord, loadStation } from "../profile/load.ts";
import { fontNames } from "../fonts/font.ts";
import { previewPng, previewSvg } from "../preview/svg.ts";
import type { Machine } from "../profile/station.ts";
import { args, required } from "./args.ts";

const USAGE = "peenmark compile --station S --profile P --record R [-o out.gcode] [--preview out.svg|out.png] [--date YYYY-MM-DD]";

/** Write through a temporary file and rename, so a failed run never leaves a partial file. */
function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const mm = (n: number) => `${n.toFixed(1)} mm`;

export function formatDuration(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${(s % 60).toFixed(0).padStart(2, "0")} s`;
}

export function summary(job: CompiledJob): string {
  const f = job.figures;
  const rows = job.blocks.map((b) => {
    const cap = b.measuredCapHeight === undefined ? "-" : `${b.measuredCapHeight.toFixed(3)} mm`;
    const what = b.mode === "dot" ? `${b.strikes} strikes @ ${b.pitch.toFixed(3)} mm` : `${mm(b.scribeLength)} scribed @ ${b.feed} mm/min`;
    return `  ${b.id.padEnd(14)} ${b.font.padEnd(16)} ${b.mode.padEnd(6)} ${String(b.glyphs).padStart(4)} glyphs  cap ${cap.padStart(9)}  ${what}  force ${b.force} %\n    ${b.lines.map((l) => JSON.stringify(l)).join("\n    ")}`;
  });
  const glyphs = job.blocks.reduce((n, b) => n + b.glyphs, 0);
  return [
    `blocks: ${job.blocks.length}   glyphs: ${glyphs}   strikes: ${f.strikes}   scribed: ${mm(f.scribeLength)}   travel: ${mm(f.travel)}`,
    `estimated marking time: ${formatDuration(f.seconds)}   program: ${job.gcode.lines.length} lines, sha256 ${job.gcode.hash.slice(0, 12)}`,
    ...rows,
  ].join("\n");
}

export function writePreview(path: string, job: CompiledJob, machine: Machine): void {
  const ext = extname(path).toLowerCase();
  if (ext === ".svg") writeAtomic(path, previewSvg(job.program, machine));
  else if (ext === ".png") writeAtomic(path, previewPng(job.program, machine));
  else throw new PeenmarkError("E_USAGE", `--preview ${path}: expected a .svg or .png file name`);
}

export function markDate(value: string | undefined): Date {
  if (!value) return new Date();
  const d = new Date(value.length === 10 ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(d.getTime())) throw new PeenmarkError("E_USAGE", `--date ${value}: expected YYYY-MM-DD or an ISO date-time`);
  return d;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = args(argv, {
    station: { type: "string", default: "stations/bench.json" },
    profile: { type: "string" },
    record: { type: "string" },
    output: { type: "string", short: "o" },
    preview: { type: "string" },
    date: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(`usage: ${USAGE}`);
    return 0;
  }
  const station = loadStation(values.station!);
  const { profile } = loadProfile(required(values.profile, "--profile", USAGE), { fonts: fontNames() });
  const record = loadRecord(required(values.record, "--record", USAGE));
  if (values.preview && ![".svg", ".png"].includes(extname(values.preview).toLowerCase()))
    throw new PeenmarkError("E_USAGE", `--preview ${values.preview}: expected a .svg or .png file name`);
  // Everything is checked before the first file is written.
  const job = compile({ record, profile, station, markedAt: markDate(values.date) });
  if (values.output) writeAtomic(values.output, job.gcode.lines.join("\n") + "\n");
  if (values.preview) writePreview(values.preview, job, station.machine);
  console.log(summary(job));
  if (values.output) console.log(`wrote ${values.output}`);
  if (values.preview) console.log(`wrote ${values.preview}`);
  return 0;
}
