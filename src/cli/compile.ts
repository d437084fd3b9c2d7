import { writeFileSync, renameSync } from "node:fs";
import { dirname, basename, join, extname } from "node:path";
import { PeenmarkError } from "../errors.ts";
import { compile, type CompiledJob } from "../compile.ts";
import { loadRecord, loadStation } from "../profile/load.ts";
import { previewPng, previewSvg } from "../preview/svg.ts";
import type { Machine } from "../profile/station.ts";
import { args, dataDirOf, helpText, type OptionHelp, required } from "./args.ts";
import { profileRef } from "./profile-ref.ts";
import { stationPath } from "./station.ts";

const USAGE = "peenmark compile --profile P --record R [--station S] [-o out.gcode|-] [--preview out.svg|out.png|-.svg] [--date YYYY-MM-DD] [--data DIR] [--json]";

export const OPTIONS = {
  station: { type: "string" },
  profile: { type: "string" },
  record: { type: "string" },
  output: { type: "string", short: "o" },
  preview: { type: "string" },
  date: { type: "string" },
  data: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const HELP: Record<string, OptionHelp> = {
  profile: { arg: "P", help: "a profile file, or a profile id (the newest version published in the data dir, else the package's)" },
  record: { arg: "FILE", help: "the marking record (JSON)" },
  output: { arg: "FILE", help: "write the G-code program to FILE; - for standard output (the summary then goes to stderr)" },
  preview: { arg: "FILE", help: "write a preview of the work area: .svg or .png; -.svg or -.png for standard output" },
  date: { arg: "DATE", help: "the time of marking for {date.*} fields: YYYY-MM-DD or an ISO date-time", default: "now" },
  data: { arg: "DIR", help: "where published profiles are found by id", default: "$PEENMARK_DATA, else ./data" },
  json: { help: "print the summary as JSON (blocks, figures, program hash and lines)" },
};

/** Write through a temporary file and rename, so a failed run never leaves a partial file. */
function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** `-` (or `-.svg`, `-.png` for a preview): standard output. */
const toStdout = (path: string) => path === "-" || /^-\.(svg|png)$/i.test(path);

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

/** The summary as `--json` prints it: stable keys. */
export function summaryJson(job: CompiledJob, files: { output?: string; preview?: string }) {
  const f = job.figures;
  return {
    blocks: job.blocks,
    figures: { strikes: f.strikes, scribeLength: f.scribeLength, travel: f.travel, seconds: f.seconds },
    program: { lines: job.gcode.lines.length, hash: job.gcode.hash },
    ...files,
  };
}

function previewData(path: string, job: CompiledJob, machine: Machine): string | Buffer {
  const ext = extname(path).toLowerCase();
  if (ext === ".svg") return previewSvg(job.program, machine);
  if (ext === ".png") return previewPng(job.program, machine);
  throw new PeenmarkError("E_USAGE", `--preview ${path}: expected a .svg or .png file name`);
}

export function writePreview(path: string, job: CompiledJob, machine: Machine): void {
  const data = previewData(path, job, machine);
  if (toStdout(path)) process.stdout.write(data);
  else writeAtomic(path, data);
}

export function markDate(value: string | undefined): Date {
  if (!value) return new Date();
  const d = new Date(value.length === 10 ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(d.getTime())) throw new PeenmarkError("E_USAGE", `--date ${value}: expected YYYY-MM-DD or an ISO date-time`);
  return d;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = args(argv, OPTIONS);
  if (values.help) {
    console.log(helpText(USAGE, OPTIONS, HELP));
    return 0;
  }
  const station = loadStation(stationPath(values.station, undefined));
  const { profile } = profileRef(required(values.profile, "--profile", USAGE), dataDirOf(values.data));
  const record = loadRecord(required(values.record, "--record", USAGE));
  if (values.preview && ![".svg", ".png"].includes(extname(values.preview).toLowerCase()))
    throw new PeenmarkError("E_USAGE", `--preview ${values.preview}: expected a .svg or .png file name (-.svg or -.png for standard output)`);
  if (values.output && values.preview && toStdout(values.output) && toStdout(values.preview)) throw new PeenmarkError("E_USAGE", "-o - and --preview - would both write to standard output: send one of them to a file");
  // Everything is checked before the first file is written.
  const job = compile({ record, profile, station, markedAt: markDate(values.date) });
  const gcode = job.gcode.lines.join("\n") + "\n";
  if (values.output) {
    if (toStdout(values.output)) process.stdout.write(gcode);
    else writeAtomic(values.output, gcode);
  }
  if (values.preview) writePreview(values.preview, job, station.machine);
  // Standard output holds the program or the preview: the summary goes to stderr then.
  const say = (text: string) => (values.output && toStdout(values.output)) || (values.preview && toStdout(values.preview)) ? console.error(text) : console.log(text);
  const written = { ...(values.output && !toStdout(values.output) ? { output: values.output } : {}), ...(values.preview && !toStdout(values.preview) ? { preview: values.preview } : {}) };
  if (values.json) say(JSON.stringify(summaryJson(job, written), null, 2));
  else {
    say(summary(job));
    if (written.output) say(`wrote ${written.output}`);
    if (written.preview) say(`wrote ${written.preview}`);
  }
  return 0;
}
