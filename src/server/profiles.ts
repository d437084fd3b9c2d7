import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PeenmarkError } from "../errors.ts";
import { fontNames } from "../fonts/font.ts";
import { parseJson, parseProfile, sha256 } from "../profile/load.ts";
import type { Profile } from "../profile/schema.ts";
import { templateFields } from "../record/fields.ts";

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
  readonly name: string;
  readonly description: string | undefined;
  readonly rules: Profile["rules"];
  readonly version: number;
  readonly hash: string;
  /** Record fields the profile's templates need ("serial", "place.city", "import.year", …). */
  readonly fields: string[];
  readonly defaults: Profile["defaults"] | Record<string, never>;
}

/** Template fields → the record fields a technician fills in (dates come from the clock, not the form). */
const FIELD_OF: Record<string, string[]> = {
  "serial.withLicence": ["serial", "licencePrefix"],
  licence: ["licencePrefix"],
  "licence.ffl": ["licencePrefix"],
};

export function recordFields(profile: Profile): string[] {
  const out: string[] = [];
  for (const b of profile.blocks) {
    const templates = b.kind === "text" ? b.lines : [b.payload];
    for (const t of templates)
      for (const f of templateFields(t)) {
        if (f.startsWith("date.")) continue;
        for (const r of (Object.hasOwn(FIELD_OF, f) ? FIELD_OF[f] : undefined) ?? [f.startsWith("extra.") ? "extra" : f]) if (!out.includes(r)) out.push(r);
      }
  }
  return out;
}

export function summary(v: ProfileVersion): ProfileSummary {
  const p = v.profile;
  return { id: p.id, name: p.name, description: p.description, rules: p.rules, version: v.version, hash: v.hash, fields: recordFields(p), defaults: p.defaults ?? {} };
}

const VERSION_FILE = /^v(\d+)\.json$/;

export class ProfileStore {
  readonly builtinDir: string;
  readonly publishedDir: string;
  readonly #fonts = { fonts: fontNames() };

  constructor(opts: { builtinDir: string; dataDir: string }) {
    this.builtinDir = opts.builtinDir;
    this.publishedDir = join(opts.dataDir, "profiles");
  }

  /** Validate a profile from an HTTP body (schema, fonts, the rules' required fields). */
  check(data: unknown, source = "request body"): Profile {
    return parseProfile(source, data, this.#fonts);
  }

  /** The newest version of every profile, by id. A file that no longer validates is skipped and reported in `problems`. */
  list(): { profiles: ProfileVersion[]; problems: string[] } {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const f of safeReaddir(this.builtinDir)) if (f.endsWith(".json") && f !== "profile.schema.json") ids.add(f.slice(0, -5));
    for (const d of safeReaddir(this.publishedDir)) ids.add(d);
    const out: ProfileVersion[] = [];
    for (const id of [...ids].sort()) {
      try {
        const v = this.newest(id);
        // The summary reads the templates once more: a file that fails there is skipped too.
        if (v) {
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
      if (sha256(text) === hash) return { profile: parseProfile(path, parseJson(path, text), this.#fonts), version, hash, source: path };
    }
    return undefined;
  }

  /** The newest version of `id`; E_NOT_FOUND when there is none. */
  get(id: string): ProfileVersion {
    const v = /^[a-z0-9][a-z0-9-]*$/.test(id) ? this.newest(id) : undefined;
    if (!v) throw new PeenmarkError("E_NOT_FOUND", `there is no profile "${id}" at this station: choose one from the list`, { where: "profileId", details: { profileId: id } });
    return v;
  }

  /** Store a checked profile as the next version of its id; never overwrites a file. */
  publish(data: unknown): ProfileVersion {
    const profile = this.check(data);
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
      return { profile, version, hash: sha256(text), source: path };
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
    return { profile: parseProfile(path, parseJson(path, text), this.#fonts), version, hash: sha256(text), source: path };
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
