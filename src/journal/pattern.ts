import { PeenmarkError } from "../errors.ts";

/**
 * Serial-number series patterns: literal serial characters with placeholders.
 *
 *   {counter:N}  the series counter, zero-padded to N digits (1–12); exactly once
 *   {counter:N:safe}  the counter in the 30 characters a reader cannot take for one
 *                another (0–9 and the capitals without B I O Q S Z), N of them; the
 *                pattern's literals must leave those letters out too
 *   {yyyy} {yy}  the year of the date the number is reserved on (passed in, UTC)
 *   {licence}    the series' 8-digit abbreviated licence number (27 CFR 478.92(a)(1)(iv))
 *
 * Literals are Roman capitals, Arabic digits and `-` (ATF guidance: serials are letters
 * and numerals; the hyphen separates the licence form `12345678-ABC123`).
 * Example: `AB{yy}-{counter:6}` on 2026-03-01 with counter 17 → `AB26-000017`.
 */
/**
 * Letters a reader takes for figures — B for 8, I for 1, O and Q for 0, S for 5, Z for 2 —
 * left out of a `safe` counter and of its pattern's literals, as vehicle identification
 * numbers leave out I, O and Q (ISO 3779).
 */
export const CONFUSABLE_LETTERS = "BIOQSZ";
/** The characters of a `safe` counter, in counting order. */
export const SAFE_ALPHABET = "0123456789ACDEFGHJKLMNPRTUVWXY";

export type PatternPart =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "counter"; readonly width: number; readonly safe?: boolean }
  | { readonly kind: "yyyy" }
  | { readonly kind: "yy" }
  | { readonly kind: "licence" };

export interface SeriesPattern {
  readonly source: string;
  readonly parts: readonly PatternPart[];
  readonly counterWidth: number;
}

const MAX_SERIAL = 40; // MarkingRecordSchema's serial limit

function bad(pattern: string, why: string): PeenmarkError {
  return new PeenmarkError("E_JOURNAL", `series pattern "${pattern}" ${why}`, { where: "pattern" });
}

export function parseSeriesPattern(source: string): SeriesPattern {
  const parts: PatternPart[] = [];
  let counterWidth = 0;
  const re = /\{([^}]*)\}|([^{}]+)|([{}])/g;
  for (const m of source.matchAll(re)) {
    const [, placeholder, literal, stray] = m;
    if (stray !== undefined) throw bad(source, `has an unmatched "${stray}"`);
    if (literal !== undefined) {
      if (!/^[A-Z0-9-]+$/.test(literal)) throw bad(source, `has "${literal}": literals may hold only A–Z, 0–9 and "-"`);
      parts.push({ kind: "literal", text: literal });
      continue;
    }
    const name = placeholder ?? "";
    const counter = /^counter:(\d+)(:safe)?$/.exec(name);
    if (counter) {
      const width = Number(counter[1]);
      if (counterWidth > 0) throw bad(source, "has more than one {counter:N}");
      if (width < 1 || width > 12) throw bad(source, `asks for a counter width of ${width}: use 1 to 12 digits`);
      counterWidth = width;
      parts.push({ kind: "counter", width, ...(counter[2] ? { safe: true } : {}) });
    } else if (name === "yyyy" || name === "yy" || name === "licence") {
      parts.push({ kind: name });
    } else {
      throw bad(source, `has an unknown placeholder {${name}}: use {counter:N}, {counter:N:safe}, {yyyy}, {yy} or {licence}`);
    }
  }
  if (counterWidth === 0) throw bad(source, "has no {counter:N}: a series needs a counter");
  if (parts.some((p) => p.kind === "counter" && p.safe))
    for (const p of parts)
      if (p.kind === "literal" && [...p.text].some((c) => CONFUSABLE_LETTERS.includes(c)))
        throw bad(source, `has "${p.text}" with a counter that leaves out ${CONFUSABLE_LETTERS.split("").join(" ")}: leave those letters out of the literals too`);
  return { source, parts, counterWidth };
}

/** The largest counter a pattern can write: 10^N − 1, or 30^N − 1 for a safe counter. */
export function counterLimit(p: SeriesPattern): number {
  const c = p.parts.find((q) => q.kind === "counter") as { width: number; safe?: boolean };
  return (c.safe ? SAFE_ALPHABET.length : 10) ** c.width - 1;
}

function safeDigits(n: number, width: number): string {
  let s = "";
  for (let v = n; v > 0; v = Math.floor(v / SAFE_ALPHABET.length)) s = SAFE_ALPHABET[v % SAFE_ALPHABET.length]! + s;
  return s.padStart(width, SAFE_ALPHABET[0]!);
}

/** The serial for `counter` reserved on `now` (its UTC year). */
export function formatSerial(p: SeriesPattern, counter: number, now: Date, licencePrefix: string | undefined): string {
  const year = String(now.getUTCFullYear());
  const out = p.parts
    .map((part) => {
      switch (part.kind) {
        case "literal":
          return part.text;
        case "counter":
          return part.safe ? safeDigits(counter, part.width) : String(counter).padStart(part.width, "0");
        case "yyyy":
          return year;
        case "yy":
          return year.slice(-2);
        case "licence":
          if (licencePrefix === undefined) throw bad(p.source, "uses {licence} but the series has no licence prefix");
          return licencePrefix;
      }
    })
    .join("");
  if (out.length > MAX_SERIAL) throw bad(p.source, `makes "${out}", longer than the ${MAX_SERIAL} characters a serial may have`);
  return out;
}
