import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { PeenmarkError } from "../../src/errors.ts";
import { IDENTITY_VERSION, identity, sameIdentity } from "../../src/record/identity.ts";
import { checkSerialCharacters } from "../../src/record/serial-characters.ts";

const refusal = (regime: "us-atf" | "iti" | "none", serial: string): PeenmarkError | undefined => {
  try {
    checkSerialCharacters(regime, serial);
    return undefined;
  } catch (e) {
    if (e instanceof PeenmarkError) return e;
    throw e;
  }
};

describe("the identity of a serial or a maker", () => {
  it("is one for lookalike letters of other scripts (Unicode TS #39 skeleton)", () => {
    const latin = "RA2026A00417";
    for (const s of ["RA2026А00417" /* Cyrillic А */, "RA2026Α00417" /* Greek Α */, "ＲＡ２０２６Ａ００４１７" /* fullwidth */]) {
      expect(identity(s), s).toBe(identity(latin));
    }
    // All Cyrillic: Р is the Cyrillic letter er, which reads as a Latin P
    expect(identity("РА2026А00417")).toBe(identity("PA2026A00417"));
    expect(identity("RA2026A00418")).not.toBe(identity(latin));
  });

  it("folds case fully, not only ASCII", () => {
    expect(sameIdentity("Cañones del Sur", "CAÑONES DEL SUR")).toBe(true);
    expect(sameIdentity("Straße", "STRASSE")).toBe(true); // ß folds to ss (CaseFolding.txt, status F)
    expect(sameIdentity("ΣΙΓΜΑ", "σιγμα")).toBe(true);
    expect(sameIdentity("Armas Ñandú", "Armas Nandu")).toBe(false); // an accent is a letter of its own
  });

  it("removes invisible (default-ignorable) characters and makes runs of spaces one", () => {
    for (const m of ["Ridgeline\u200B Arms", "Ridgeline\u2060 Arms", "Ridge\u00ADline Arms", "Ridgeline  Arms", " Ridgeline Arms ", "Ridgeline Аrms" /* Cyrillic А */, "Ridgeline Arms\uFE0F"]) {
      expect(identity(m), JSON.stringify(m)).toBe(identity("Ridgeline Arms"));
    }
  });

  it("reads 0 as O and I, l and 1 as one stroke, whatever the case", () => {
    expect(sameIdentity("AB0123", "ABO123")).toBe(true);
    expect(sameIdentity("AI00417", "A100417")).toBe(true);
    expect(sameIdentity("Al00417", "A100417")).toBe(true);
    expect(sameIdentity("ai00417", "AI00417")).toBe(true);
    expect(sameIdentity("AB8123", "AB3123")).toBe(false);
  });

  it("folds capitals that look Latin and small letters that look Latin (Cyrillic В/в, Н, е)", () => {
    expect(identity("АВС123")).toBe(identity("ABC123")); // Cyrillic capitals А В С
    expect(identity("авс123")).toBe(identity("ABC123")); // and their small forms, folded to the capitals' identity
    expect(identity("RA2026Н00417")).toBe(identity("RA2026H00417")); // Cyrillic Н
    expect(identity("Ridgеlinе Arms")).toBe(identity("Ridgeline Arms")); // Cyrillic е
  });

  it("is case-insensitive for every code point that has a case", () => {
    const broken: string[] = [];
    for (let c = 0; c < 0x110000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCodePoint(c);
      if (s.toLowerCase() === s && s.toUpperCase() === s) continue;
      const k = identity(`A${s}1`);
      if (identity(`A${s.toLowerCase()}1`) !== k || identity(`A${s.toUpperCase()}1`) !== k) broken.push(`U+${c.toString(16)}`);
    }
    expect(broken).toEqual([]);
  });

  it("is a fixed point for every character of the confusables and case-folding data", () => {
    const require = createRequire(import.meta.url);
    const data = require("unhomoglyph/data.json") as Record<string, string>;
    const chars = new Set<string>(Object.keys(data));
    for (let c = 0x20; c < 0x2000; c++) chars.add(String.fromCodePoint(c));
    const unstable: string[] = [];
    for (const c of chars) {
      const k = identity(`X${c}1`);
      if (identity(k) !== k) unstable.push(`U+${c.codePointAt(0)!.toString(16)}`);
    }
    expect(unstable).toEqual([]);
  });

  it("names the data it was computed with, so a journal can recompute stored keys", () => {
    expect(IDENTITY_VERSION).toMatch(/^identity 1; unhomoglyph 1\.0\.6; unicode-case-folding 1\.1\.1; unicode \d+\.\d+$/);
  });
});

describe("characters a serial may not hold (E_SERIAL_RULE)", () => {
  it("refuses a letter of another script among Latin ones, naming it and its code point", () => {
    const e = refusal("iti", "RA2026А00417");
    expect(e?.code).toBe("E_SERIAL_RULE");
    expect(e?.message).toContain('"А" (U+0410) is Cyrillic');
    expect(e?.details).toMatchObject({ codePoint: "U+0410", character: "А" });
    expect(refusal("us-atf", "RA2026Α00417")?.message).toContain("(U+0391) is Greek");
  });

  it("lets a serial in one script through (its identity still compares it with the Latin one)", () => {
    expect(refusal("iti", "РА2026А00417")).toBeUndefined();
    expect(refusal("iti", "AB-12/3.4")).toBeUndefined();
  });

  it("refuses invisible characters in every regime, shown as ⟨U+…⟩", () => {
    for (const [c, cp] of [["\u200B", "U+200B"], ["\u2060", "U+2060"], ["\u202E", "U+202E"], ["\u0000", "U+0000"], ["\u00AD", "U+00AD"], ["\uE000", "U+E000"]] as const) {
      for (const regime of ["us-atf", "iti", "none"] as const) {
        const e = refusal(regime, `RA20${c}26`);
        expect(e?.code, `${cp} under ${regime}`).toBe("E_SERIAL_RULE");
        expect(e?.message).toContain(cp);
        expect(e?.message).toContain(`RA20⟨${cp}⟩26`);
      }
    }
  });
});
