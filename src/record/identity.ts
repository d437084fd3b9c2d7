import { createRequire } from "node:module";
import { caseFold } from "unicode-case-folding";

/**
 * The identity of a serial or a maker: what two records must share to be "the same serial"
 * (27 CFR 478.92: a serial "not used on any other firearm"). The struck text is always the
 * record's text; only comparison goes through here. A pure function over a string, used by
 * the serial rule, `find`, series and export alike, and by every journal engine (SQLite now,
 * PostgreSQL later), which store it in an indexed column.
 *
 *   t = NFKC(s) − default ignorables
 *   identity(s) = fold(skeleton(fold(skeleton(upper(t))))), repeated to a fixed point
 *
 * - NFKC: compatibility forms read as their plain letters (fullwidth `ＲＡ`, `ﬁ`, `²`).
 * - Default_Ignorable_Code_Point removed (U+200B, U+2060, U+00AD, variation selectors …):
 *   invisible, so they cannot make two serials differ. Runs of spaces are one space.
 * - The skeleton of Unicode TS #39 §4 (NFD, every code point to its prototype in
 *   confusables.txt, NFD), taken twice: of the text in capitals, where serials are struck and
 *   where Cyrillic `В`, `Н`, `Т` and Greek `Α`, `Κ` look like Latin letters (their small
 *   forms do not: `в` is not `b`); then of the fully case-folded text, where Cyrillic `а`,
 *   `г`, `р` look like `a`, `r`, `p`. `0` reads as `O`, and `I`, `l`, `1` as one stroke.
 * - Full case folding (CaseFolding.txt status C+F, not ASCII only) last: `Ñ`≡`ñ`, `ẞ`≡`ss`.
 *   The whole is case-insensitive: identity(x) = identity(fold(x)) = identity(upper(x)) for
 *   every code point (tested).
 * The result is an internal key: never shown, never struck (TS #39: a skeleton "is not
 * suitable for display").
 *
 * Data: confusables from the `unhomoglyph` package (Unicode's confusables.txt), case folding
 * from `unicode-case-folding` (CaseFolding.txt), NFKC, upper case and default ignorables from
 * the JavaScript engine's ICU. `IDENTITY_VERSION` names all of them: a journal whose stored
 * keys were computed under another version computes them again when it opens.
 */

const require = createRequire(import.meta.url);
const CONFUSABLES: Readonly<Record<string, string>> = require("unhomoglyph/data.json");
const PROTOTYPE = new Map<string, string>(Object.entries(CONFUSABLES).map(([from, to]) => [from, to.normalize("NFD")]));

/** Algorithm 1; confusables and case-folding data by package version; NFKC by the engine's Unicode version. */
export const IDENTITY_VERSION = [
  "identity 1",
  `unhomoglyph ${(require("unhomoglyph/package.json") as { version: string }).version}`,
  `unicode-case-folding ${(require("unicode-case-folding/package.json") as { version: string }).version}`,
  `unicode ${process.versions.unicode ?? "?"}`,
].join("; ");

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/** NFKC with case folding and default ignorables removed, until it no longer changes (NFKC_Casefold in effect). */
export function foldText(s: string): string {
  let t = s;
  for (let i = 0; i < 4; i++) {
    const next = caseFold(t.replace(IGNORABLE, "").normalize("NFKC")).normalize("NFKC").replace(IGNORABLE, "").replace(/\s+/gu, " ").trim();
    if (next === t) return t;
    t = next;
  }
  return t;
}

/** The TS #39 skeleton: NFD, each code point to its prototype, NFD again. */
export function skeleton(s: string): string {
  let out = "";
  for (const c of s.normalize("NFD")) out += PROTOTYPE.get(c) ?? c;
  return out.normalize("NFD");
}

/** The identity key of a serial or a maker name (see the comment at the top). */
export function identity(s: string): string {
  let t = s.replace(IGNORABLE, "").normalize("NFKC").replace(IGNORABLE, "");
  // Folding and the skeleton each map into the other's domain (a prototype may be a capital,
  // a folded letter may have a prototype): a few rounds reach the fixed point.
  for (let i = 0; i < 6; i++) {
    const next = foldText(skeleton(foldText(skeleton(t.toUpperCase())))).normalize("NFD");
    if (next === t) return t;
    t = next;
  }
  return t;
}

/** Whether two strings are one serial (or one maker) for the serial rule. */
export function sameIdentity(a: string, b: string): boolean {
  return identity(a) === identity(b);
}
