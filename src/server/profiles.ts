import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PeenmarkError } from "../errors.ts";
import { fontNames } from "../fonts/font.ts";
import { checkError, checkProfile, type ProfileCheck } from "../profile/check.ts";
import { parseJson, parseProfile, readProfile, sha256 } from "../profile/load.ts";
import type { Profile, TranslatedText } from "../profile/schema.ts";
import type { Station } from "../profile/station.ts";
import { isContextField, templateFields } from "../record/fields.ts";
import { personName, writtenReason } from "../journal/names.ts";

/**
 * The profiles a station marks with, by id only (an HTTP client never names a file):
 * the repository's profiles/*.json are version 1 of their id; operators publish newer
 * versions into `<data dir>/profiles/<id>/v<N>.json`. Publishing writes a new file and never
 * overwrites one; the newest version of an id is the one marked. Every version is kept, so
 * the profile hash in the journal always names a file that still exists.
 */
export interface ProfileVersion {
  readonly profile: Profile;
  readonly version: number;
  /** sha256 of the file's bytes. */
  readonly hash: string;
  readonly source: string;
}

export interface ProfileSummary {
  readonly id: string;
  /** As in the file: one text, or `{ en, es }`. */
  readonly name: TranslatedText;
  readonly description: TranslatedText | undefined;
  readonly rules: Profile["rules"];
  readonly version: number;
  readonly hash: string;
  /** Record fields the profile's templates need ("serial", "place.city", "import.year", …). */
  readonly fields: string[];
  /** Each block and the record fields it marks: where the page shows a block's problem (out of bounds, a glyph missing). */
  readonly blocks: { readonly id: string; readonly fields: string[] }[];
  readonly defaults: Profile["defaults"] | Record<string, never>;
  readonly form: { readonly upperCaseSerial: boolean };
  /** Whether the profile file carries a sample record (the check compiles it; the page previews it). */
  readonly sample: boolean;
  /** Set when an operator retired the profile: not offered for marking; its versions stay for re-marks. */
  readonly retired?: Retirement;
}

export interface Retirement {
  readonly at: string;
  readonly by: string;
  readonly reason: string;
}

export interface VersionSummary {
  readonly version: number;
  readonly hash: string;
  /** `builtin`: the repository's profiles/<id>.json; `published`: an operator's in the data dir. */
  readonly source: "builtin" | "published";
  /** When the file was written (published versions). */
  readonly publishedAt?: string;
}

/** Template fields → the record fields a technician fills in (dates, times and shifts come from the clock and the station file, not the form). */
const FIELD_OF: Record<string, string[]> = {
  "serial.withLicence": ["serial", "licencePrefix"],
  licence: ["licencePrefix"],
  "licence.ffl": ["licencePrefix"],
};

function blockFields(b: Profile["blocks"][number]): string[] {
  const out: string[] = [];
  for (const t of b.kind === "text" ? b.lines : b.kind === "datamatrix" ? [b.payload] : [])
    for (const f of templateFields(t)) {
      if (isContextField(f)) continue;
      for (const r of (Object.hasOwn(FIELD_OF, f) ? FIELD_OF[f] : undefined) ?? [f.startsWith("extra.") ? "extra" : f]) if (!out.includes(r)) out.push(r);
    }
  return out;
}

export function recordFields(profile: Profile): string[] {
  const out: string[] = [];
  for (const b of profile.blocks) for (const f of blockFields(b)) if (!out.includes(f)) out.push(f);
  return out;
}

export function summary(v: ProfileVersion, retired?: Retirement): ProfileSummary {
  const p = v.profile;
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    rules: p.rules,
    version: v.version,
    hash: v.hash,
    fields: recordFields(p),
    blocks: p.blocks.map((b) => ({ id: b.id, fields: blockFields(b) })),
    defaults: p.defaults ?? {},
    form: { upperCaseSerial: p.form?.upperCaseSerial ?? false },
    sample: p.sample !== undefined,
    ...(retired ? { retired } : {}),
  };
}

