import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fontNames } from "../../src/fonts/font.ts";
import { loadProfile, loadRecord, parseRecord, parseStation } from "../../src/profile/load.ts";
import { compileExample, example, ROOT } from "./examples.ts";
import { compile } from "../../src/compile.ts";
import { caught } from "../caught.ts";


const tmp = () => mkdtempSync(join(tmpdir(), "peenmark-"));
const fonts = fontNames();

describe("loading profiles and records", () => {
  it("names the file and the JSON error for bad JSON", () => {
    const f = join(tmp(), "broken.json");
    writeFileSync(f, '{ "id": "x", ');
    const e = caught(() => loadProfile(f, { fonts }));
    expect(e.code).toBe("E_JSON");
    expect(e.message).toContain(f);
  });

  it("lists every schema problem with its JSON path", () => {
    const f = join(tmp(), "p.json");
    writeFileSync(f, JSON.stringify({ id: "Bad Id", name: "x", rules: "us", blocks: [{ id: "a", lines: ["{serial}"], font: "dejavu-sans", capHeight: 0, origin: { x: 1, y: 2 } }] }));
    const e = caught(() => loadProfile(f, { fonts }));
    expect(e.code).toBe("E_SCHEMA");
    expect(e.message).toContain(`${f}: $.id: expected a lower-case id`);
    expect(e.message).toContain(`${f}: $.rules:`);
    expect(e.message).toContain(`${f}: $.blocks[0].capHeight: cap height must be greater than 0`);
  });

  it("refuses unknown template fields and unknown fonts at load time", () => {
    const f = join(tmp(), "p.json");
    writeFileSync(f, JSON.stringify({ id: "p", name: "x", rules: "none", blocks: [{ id: "a", lines: ["{serail}"], font: "dejavu-sans", capHeight: 2, origin: { x: 1, y: 2 } }] }));
    expect(caught(() => loadProfile(f, { fonts })).message).toContain("$.blocks[0].lines[0]: unknown template field {serail}");
    writeFileSync(f, JSON.stringify({ id: "p", name: "x", rules: "none", blocks: [{ id: "a", lines: ["{serial}"], font: "comic-sans", capHeight: 2, origin: { x: 1, y: 2 } }] }));
    const e = caught(() => loadProfile(f, { fonts }));
    expect(e.code).toBe("E_FONT_UNKNOWN");
    expect(e.message).toContain('$.blocks[0].font: unknown font "comic-sans"');
  });

  it("refuses a us-atf receiver profile that marks the serial without maker, city and state", () => {
    const f = join(tmp(), "p.json");
    writeFileSync(f, JSON.stringify({ id: "p", name: "x", rules: "us-atf", blocks: [{ id: "a", lines: ["{serial}"], font: "dejavu-sans", capHeight: 2, origin: { x: 1, y: 2 } }] }));
    const e = caught(() => loadProfile(f, { fonts }));
    expect(e.code).toBe("E_MARK_RULE");
    expect(e.message).toContain("{manufacturer}, {place.city} and {place.state}");
  });

  it("normalises record text to NFC so that decomposed accents mark the same", () => {
    const base = loadRecord(join(ROOT, "examples", "records", "iti-import.json"));
    const decomposed = parseRecord("scanner", { ...base, place: { ...base.place, city: "Sa\u0303o Leopoldo" } });
    expect(decomposed.place.city).toBe("São Leopoldo");
    expect(decomposed.place.city.length).toBe(12);
  });

  it("makes runs of spaces one, so a double space typed by hand is the same maker", () => {
    const base = loadRecord(join(ROOT, "examples", "records", "us-receiver.json"));
    expect(parseRecord("form", { ...base, manufacturer: "  Ridgeline \t Arms  LLC " }).manufacturer).toBe("Ridgeline Arms LLC");
  });

  it("names the field of a bad record", () => {
    const base = loadRecord(join(ROOT, "examples", "records", "us-receiver.json"));
    const e = caught(() => parseRecord("form", { ...base, place: { ...base.place, country: { code: "USA", name: "United States" } }, licencePrefix: "123" }));
    expect(e.code).toBe("E_SCHEMA");
    expect(e.message).toContain("$.place.country.code: expected an ISO 3166-1 alpha-2");
    expect(e.message).toContain("$.licencePrefix: expected the 8-digit abbreviated licence number");
  });
});

