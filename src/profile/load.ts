import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { MAX_SVG_BYTES } from "../logo/svg.ts";
import { createHash } from "node:crypto";
import { z } from "zod";
import { PeenmarkError } from "../errors.ts";
import { ProfileSchema, type Profile } from "./schema.ts";
import { StationSchema, type Station } from "./station.ts";
import { MarkingRecordSchema, type MarkingRecord } from "../record/schema.ts";
import { profileRuleProblems } from "../record/rules.ts";

/** `$.blocks[2].capHeight` from zod's path array. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return "$" + path.map((k) => (typeof k === "number" ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(String(k)) ? `.${String(k)}` : `[${JSON.stringify(String(k))}]`)).join("");
}

/** One line per problem: `file: $.path: what was expected`. */
export function schemaError(source: string, error: z.ZodError, what: string): PeenmarkError {
  const lines = error.issues.map((i) => `${source}: ${jsonPath(i.path)}: ${i.message}`);
  return new PeenmarkError("E_SCHEMA", `${what} is not valid:\n  ${lines.join("\n  ")}`, {
    where: source,
    details: { issues: error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })) },
  });
}

export function parseJson(source: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PeenmarkError("E_JSON", `${source}: not valid JSON: ${(e as Error).message}`, { where: source, cause: e });
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new PeenmarkError("E_FILE", `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { where: path, cause: e });
  }
}

export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

export interface ProfileCheckOptions {
  /** Names of the fonts this station has: an unknown font is a load error, not a mark-time surprise. */
  readonly fonts: ReadonlySet<string>;
}

/** Validate a parsed profile (from a file or an HTTP body). `source` names it in errors. */
export function parseProfile(source: string, data: unknown, opts: ProfileCheckOptions): Profile {
  const r = ProfileSchema.safeParse(data);
  if (!r.success) throw schemaError(source, r.error, `profile ${source}`);
  const p = r.data;
  const fontIssues: string[] = [];
  p.blocks.forEach((b, i) => {
    const fonts = b.kind === "text" ? [["font", b.font]] : b.kind === "datamatrix" && b.humanReadable ? [["humanReadable.font", b.humanReadable.font]] : [];
    for (const [field, name] of fonts)
      if (!opts.fonts.has(name!)) fontIssues.push(`${source}: $.blocks[${i}].${field}: unknown font "${name}"; this station has ${[...opts.fonts].sort().join(", ")}`);
  });
  if (fontIssues.length) throw new PeenmarkError("E_FONT_UNKNOWN", `profile ${source} names fonts this station does not have:\n  ${fontIssues.join("\n  ")}`, { where: source });
  const templates = p.blocks.flatMap((b) => (b.kind === "text" ? b.lines : b.kind === "datamatrix" ? [b.payload] : []));
  // A logo named by file is read by loadProfile (beside the profile file); anything else must carry it.
  p.blocks.forEach((b, i) => {
    if (b.kind === "logo" && b.svg === undefined)
      throw new PeenmarkError("E_LOGO", `${source}: $.blocks[${i}].file: the logo file "${b.file}" can only be read beside a profile file; send the SVG itself as svg`, { where: source, details: { reason: "svg", block: b.id } });
  });
  const problems = profileRuleProblems(p.rules, templates);
  if (problems.length) throw new PeenmarkError("E_MARK_RULE", `profile ${source} (rules ${p.rules}) is incomplete:\n  ${problems.join("\n  ")}`, { where: source, details: { problems } });
  return p;
}

export interface LoadedProfile {
  readonly profile: Profile;
  /** sha256 of the file's bytes: the journal records which version was marked. */
  readonly hash: string;
  readonly source: string;
}

export function loadProfile(path: string, opts: ProfileCheckOptions): LoadedProfile {
  return readProfile(path, readText(path), opts);
}

/**
 * A profile file's text, read as `loadProfile` reads the file at `path`: its logo files,
 * beside it, are read into the blocks. Whoever reads profile files (the CLI, the station's
 * profile store) reads them through here, so a version has one hash everywhere.
 */
export function readProfile(path: string, text: string, opts: ProfileCheckOptions): LoadedProfile {
  const data = parseJson(path, text);
  const logos = inlineLogoFiles(path, data);
  // The hash covers the logo files too: a changed logo is a new version of the profile.
  return { profile: parseProfile(path, data, opts), hash: logos.length ? sha256([text, ...logos].join("\0")) : sha256(text), source: path };
}

/**
 * A logo block's `file` is read here, beside the profile file, and put in the block as
 * `svg` (so the compile stays pure and a published profile carries its logo). Only a
 * relative path inside the profile's folder is read. Returns the texts read.
 */
function inlineLogoFiles(path: string, data: unknown): string[] {
  const read: string[] = [];
  const blocks = (data as { blocks?: unknown } | null)?.blocks;
  if (!Array.isArray(blocks)) return read;
  blocks.forEach((b: unknown, i) => {
    if (!b || typeof b !== "object") return;
    const block = b as Record<string, unknown>;
    if (block.kind !== "logo" || typeof block.file !== "string" || block.svg !== undefined) return;
    const file = block.file;
    if (isAbsolute(file) || file.split(/[\\/]/).includes(".."))
      throw new PeenmarkError("E_LOGO", `${path}: $.blocks[${i}].file: "${file}" must be a path inside the profile's folder`, { where: path, details: { reason: "svg", block: block.id } });
    const full = join(dirname(path), file);
    const svg = readText(full);
    if (Buffer.byteLength(svg) > MAX_SVG_BYTES)
      throw new PeenmarkError("E_LOGO", `${path}: $.blocks[${i}].file: ${file} is ${Buffer.byteLength(svg)} bytes, more than the ${MAX_SVG_BYTES} a logo may have`, { where: path, details: { reason: "svg", block: block.id } });
    delete block.file;
    block.svg = svg;
    read.push(svg);
  });
  return read;
}

export function parseStation(source: string, data: unknown): Station {
  const r = StationSchema.safeParse(data);
  if (!r.success) throw schemaError(source, r.error, `station ${source}`);
  return r.data;
}

export function loadStation(path: string): Station {
  return parseStation(path, parseJson(path, readText(path)));
}

export function parseRecord(source: string, data: unknown): MarkingRecord {
  const r = MarkingRecordSchema.safeParse(data);
  if (!r.success) throw schemaError(source, r.error, `marking record ${source}`);
  return r.data;
}

export function loadRecord(path: string): MarkingRecord {
  return parseRecord(path, parseJson(path, readText(path)));
}

export function profileJsonSchema(): unknown {
  return z.toJSONSchema(ProfileSchema, { io: "input", unrepresentable: "any" });
}
