import { join } from "node:path";
import { existsSync, writeFileSync } from "node:fs";
import { PeenmarkError } from "../errors.ts";
import { markedAt } from "../journal/export.ts";
import { chooseJournal, isPostgresUrl } from "../journal/open-journal.ts";
import { type JournalEngine, SqliteEngine } from "../journal/engine.ts";
import { Journal, type JobRow, type NumberState, type Outcome, type SeriesNumber, type SeriesRow } from "../journal/journal.ts";
import { args, dataDirOf, helpText, type OptionHelp, print as printResult, required } from "./args.ts";
import type { Lease } from "../journal/lease.ts";
import { PgJournal } from "../journal/pg-journal.ts";
import { loadStation } from "../profile/load.ts";
import { stationPath } from "./station.ts";

const USAGE = `peenmark journal find SERIAL [--json]
       peenmark journal search [--serial PART] [--maker PART] [--model PART] [--from DATE] [--to DATE] [--station ID] [--outcome O] [--limit N] [--offset N] [--json]
       peenmark journal stats [--from DATE] [--to DATE] [--json]
       peenmark journal export --format csv|json [-o FILE|-] [--from DATE] [--to DATE] [--outcome OUTCOME] [--serial SERIAL] [--delimiter comma|semicolon] [--bom]
       peenmark journal release JOB --operator NAME --reason TEXT [--json]
       peenmark journal series list [--json]
       peenmark journal series create ID --pattern P --start N --end N [--step N] [--licence 12345678] --operator NAME [--note TEXT] [--json]
       peenmark journal series numbers ID [--state reserved|committed|released|void] [--json]
       peenmark journal series release ID NUMBER --operator NAME --reason TEXT [--json]
       peenmark journal series void ID NUMBER --operator NAME --reason TEXT [--json]
       peenmark journal lease grant SERIES --station ID --size N --hours H --operator NAME --reason TEXT [--json]
       peenmark journal lease list [--station ID] [--json]
       peenmark journal lease return LEASE --operator NAME --reason TEXT [--json]
every command reads the journal of the data dir (--data DIR, else $PEENMARK_DATA, else ./data), or the file --db names, or the registry --journal postgres://… (else $PEENMARK_JOURNAL) names`;

const OUTCOMES: readonly Outcome[] = ["pending", "marking", "completed", "aborted", "interrupted", "failed"];
const STATES: readonly NumberState[] = ["reserved", "committed", "released", "void"];

