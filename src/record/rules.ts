import { PeenmarkError } from "../errors.ts";
import { templateFields } from "./fields.ts";
import type { MarkingRecord } from "./schema.ts";

/**
 * Marking rules regimes (../shared/domain/marking-rules.md), selected by the profile:
 * - us-atf: 27 CFR 478.92 and ATF guidance;
 * - iti: the UN International Tracing Instrument / Firearms Protocol (and CIFTA Art. VI);
 * - none: no rules beyond the schema (test pieces, non-firearm parts).
 */
export type RulesRegime = "us-atf" | "iti" | "none";

/** 1/16 inch: the least height of a serial or licence number (27 CFR 478.92(a)(1)(iv)). */
export const US_MIN_SERIAL_HEIGHT_MM = 1.5875;

/** Fields that carry the serial or a licence number, whose height the US rule limits. */
export const SERIAL_FIELDS = ["serial", "serial.withLicence", "licence", "licence.ffl"] as const;

export function marksSerial(templates: readonly string[]): boolean {
  return templates.some((t) => templateFields(t).some((f) => (SERIAL_FIELDS as readonly string[]).includes(f)));
}

/** The serial itself, before anything is laid out. */
export function checkSerial(regime: RulesRegime, record: MarkingRecord): void {
  const s = record.serial;
  if (regime === "us-atf") {
    const bad = [...s].filter((c) => !/[A-Za-z0-9]/.test(c));
    if (bad.length)
      throw new PeenmarkError("E_SERIAL_RULE", `serial "${s}" contains ${bad.map((c) => JSON.stringify(c)).join(", ")}: under us-atf rules a serial number uses Roman letters and Arabic numerals only (a licence prefix goes in the licencePrefix field)`, {
        where: "serial",
        details: { serial: s, characters: bad },
      });
    if (!/[0-9]/.test(s))
      throw new PeenmarkError("E_SERIAL_RULE", `serial "${s}" has no digit: under us-atf rules a serial number must contain at least one Arabic numeral`, { where: "serial", details: { serial: s } });
  } else if (regime === "iti") {
    if (!/^[\p{L}\p{N}][\p{L}\p{N}\-/.]*$/u.test(s))
      throw new PeenmarkError("E_SERIAL_RULE", `serial "${s}" must start with a letter or digit and contain only letters, digits, "-", "/" or "."`, { where: "serial", details: { serial: s } });
  }
}

/**
 * What a profile must mark under its regime, from its templates alone (checked when the
 * profile is loaded). Returns the problems as sentences; empty when the profile is complete.
 */
export function profileRuleProblems(regime: RulesRegime, templates: readonly string[]): string[] {
  const used = new Set(templates.flatMap(templateFields));
  const has = (...fs: string[]) => fs.some((f) => used.has(f));
  const problems: string[] = [];
  const importMark = [...used].some((f) => f.startsWith("import."));
  if (regime === "us-atf") {
    if (has("serial") && !has("serial.withLicence") && !(has("manufacturer") && has("place.city") && has("place.state")))
      problems.push("a frame or receiver mark with {serial} must also mark {manufacturer}, {place.city} and {place.state}, or use {serial.withLicence} (27 CFR 478.92(a)(1))");
    if (importMark && !(has("import.importer") && has("import.city") && has("import.state")))
      problems.push("an import mark must carry {import.importer}, {import.city} and {import.state} (27 CFR 478.92(a)(1)(v))");
  } else if (regime === "iti") {
    if (has("serial", "serial.withLicence") && !(has("manufacturer") && has("place.country.code", "place.country.name")))
      problems.push("a mark at manufacture with {serial} must also mark {manufacturer} and the country of manufacture ({place.country.code} or {place.country.name}) (ITI ¶8a)");
    if (importMark && !(has("import.country.code", "import.country.name") && has("import.year")))
      problems.push("an import mark must carry the country of import ({import.country.code} or {import.country.name}) and {import.year} (ITI ¶8b)");
    if ([...used].some((f) => f.startsWith("stateStock.")) && !has("stateStock.country.code", "stateStock.country.name"))
      problems.push("a state-stock mark must carry the transferring country ({stateStock.country.code} or {stateStock.country.name}) (Firearms Protocol Art. 8)");
  }
  return problems;
}

/** A character of the serial or a licence number as struck, for the height rule. */
export interface StruckSerialCharacter {
  readonly char: string;
  /** The template field it came from (serial, licence, …). */
  readonly field: string;
  /** Line of the block (1-based, as the operator counts). */
  readonly line: number;
  /** Height as struck (strike centres or scribe path), mm. */
  readonly height: number;
}

/**
 * 27 CFR 478.92(a)(1)(iv): the serial number and any licence number at least 1/16 in tall.
 * The rule holds for every character, lower case included (an `x` is about 0.7 of a
 * capital), and is measured on what is struck. Letters and digits are measured; a hyphen
 * or a space has no height to measure.
 */
export function checkSerialHeights(blockId: string, capHeight: number, struck: readonly StruckSerialCharacter[]): void {
  let worst: StruckSerialCharacter | undefined;
  for (const c of struck) if (/^[\p{L}\p{N}]$/u.test(c.char) && (!worst || c.height < worst.height)) worst = c;
  if (!worst || worst.height >= US_MIN_SERIAL_HEIGHT_MM - 1e-9) return;
  // Heights scale with the cap height: the cap height at which this character is tall enough.
  const needed = worst.height > 0 ? Math.ceil(((capHeight * US_MIN_SERIAL_HEIGHT_MM) / worst.height) * 1000) / 1000 : undefined;
  const lower = worst.char !== worst.char.toUpperCase();
  const what = worst.field.startsWith("licence") ? "licence number" : "serial";
  throw new PeenmarkError(
    "E_MARK_RULE",
    `block "${blockId}" strikes "${worst.char}" of the ${what} ${worst.height.toFixed(3)} mm tall (line ${worst.line}); 27 CFR 478.92 requires every character of a serial or licence number at least ${US_MIN_SERIAL_HEIGHT_MM} mm (1/16 in)` +
      (needed ? `: raise its capHeight to at least ${needed.toFixed(3)} mm` : "") +
      (lower ? " or mark the serial in capitals" : ""),
    { where: blockId, details: { char: worst.char, field: worst.field, line: worst.line, measured: worst.height, minimum: US_MIN_SERIAL_HEIGHT_MM, ...(needed ? { capHeightNeeded: needed } : {}) } },
  );
}