describe("compile errors", () => {
  it("E_GLYPH_MISSING names the character, its code point, the font and the block", () => {
    const e = caught(() => compileExample("us-receiver", (_p, r) => ({ record: { ...r, model: "RX-漢" } })));
    expect(e.code).toBe("E_GLYPH_MISSING");
    expect(e.message).toMatch(/font "[a-z0-9-]+" has no glyph for "漢" \(U\+6F22\) in block "model"/);
  });

  it("marks Central European makers (Latin Extended-A) in every station font", () => {
    for (const font of ["peen-single", "peen-single-mono", "peen-dot-5x7", "peen-dot-7x9"]) {
      const job = compileExample("us-receiver", (p, r) => ({ profile: { ...p, blocks: p.blocks.map((b) => (b.id === "maker" && b.kind === "text" ? { ...b, font } : b)) }, record: { ...r, manufacturer: "Česká zbrojovka Řevnice", place: { ...r.place, city: "Łódź Győr" } } }));
      expect(job.blocks.find((b) => b.id === "maker")!.lines, font).toEqual(["Česká zbrojovka Řevnice", "Łódź Győr, AZ"]);
    }
  });

  it("E_GLYPH_MISSING for a letter beyond Latin Extended-A (Romanian comma below)", () => {
    const e = caught(() => compileExample("us-receiver", (_p, r) => ({ record: { ...r, manufacturer: "Uzina Cugir Ștefănești" } })));
    expect(e.message).toBe('font "peen-single" has no glyph for "Ș" (U+0218) in block "maker": choose a font that has it or change the text');
    expect(e.details).toMatchObject({ char: "Ș", codePoint: 0x218, font: "peen-single", block: "maker" });
  });

  it("E_OVERLAP when another block lies in a Data Matrix quiet zone", () => {
    const e = caught(() =>
      compileExample("receiver-datamatrix", (p) => ({ profile: { ...p, blocks: p.blocks.map((b) => (b.kind === "text" ? { ...b, origin: { x: 14, y: 44 } } : b)) } })),
    );
    expect(e.code).toBe("E_OVERLAP");
    expect(e.message).toContain('block "maker" lies inside its quiet zone');
  });

  it("E_DATAMATRIX when the payload has a control character a reader would not show", () => {
    const e = caught(() => compileExample("receiver-datamatrix", (_p, r) => ({ record: { ...r, model: "RX\u00079" } })));
    expect(e.code).toBe("E_DATAMATRIX");
    expect(e.where).toBe("code");
  });

  it("E_OUT_OF_BOUNDS names the block when text runs off the work area", () => {
    const e = caught(() => compileExample("us-receiver", (_p, r) => ({ record: { ...r, manufacturer: "Ridgeline Arms and Precision Manufacturing Company of Northern Arizona" } })));
    expect(e.code).toBe("E_OUT_OF_BOUNDS");
    expect(e.where).toBe("maker");
    expect(e.message).toContain("outside the 100 × 80 mm work area");
  });

  it("E_RECORD_FIELD_MISSING when the profile marks a field the record lacks", () => {
    const e = caught(() => compileExample("iti-import", (_p, r) => ({ record: { ...r, import: undefined } })));
    expect(e.code).toBe("E_RECORD_FIELD_MISSING");
    expect(e.message).toContain("{import.importer}");
  });

  it("us-atf refuses serials with other characters, without a digit, or under 1/16 in", () => {
    expect(caught(() => compileExample("us-receiver", (_p, r) => ({ record: { ...r, serial: "RA-2026" } }))).code).toBe("E_SERIAL_RULE");
    expect(caught(() => compileExample("us-receiver", (_p, r) => ({ record: { ...r, serial: "RIDGELINE" } }))).message).toContain("at least one Arabic numeral");
    const small = caught(() =>
      compileExample("us-receiver", (p) => ({ profile: { ...p, blocks: p.blocks.map((b) => (b.id === "serial" && b.kind === "text" ? { ...b, capHeight: 1.5 } : b)) } })),
    );
    expect(small.code).toBe("E_MARK_RULE");
    expect(small.message).toBe('block "serial" strikes "R" of the serial 1.500 mm tall (line 1); 27 CFR 478.92 requires every character of a serial or licence number at least 1.5875 mm (1/16 in): raise its capHeight to at least 1.588 mm');
  });

  it("E_FORCE_RANGE when a block asks for more than the head gives", () => {
    const e = caught(() => compileExample("us-receiver", (p) => ({ profile: { ...p, blocks: p.blocks.map((b) => ({ ...b, force: 10 })) } })));
    expect(e.code).toBe("E_FORCE_RANGE");
    expect(e.message).toContain("between 20 % and 100 %");
  });
});

