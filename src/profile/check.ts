import { compile, type CompiledJob } from "../compile.ts";
import { type ErrorCode, isPeenmarkError, PeenmarkError } from "../errors.ts";
import { profileRuleProblems, type RulesRegime } from "../record/rules.ts";
import { templateFields, unknownTemplateFields } from "../record/fields.ts";
import type { Shift } from "../record/calendar.ts";
import { jsonPath } from "./load.ts";
import { type Profile, ProfileSchema } from "./schema.ts";
import type { Station } from "./station.ts";

/**
 * The operator's profile check, before a profile is published: every problem at once, not
 * one per round. The schema, the fonts and the marking rules' required fields are read from
 * the file as it is (a block whose schema fails still has its font looked up); then the
 * profile's sample record is compiled on the station — each block alone, then the whole —
 * so that a block outside the work area, a glyph the font lacks, a serial under the US
 * minimum height or two blocks that overlap are found now, not at the first mark.
 */
export interface ProfileProblem {
  readonly code: ErrorCode;
  /** JSON path in the profile file (`$.blocks[2].origin`), when the problem has one. */
  readonly path?: string;
  /** The block the problem is in. */
  readonly block?: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface ProfileCheck {
  /** The profile, when it passed the schema. */
  readonly profile: Profile | undefined;
  readonly problems: readonly ProfileProblem[];
  /** What the check could not do: `no-sample` (bounds and heights were not checked). */
  readonly warnings: readonly { readonly kind: "no-sample"; readonly message: string }[];
  /** The sample record compiled, when the profile has one and it compiles. */
  readonly compiled: CompiledJob | undefined;
}

export interface CheckOptions {
  readonly fonts: ReadonlySet<string>;
  readonly station: Station;
  /** The time of marking for the sample ({date.year}); a profile that marks the shift is checked in every shift of the station. */
  readonly markedAt: Date;
}

const REGIMES: readonly RulesRegime[] = ["us-atf", "iti", "none"];

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** Fonts named in the file, each with its path, whatever else is wrong with the block. */
function fontProblems(data: unknown, fonts: ReadonlySet<string>): ProfileProblem[] {
  if (!isObject(data) || !Array.isArray(data.blocks)) return [];
  const out: ProfileProblem[] = [];
  data.blocks.forEach((b, i) => {
    if (!isObject(b)) return;
    const named: [string, unknown][] = [["font", b.font]];
    if (isObject(b.humanReadable)) named.push(["humanReadable.font", b.humanReadable.font]);
    for (const [field, name] of named) {
      if (typeof name !== "string" || name === "" || fonts.has(name)) continue;
      out.push({
        code: "E_FONT_UNKNOWN",
        path: `$.blocks[${i}].${field}`,
        ...(typeof b.id === "string" ? { block: b.id } : {}),
        message: `unknown font "${name}"; this station has ${[...fonts].sort().join(", ")}`,
        details: { font: name },
      });
    }
  });
  return out;
}

/** What the marking rules require of the templates the file holds (the ones that are text). */
function ruleProblems(data: unknown): ProfileProblem[] {
  if (!isObject(data) || !REGIMES.includes(data.rules as RulesRegime) || !Array.isArray(data.blocks)) return [];
  const templates: string[] = [];
  for (const b of data.blocks) {
    if (!isObject(b)) continue;
    for (const t of Array.isArray(b.lines) ? b.lines : [b.payload]) if (typeof t === "string" && unknownTemplateFields(t).length === 0) templates.push(t);
  }
  return profileRuleProblems(data.rules as RulesRegime, templates).map((message) => ({ code: "E_MARK_RULE" as const, path: "$.rules", message, details: { rules: data.rules } }));
}

/** A compile error as a problem at its block (or at the sample's field). */
function compileProblem(e: PeenmarkError, blocks: readonly { readonly id: string; readonly index: number; readonly text?: string }[]): ProfileProblem {
  const b = blocks.find((x) => x.id === e.where || x.text === e.where);
  const field = e.code === "E_SERIAL_RULE" ? "serial" : e.code === "E_RECORD_FIELD_MISSING" ? String(e.details.field ?? e.where ?? "") : undefined;
  const path = b ? `$.blocks[${b.index}]` : field ? `$.sample.${field}` : undefined;
  return { code: e.code, ...(path ? { path } : {}), ...(b ? { block: b.id } : {}), message: e.message, details: e.details };
}

export function checkProfile(data: unknown, opts: CheckOptions): ProfileCheck {
  const problems: ProfileProblem[] = [];
  const parsed = ProfileSchema.safeParse(data);
  if (!parsed.success)
    for (const i of parsed.error.issues) problems.push({ code: "E_SCHEMA", path: jsonPath(i.path), message: i.message, details: { issue: i.code } });
  const fonts = fontProblems(data, opts.fonts);
  problems.push(...fonts, ...ruleProblems(data));
  const profile = parsed.success ? parsed.data : undefined;
  const warnings: ProfileCheck["warnings"][number][] = [];
  let compiled: CompiledJob | undefined;

  // The blocks that can be compiled: every block of a valid profile; of an invalid one, each
  // block that is valid with the rest of the file (its sample, its rules) on its own.
  const raw = isObject(data) && Array.isArray(data.blocks) ? data.blocks : [];
  const alone: { profile: Profile; index: number }[] = [];
  raw.forEach((b, index) => {
    const one = profile ? { ...profile, blocks: [profile.blocks[index]!] } : (() => {
      const r = ProfileSchema.safeParse({ ...(data as Raw), blocks: [b] });
      return r.success ? r.data : undefined;
    })();
    if (one && !fonts.some((f) => f.path?.startsWith(`$.blocks[${index}].`))) alone.push({ profile: one, index });
  });
  const sample = (profile ?? alone[0]?.profile)?.sample;
  const ids = raw.flatMap((b, index) => (isObject(b) && typeof b.id === "string" ? [{ id: b.id, index, text: `${b.id}-text` }] : []));
  if ((profile || alone.length > 0) && !sample) {
    const id = isObject(data) && typeof data.id === "string" ? data.id : "?";
    warnings.push({ kind: "no-sample", message: `profile "${id}" has no sample record: bounds, glyphs and heights were not checked; add "sample" with the longest record it will mark` });
  } else if (sample) {
    const seen = new Set<string>();
    // A shift's name or code is as long as the station makes it: the sample is struck in each
    // shift, so the longest fits, and a check made between shifts checks them all the same.
    const marksShift = (p: Profile) => p.blocks.some((b) => (b.kind === "text" ? b.lines : b.kind === "datamatrix" ? [b.payload] : []).some((t) => templateFields(t).some((f) => f === "shift" || f === "shift.code")));
    const tryCompile = (p: Profile): CompiledJob | undefined => {
      const shifts: readonly (Shift | undefined)[] = marksShift(p) && opts.station.shifts.length > 0 ? opts.station.shifts : [undefined];
      let first: CompiledJob | undefined;
      let failed = false;
      for (const shift of shifts) {
        try {
          const job = compile({ record: sample, profile: p, station: opts.station, markedAt: opts.markedAt, ...(shift ? { shift } : {}) });
          first ??= job;
        } catch (e) {
          if (!isPeenmarkError(e)) throw e;
          failed = true;
          const problem = compileProblem(e, ids);
          const key = `${problem.code} ${problem.message}`;
          if (!seen.has(key)) {
            seen.add(key);
            problems.push(shift ? { ...problem, details: { ...problem.details, shift: shift.name } } : problem);
          }
        }
      }
      return failed ? undefined : first;
    };
    // Each block alone finds every block's own problem; the whole finds what blocks do to each other.
    if (raw.length > 1 || !profile) for (const a of alone) tryCompile(a.profile);
    if (profile && fonts.length === 0) {
      const whole = tryCompile(profile);
      compiled = problems.length ? undefined : whole;
    }
  }
  return { profile: problems.length ? undefined : profile, problems, warnings, compiled };
}

/** The check's problems as one error (publish refuses with it): the first problem's code, every problem listed and in `details.problems`. */
export function checkError(source: string, check: ProfileCheck): PeenmarkError {
  const first = check.problems[0]!;
  const lines = check.problems.map((p) => `${source}: ${p.path ? `${p.path}: ` : ""}${p.message}`);
  const issues = check.problems.filter((p) => p.code === "E_SCHEMA").map((p) => ({ path: p.path ?? "$", message: p.message }));
  return new PeenmarkError(first.code, `profile ${source} has ${check.problems.length === 1 ? "a problem" : `${check.problems.length} problems`}:\n  ${lines.join("\n  ")}`, {
    where: source,
    details: { problems: check.problems, ...(issues.length ? { issues } : {}) },
  });
}
