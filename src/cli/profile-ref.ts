import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fontNames } from "../fonts/font.ts";
import type { ProfileRef } from "../job/runner.ts";
import { PACKAGE_ROOT } from "../paths.ts";
import { loadProfile } from "../profile/load.ts";
import { ProfileStore } from "../server/profiles.ts";

/**
 * A profile named on the command line, the same way for every command: a file (a path, or a
 * name ending in .json), else the id of a profile — the newest version published in the data
 * dir, else the package's profiles/<id>.json. A re-mark (`earlier`) takes the version of the
 * id the earlier job used, found by its hash.
 */
export function profileRef(spec: string, dataDir: string, earlier?: { readonly id: string; readonly hash: string }): ProfileRef & { readonly source: string; readonly version?: number } {
  if (spec.endsWith(".json") || existsSync(spec)) {
    const p = loadProfile(resolve(spec), { fonts: fontNames() });
    return { profile: p.profile, hash: p.hash, source: p.source };
  }
  const store = new ProfileStore({ builtinDir: join(PACKAGE_ROOT, "profiles"), dataDir });
  const v = (earlier && earlier.id === spec ? store.byHash(spec, earlier.hash) : undefined) ?? store.get(spec);
  return { profile: v.profile, hash: v.hash, source: v.source, version: v.version };
}
