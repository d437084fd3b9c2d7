import { createRequire } from "node:module";
import { caseFold } from "unicode-case-folding";

/**
 * The identity of a serial or a maker: what two records must share to be "the same serial"
 * (27 CFR 478.92: a serial "not used on any other firearm"). The struck text is always the
 * record's text; only comparison goes through here. A pure function over a string, used by
 * the serial rule, `find`, series and export alike, and by every journal engine (SQLite now,
 * PostgreSQL later), which store it in an indexed column.
 *
 *   identity(s) = skeleton(casefold(NFKC(s) − default ignorables)), repeated to a fixed point
 *
 * - NFKC: compatibility forms read as their plain letters (fullwidth `ＲＡ`, `ﬁ`, `²`).
 * - Full case folding (CaseFolding.txt status C+F, not ASCII only): `Ñ`≡`ñ`, `ẞ`≡`ss`.
 * - Default_Ignorable_Code_Point removed (U+200B, U+2060, U+00AD, variation selectors …):
 *   invisible, so they cannot make two serials differ.
 * - The skeleton of Unicode TS #39 §4 (NFD, every code point to its prototype in
 *   confusables.txt, NFD): Cyrillic `А` and Greek `Α` read as Latin `A`, `0` as `O`, `1` as `l`.
 * - One rule of ours on top: a folded `i` is read as `l`. Folding parts capital `I` from the
 *   digit `1` (`I` folds to `i`, whose skeleton is `i`; `1` and `l` both have skeleton `l`),
 *   yet on metal `I`, `l` and `1` are one vertical stroke. Without it `A1` and `AI` would be
 *   two serials.
 * The result is an internal key: never shown, never struck (TS #39: a skeleton "is not
 * suitable for display").
 *
 * Data: confusables from the `unhomoglyph` package (Unicode's confusables.txt), case folding
 * from `unicode-case-folding` (CaseFolding.txt), NFKC and default ignorables from the
 * JavaScript engine's ICU. `IDENTITY_VERSION` names all of them: a journal whose stored keys
 * were computed under another version recomputes them when it opens.
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
  let t = s;
  // Folding and the skeleton each map into the other's domain (a prototype may be a capital,
  // a folded letter may have a prototype): a few rounds reach the fixed point.
  for (let i = 0; i < 6; i++) {
    const next = skeleton(foldText(t)).replace(/\p{Default_Ignorable_Code_Point}/gu, "");
    const folded = foldText(next).normalize("NFD").replaceAll("i", "l");
    if (folded === t) return t;
    t = folded;
  }
  return t;
}

/** Whether two strings are one serial (or one maker) for the serial rule. */
export function sameIdentity(a: string, b: string): boolean {
  return identity(a) === identity(b);
}
