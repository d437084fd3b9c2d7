import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { DEFAULT_DATA_DIR } from "../config.ts";
import { PeenmarkError } from "../errors.ts";

/**
 * What every command shares: options parsed with errors a person reads (E_USAGE, exit 2),
 * `--help` that lists every option with its default, one data dir resolved one way, `-o -`
 * for standard output, and `--json` printed the same way everywhere.
 *
 * Exit codes, every command: 0 done, 1 failed (a refused job, a profile with problems, a
 * serial not found), 2 the command line is wrong. Usage and errors go to stderr; results
 * (and `--help`, which was asked for) to stdout.
 */
type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs with errors a person reads (E_USAGE) instead of Node's TypeError. */
export function args<T extends Options>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new PeenmarkError("E_USAGE", (e as Error).message);
  }
}

export function required(value: string | undefined, flag: string, usage: string): string {
  if (!value) throw new PeenmarkError("E_USAGE", `${flag} is required\nusage: ${usage}`);
  return value;
}

/** What `--help` says of one option: its argument's name, what it does, its default when parseArgs has none. */
export interface OptionHelp {
  readonly arg?: string;
  readonly help: string;
  readonly default?: string;
}

/** Options many commands take, described once. */
export const COMMON_HELP: Readonly<Record<string, OptionHelp>> = {
  help: { help: "this help" },
  json: { help: "print the result as JSON (stable keys) instead of text" },
  station: { arg: "FILE", help: "the station file (work area, rates, pin, controller)", default: "stations/bench.json of the working directory, else of the package" },
  port: { arg: "PATH", help: "the controller's serial port (/dev/ttyUSB0, a pty)", default: "the station file's controller.port" },
  sim: { help: "the simulated head, in this process" },
  "sim-speed": { arg: "N", help: "virtual seconds per real second of the simulated head", default: "1" },
  data: { arg: "DIR", help: "the data dir: journal (peenmark.db), published profiles, config.json", default: `$PEENMARK_DATA, else ./${DEFAULT_DATA_DIR}` },
  output: { arg: "FILE", help: "write to FILE; - for standard output" },
};

/** `--help`: the usage line(s), then every option of `options`, its argument and default. */
export function helpText(usage: string, options: Options, help: Readonly<Record<string, OptionHelp>> = {}): string {
  const rows = Object.entries(options).map(([name, o]) => {
    const h = help[name] ?? COMMON_HELP[name];
    const arg = o.type === "string" ? ` ${h?.arg ?? "VALUE"}` : "";
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${arg}`;
    const dflt = o.default !== undefined ? String(o.default) : h?.default;
    return [flag, `${h?.help ?? ""}${dflt === undefined ? "" : ` (default: ${dflt})`}`] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return [`usage: ${usage.trim()}`, "", "options:", ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`)].join("\n");
}

/**
 * The data dir, the one way every command finds it: `--data DIR`, else `PEENMARK_DATA`, else
 * `./data` — the journal (peenmark.db), the published profiles and config.json are in it.
 */
export function dataDirOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? (env.PEENMARK_DATA || undefined) ?? DEFAULT_DATA_DIR);
}

/** `-o FILE` (through a temporary file: a failed run leaves no partial file), or `-o -`: standard output. */
export function writeOutput(path: string, data: string | Uint8Array, write: (path: string, data: string | Uint8Array) => void = writeFileSync): void {
  if (path === "-") process.stdout.write(data);
  else write(path, data);
}

/** A result: JSON on stdout with `--json`, else the text for a person. */
export function print(json: boolean | undefined, data: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(data, null, 2) : human());
}
