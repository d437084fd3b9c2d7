import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PeenmarkError } from "../errors.ts";
import { Head } from "../job/head.ts";
import { outcomeLine, progressLine } from "../job/progress-bar.ts";
import { JobRunner, type StartRequest } from "../job/runner.ts";
import type { JobView } from "../job/view.ts";
import { CutOffJournal, type CutOffState } from "../journal/cut-off.ts";
import { chooseJournal } from "../journal/open-journal.ts";
import { loadStation, parseJson, parseRecord } from "../profile/load.ts";
import type { Station } from "../profile/station.ts";
import { args, dataDirOf, helpText, type OptionHelp, print, required } from "./args.ts";
import { profileRef } from "./profile-ref.ts";
import { stationPath } from "./station.ts";

const USAGE =
  "peenmark mark --profile P --record R (--port PATH | --sim [--sim-speed N]) [--station S] [--technician NAME] [--data DIR] [--json]\n" +
  "                [--remark-of JOB] [--reason TEXT --operator NAME]   (a re-mark of a serial marked before)\n" +
  "                [--current-profile TEXT]   (re-mark with P as it is now, not the version JOB was marked with, because TEXT)\n" +
  "                [--series ID]   (draw the serial from a serial-number series; the record has no serial)\n" +
  "                [--journal postgres://…|FILE]   (the shared registry, or an SQLite file; default $PEENMARK_JOURNAL, else DIR/peenmark.db)\n" +
  "  P: a profile file, or the id of a profile in profiles/ or published in DIR/profiles/";

export const HELP: Record<string, OptionHelp> = {
  profile: { arg: "P", help: "a profile file, or a profile id (the newest version published in the data dir, else the package's)" },
  record: { arg: "FILE", help: "the marking record (JSON)" },
  technician: { arg: "NAME", help: "who marks", default: "$PEENMARK_TECHNICIAN, else the login name" },
  "remark-of": { arg: "JOB", help: "re-mark: the earlier job of this serial", default: "the newest job of the serial" },
  reason: { arg: "TEXT", help: "re-mark: why (10 characters or more)" },
  operator: { arg: "NAME", help: "re-mark: the operator who authorises it" },
  "current-profile": { arg: "TEXT", help: "re-mark with the profile as it is now, because TEXT (10 characters or more)" },
  series: { arg: "ID", help: "draw the serial from this serial-number series" },
  journal: { arg: "URL|FILE", help: "the shared PostgreSQL registry (postgres://station_ID@host/db, docs/REGISTRY.md) or an SQLite file", default: "$PEENMARK_JOURNAL, else the data dir's peenmark.db" },
  json: { help: "print the finished job (JobView) as JSON instead of the outcome line" },
};



