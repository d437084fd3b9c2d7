import { readdirSync } from "node:fs";
import { join } from "node:path";
import { compile, type CompiledJob } from "../../src/compile.ts";
import { fontNames } from "../../src/fonts/font.ts";
import { loadProfile, loadRecord, loadStation } from "../../src/profile/load.ts";
import type { Profile } from "../../src/profile/schema.ts";
import type { MarkingRecord } from "../../src/record/schema.ts";
import type { Station } from "../../src/profile/station.ts";

/** The example profiles in profiles/, each with its record in examples/records/ of the same name. */
export const ROOT = join(import.meta.dirname, "..", "..");
export const MARKED_AT = new Date("2026-11-23T12:00:00Z");

export function profileIds(): string[] {
  return readdirSync(join(ROOT, "profiles"))
    .filter((f) => f.endsWith(".json") && f !== "profile.schema.json")
    .map((f) => f.replace(/\.json$/, ""))
    .sort();
}

export function station(): Station {
  return loadStation(join(ROOT, "stations", "bench.json"));
}

export function example(id: string): { profile: Profile; record: MarkingRecord; station: Station } {
  return {
    profile: loadProfile(join(ROOT, "profiles", `${id}.json`), { fonts: fontNames() }).profile,
    record: loadRecord(join(ROOT, "examples", "records", `${id}.json`)),
    station: station(),
  };
}

export function compileExample(id: string, patch: (p: Profile, r: MarkingRecord) => { profile?: Profile; record?: MarkingRecord } = () => ({})): CompiledJob {
  const e = example(id);
  const changed = patch(e.profile, e.record);
  return compile({ record: changed.record ?? e.record, profile: changed.profile ?? e.profile, station: e.station, markedAt: MARKED_AT });
}
