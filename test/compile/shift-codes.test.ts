import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compile.ts";
import { fontNames } from "../../src/fonts/font.ts";
import { loadProfile, loadRecord, loadStation, parseStation } from "../../src/profile/load.ts";
import { checkProfile } from "../../src/profile/check.ts";
import { TEMPLATE_FIELDS } from "../../src/record/fields.ts";
import { caught } from "../caught.ts";
import { ROOT } from "./examples.ts";

/**
 * Shift and date codes, through the compile: the real slide profile with a lot-code block
 * added, on the real three-shift station file (America/Chicago, which keeps DST).
 */
const fonts = fontNames();
const plant = loadStation(join(ROOT, "stations", "plant-3shift.json"));
const bench = loadStation(join(ROOT, "stations", "bench.json"));
const record = loadRecord(join(ROOT, "examples", "records", "slide-5x7.json"));
const slide = JSON.parse(readFileSync(join(ROOT, "profiles", "slide-5x7.json"), "utf8"));

/** slide-5x7 with one more block striking `lines` under the model line. */
function withLot(...lines: string[]) {
  const f = join(mkdtempSync(join(tmpdir(), "peenmark-shift-")), "slide-lot.json");
  const lot = { id: "lot", lines, font: "peen-dot-5x7", capHeight: 2, charSpacing: 0.2, origin: { x: 6, y: 30 }, force: 75 };
  writeFileSync(f, JSON.stringify({ ...slide, $schema: undefined, id: "slide-lot", blocks: [...slide.blocks, lot] }));
  return loadProfile(f, { fonts }).profile;
}

const struck = (lines: string[], at: string, station = plant) =>
  compile({ record, profile: withLot(...lines), station, markedAt: new Date(at) }).blocks.find((b) => b.id === "lot")!.lines;

