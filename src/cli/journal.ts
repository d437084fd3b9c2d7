import { join, resolve } from "node:path";
import { existsSync, writeFileSync } from "node:fs";
import { PeenmarkError } from "../errors.ts";
import { markedAt } from "../journal/export.ts";
import { DEFAULT_JOURNAL_PATH, Journal, type JobRow, type NumberState, type Outcome, type SeriesNumber, type SeriesRow } from "../journal/journal.ts";
import { args, required } from "./args.ts";

const USAGE = `
  peenmark journal find SERIAL [--json]
  peenmark journal export --format csv|json [-o FILE] [--from DATE] [--to DATE] [--outcome OUTCOME] [--serial SERIAL]
  peenmark journal release JOB --operator NAME --reason TEXT
  peenmark journal series list [--json]
  peenmark journal series create ID --pattern P --start N --end N [--step N] [--licence 12345678] --operator NAME [--note TEXT]
  peenmark journal series numbers ID [--state reserved|committed|released|void] [--json]
  peenmark journal series release ID NUMBER --operator NAME --reason TEXT
  peenmark journal series void ID NUMBER --operator NAME --reason TEXT
every command takes --db PATH (default $PEENMARK_DB, else ${DEFAULT_JOURNAL_PATH})`;

const OUTCOMES: readonly Outcome[] = ["pending", "marking", "completed", "aborted", "interrupted", "failed"];
const STATES: readonly NumberState[] = ["reserved", "committed", "released", "void"];