/** The head options every head command takes: a serial port, or the simulated head in this process. */
export const HEAD_OPTIONS = {
  station: { type: "string" },
  port: { type: "string" },
  sim: { type: "boolean" },
  "sim-speed": { type: "string" },
  data: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function openHeadFromFlags(values: { station?: string | undefined; port?: string | undefined; sim?: boolean | undefined; "sim-speed"?: string | undefined; data?: string | undefined }, usage: string): Promise<{ head: Head; station: Station }> {
  const station = loadStation(stationPath(values.station, undefined));
  const port = values.port ?? station.controller.port;
  if (values.port && values.sim) throw new PeenmarkError("E_USAGE", `--port and --sim exclude each other\nusage: ${usage}`);
  if (!port && !values.sim) throw new PeenmarkError("E_USAGE", `say which head: --port /dev/ttyUSB0 (a controller or a pty) or --sim (the simulated head in this process)\nusage: ${usage}`);
  const speed = values["sim-speed"] === undefined ? 1 : Number(values["sim-speed"]);
  if (!(speed > 0)) throw new PeenmarkError("E_USAGE", `--sim-speed ${values["sim-speed"]}: expected a number above 0 (virtual seconds per real second)`);
  // Where the last command left a homed head (head.ts): in the data directory, as the journal.
  const homedStatePath = join(dataDirOf(values.data), "head.json");
  const head = await Head.open({ station, ...(values.sim ? { simSpeed: speed } : { serial: port!, homedStatePath }) });
  return { head, station };
}

function readRecord(path: string): unknown {
  try {
    return parseJson(path, readFileSync(path, "utf8"));
  } catch (e) {
    if (e instanceof PeenmarkError) throw e;
    throw new PeenmarkError("E_FILE", `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { where: path, cause: e });
  }
}

export const OPTIONS = {
  ...HEAD_OPTIONS,
  profile: { type: "string" },
  record: { type: "string" },
  technician: { type: "string" },
  data: { type: "string" },
  "remark-of": { type: "string" },
  reason: { type: "string" },
  operator: { type: "string" },
  "current-profile": { type: "string" },
  series: { type: "string" },
  journal: { type: "string" },
  json: { type: "boolean" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values } = args(argv, OPTIONS);
  if (values.help) {
    console.log(helpText(USAGE, OPTIONS, HELP));
    return 0;
  }
  const dataDir = dataDirOf(values.data);
  const spec = required(values.profile, "--profile", USAGE);
  const record = readRecord(required(values.record, "--record", USAGE));
  const technician = values.technician ?? process.env.PEENMARK_TECHNICIAN ?? userInfo().username;
  const remark = remarkFlags(values);

  // The station file first: its id is whose jobs the registry lets this command recover.
  const station = loadStation(stationPath(values.station, undefined));
  const journal = chooseJournal({ journal: values.journal, dataDir, stationId: station.id });
  if (journal.kind === "postgres") process.stderr.write(`registry ${journal.where} (station ${station.id})\n`);
  for (const j of await journal.open()) console.error(`note: job ${j.id} (serial ${j.serial}) was interrupted at line ${j.progress.executedLine} of ${j.program.lines} when a station stopped; it holds its serial until re-marked or released`);
  if (journal instanceof CutOffJournal) {
    const cut = journal.state();
    if (cut.cutOff) process.stderr.write(`${cutOffLine(cut)}\n`);
    else if (cut.waiting) process.stderr.write(`registry: ${cut.waiting} job${cut.waiting === 1 ? "" : "s"} marked while cut off not yet uploaded\n`);
  }
  let head: Head | undefined;
  let runner: JobRunner | undefined;
  try {
    // A re-mark strikes with the version its earlier job was marked with (the journal holds to it).
    const earlierOf = remark && !remark.currentProfile ? (remark.of ?? (await journal.lastJobOf(parseRecord("record", record)))?.id) : undefined;
    const profile = profileRef(spec, dataDir, earlierOf === undefined ? undefined : (await journal.job(earlierOf)).profile);
    const opened = await openHeadFromFlags(values, USAGE);
    head = opened.head;
    runner = new JobRunner({ journal, head, station: opened.station });
    const ended = await mark(runner, { profile, record, technician, ...(remark ? { remark } : {}), ...(values.series ? { series: values.series } : {}) });
    print(values.json, ended, () => outcomeLine(ended));
    return ended.state === "completed" ? 0 : 1;
  } finally {
    await runner?.close();
    await journal.close();
    await head?.close();
  }
}

/** Start, draw progress, handle Ctrl-C (pause; then Enter resumes, Ctrl-C again aborts), print the outcome. */
function remarkFlags(v: { "remark-of"?: string | undefined; reason?: string | undefined; operator?: string | undefined; "current-profile"?: string | undefined }): StartRequest["remark"] {
  if (v["remark-of"] === undefined && v.reason === undefined && v.operator === undefined) {
    if (v["current-profile"] !== undefined) throw new PeenmarkError("E_USAGE", `--current-profile goes with a re-mark (--remark-of, --reason, --operator)\nusage: ${USAGE}`);
    return undefined;
  }
  const reason = required(v.reason, "--reason", USAGE);
  const operator = required(v.operator, "--operator", USAGE);
  if (reason.trim().length < 10) throw new PeenmarkError("E_USAGE", "--reason: a re-mark needs a written reason of at least 10 characters");
  const ofText = v["remark-of"];
  if (ofText !== undefined && !/^[1-9][0-9]{0,15}$/.test(ofText)) throw new PeenmarkError("E_USAGE", `--remark-of ${ofText}: expected a job number`);
  const of = ofText === undefined ? undefined : Number(ofText);
  const current = v["current-profile"];
  if (current !== undefined && current.trim().length < 10) throw new PeenmarkError("E_USAGE", "--current-profile: say in at least 10 characters why the re-mark uses the profile as it is now");
  return { reason, operator, ...(of === undefined ? {} : { of }), ...(current === undefined ? {} : { currentProfile: { reason: current } }) };
}

async function mark(runner: JobRunner, req: StartRequest): Promise<JobView> {
  const tty = process.stderr.isTTY === true;
  let lastDraw = 0;
  let lastLength = 0;
  const draw = (job: JobView, force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < (tty ? 100 : 2000)) return;
    lastDraw = now;
    const line = progressLine(job);
    if (tty) {
      process.stderr.write(`\r${line}${" ".repeat(Math.max(0, lastLength - line.length))}`);
      lastLength = line.length;
    } else process.stderr.write(`${line}\n`);
  };
  // The journal (a registry out of reach, a locked or full disk) stopping or starting to record is said once, on a line of its own.
  let journalSaid: string | undefined;
  const onJob = (job: JobView) => {
    const now = job.journal?.message;
    if (now !== journalSaid && (now !== undefined || journalSaid !== undefined)) {
      process.stderr.write(`${tty ? "\n" : ""}${now ?? "the journal records again"}\n`);
      journalSaid = now;
    }
    draw(job, job.state !== "marking");
  };
  runner.on("job", onJob);

  const started = await runner.start(req);
  const id = started.job.id;
  process.stderr.write(`job ${id}: serial ${started.job.serial}, profile ${started.job.profileId}, ${started.job.progress.strikesTotal} strikes, ${started.job.progress.linesTotal} lines${runner.head.homed ? "" : " (homing first)"}\n`);

  let paused = false;
  const input = createInterface({ input: process.stdin });
  input.pause();
  const onEnter = () => {
    if (!paused) return;
    paused = false;
    input.pause();
    process.stderr.write("\nresuming\n");
    runner.resume(id).catch((e: unknown) => process.stderr.write(`\n${String(e)}\n`));
  };
  input.on("line", onEnter);
  const onSigint = () => {
    const job = runner.current();
    if (!job) return;
    if (paused || job.state === "pending") {
      process.stderr.write("\naborting (feed hold, then reset)\n");
      void runner.abort(id);
      return;
    }
    runner.pause(id).then(
      () => {
        paused = true;
        input.resume();
        process.stderr.write("\npaused: Enter resumes, Ctrl-C again aborts\n");
      },
      (e: unknown) => process.stderr.write(`\n${String(e)}\n`),
    );
  };
  process.on("SIGINT", onSigint);
  try {
    const ended = await started.done;
    if (tty) process.stderr.write("\n");
    return ended;
  } finally {
    process.off("SIGINT", onSigint);
    runner.off("job", onJob);
    input.close();
    // A stdin that was read from keeps the process alive: let it go.
    process.stdin.pause();
    (process.stdin as { unref?: () => void }).unref?.();
  }
}

/** What a station cut off from its registry may still mark, in one line (the CLI's; the page says it in the registry line). */
export function cutOffLine(cut: CutOffState): string {
  const leases = cut.leases.length ? cut.leases.map((l) => `series "${l.seriesId}" ${l.left} number${l.left === 1 ? "" : "s"} until ${l.expiresAt}`).join(", ") : "no leased numbers";
  return `registry cut off since ${cut.since ?? "now"}: typed serials are refused; it may mark ${leases}${cut.waiting ? `; ${cut.waiting} job${cut.waiting === 1 ? "" : "s"} waiting to upload` : ""}`;
}