describe("shift codes from the station file", () => {
  it("strikes the shift whose local window holds markedAt, and its code", () => {
    // 2026-11-23 is a Monday; Chicago is UTC−6 (CST) then.
    expect(struck(["{shift} {shift.code}"], "2026-11-23T12:00:00Z")).toEqual(["Day A"]); // 06:00 local: the Day shift's first minute
    expect(struck(["{shift} {shift.code}"], "2026-11-23T11:59:00Z")).toEqual(["Night C"]); // 05:59
    expect(struck(["{shift} {shift.code}"], "2026-11-23T19:59:00Z")).toEqual(["Day A"]); // 13:59
    expect(struck(["{shift} {shift.code}"], "2026-11-23T20:00:00Z")).toEqual(["Swing B"]); // 14:00: the Day's end is the Swing's first minute
  });

  it("keeps an overnight shift across midnight, with the date codes of the new day after it", () => {
    // 23:30 on Monday 23rd and 00:30 on Tuesday 24th, local: one Night shift, two dates.
    expect(struck(["{shift.code}{date.yyddd}"], "2026-11-24T05:30:00Z")).toEqual(["C26327"]);
    expect(struck(["{shift.code}{date.yyddd}"], "2026-11-24T06:30:00Z")).toEqual(["C26328"]);
  });

  it("follows the zone's wall clock on the day DST starts: the night shift is an hour shorter", () => {
    // 8 March 2026: 02:00 CST becomes 03:00 CDT. The Night shift ends at 06:00 CDT = 11:00Z,
    // not at 12:00Z as a fixed UTC−6 would have it.
    expect(struck(["{time.hh}{time.mm} {shift}"], "2026-03-08T07:59:00Z")).toEqual(["0159 Night"]);
    expect(struck(["{time.hh}{time.mm} {shift}"], "2026-03-08T08:00:00Z")).toEqual(["0300 Night"]);
    expect(struck(["{time.hh}{time.mm} {shift}"], "2026-03-08T10:59:00Z")).toEqual(["0559 Night"]);
    expect(struck(["{time.hh}{time.mm} {shift}"], "2026-03-08T11:00:00Z")).toEqual(["0600 Day"]);
  });

  it("follows the zone's wall clock on the day DST ends: the repeated hour is Night both times, the Day starts at 06:00 CST", () => {
    // 1 November 2026: 02:00 CDT becomes 01:00 CST; 01:30 happens at 06:30Z and at 07:30Z.
    expect(struck(["{time.hh}{time.mm} {shift}"], "2026-11-01T06:30:00Z")).toEqual(["0130 Night"]);
    expect(struck(["{time.hh}{time.mm} {shift}"], "2026-11-01T07:30:00Z")).toEqual(["0130 Night"]);
    expect(struck(["{time.hh}{time.mm} {shift}"], "2026-11-01T11:30:00Z")).toEqual(["0530 Night"]);
    expect(struck(["{time.hh}{time.mm} {shift}"], "2026-11-01T12:00:00Z")).toEqual(["0600 Day"]);
  });

  it("refuses {shift} on a station without shifts, before anything is laid out, naming the field", () => {
    const e = caught(() => struck(["{shift}"], "2026-11-23T12:00:00Z", bench));
    expect(e.code).toBe("E_STATION_FIELD_MISSING");
    expect(e.where).toBe("shift");
    expect(e.details).toMatchObject({ field: "shift", reason: "no-shifts" });
    expect(e.message).toContain('the station file defines no shifts: add "shifts"');
  });

  it("refuses a mark made in a gap between shifts, saying the local time and the shifts", () => {
    const twoShifts = parseStation("two.json", { ...JSON.parse(readFileSync(join(ROOT, "stations", "plant-3shift.json"), "utf8")), shifts: [{ name: "Day", code: "1", start: "06:00", end: "14:00" }, { name: "Late", code: "2", start: "14:00", end: "22:00" }] });
    const e = caught(() => struck(["{shift.code}"], "2026-11-24T05:00:00Z", twoShifts)); // 23:00 local
    expect(e.code).toBe("E_STATION_FIELD_MISSING");
    expect(e.details).toMatchObject({ field: "shift.code", reason: "outside-shifts" });
    expect(e.message).toContain("2026-11-23 23:00 (America/Chicago) is in no shift of the station (Day 06:00–14:00, Late 14:00–22:00)");
    // The same station strikes the code inside a shift.
    expect(struck(["{shift.code}"], "2026-11-23T21:00:00Z", twoShifts)).toEqual(["2"]);
  });

  it("refuses {shift.code} when the station's shifts have no codes", () => {
    const named = parseStation("named.json", { ...JSON.parse(readFileSync(join(ROOT, "stations", "plant-3shift.json"), "utf8")), shifts: [{ name: "Early", start: "00:00", end: "12:00" }, { name: "Late", start: "12:00", end: "00:00" }] });
    expect(struck(["{shift}"], "2026-11-23T12:00:00Z", named)).toEqual(["Early"]);
    const e = caught(() => struck(["{shift.code}"], "2026-11-23T12:00:00Z", named));
    expect(e.details).toMatchObject({ field: "shift.code", reason: "no-code", shift: "Early" });
  });

  it("gives byte-identical programs for the same markedAt, and a different one for the next shift", () => {
    const p = withLot("{shift.code}{date.yyddd}");
    const at = (iso: string) => compile({ record, profile: p, station: plant, markedAt: new Date(iso) }).gcode.lines.join("\n");
    expect(at("2026-11-23T13:00:00Z")).toBe(at("2026-11-23T13:00:00Z"));
    expect(at("2026-11-23T13:00:00Z")).not.toBe(at("2026-11-23T21:00:00Z"));
  });

  it("checks a profile that marks the shift in every shift, whatever the hour of the check", () => {
    const twoShifts = parseStation("two.json", { ...JSON.parse(readFileSync(join(ROOT, "stations", "plant-3shift.json"), "utf8")), shifts: [{ name: "Day", start: "06:00", end: "14:00" }, { name: "Late shift, second line", start: "14:00", end: "22:00" }] });
    const profile = { ...slide, blocks: [...slide.blocks, { id: "lot", lines: ["{shift}"], font: "peen-dot-5x7", capHeight: 3, origin: { x: 40, y: 30 }, force: 75 }] };
    // 23:00 local, between the shifts: the check still strikes each, and finds the long name outside the work area.
    const check = checkProfile(profile, { fonts: new Set(fonts), station: twoShifts, markedAt: new Date("2026-11-24T05:00:00Z") });
    expect(check.problems.map((p) => [p.code, p.details?.shift])).toEqual([["E_OUT_OF_BOUNDS", "Late shift, second line"]]);
    const ok = checkProfile({ ...profile, blocks: [...slide.blocks, { ...profile.blocks[2], origin: { x: 6, y: 30 } }] }, { fonts: new Set(fonts), station: twoShifts, markedAt: new Date("2026-11-24T05:00:00Z") });
    expect(ok.problems).toEqual([]);
  });
});