/** Key order and whitespace aside, the same JSON: republishing it is no new version. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

const VERSION_FILE = /^v(\d+)\.json$/;

const RETIRED_FILE = "retired.json";

interface RetiredFile {
  retired: boolean;
  /** Every retirement and return, oldest first. */
  history: { at: string; by: string; reason: string; retired: boolean }[];
}

export class ProfileStore {
  readonly builtinDir: string;
  readonly publishedDir: string;
  readonly #fonts = { fonts: fontNames() };
  readonly #station: Station | undefined;
  readonly #clock: () => Date;

  /** `station`: what the check compiles a profile's sample on (without one, the check stops at the schema, fonts and rules). */
  constructor(opts: { builtinDir: string; dataDir: string; station?: Station; clock?: () => Date }) {
    this.builtinDir = opts.builtinDir;
    this.publishedDir = join(opts.dataDir, "profiles");
    this.#station = opts.station;
    this.#clock = opts.clock ?? (() => new Date());
  }

  /**
   * The whole check of a profile from an HTTP body: schema, fonts, the rules' required fields
   * and, on the station, the compile of its sample record; every problem at once (check.ts).
   */
  check(data: unknown): ProfileCheck {
    if (!this.#station) {
      try {
        const profile = parseProfile("request body", data, this.#fonts);
        return { profile, problems: [], warnings: [], compiled: undefined };
      } catch (e) {
        if (!(e instanceof PeenmarkError)) throw e;
        return { profile: undefined, problems: [{ code: e.code, message: e.message, details: e.details }], warnings: [], compiled: undefined };
      }
    }
    return checkProfile(data, { fonts: this.#fonts.fonts, station: this.#station, markedAt: this.#clock() });
  }

  /** Whether (and by whom, why) an operator retired `id`. */
  retirement(id: string): Retirement | undefined {
    const f = this.#retiredFile(id);
    const last = f?.history[f.history.length - 1];
    return f?.retired && last ? { at: last.at, by: last.by, reason: last.reason } : undefined;
  }

  /**
   * Retire `id` (retire: true) or bring it back: a retired profile is not offered for marking
   * and cannot start a job; its versions stay, so a re-mark of a job marked with it still
   * finds the version it used. Every change is kept in `<data dir>/profiles/<id>/retired.json`.
   */
  setRetired(id: string, retire: boolean, action: { operator: string; reason: string }, at = this.#clock()): Retirement | undefined {
    const v = /^[a-z0-9][a-z0-9-]*$/.test(id) ? this.newest(id) : undefined;
    if (!v) throw new PeenmarkError("E_NOT_FOUND", `there is no profile "${id}" at this station`, { where: "id", details: { profileId: id } });
    const by = personName(action.operator, "operator");
    const reason = writtenReason(action.reason);
    const file = this.#retiredFile(id) ?? { retired: false, history: [] };
    if (file.retired === retire) throw new PeenmarkError("E_JOURNAL", `profile "${id}" is ${retire ? "retired already" : "not retired"}`, { where: "id" });
    file.retired = retire;
    file.history.push({ at: at.toISOString(), by, reason, retired: retire });
    this.#writeRetiredFile(id, file);
    return this.retirement(id);
  }

  /** Every version of `id`, oldest first (hashes of the files' bytes). */
  versions(id: string): VersionSummary[] {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) return [];
    const out: VersionSummary[] = [];
    if (safeReaddir(this.builtinDir).includes(`${id}.json`)) {
      const path = join(this.builtinDir, `${id}.json`);
      const text = safeRead(path);
      if (text !== undefined) out.push({ version: 1, hash: this.#hashOf(path, text), source: "builtin" });
    }
    for (const f of safeReaddir(join(this.publishedDir, id))) {
      const m = VERSION_FILE.exec(f);
      if (!m) continue;
      const path = join(this.publishedDir, id, f);
      const text = safeRead(path);
      if (text !== undefined) out.push({ version: Number(m[1]), hash: sha256(text), source: "published", publishedAt: statSync(path).mtime.toISOString() });
    }
    return out.sort((a, b) => a.version - b.version);
  }

  /** The newest version of every profile, by id; retired ones only with `includeRetired`. A file that no longer validates is skipped and reported in `problems`. */
  list(opts: { includeRetired?: boolean } = {}): { profiles: ProfileVersion[]; problems: string[] } {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const f of safeReaddir(this.builtinDir)) if (f.endsWith(".json") && f !== "profile.schema.json") ids.add(f.slice(0, -5));
    for (const d of safeReaddir(this.publishedDir)) ids.add(d);
    const out: ProfileVersion[] = [];
    for (const id of [...ids].sort()) {
      try {
        const v = this.newest(id);
        // The summary reads the templates once more: a file that fails there is skipped too.
        if (v && (opts.includeRetired || !this.retirement(id))) {
          summary(v);
          out.push(v);
        }
      } catch (e) {
        problems.push(e instanceof Error ? e.message : String(e));
      }
    }
    return { profiles: out, problems };
  }

  /**
   * The version of `id` whose file has sha256 `hash` (the version a journal row names), or
   * undefined when no file of this id has those bytes any more.
   */
  byHash(id: string, hash: string): ProfileVersion | undefined {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) return undefined;
    const candidates: [string, number][] = [];
    if (safeReaddir(this.builtinDir).includes(`${id}.json`)) candidates.push([join(this.builtinDir, `${id}.json`), 1]);
    for (const f of safeReaddir(join(this.publishedDir, id))) {
      const m = VERSION_FILE.exec(f);
      if (m) candidates.push([join(this.publishedDir, id, f), Number(m[1])]);
    }
    for (const [path, version] of candidates) {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        continue;
      }
      if (this.#hashOf(path, text) === hash) return { ...this.#parse(path, text), version };
    }
    return undefined;
  }

  /**
   * The newest version of `id`; E_NOT_FOUND when there is none, or when it is retired (unless
   * `includeRetired`: reading it, previewing its sample).
   */
  get(id: string, opts: { includeRetired?: boolean } = {}): ProfileVersion {
    const v = /^[a-z0-9][a-z0-9-]*$/.test(id) ? this.newest(id) : undefined;
    if (!v) throw new PeenmarkError("E_NOT_FOUND", `there is no profile "${id}" at this station: choose one from the list`, { where: "profileId", details: { profileId: id } });
    const retired = opts.includeRetired ? undefined : this.retirement(id);
    if (retired)
      throw new PeenmarkError("E_NOT_FOUND", `profile "${id}" was retired on ${retired.at} by ${retired.by} (${retired.reason}): choose another profile`, { where: "profileId", details: { profileId: id, retired } });
    return v;
  }

  /** A version of `id` by number. */
  version(id: string, version: number): ProfileVersion {
    const builtin = join(this.builtinDir, `${id}.json`);
    if (/^[a-z0-9][a-z0-9-]*$/.test(id)) {
      const published = join(this.publishedDir, id, `v${version}.json`);
      if (safeReaddir(join(this.publishedDir, id)).includes(`v${version}.json`)) return this.#read(published, version);
      if (version === 1 && safeReaddir(this.builtinDir).includes(`${id}.json`)) return this.#read(builtin, 1);
    }
    throw new PeenmarkError("E_NOT_FOUND", `profile "${id}" has no version ${version} at this station`, { where: "version", details: { profileId: id, version } });
  }

  /**
   * Store a checked profile as the next version of its id; never overwrites a file. The same
   * content as the newest version (key order and spacing aside) is not a new version: that
   * version is returned, `unchanged`. Publishing a retired profile's id brings it back.
   */
  publish(data: unknown, who: { operator: string } = { operator: "operator" }): ProfileVersion & { unchanged: boolean } {
    const check = this.check(data);
    if (!check.profile) throw checkError("request body", check);
    const profile = check.profile;
    const newest = this.newest(profile.id);
    if (newest && canonical(parseJson(newest.source, readFileSync(newest.source, "utf8"))) === canonical(data)) {
      if (this.retirement(profile.id)) this.setRetired(profile.id, false, { operator: who.operator, reason: "the same version was published again" });
      return { ...newest, unchanged: true };
    }
    const dir = join(this.publishedDir, profile.id);
    mkdirSync(dir, { recursive: true });
    const text = `${JSON.stringify(data, null, 2)}\n`;
    for (let attempt = 0; attempt < 5; attempt++) {
      const version = this.#highestVersion(profile.id) + 1;
      const path = join(dir, `v${version}.json`);
      try {
        writeFileSync(path, text, { flag: "wx" }); // wx: fail rather than overwrite
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") continue; // another publish took that number
        throw new PeenmarkError("E_FILE", `cannot write ${path}: ${(e as Error).message}`, { where: path, cause: e });
      }
      if (this.retirement(profile.id)) this.setRetired(profile.id, false, { operator: who.operator, reason: `version ${version} published` });
      return { profile, version, hash: sha256(text), source: path, unchanged: false };
    }
    throw new PeenmarkError("E_FILE", `cannot find a free version number for profile "${profile.id}" in ${dir}`, { where: dir });
  }

  #highestVersion(id: string): number {
    let n = safeReaddir(this.builtinDir).includes(`${id}.json`) ? 1 : 0;
    for (const f of safeReaddir(join(this.publishedDir, id))) {
      const m = VERSION_FILE.exec(f);
      if (m) n = Math.max(n, Number(m[1]));
    }
    return n;
  }

  private newest(id: string): ProfileVersion | undefined {
    const versions = safeReaddir(join(this.publishedDir, id))
      .map((f) => VERSION_FILE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => b - a);
    const newest = versions[0];
    if (newest !== undefined) return this.#read(join(this.publishedDir, id, `v${newest}.json`), newest);
    const builtin = join(this.builtinDir, `${id}.json`);
    if (safeReaddir(this.builtinDir).includes(`${id}.json`)) return this.#read(builtin, 1);
    return undefined;
  }

  #read(path: string, version: number): ProfileVersion {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new PeenmarkError("E_FILE", `cannot read ${path}: ${(e as Error).message}`, { where: path, cause: e });
    }
    return { ...this.#parse(path, text), version };
  }