describe("peenmark compile (CLI)", () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "peenmark.mjs"), ...args], { cwd: ROOT, encoding: "utf8" });

  it("prints the summary and writes the program and preview", () => {
    const dir = tmp();
    const r = cli(["compile", "--profile", "profiles/us-receiver.json", "--record", "examples/records/us-receiver.json", "-o", join(dir, "a.gcode"), "--preview", join(dir, "a.png"), "--date", "2026-11-23"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/blocks: 3 +glyphs: \d+ +strikes: \d+/);
    expect(r.stdout).toMatch(/estimated marking time: /);
    expect(r.stdout).toMatch(/serial .* cap +3\.000 mm/);
    expect(readdirSync(dir).sort()).toEqual(["a.gcode", "a.png"]);
  });

  it("exits non-zero with the error code and writes no file on bad input", () => {
    const dir = tmp();
    const bad = join(dir, "r.json");
    writeFileSync(bad, JSON.stringify({ ...example("us-receiver").record, serial: "NO-DIGITS" }));
    const r = cli(["compile", "--profile", "profiles/us-receiver.json", "--record", bad, "-o", join(dir, "a.gcode"), "--preview", join(dir, "a.svg")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^E_SERIAL_RULE: serial "NO-DIGITS"/);
    expect(existsSync(join(dir, "a.gcode"))).toBe(false);
    expect(existsSync(join(dir, "a.svg"))).toBe(false);
  });
});

