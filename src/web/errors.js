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
 * Split an error into problems at record fields and problems for the whole form:
 * `{ fields: [{ path, key, params, code, message }], general: [{ key, params, code, message }] }`.
 */
export function placeError(err) {
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
  const fieldCodes = ["E_RECORD_FIELD_MISSING", "E_SERIAL_RULE", "E_SERIAL_DUPLICATE", "E_SERIAL_RESERVED", "E_GLYPH_MISSING"];
  let path;
  if (code === "E_SERIAL_RULE" || code === "E_SERIAL_DUPLICATE" || code === "E_SERIAL_RESERVED") path = "serial";
  else if (code === "E_RECORD_FIELD_MISSING") path = recordPath(err.details?.field ?? err.where);
  else if (code === "E_GLYPH_MISSING") path = recordPath(err.details?.field);
  const params = {};
  const ch = err.details?.char ?? err.details?.character;
  if (typeof ch === "string") params.char = ch;
  if (fieldCodes.includes(code) && path) fields.push({ path, key: code === "E_RECORD_FIELD_MISSING" ? "issue.required" : errorKey(code), params, code, message: err.message });
  else general.push({ key: errorKey(code), params, code, message: err.message });
  return { fields, general };
}
