import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PeenmarkError, isPeenmarkError } from "../errors.ts";
import { fontNames } from "../fonts/font.ts";
import { PACKAGE_ROOT } from "../paths.ts";
import { checkProfile, type ProfileCheck } from "../profile/check.ts";
import { loadStation, parseJson, profileJsonSchema, sha256 } from "../profile/load.ts";
import { ProfileStore } from "../server/profiles.ts";
import { args, dataDirOf, helpText, type OptionHelp } from "./args.ts";
import { markDate } from "./compile.ts";
import { stationPath } from "./station.ts";

const USAGE = `peenmark profile schema [-o FILE|-]
       peenmark profile check FILE|ID… [--station S] [--data DIR] [--date DATE] [--json]`;

export const OPTIONS = {
  output: { type: "string", short: "o" },
  station: { type: "string" },
  data: { type: "string" },
  date: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const HELP: Record<string, OptionHelp> = {
  output: { arg: "FILE", help: "schema: write the JSON Schema to FILE; - for standard output", default: "standard output" },
  station: { arg: "FILE", help: "check: the station the sample record is compiled on (work area, pin)", default: "stations/bench.json of the working directory, else of the package" },
  data: { arg: "DIR", help: "check: where published profiles are found by id", default: "$PEENMARK_DATA, else ./data" },
  date: { arg: "DATE", help: "check: the time of marking for the sample's {date.*} fields", default: "now" },
  json: { help: "check: print every file's result as JSON: { file, ok, id, hash, problems, warnings }" },
};

/** A JSON Schema (profiles/profile.schema.json, an editor's schema), not a profile: `profile check profiles/*.json` passes over it. */
function isJsonSchema(data: unknown): boolean {
  return typeof data === "object" && data !== null && typeof (data as { $schema?: unknown }).$schema === "string" && /json-schema\.org/.test((data as { $schema: string }).$schema) && !("blocks" in data);
}

interface FileResult {
  readonly file: string;
  readonly ok: boolean;
  readonly skipped?: string;
  readonly id?: string;
  readonly hash?: string;
  readonly problems: ProfileCheck["problems"];
  readonly warnings: ProfileCheck["warnings"];
}

/** A file, or a profile id's newest version (published in the data dir, else the package's). */
function source(spec: string, dataDir: string): { file: string; text: string } {
  if (spec.endsWith(".json") || existsSync(spec)) {
    try {
      return { file: spec, text: readFileSync(resolve(spec), "utf8") };
    } catch (e) {
      throw new PeenmarkError("E_FILE", `cannot read ${spec}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { where: spec, cause: e });
    }
  }
  const v = new ProfileStore({ builtinDir: join(PACKAGE_ROOT, "profiles"), dataDir }).get(spec, { includeRetired: true });
  return { file: v.source, text: readFileSync(v.source, "utf8") };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = args(argv, OPTIONS, true);
  const [sub, ...files] = positionals;
  if (values.help) {
    console.log(helpText(USAGE, OPTIONS, HELP));
    return 0;
  }
  if (!sub) throw new PeenmarkError("E_USAGE", `profile needs a subcommand: schema or check\nusage: ${USAGE}`);
  if (sub === "schema") {
    const text = JSON.stringify(profileJsonSchema(), null, 2) + "\n";
    if (values.output && values.output !== "-") writeFileSync(values.output, text);
    else process.stdout.write(text);
    return 0;
  }
  if (sub === "check") {
    if (!files.length) throw new PeenmarkError("E_USAGE", `profile check needs at least one file or profile id\nusage: ${USAGE}`);
    const station = loadStation(stationPath(values.station, undefined));
    const dataDir = dataDirOf(values.data);
    const opts = { fonts: fontNames(), station, markedAt: markDate(values.date) };
    const results: FileResult[] = [];
    for (const spec of files) {
      let file = spec;
      try {
        const src = source(spec, dataDir);
        file = src.file;
        const data = parseJson(file, src.text);
        if (isJsonSchema(data)) {
          results.push({ file, ok: true, skipped: "a JSON Schema, not a profile", problems: [], warnings: [] });
          continue;
        }
        const c = checkProfile(data, opts);
        const id = typeof (data as { id?: unknown }).id === "string" ? (data as { id: string }).id : undefined;
        results.push({ file, ok: c.problems.length === 0, ...(id ? { id } : {}), hash: sha256(src.text), problems: c.problems, warnings: c.warnings });
      } catch (e) {
        if (!isPeenmarkError(e)) throw e;
        results.push({ file, ok: false, problems: [{ code: e.code, message: e.message }], warnings: [] });
      }
    }
    if (values.json) console.log(JSON.stringify(results, null, 2));
    else
      for (const r of results) {
        if (r.skipped) console.log(`--  ${r.file}  skipped: ${r.skipped}`);
        else if (r.ok) console.log(`ok  ${r.file}  ${r.id} sha256 ${r.hash?.slice(0, 12)}${r.warnings.length ? `\n    warning: ${r.warnings.map((w) => w.message).join("\n    warning: ")}` : ""}`);
        else {
          console.log(`${r.problems.length === 1 ? "1 problem" : `${r.problems.length} problems`}  ${r.file}`);
          for (const p of r.problems) console.log(`    ${p.code}  ${p.path ? `${p.path}: ` : ""}${p.message.replace(/\n\s*/g, " ")}`);
        }
      }
    return results.every((r) => r.ok) ? 0 : 1;
  }
  throw new PeenmarkError("E_USAGE", `unknown profile command "${sub}"\nusage: ${USAGE}`);
}
