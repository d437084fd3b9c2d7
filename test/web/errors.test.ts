import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO } from "./bench.ts";

/**
 * Where the page puts the service's errors: schema issues at the input their JSON path
 * names, rule and journal errors at the field they are about, the rest for the whole form;
 * and the operator view's list of a profile's problems by path.
 */
type Problem = { path?: string; key: string; params?: Record<string, unknown>; code: string };
type Errors = {
  recordPath(p: string): string | undefined;
  placeError(e: { code: string; message: string; where?: string; details?: Record<string, unknown> }): { fields: Problem[]; general: Problem[] };
};
type Operator = { problemsOf(e: { code: string; message: string; details?: Record<string, unknown> }): { path: string; message: string; code: string; key: string }[] };
const web = (f: string) => import(pathToFileURL(join(REPO, "src", "web", f)).href);
const errors = (await web("errors.js")) as Errors;
const operator = (await web("operator.js")) as Operator;

describe("service errors on the page", () => {
  it("turns JSON paths into the record inputs", () => {
    expect(errors.recordPath("$.place.city")).toBe("place.city");
    expect(errors.recordPath("$.record.place.country.code")).toBe("place.country.code");
    expect(errors.recordPath("$.record.extra[1]")).toBe("extra.1");
    expect(errors.recordPath("$.remark.reason")).toBe("remark.reason");
    expect(errors.recordPath("licence.ffl")).toBe("licencePrefix");
    expect(errors.recordPath("serial.withLicence")).toBe("serial");
  });

  it("puts schema issues at their fields, in words chosen by what went wrong", () => {
    const { fields, general } = errors.placeError({
      code: "E_SCHEMA",
      message: "request body is not valid",
      details: {
        issues: [
          { path: "$.record.place.city", message: "city must not be empty" },
          { path: "$.record.place.country.code", message: "expected an ISO 3166-1 alpha-2 country code such as US, MX, BR" },
          { path: "$.remark.reason", message: "a re-mark needs a written reason of at least 10 characters" },
          { path: "$.profileId", message: "choose a profile" },
        ],
      },
    });
    expect(fields.map((f) => [f.path, f.key, f.params])).toEqual([
      ["place.city", "issue.required", {}],
      ["place.country.code", "issue.country", {}],
      ["remark.reason", "issue.tooShort", { n: 10 }],
    ]);
    expect(general.map((g) => g.code)).toEqual(["E_SCHEMA"]);
  });

  it("puts serial and missing-field errors at their field, others for the whole form", () => {
    expect(errors.placeError({ code: "E_SERIAL_DUPLICATE", message: "serial RA1 was marked", where: "serial" }).fields.map((f) => f.path)).toEqual(["serial"]);
    expect(errors.placeError({ code: "E_RECORD_FIELD_MISSING", message: "…", where: "place.state", details: { block: "maker", field: "place.state" } }).fields.map((f) => [f.path, f.key])).toEqual([["place.state", "issue.required"]]);
    const busy = errors.placeError({ code: "E_BUSY", message: "the head is marking job 3" });
    expect([busy.fields, busy.general.map((g) => g.code)]).toEqual([[], ["E_BUSY"]]);
  });

  it("lists a profile's problems by path from font and rule errors too", () => {
    const font = { code: "E_FONT_UNKNOWN", message: 'profile request body names fonts this station does not have:\n  request body: $.blocks[1].font: unknown font "nope"; this station has peen-single' };
    expect(operator.problemsOf(font)).toMatchObject([{ path: "$.blocks[1].font", message: 'unknown font "nope"; this station has peen-single', code: "E_FONT_UNKNOWN" }]);
    const rule = { code: "E_MARK_RULE", message: "profile request body (rules us-atf) is incomplete:\n  a frame or receiver mark with {serial} must also mark {manufacturer}" };
    expect(operator.problemsOf(rule)).toMatchObject([{ path: "", message: "a frame or receiver mark with {serial} must also mark {manufacturer}", code: "E_MARK_RULE" }]);
  });
});

type Job = { shownState(j: { state: string; drained?: boolean }): string };
type Rules = { serialRuleKey(e: { details?: Record<string, unknown> }, rules?: string): string; placeError(e: { code: string; message: string; where?: string; details?: Record<string, unknown> }, profile?: unknown): { fields: Problem[]; general: Problem[] } };
const job = (await web("job.js")) as Job;
const rules = errors as unknown as Rules;

describe("what the page says of a job and a refusal", () => {
  it("says pausing until the head stands between two strikes, then paused", () => {
    expect(job.shownState({ state: "paused", drained: false })).toBe("pausing");
    expect(job.shownState({ state: "paused", drained: true })).toBe("paused");
    expect(job.shownState({ state: "marking" })).toBe("marking");
  });

  it("gives the serial rule's advice of the profile's regime, and of what the serial holds", () => {
    expect(rules.serialRuleKey({ details: { characters: ["#"] } }, "us-atf")).toBe("err.E_SERIAL_RULE.usChars");
    expect(rules.serialRuleKey({ details: { serial: "ABC" } }, "us-atf")).toBe("err.E_SERIAL_RULE.usDigit");
    expect(rules.serialRuleKey({ details: { serial: "A#1" } }, "iti")).toBe("err.E_SERIAL_RULE.iti");
    expect(rules.serialRuleKey({ details: { character: "\u200B", codePoint: "U+200B" } }, "iti")).toBe("err.E_SERIAL_RULE.invisible");
    expect(rules.serialRuleKey({ details: { character: "А", codePoint: "U+0410", scripts: ["Cyrillic"] } }, "us-atf")).toBe("err.E_SERIAL_RULE.mixed");
  });

  it("puts a block's refusal (out of bounds, a glyph missing) at the fields that block marks", () => {
    const profile = { rules: "us-atf", blocks: [{ id: "serial", fields: ["serial"] }, { id: "maker", fields: ["manufacturer", "place.city", "place.state"] }] };
    const out = rules.placeError({ code: "E_OUT_OF_BOUNDS", message: 'block "maker" reaches …', where: "maker", details: { x: 1 } }, profile);
    expect(out.fields.map((f) => f.path)).toEqual(["manufacturer", "place.city", "place.state"]);
    // The layout names the block and the character; the page narrows it to the field holding it (app.js).
    const glyph = rules.placeError({ code: "E_GLYPH_MISSING", message: "…", where: "maker", details: { char: "Ř", codePoint: 344, font: "peen-single", block: "maker" } }, profile);
    expect(glyph.fields.map((f) => [f.path, f.params?.char])).toEqual([
      ["manufacturer", "Ř"],
      ["place.city", "Ř"],
      ["place.state", "Ř"],
    ]);
  });
});
