import { describe, expect, it } from "vitest";
import { distance, type Point } from "../../src/geometry.ts";
import type { Profile, TextBlock } from "../../src/profile/schema.ts";
import { caught } from "../caught.ts";
import { compileExample } from "./examples.ts";
import { longestGap } from "../plan/gaps.ts";

/**
 * The defects of issue 12, each pinned through `compile`: what the compile reports and
 * enforces is measured on what will be struck.
 */
const withBlock = (p: Profile, id: string, patch: Partial<TextBlock>): Profile => ({
  ...p,
  blocks: p.blocks.map((b) => (b.id === id && b.kind === "text" ? { ...b, ...patch } : b)),
});

const strikesOf = (job: ReturnType<typeof compileExample>, block: string): Point[] =>
  job.program.ops.flatMap((op) => (op.kind === "strike" && op.block === block ? [op.at] : []));

describe("heights per character, measured on the strikes", () => {
  for (const font of ["peen-single", "peen-single-mono"])
    for (const pitch of [0.198, 0.3])
      it(`${font} in dot mode at 1/16 in, pitch ${pitch}: round glyphs are struck as tall as an H, and the summary says so`, () => {
        const job = compileExample("us-receiver", (p, r) => ({ profile: withBlock(p, "serial", { font, capHeight: 1.5875, pitch, mode: "dot" }), record: { ...r, serial: "H2356890CGOS" } }));
        const serial = job.blocks.find((b) => b.id === "serial")!;
        expect(serial.characters.map((c) => c.char).join("")).toBe("H2356890CGOS");
        for (const c of serial.characters) expect(c.height, c.char).toBeCloseTo(1.5875, 9);
        expect(serial.measuredCapHeight).toBeCloseTo(1.5875, 9);
      });

  it("refuses a lower-case serial letter under 1/16 in, naming it, in every station font (27 CFR 478.92 holds for every character)", () => {
    for (const font of ["peen-single", "peen-single-mono", "peen-dot-5x7", "peen-dot-7x9"]) {
      const e = caught(() => compileExample("us-receiver", (p, r) => ({ profile: withBlock(p, "serial", { font, capHeight: 1.5875, pitch: 0.198 }), record: { ...r, serial: "Rx26a0417" } })));
      expect(e.code, font).toBe("E_MARK_RULE");
      expect(e.message, font).toMatch(/^block "serial" strikes "[xa]" of the serial \d\.\d{3} mm tall \(line 1\); 27 CFR 478\.92 requires every character of a serial or licence number at least 1\.5875 mm \(1\/16 in\): raise its capHeight to at least \d\.\d{3} mm or mark the serial in capitals$/);
      expect(e.details.measured as number).toBeLessThan(1.5);
    }
  });

  it("accepts the lower-case serial once its x-height is struck at 1/16 in, at the capHeight the error names", () => {
    const e = caught(() => compileExample("us-receiver", (p, r) => ({ profile: withBlock(p, "serial", { capHeight: 1.5875, pitch: 0.198 }), record: { ...r, serial: "Rx26a0417" } })));
    const needed = e.details.capHeightNeeded as number;
    const job = compileExample("us-receiver", (p, r) => ({ profile: withBlock(p, "serial", { capHeight: needed, pitch: 0.198 }), record: { ...r, serial: "Rx26a0417" } }));
    const chars = job.blocks.find((b) => b.id === "serial")!.characters;
    expect(Math.min(...chars.map((c) => c.height))).toBeGreaterThanOrEqual(1.5875);
  });

  it("measures the serial inside the receiver-datamatrix SN line (scribed), and only the serial's characters", () => {
    const e = caught(() => compileExample("receiver-datamatrix", (_p, r) => ({ record: { ...r, serial: "Rx26a0417" } })));
    expect(e.code).toBe("E_MARK_RULE");
    expect(e.message).toMatch(/^block "maker" strikes "[xa]" of the serial 1\.4\d\d mm tall \(line 3\)/);
    // The maker's own lower case on lines 1 and 2 ("Ridgeline Arms LLC") is not the serial: the example compiles.
    const job = compileExample("receiver-datamatrix");
    expect(job.blocks.find((b) => b.id === "maker")!.characters.find((c) => c.char === "e")!.height).toBeLessThan(1.5875);
  });
});

describe("spacing along strokes, through compile", () => {
  it("strikes the bars of an I at 3 mm at most 1.05 × pitch apart (they were 1.43 × pitch)", () => {
    const job = compileExample("us-receiver", (p, r) => ({ profile: withBlock(p, "serial", { font: "peen-single", monospace: false }), record: { ...r, serial: "I1I1I1" } }));
    const serial = job.placed.find((b) => b.id === "serial")!;
    const strikes = strikesOf(job, "serial");
    for (const s of serial.strokes) expect(longestGap(s, strikes, 0.3)).toBeLessThanOrEqual(1.05 * 0.3 + 1e-9);
    for (let i = 0; i < strikes.length; i++) for (let j = i + 1; j < strikes.length; j++) expect(distance(strikes[i]!, strikes[j]!)).toBeGreaterThanOrEqual(0.15 - 1e-9);
  });
});