export const OPTIONS = {
  data: { type: "string" },
  db: { type: "string" },
  journal: { type: "string" },
  station: { type: "string" },
  maker: { type: "string" },
  model: { type: "string" },
  limit: { type: "string" },
  offset: { type: "string" },
  delimiter: { type: "string" },
  bom: { type: "boolean" },
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
  size: { type: "string" },
  hours: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export const HELP: Record<string, OptionHelp> = {
  db: { arg: "FILE", help: "the journal file itself, instead of the data dir's peenmark.db" },
  journal: { arg: "URL|FILE", help: "the shared PostgreSQL registry (postgres://user@host/db, docs/REGISTRY.md) or an SQLite file", default: "$PEENMARK_JOURNAL, else the data dir's peenmark.db" },
  station: { arg: "ID", help: "search: jobs of this station; stats: the station file whose time zone counts the days; lease: the station the numbers are for", default: "stats: stations/bench.json" },
  format: { arg: "csv|json", help: "export: the format" },
  output: { arg: "FILE", help: "export: write to FILE; - for standard output", default: "standard output" },
  from: { arg: "DATE", help: "jobs written from this date or time (2026-11-23, 2026-11-23T18:00:00Z)" },
  to: { arg: "DATE", help: "jobs written before this time; a date includes that whole day" },
  outcome: { arg: "O", help: "pending, marking, completed, aborted, interrupted or failed" },
  serial: { arg: "S", help: "export: every job of this serial, by identity; search: part of the serial" },
  maker: { arg: "PART", help: "search: part of the maker's name, by identity" },
  model: { arg: "PART", help: "search: part of the model, without case" },
  limit: { arg: "N", help: "search: jobs per page, 1–500", default: "50" },
  offset: { arg: "N", help: "search: jobs to skip, newest first", default: "0" },
  delimiter: { arg: "comma|semicolon", help: "export: the CSV separator (semicolon for spreadsheets set to Spanish)", default: "comma" },
  bom: { help: "export: start the CSV with a UTF-8 byte-order mark (Excel reads accents right)" },
  state: { arg: "STATE", help: "series numbers: reserved, committed, released or void" },
  pattern: { arg: "P", help: "series create: letters and digits around {counter:N}, {yy}, {yyyy}, {licence}" },
  start: { arg: "N", help: "series create: the first number" },
  end: { arg: "N", help: "series create: the last number" },
  step: { arg: "N", help: "series create: between two numbers", default: "1" },
  licence: { arg: "12345678", help: "series create: the licence prefix for {licence}" },
  operator: { arg: "NAME", help: "who releases, voids or defines" },
  reason: { arg: "TEXT", help: "why (10 characters or more)" },
  note: { arg: "TEXT", help: "series create: a note kept with the series" },
  size: { arg: "N", help: "lease grant: how many numbers, 1–1000" },
  hours: { arg: "H", help: "lease grant: how long the station may mark from it while cut off from the registry, hours (at most 720)" },
};

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

const print = (v: Values, data: unknown, human: () => string) => printResult(v.json, data, human);

async function series(journal: JournalEngine, words: string[], v: Values): Promise<number> {
  const [verb, id, number] = words;
  switch (verb) {
    case "list": {
      const all = await journal.listSeries();
      print(v, all, () => seriesTable(all));
      return 0;
    }
    case "create": {
      const s = await journal.createSeries({
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
      const numbers = await journal.numbers(required(id, "series ID", USAGE), oneOf(v.state, STATES, "--state"));
      print(v, numbers, () => numbersTable(numbers));
      return 0;
    }
    case "release":
    case "void": {
      const seriesId = required(id, "series ID", USAGE);
      const n = integer(number, "NUMBER");
      const done = verb === "release" ? await journal.releaseReservation(seriesId, n, action(v)) : await journal.voidNumber(seriesId, n, action(v));
      print(v, done, () => numbersTable([done]));
      return 0;
    }
    default:
      throw new PeenmarkError("E_USAGE", `journal series ${verb ?? ""}: expected list, create, numbers, release or void\nusage: ${USAGE}`);
  }
}

function leasesTable(leases: readonly Lease[]): string {
  return table(
    ["lease", "series", "station", "numbers", "used", "expires", "granted by", "returned"],
    leases.map((l) => [
      l.id,
      l.seriesId,
      l.stationId,
      l.numbers.length ? `${l.numbers[0]!.serial}…${l.numbers[l.numbers.length - 1]!.serial} (${l.numbers.length})` : "none",
      String(l.used),
      l.expiresAt,
      `${l.createdBy}: ${l.reason}`,
      l.returned ? `${l.returned.at} by ${l.returned.by}: ${l.returned.reason}` : "",
    ]),
    [4],
  );
}

/** Leases of series numbers to stations (docs/REGISTRY.md, "Leases"): the registry only. */
async function lease(journal: JournalEngine, words: string[], v: Values): Promise<number> {
  if (!(journal instanceof PgJournal)) throw new PeenmarkError("E_USAGE", `journal lease: leases are for stations sharing a registry (--journal postgres://…): a bench's own journal is never out of reach\nusage: ${USAGE}`);
  const [verb, id] = words;
  switch (verb) {
    case "grant": {
      const station = required(v.station, "--station", USAGE);
      const granted = await journal.leaseNumbers(
        required(id, "SERIES", USAGE),
        { stationId: station, size: integer(v.size, "--size"), hours: Number(required(v.hours, "--hours", USAGE)), operator: required(v.operator, "--operator", USAGE), reason: required(v.reason, "--reason", USAGE) },
        new Date(),
      );
      print(v, granted, () => leasesTable([granted]));
      return 0;
    }
    case "list": {
      const all = await journal.leases(v.station ? { stationId: v.station } : {});
      print(v, all, () => leasesTable(all));
      return 0;
    }
    case "return": {
      const back = await journal.returnLease(required(id, "LEASE", USAGE), action(v));
      print(v, back, () => leasesTable([back]));
      return 0;
    }
    default:
      throw new PeenmarkError("E_USAGE", `journal lease ${verb ?? ""}: expected grant, list or return\nusage: ${USAGE}`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = args(argv, OPTIONS, true);
  const [command, ...words] = positionals;
  if (v.help) {
    console.log(helpText(USAGE, OPTIONS, HELP));
    return 0;
  }
  if (command === undefined) throw new PeenmarkError("E_USAGE", `journal needs a command: find, search, stats, export, release, series or lease\nusage: ${USAGE}`);
  // The same journal the station and `peenmark mark` use: the data dir's (--data, else
  // $PEENMARK_DATA, else ./data), unless --db names the file or --journal ($PEENMARK_JOURNAL)
  // the registry. On the registry no station is named: nothing is found interrupted here.
  const given = v.db ?? v.journal ?? (process.env.PEENMARK_JOURNAL || undefined);
  let journal: JournalEngine;
  let existed = true;
  if (given !== undefined && isPostgresUrl(given)) journal = chooseJournal({ journal: given, dataDir: dataDirOf(v.data) });
  else {
    const path = given ?? join(dataDirOf(v.data), "peenmark.db");
    // Reading a journal that is not there must not answer "no such serial" from a new empty file.
    const creates = command === "series" && words[0] === "create";
    existed = existsSync(path);
    if (!creates && !existed)
      throw new PeenmarkError("E_FILE", `no journal at ${path}: give the station's data dir with --data (or set PEENMARK_DATA), the file with --db, or the registry with --journal`, { where: path });
    journal = new SqliteEngine(new Journal({ path }));
  }
  const interrupted = await journal.open();
  if (!existed) console.error(`note: there was no journal at ${journal.where}: a new one was made (a station started with --data ${join(journal.where, "..")} uses it)`);
  try {
    for (const j of interrupted) {
      console.error(`job ${j.id} (${j.serial}) was marking when its service stopped: now interrupted at line ${j.progress.executedLine} of ${j.program.lines}; re-home before re-marking`);
    }
    switch (command) {
      case "find": {
        const serial = required(words[0], "SERIAL", USAGE);
        const jobs = await journal.find(serial);
        if (jobs.length === 0 && !v.json) {
          console.log(`no job for serial "${serial}" in ${journal.where}`);
          return 1;
        }
        print(v, jobs, () => jobsTable(jobs));
        return jobs.length === 0 ? 1 : 0;
      }
      case "search": {
        const outcome = oneOf(v.outcome, OUTCOMES, "--outcome");
        const r = await journal.search({
          ...(v.serial ? { serial: v.serial } : {}),
          ...(v.maker ? { maker: v.maker } : {}),
          ...(v.model ? { model: v.model } : {}),
          ...(v.from ? { from: v.from } : {}),
          ...(v.to ? { to: v.to } : {}),
          ...(v.station ? { station: v.station } : {}),
          ...(outcome ? { outcome } : {}),
          ...(v.limit === undefined ? {} : { limit: integer(v.limit, "--limit") }),
          ...(v.offset === undefined ? {} : { offset: integer(v.offset, "--offset") }),
        });
        print(v, r, () => `${jobsTable(r.jobs)}\n${r.jobs.length ? `${r.offset + 1}–${r.offset + r.jobs.length}` : "none"} of ${r.total}`);
        return 0;
      }
      case "stats": {
        const station = loadStation(stationPath(v.station, undefined));
        const s = await journal.statistics({ ...(v.from ? { from: v.from } : {}), ...(v.to ? { to: v.to } : {}) }, station.timeZone);
        const cols = ["jobs", "completed", "failed", "aborted", "interrupted", "remarks"] as const;
        const block = (title: string, rows: { key: string; c: (typeof s)["totals"] }[]) =>
          table([title, ...cols], rows.map((r) => [r.key, ...cols.map((k) => String(r.c[k]))]), [1, 2, 3, 4, 5, 6]);
        print(v, s, () =>
          [
            block(`day (${s.timeZone})`, s.days.map((d) => ({ key: d.day, c: d }))),
            block("station", s.stations.map((d) => ({ key: d.station, c: d }))),
            block("technician", s.technicians.map((d) => ({ key: d.technician, c: d }))),
            block("all", [{ key: "total", c: s.totals }]),
          ].join("\n\n"),
        );
        return 0;
      }
      case "export": {
        const format = oneOf(required(v.format, "--format", USAGE), ["csv", "json"] as const, "--format")!;
        const outcome = oneOf(v.outcome, OUTCOMES, "--outcome");
        const delimiter = oneOf(v.delimiter, ["comma", "semicolon"] as const, "--delimiter");
        const text = await journal.exportJobs({
          format,
          ...(v.from ? { from: v.from } : {}),
          ...(v.to ? { to: v.to } : {}),
          ...(outcome ? { outcome } : {}),
          ...(v.serial ? { serial: v.serial } : {}),
          delimiter: delimiter === "semicolon" ? ";" : ",",
          bom: v.bom === true,
        });
        if (v.output && v.output !== "-") {
          writeFileSync(v.output, text, "utf8");
          console.error(`wrote ${v.output}`);
        } else process.stdout.write(text);
        return 0;
      }
      case "release": {
        const job = await journal.releaseSerial(integer(words[0], "JOB"), action(v));
        print(v, job, () => jobsTable([job]));
        return 0;
      }
      case "series":
        return await series(journal, words, v);
      case "lease":
        return await lease(journal, words, v);
      default:
        throw new PeenmarkError("E_USAGE", `journal ${command}: expected find, search, stats, export, release, series or lease\nusage: ${USAGE}`);
    }
  } finally {
    await journal.close();
  }
}