  /** A profile file as the CLI reads it: a builtin profile's logo files beside it are read in (and hashed with it). */
  #parse(path: string, text: string): { profile: Profile; hash: string; source: string } {
    return readProfile(path, text, this.#fonts);
  }

  /** The hash of a version: of the file and its logo files; of the bytes alone when the file does not read as a profile. */
  #hashOf(path: string, text: string): string {
    try {
      return this.#parse(path, text).hash;
    } catch {
      return sha256(text);
    }
  }

  #retiredFile(id: string): RetiredFile | undefined {
    const path = join(this.publishedDir, id, RETIRED_FILE);
    const text = safeRead(path);
    if (text === undefined) return undefined;
    const data = parseJson(path, text) as RetiredFile;
    return { retired: data.retired === true, history: Array.isArray(data.history) ? data.history : [] };
  }

  #writeRetiredFile(id: string, file: RetiredFile): void {
    const dir = join(this.publishedDir, id);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, RETIRED_FILE);
    const tmp = join(dir, `.${RETIRED_FILE}.${process.pid}.tmp`);
    try {
      writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
      renameSync(tmp, path);
    } catch (e) {
      throw new PeenmarkError("E_FILE", `cannot write ${path}: ${(e as Error).message}`, { where: path, cause: e });
    }
  }
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