describe("what would strike over itself", () => {
  it("refuses arc text longer than its arc, naming the block, the text length and the arc length", () => {
    const e = caught(() => compileExample("arc-round", (_p, r) => ({ record: { ...r, manufacturer: "Compañía Fabricante de Armas Cortas de Venezuela CA" } })));
    expect(e.code).toBe("E_LAYOUT");
    expect(e.where).toBe("maker");
    expect(e.message).toMatch(/^block "maker": line 1 is \d+\.\d\d mm of text on an arc of 75\.40 mm \(the whole circle of radius 12\.00 mm\)/);
    expect(e.details.textLength as number).toBeGreaterThan(e.details.arcLength as number);
  });

  it("refuses arc text whose descenders run into the serial inside it (E_OVERLAP naming both blocks)", () => {
    // At 3 mm the maker's line goes nearly round the circle: its first letters come down to the serial's arc.
    const e = caught(() => compileExample("arc-round", (p, r) => ({ profile: withBlock(p, "maker", { capHeight: 3 }), record: { ...r, manufacturer: "Jorge y Ángel Pérez Cañones SA" } })));
    expect(e.code).toBe("E_OVERLAP");
    expect(e.message).toMatch(/^block "maker" \("g", line 1\) comes within the pin's diameter \(0\.30 mm\) of block "serial" \("C", line 1\)/);
    // Without the descenders the same line stays clear of the serial.
    expect(() => compileExample("arc-round", (p, r) => ({ profile: withBlock(p, "maker", { capHeight: 3 }), record: { ...r, manufacturer: "Jorje i Ángel Pérez Cañones SA" } }))).not.toThrow();
  });

  it("refuses lines of a block that run into each other, and a descender into an accent on the line below", () => {
    const tight = caught(() => compileExample("us-receiver", (p) => ({ profile: withBlock(p, "maker", { lineSpacing: 1 }) })));
    expect(tight.code).toBe("E_LAYOUT");
    expect(tight.message).toMatch(/^block "maker": ".+" of line 1 comes within the pin's diameter \(0\.30 mm\) of ".+" on line 2 .*raise the block's lineSpacing$/);
    const descender = caught(() => compileExample("us-receiver", (p, r) => ({ record: { ...r, manufacturer: "Armería Ruger", place: { ...r.place, city: "ÉÉÉÉÉÉÉÉÉÉÉÉ" } } })));
    expect(descender.code).toBe("E_LAYOUT");
    expect(descender.message).toContain('"g" of line 1 comes within the pin\'s diameter (0.30 mm) of "É" on line 2');
  });

  it("refuses letters of one line struck into each other (a negative charSpacing)", () => {
    const e = caught(() => compileExample("us-receiver", (p) => ({ profile: withBlock(p, "serial", { charSpacing: -1.2 }) })));
    expect(e.code).toBe("E_LAYOUT");
    expect(e.message).toMatch(/^block "serial": ".+" and ".+" on line 1 strike \d\.\d\d mm apart, closer than half the pitch \(0\.15 mm\)/);
  });
});

describe("records the rules allow", () => {
  it("marks a record without a model: the line of only {model} is left out (27 CFR 478.92: a model if one is designated)", () => {
    const job = compileExample("us-receiver", (_p, r) => ({ record: { ...r, model: undefined } }));
    expect(job.blocks.find((b) => b.id === "model")!.lines).toEqual(["CAL 9MM LUGER"]);
  });

  it("still refuses a line that marks a missing model with other fields, and says why", () => {
    const e = caught(() => compileExample("us-receiver", (p, r) => ({ profile: withBlock(p, "model", { lines: ["MODEL {model} CAL {caliber}"] }), record: { ...r, model: undefined } })));
    expect(e.code).toBe("E_RECORD_FIELD_MISSING");
    expect(e.message).toContain("a line that marks only {model} is left out when the record has none");
  });

  it("marks an ITI import without an importer state (Curaçao): the country and year are what ITI ¶8b asks for", () => {
    const job = compileExample("iti-import", (_p, r) => ({ record: { ...r, import: { importer: "Curaçao Arms Trading N.V.", city: "Willemstad", country: { code: "CW", name: "Curaçao" }, year: 2026 } } }));
    expect(job.blocks.find((b) => b.id === "importer")!.lines).toEqual(["IMP. Curaçao Arms Trading N.V.", "Willemstad"]);
    expect(job.blocks.find((b) => b.id === "country-year")!.lines).toEqual(["CW 2026"]);
  });
});