describe("Data Matrix quiet zone against rotated text", () => {
  it("accepts a rotated symbol whose human-readable line stays clear of the quiet zone (its box does not)", () => {
    for (const rotation of [30, 45, 90]) {
      const job = compileExample("receiver-datamatrix", (p) => ({ profile: { ...p, blocks: p.blocks.map((b) => (b.kind === "datamatrix" ? { ...b, rotation, origin: { x: 20, y: 30 } } : { ...b, origin: { x: 45, y: 64 } })) } }));
      expect(job.blocks.map((b) => b.id)).toEqual(["code", "code-text", "maker"]);
    }
  });

  it("refuses the turned human-readable line where it runs into the maker's lines (E_OVERLAP naming both)", () => {
    // At 45° the line's end reaches the "SN" of the maker's third line 0.08 mm from its scribed S.
    const e = caught(() => compileExample("receiver-datamatrix", (p) => ({ profile: { ...p, blocks: p.blocks.map((b) => (b.kind === "datamatrix" ? { ...b, rotation: 45, origin: { x: 20, y: 30 } } : { ...b, origin: { x: 45, y: 60 } })) } })));
    expect(e.code).toBe("E_OVERLAP");
    expect(e.message).toMatch(/^the human-readable line of block "code" \("1", line 1\) comes within the pin's diameter \(0\.30 mm\) of block "maker" \("S", line 3\)/);
  });

  it("names the human-readable line when it is what enters the quiet zone", () => {
    const e = caught(() => compileExample("receiver-datamatrix", (p) => ({ profile: { ...p, blocks: p.blocks.map((b) => (b.kind === "datamatrix" ? { ...b, humanReadable: { ...b.humanReadable!, gap: 0.1 } } : b)) } })));
    expect(e.code).toBe("E_OVERLAP");
    expect(e.message).toContain('the human-readable line of block "code" lies inside its quiet zone');
  });
});

describe("profile and station details that would fail late", () => {
  it("refuses a template with a brace that does not close a field", () => {
    const f = join(tmp(), "p.json");
    writeFileSync(f, JSON.stringify({ id: "p", name: "x", rules: "none", blocks: [{ id: "a", lines: ["{serial}/{model/{date.code}"], font: "peen-single", capHeight: 2, origin: { x: 1, y: 2 } }] }));
    const e = caught(() => loadProfile(f, { fonts }));
    expect(e.code).toBe("E_SCHEMA");
    expect(e.message).toContain(`$.blocks[0].lines[0]: "{serial}/{model/{date.code}" has a "{" or "}" that does not close a {field}`);
  });

  it("refuses a text block named like a Data Matrix block's human-readable line", () => {
    const { profile } = example("receiver-datamatrix");
    const f = join(tmp(), "p.json");
    writeFileSync(f, JSON.stringify({ ...profile, blocks: [...profile.blocks, { id: "code-text", lines: ["X1"], font: "peen-single", capHeight: 2, origin: { x: 60, y: 10 } }] }));
    expect(caught(() => loadProfile(f, { fonts })).message).toContain('block id "code-text" is taken by the human-readable line of Data Matrix block "code"');
  });

  it("refuses a station whose park position or strike time would go wrong at the head", () => {
    const s = JSON.parse(readFileSync(join(ROOT, "stations", "bench.json"), "utf8"));
    const e = caught(() => parseStation("s.json", { ...s, machine: { ...s.machine, park: { x: 0, y: 90 }, strikeTime: 0.0004 } }));
    expect(e.message).toContain("$.machine.park: the park position (0, 90) is outside the 100 × 80 mm work area");
    expect(e.message).toContain("$.machine.strikeTime: strike time is in seconds: at least 0.002");
  });

  it("refuses a strike block the controller would run too slowly, too fast or not to time", () => {
    const s = JSON.parse(readFileSync(join(ROOT, "stations", "bench.json"), "utf8"));
    const slowZ = caught(() => parseStation("s.json", { ...s, machine: { ...s.machine, strike: { zSteps: 1, zRate: 600, zAcceleration: 100 } } }));
    expect(slowZ.message).toContain("$.machine.strike.zAcceleration: at a Z acceleration of 100 mm/s² a strike started from rest lasts 4.00 ms longer than strikeTime: raise zAcceleration ($122) to at least 800 mm/s²");
    const tooSlow = caught(() => parseStation("s.json", { ...s, machine: { ...s.machine, strikeTime: 0.2, stepsPerMm: { x: 80, y: 80, z: 1000 } } }));
    expect(tooSlow.message).toContain("$.machine.strike.zSteps: a strike of 0.2 s over 0.001 mm of Z needs a feed of 0.300 mm/min, under GRBL's 1 mm/min minimum");
  });
});

describe("dates in marks", () => {
  it("are the station's local date: New Year's Eve evening in Mexico City is still last year", () => {
    const e = example("cifta-state-stock");
    const at = new Date("2027-01-01T03:30:00Z"); // 21:30 on 31 December 2026 in Mexico City
    const lines = (tz: string) => compile({ ...e, station: { ...e.station, timeZone: tz }, markedAt: at }).blocks.find((b) => b.id === "country-year")!.lines;
    expect(lines("America/Mexico_City")[1]).toBe("2612");
    expect(lines("UTC")[1]).toBe("2701");
  });

  it("refuses a station time zone that does not exist", () => {
    const s = JSON.parse(readFileSync(join(ROOT, "stations", "bench.json"), "utf8"));
    expect(caught(() => parseStation("s.json", { ...s, timeZone: "Mars/Olympus" })).message).toContain("$.timeZone: expected an IANA time zone");
  });
});