describe("date codes", () => {
  it("strikes every documented code for 23 November 2026, 14:05 at the station", () => {
    const codes = TEMPLATE_FIELDS.filter((f) => f.startsWith("date.") || f.startsWith("time.") || f.startsWith("shift"));
    // A block holds 12 lines at most: strike the codes 7 to a block.
    const lines = [0, 7, 14].flatMap((i) => struck(codes.slice(i, i + 7).map((c) => `{${c}}`), "2026-11-23T20:05:00Z")); // 14:05 CST
    expect(Object.fromEntries(codes.map((c, i) => [c, lines[i]]))).toEqual({
      "date.year": "2026",
      "date.code": "2611",
      "date.iso": "2026-11-23",
      "date.yyyy": "2026",
      "date.yy": "26",
      "date.y": "6",
      "date.mm": "11",
      "date.dd": "23",
      "date.monthLetter": "L",
      "date.monthCode": "B",
      "date.julian": "327",
      "date.yyddd": "26327",
      "date.yddd": "6327",
      "date.week": "48",
      "date.weekYear": "2026",
      "date.yyww": "2648",
      "date.weekday": "1",
      "time.hh": "14",
      "time.mm": "05",
      shift: "Swing",
      "shift.code": "B",
    });
  });

  it("puts the last days of 2026 in ISO week 53 and the first of 2027 too, until Monday 4 January", () => {
    const line = ["{date.iso} {date.julian} {date.yyww} {date.weekday}"];
    expect(struck(line, "2026-12-31T18:00:00Z")).toEqual(["2026-12-31 365 2653 4"]);
    expect(struck(line, "2027-01-01T18:00:00Z")).toEqual(["2027-01-01 001 2653 5"]);
    expect(struck(line, "2027-01-03T18:00:00Z")).toEqual(["2027-01-03 003 2653 7"]);
    expect(struck(line, "2027-01-04T18:00:00Z")).toEqual(["2027-01-04 004 2701 1"]);
  });

  it("takes the year of a Julian code from the station's day, not UTC's: 21:00 on New Year's Eve in Chicago is day 365 of 2026", () => {
    expect(struck(["{date.yyddd} {shift}"], "2027-01-01T03:00:00Z")).toEqual(["26365 Swing"]);
    expect(struck(["{date.yyddd}"], "2027-01-01T03:00:00Z", bench)).toEqual(["27001"]);
  });

  it("counts 366 days in a leap year: 31 December 2028 is day 366, and its ISO week is 52", () => {
    expect(struck(["{date.julian} {date.week}"], "2028-12-31T18:00:00Z")).toEqual(["366 52"]);
  });

  it("letters the months A to M without I", () => {
    const months = Array.from({ length: 12 }, (_, m) => struck(["{date.monthLetter}{date.monthCode}"], `2026-${String(m + 1).padStart(2, "0")}-15T18:00:00Z`)[0]);
    expect(months).toEqual(["A1", "B2", "C3", "D4", "E5", "F6", "G7", "H8", "J9", "KA", "LB", "MC"]);
  });
});

describe("shifts in the station file", () => {
  const base = JSON.parse(readFileSync(join(ROOT, "stations", "plant-3shift.json"), "utf8"));
  const refused = (shifts: unknown) => caught(() => parseStation("s.json", { ...base, shifts }));

  it("refuses a time that is no HH:MM, naming the field", () => {
    const e = refused([{ name: "Day", start: "6:00", end: "14:00" }, { name: "Night", start: "14:00", end: "24:00" }]);
    expect(e.code).toBe("E_SCHEMA");
    expect(e.message).toContain('$.shifts[0].start: expected the start of the shift as a local time "HH:MM"');
    expect(e.message).toContain("$.shifts[1].end: expected the end of the shift (the first minute after it) as a local time");
  });

  it("refuses overlapping shifts, saying where they overlap", () => {
    const e = refused([{ name: "Day", start: "06:00", end: "14:30" }, { name: "Swing", start: "14:00", end: "22:00" }, { name: "Night", start: "21:00", end: "06:00" }]);
    expect(e.message).toContain('$.shifts[1].start: shift "Swing" (14:00–22:00) overlaps shift "Day" (06:00–14:30) at 14:00');
    expect(e.message).toContain('$.shifts[2].start: shift "Night" (21:00–06:00) overlaps shift "Swing" (14:00–22:00) at 21:00');
  });

  it("refuses a shift that ends when it starts, a name given twice and codes given to some shifts only", () => {
    expect(refused([{ name: "Day", start: "06:00", end: "06:00" }]).message).toContain("$.shifts[0].end: a shift must not end when it starts");
    expect(refused([{ name: "Day", start: "06:00", end: "12:00" }, { name: "Day", start: "12:00", end: "18:00" }]).message).toContain('$.shifts[1].name: shift "Day" is named twice');
    expect(refused([{ name: "Day", code: "A", start: "06:00", end: "12:00" }, { name: "Late", start: "12:00", end: "18:00" }]).message).toContain("$.shifts[1].code: give every shift a code or none");
  });

  it("takes gaps between shifts, and none at all", () => {
    expect(parseStation("s.json", { ...base, shifts: [{ name: "Day", start: "07:00", end: "15:30" }] }).shifts).toHaveLength(1);
    expect(bench.shifts).toEqual([]);
  });
});