const OPTIONS = {
  db: { type: "string" },
  json: { type: "boolean" },
  format: { type: "string" },
  output: { type: "string", short: "o" },
  from: { type: "string" },
  to: { type: "string" },
  outcome: { type: "string" },
  serial: { type: "string" },
  state: { type: "string" },
  pattern: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  step: { type: "string" },
  licence: { type: "string" },
  operator: { type: "string" },
  reason: { type: "string" },
  note: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof args<typeof OPTIONS>>["values"];

/** Columns padded to their widest cell; the columns listed in `right` (numbers) are right-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const width = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right.includes(i) ? c.padStart(width[i] ?? 0) : c.padEnd(width[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), line(width.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function jobsTable(jobs: readonly JobRow[]): string {
  return table(
    ["job", "outcome", "serial", "manufacturer", "model", "caliber", "marked at", "station", "line", "technician", "note"],
    jobs.map((j) => [
      String(j.id),
      j.release ? `${j.outcome} (released)` : j.outcome,
      j.licencePrefix ? `${j.licencePrefix}-${j.serial}` : j.serial,
      j.manufacturer,
      j.record.model ?? "",
      j.record.caliber,
      markedAt(j).replace("T", " ").replace(/\.\d+Z$/, "Z"),
      j.stationId,
      `${j.progress.executedLine}/${j.program.lines}`,
      j.technician,
      [
        j.remark ? `re-mark of job ${j.remark.of} by ${j.remark.authorisedBy}: ${j.remark.reason}` : "",
        j.error ? `${j.error.code} ${j.error.text}` : "",
        j.release ? `released by ${j.release.by}: ${j.release.reason}` : "",
        j.note ?? "",
      ]
        .filter((s) => s !== "")
        .join("; "),
    ]),
    [0],
  );
}

function seriesTable(series: readonly SeriesRow[]): string {
  return table(
    ["series", "pattern", "licence", "start", "end", "step", "next", "committed", "reserved", "released", "void", "created by"],
    series.map((s) => [
      s.id,
      s.pattern,
      s.licencePrefix ?? "",
      String(s.start),
      String(s.end),
      String(s.step),
      s.nextNumber > s.end ? "exhausted" : String(s.nextNumber),
      String(s.counts.committed),
      String(s.counts.reserved),
      String(s.counts.released),
      String(s.counts.void),
      s.createdBy,
    ]),
    [3, 4, 5, 6, 7, 8, 9, 10],
  );
}

function numbersTable(numbers: readonly SeriesNumber[]): string {
  return table(
    ["number", "serial", "state", "job", "since", "operator", "reason"],
    numbers.map((n) => [String(n.number), n.serial, n.state, n.jobId === undefined ? "" : String(n.jobId), n.updatedAt, n.operator ?? "", n.reason ?? ""]),
    [0, 3],
  );
}

function integer(value: string | undefined, flag: string): number {
  const v = required(value, flag, USAGE);
  if (!/^\d+$/.test(v)) throw new PeenmarkError("E_USAGE", `${flag} ${v}: expected a whole number`);
  return Number(v);
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new PeenmarkError("E_USAGE", `${flag} ${value}: expected one of ${allowed.join(", ")}`);
  return value as T;
}

const action = (v: Values) => ({ operator: required(v.operator, "--operator", USAGE), reason: required(v.reason, "--reason", USAGE) });

const print = (v: Values, data: unknown, human: () => string) => console.log(v.json ? JSON.stringify(data, null, 2) : human());

function series(journal: Journal, words: string[], v: Values): number {
  const [verb, id, number] = words;
  switch (verb) {
    case "list": {
      const all = journal.listSeries();
      print(v, all, () => seriesTable(all));
      return 0;
    }
    case "create": {
      const s = journal.createSeries({
        id: required(id, "series ID", USAGE),
        pattern: required(v.pattern, "--pattern", USAGE),
        start: integer(v.start, "--start"),
        end: integer(v.end, "--end"),
        ...(v.step === undefined ? {} : { step: integer(v.step, "--step") }),
        ...(v.licence === undefined ? {} : { licencePrefix: v.licence }),
        createdBy: required(v.operator, "--operator", USAGE),
        ...(v.note === undefined ? {} : { note: v.note }),
      });
      print(v, s, () => seriesTable([s]));
      return 0;
    }
    case "numbers": {
      const numbers = journal.numbers(required(id, "series ID", USAGE), oneOf(v.state, STATES, "--state"));
      print(v, numbers, () => numbersTable(numbers));
      return 0;
    }
    case "release":
    case "void": {
      const seriesId = required(id, "series ID", USAGE);
      const n = integer(number, "NUMBER");
      const done = verb === "release" ? journal.releaseReservation(seriesId, n, action(v)) : journal.voidNumber(seriesId, n, action(v));
      print(v, done, () => numbersTable([done]));
      return 0;
    }
    default:
      throw new PeenmarkError("E_USAGE", `journal series ${verb ?? ""}: expected list, create, numbers, release or void\nusage:${USAGE}`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = args(argv, OPTIONS, true);
  const [command, ...words] = positionals;
  if (v.help || command === undefined) {
    console.log(`usage:${USAGE}`);
    return v.help ? 0 : 2;
  }
  // The same journal the station and `peenmark mark` use: --db, then $PEENMARK_DB, then the
  // data directory ($PEENMARK_DATA, as `station --data` and `mark --data` take it).
  const path = v.db ?? process.env.PEENMARK_DB ?? (process.env.PEENMARK_DATA ? join(process.env.PEENMARK_DATA, "peenmark.db") : DEFAULT_JOURNAL_PATH);
  // Reading a journal that is not there must not answer "no such serial" from a new empty file.
  const creates = command === "series" && words[0] === "create";
  if (!creates && !existsSync(path))
    throw new PeenmarkError("E_FILE", `no journal at ${resolve(path)}: give its path with --db, or set PEENMARK_DATA to the station's data directory`, { where: path });
  const journal = new Journal({ path });
  const interrupted = journal.open();
  try {
    for (const j of interrupted) {
      console.error(`job ${j.id} (${j.serial}) was marking when its service stopped: now interrupted at line ${j.progress.executedLine} of ${j.program.lines}; re-home before re-marking`);
    }
    switch (command) {
      case "find": {
        const serial = required(words[0], "SERIAL", USAGE);
        const jobs = journal.find(serial);
        if (jobs.length === 0 && !v.json) {
          console.log(`no job for serial "${serial}" in ${journal.path}`);
          return 1;
        }
        print(v, jobs, () => jobsTable(jobs));
        return jobs.length === 0 ? 1 : 0;
      }
      case "export": {
        const format = oneOf(required(v.format, "--format", USAGE), ["csv", "json"] as const, "--format")!;
        const outcome = oneOf(v.outcome, OUTCOMES, "--outcome");
        const text = journal.exportJobs({ format, ...(v.from ? { from: v.from } : {}), ...(v.to ? { to: v.to } : {}), ...(outcome ? { outcome } : {}), ...(v.serial ? { serial: v.serial } : {}) });
        if (v.output) {
          writeFileSync(v.output, text, "utf8");
          console.error(`wrote ${v.output}`);
        } else process.stdout.write(text);
        return 0;
      }
      case "release": {
        const job = journal.releaseSerial(integer(words[0], "JOB"), action(v));
        print(v, job, () => jobsTable([job]));
        return 0;
      }
      case "series":
        return series(journal, words, v);
      default:
        throw new PeenmarkError("E_USAGE", `journal ${command}: expected find, export, release or series\nusage:${USAGE}`);
    }
  } finally {
    journal.close();
  }
}
