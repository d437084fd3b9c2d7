import { has } from "./i18n.js";

/**
 * Service errors in plain words. The code selects the sentence (`err.E_…` in the
 * dictionaries); the service's own English sentence stays available as a technical detail.
 * Field problems are placed at the input whose record path they name.
 */

/** `$.place.city`, `$.record.extra[1]` or a template field `place.country.code` → `place.city`, `extra.1`, … */
export function recordPath(path) {
  if (typeof path !== "string" || !path) return undefined;
  let p = path.replace(/^\$\.?/, "").replace(/\[(\d+)\]/g, ".$1").replace(/\["([^"]+)"\]/g, ".$1").replace(/^\./, "");
  if (p.startsWith("record.")) p = p.slice("record.".length);
  if (p === "licence" || p === "licence.ffl") return "licencePrefix";
  if (p === "serial.withLicence") return "serial";
  return p;
}

/** What kind of problem a schema issue is, from the service's message (the path says where). */
export function issueKey(message) {
  const m = String(message ?? "");
  if (/empty|required|received undefined|expected .* as text/i.test(m)) return "issue.required";
  if (/ISO 3166/i.test(m)) return "issue.country";
  if (/year/i.test(m)) return "issue.year";
  if (/longer than|too big|too long/i.test(m)) return "issue.tooLong";
  if (/licence number/i.test(m)) return "issue.licence";
  if (/at least \d+ characters/i.test(m)) return "issue.tooShort";
  if (/unrecognized key/i.test(m)) return "issue.unknownKey";
  return "issue.invalid";
}

/** Numbers an issue's sentence carries (the least length of a reason). */
export function issueParams(message) {
  const n = /at least (\d+)/.exec(String(message ?? ""));
  return n ? { n: Number(n[1]) } : {};
}

export function errorKey(code) {
  return has(`err.${code}`) ? `err.${code}` : "err.unknown";
}

/**
 * Which sentence a serial-rule refusal needs: what the serial holds (an invisible character,
 * letters of two scripts) or which regime's rule it breaks (US: letters and digits, a digit;
 * ITI: letters, digits, - / .), from the error's details and the profile's rules.
 */
export function serialRuleKey(err, rules) {
  const d = err.details ?? {};
  if (Array.isArray(d.scripts)) return "err.E_SERIAL_RULE.mixed";
  if (typeof d.codePoint === "string" && typeof d.character === "string") return "err.E_SERIAL_RULE.invisible";
  if (rules === "us-atf") return Array.isArray(d.characters) ? "err.E_SERIAL_RULE.usChars" : "err.E_SERIAL_RULE.usDigit";
  if (rules === "iti") return "err.E_SERIAL_RULE.iti";
  return "err.E_SERIAL_RULE";
}

/** Codes a profile's block is refused with: shown at the record fields the block marks. */
const BLOCK_CODES = ["E_OUT_OF_BOUNDS", "E_GLYPH_MISSING", "E_MARK_RULE", "E_OVERLAP", "E_DATAMATRIX"];

/**
 * Split an error into problems at record fields and problems for the whole form:
 * `{ fields: [{ path, key, params, code, message }], general: [{ key, params, code, message }] }`.
 * `profile` (the profile summary: its `rules` and `blocks: [{ id, fields }]`) places a
 * block's problem at the fields that block marks (the glyph's own field when the error names it).
 */
export function placeError(err, profile) {
  const code = err.code;
  const fields = [];
  const general = [];
  const issues = Array.isArray(err.details?.issues) ? err.details.issues : [];
  if (code === "E_SCHEMA" && issues.length) {
    for (const i of issues) {
      const path = recordPath(i.path);
      if (path && path !== "profileId") fields.push({ path, key: issueKey(i.message), params: issueParams(i.message), code, message: `${i.path}: ${i.message}` });
      else general.push({ key: issueKey(i.message), code, message: `${i.path}: ${i.message}` });
    }
    return { fields, general };
  }
  const params = {};
  const ch = err.details?.char ?? err.details?.character;
  if (typeof ch === "string") params.char = ch;
  if (typeof err.details?.codePoint === "string") params.codePoint = err.details.codePoint;
  if (code === "E_SERIAL_RULE" || code === "E_SERIAL_DUPLICATE" || code === "E_SERIAL_RESERVED") {
    fields.push({ path: "serial", key: code === "E_SERIAL_RULE" ? serialRuleKey(err, profile?.rules) : errorKey(code), params, code, message: err.message });
    return { fields, general };
  }
  if (code === "E_RECORD_FIELD_MISSING") {
    const path = recordPath(err.details?.field ?? err.where);
    if (path) fields.push({ path, key: "issue.required", params, code, message: err.message });
    else general.push({ key: errorKey(code), params, code, message: err.message });
    return { fields, general };
  }
  if (BLOCK_CODES.includes(code)) {
    const own = code === "E_GLYPH_MISSING" ? recordPath(err.details?.field) : undefined;
    const block = (profile?.blocks ?? []).find((b) => b.id === (err.details?.block ?? err.where));
    const paths = own ? [own] : (block?.fields ?? []).map((f) => (f === "extra" ? "extra.0" : f));
    for (const path of paths) fields.push({ path, key: errorKey(code), params, code, message: err.message });
    if (!paths.length) general.push({ key: errorKey(code), params, code, message: err.message });
    return { fields, general };
  }
  general.push({ key: errorKey(code), params, code, message: err.message });
  return { fields, general };
}
