import { PeenmarkError } from "../errors.ts";
import type { RulesRegime } from "./rules.ts";

/**
 * Characters a serial may not hold, whatever its regime's own character rules say, because
 * they make one serial look like another (Unicode TS #39 §5, mixed-script detection) or
 * hide in it (invisible characters). Refused with E_SERIAL_RULE naming the character and
 * its code point, before anything is laid out:
 *
 * - invisible or not a character at all, in every regime: default-ignorable code points
 *   (U+200B, U+2060, U+00AD, variation selectors…), controls, format characters (bidi
 *   controls U+202A–U+202E, U+2066–U+2069), private-use, unassigned and surrogate code
 *   points, line and paragraph separators, spaces;
 * - under us-atf and iti, letters and digits of more than one script: the resolved script
 *   set (the intersection of every character's Script_Extensions, with Common and Inherited
 *   counting as any script) must not be empty. `RA2026А00417` with a Cyrillic `А` is refused;
 *   a serial all in Cyrillic is one script and is compared by its identity (identity.ts).
 *
 * Script data comes from the JavaScript engine's Unicode tables (`\p{Script_Extensions=…}`).
 */

/** Every script name of PropertyValueAliases.txt up to Unicode 17; names this engine does not know are left out. */
const SCRIPT_NAMES = [
  "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Bassa_Vah", "Batak", "Bengali", "Beria_Erfe",
  "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid", "Canadian_Aboriginal", "Carian", "Caucasian_Albanian", "Chakma", "Cham",
  "Cherokee", "Chisoi", "Chorasmian", "Coptic", "Cuneiform", "Cypriot", "Cypro_Minoan", "Cyrillic", "Deseret", "Devanagari", "Dives_Akuru", "Dogra",
  "Duployan", "Egyptian_Hieroglyphs", "Elbasan", "Elymaic", "Ethiopic", "Garay", "Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati",
  "Gunjala_Gondi", "Gurmukhi", "Gurung_Khema", "Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana", "Imperial_Aramaic",
  "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese", "Kaithi", "Kannada", "Katakana", "Kawi", "Kayah_Li", "Kharoshthi",
  "Khitan_Small_Script", "Khmer", "Khojki", "Khudawadi", "Kirat_Rai", "Lao", "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian",
  "Lydian", "Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek",
  "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro", "Multani", "Myanmar", "Nabataean", "Nag_Mundari",
  "Nandinagari", "New_Tai_Lue", "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki", "Ol_Onal", "Old_Hungarian", "Old_Italic",
  "Old_North_Arabian", "Old_Permic", "Old_Persian", "Old_Sogdian", "Old_South_Arabian", "Old_Turkic", "Old_Uyghur", "Oriya", "Osage", "Osmanya",
  "Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada",
  "Shavian", "Siddham", "Sidetic", "SignWriting", "Sinhala", "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese", "Sunuwar", "Syloti_Nagri", "Syriac",
  "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet", "Tai_Yo", "Takri", "Tamil", "Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan",
  "Tifinagh", "Tirhuta", "Todhri", "Tolong_Siki", "Toto", "Tulu_Tigalari", "Ugaritic", "Vai", "Vithkuqi", "Wancho", "Warang_Citi", "Yezidi", "Yi",
  "Zanabazar_Square",
];

let scripts: { name: string; re: RegExp }[] | undefined;
function scriptTable(): { name: string; re: RegExp }[] {
  scripts ??= SCRIPT_NAMES.flatMap((name) => {
    try {
      return [{ name, re: new RegExp(`^\\p{Script_Extensions=${name}}$`, "u") }];
    } catch {
      return [];
    }
  });
  return scripts;
}

const ANY_SCRIPT = /^[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]$/u;

/** The scripts a character belongs to (its Script_Extensions); undefined for Common and Inherited (any script). */
export function scriptsOf(c: string): string[] | undefined {
  if (ANY_SCRIPT.test(c)) return undefined;
  return scriptTable()
    .filter((s) => s.re.test(c))
    .map((s) => s.name);
}

const INVISIBLE: readonly [RegExp, string][] = [
  [/^\p{Default_Ignorable_Code_Point}$/u, "an invisible (default-ignorable) character"],
  [/^\p{Cc}$/u, "a control character"],
  [/^\p{Cf}$/u, "an invisible format character"],
  [/^\p{Co}$/u, "a private-use character"],
  [/^\p{Cs}$/u, "a lone surrogate"],
  [/^\p{Cn}$/u, "an unassigned code point"],
  [/^[\p{Zl}\p{Zp}]$/u, "a line or paragraph separator"],
  [/^\p{Zs}$/u, "a space"],
];

/** `U+0410` */
export function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The text with every invisible or control character shown as ⟨U+XXXX⟩, so a message can be read. */
export function visible(s: string): string {
  return [...s].map((c) => (INVISIBLE.some(([re]) => re.test(c)) ? `⟨${codePoint(c)}⟩` : c)).join("");
}

export function checkSerialCharacters(regime: RulesRegime, serial: string): void {
  const shown = visible(serial);
  for (const c of serial) {
    const hit = INVISIBLE.find(([re]) => re.test(c));
    if (hit)
      throw new PeenmarkError("E_SERIAL_RULE", `serial "${shown}" contains ${hit[1]}, ${codePoint(c)}: a serial holds only characters that are struck and read; retype it`, {
        where: "serial",
        details: { serial, character: c, codePoint: codePoint(c) },
      });
  }
  if (regime === "none") return;
  let resolved: string[] | undefined;
  let first: string | undefined;
  for (const c of serial) {
    const sc = scriptsOf(c);
    if (sc === undefined) continue;
    const next = resolved === undefined ? sc : resolved.filter((s) => sc.includes(s));
    if (next.length === 0) {
      const was = (resolved ?? []).map((s) => s.replaceAll("_", " ")).join(" or ");
      const is = sc.map((s) => s.replaceAll("_", " ")).join(" or ") || "no script";
      throw new PeenmarkError(
        "E_SERIAL_RULE",
        `serial "${shown}" mixes scripts: "${c}" (${codePoint(c)}) is ${is}, but "${first}" before it is ${was}: under ${regime} rules a serial is written in one script, so that it cannot pass for another serial; retype it`,
        { where: "serial", details: { serial, character: c, codePoint: codePoint(c), scripts: sc, before: resolved ?? [] } },
      );
    }
    resolved = next;
    first ??= c;
  }
}
