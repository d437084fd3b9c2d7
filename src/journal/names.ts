import { PeenmarkError } from "../errors.ts";

/**
 * Who did something, and why, as the journal keeps it: technicians, operators, reasons.
 * A name is read in the journal, the export and the page; a control character (NUL, ESC, a
 * line break) or a bidi control (U+202E turns "Ana" into what it likes) would make it say
 * something else than what was typed: a name holding one is refused. Names are NFC, trimmed,
 * with runs of spaces made one. Reasons may hold line breaks (a textarea).
 */
const BIDI = /\p{Bidi_Control}/u;
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;

export const MAX_NAME = 120;
export const MAX_REASON = 2000;

function cp(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Why `s` cannot be a person's name, as a sentence; undefined when it can. */
export function nameProblem(s: string): string | undefined {
  for (const c of s) {
    if (BIDI.test(c)) return `holds a bidi control character ${cp(c)}, which reorders the text around it`;
    if (CONTROL.test(c)) return `holds a control character ${cp(c)}`;
  }
  return undefined;
}

const issue = (field: string, message: string) => new PeenmarkError("E_SCHEMA", `${field} ${message}`, { where: field, details: { issues: [{ path: `$.${field}`, message }] } });

/** A person's name for the journal: NFC, trimmed, one space between words; E_SCHEMA naming `field` otherwise. */
export function personName(value: string, field: string): string {
  const s = value.normalize("NFC").replace(/ {2,}/g, " ").trim();
  const bad = nameProblem(s);
  if (bad) throw issue(field, bad);
  if (s.length > MAX_NAME) throw issue(field, `is longer than ${MAX_NAME} characters`);
  return s;
}

/**
 * A written reason: NFC, trimmed, CRLF made LF. A reason quotes what it is about (an error
 * message, a serial), so a bidi or control character in it is shown as ⟨U+202E⟩ rather than
 * refused: it can no longer reorder or hide text, and the act is still recorded.
 */
export function writtenReason(value: string): string {
  const s = [...value.normalize("NFC").replace(/\r\n?/g, "\n").trim()].map((c) => (c !== "\n" && (BIDI.test(c) || CONTROL.test(c)) ? `⟨${cp(c)}⟩` : c)).join("");
  // A record, not a key: one too long (a pasted log) is kept up to the limit, not refused.
  return s.length > MAX_REASON ? `${s.slice(0, MAX_REASON - 1)}…` : s;
}
