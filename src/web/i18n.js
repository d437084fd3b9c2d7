/**
 * Every visible string of the page comes from i18n/<lang>.json. Translatable elements carry
 * `data-i18n="key"` (and `data-i18n-params` as JSON), so switching language re-renders the
 * whole page from the dictionaries; data (serials, names, numbers from the service) sits in
 * elements marked `data-value` and is never translated.
 *
 * Numbers, dates and plurals go through Intl in the page's locale: the language chosen, with
 * the region of the browser when it has one for that language (es-SV, es-MX: 3.5 mm; es-ES,
 * es-CO: 3,5 mm, as CLDR has them), else Latin America's Spanish (es-419) or US English. A
 * key with plural forms is written `key.one`, `key.other` (and `key.many`, …): t(key, { n })
 * picks the form Intl.PluralRules gives for n.
 */
export const LANGUAGES = ["en", "es"];
const STORE = "peenmark.lang";
const DEFAULT_REGION = { en: "en-US", es: "es-419" };

let lang = "en";
let locale = "en-US";
let dict = {};
let plurals = new Intl.PluralRules("en-US");

export function currentLanguage() {
  return lang;
}

/** The locale numbers, dates and plurals are written in (`es-SV`, `es-419`, `en-US` …). */
export function currentLocale() {
  return locale;
}

/** The browser's own locale for `language`, if it has one with a region; else the default region. */
export function localeFor(language, browser = navigator.languages ?? [navigator.language]) {
  for (const l of browser) {
    const s = String(l);
    if (s.toLowerCase().startsWith(`${language}-`)) {
      try {
        return Intl.getCanonicalLocales(s)[0];
      } catch {
        // a malformed tag: keep looking
      }
    }
  }
  return DEFAULT_REGION[language] ?? language;
}

/** The stored choice, else the browser's language, else English. */
export function initialLanguage() {
  const stored = localStorage.getItem(STORE);
  if (stored && LANGUAGES.includes(stored)) return stored;
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

export async function setLanguage(next, { remember = false } = {}) {
  const res = await fetch(`i18n/${next}.json`);
  if (!res.ok) throw new Error(`i18n/${next}.json: HTTP ${res.status}`);
  dict = await res.json();
  lang = next;
  locale = localeFor(next);
  plurals = new Intl.PluralRules(locale);
  if (remember) localStorage.setItem(STORE, next);
  document.documentElement.lang = next;
  translateTree(document);
  document.dispatchEvent(new CustomEvent("languagechange", { detail: next }));
}

/** A number in the page's locale; `digits` fixes the decimals. */
export function formatNumber(n, digits) {
  const opts = digits === undefined ? { maximumFractionDigits: 3 } : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(locale, opts).format(n);
}

export function formatDate(iso, withTime = true) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? "");
  return new Intl.DateTimeFormat(locale, withTime ? { dateStyle: "short", timeStyle: "medium" } : { dateStyle: "medium", timeZone: "UTC" }).format(d);
}

/** A duration as a translatable message: `{ key, params }`, usable as a parameter of t(). */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return { key: "time.s", params: { s } };
  return { key: "time.ms", params: { m: Math.floor(s / 60), s: String(s % 60).padStart(2, "0") } };
}

/** The entry for `key`: the plural form for `params.n` when the key has plural forms. */
function entry(key, params) {
  if (key in dict) return dict[key];
  if (`${key}.other` in dict) {
    const n = typeof params?.n === "number" ? params.n : Number(params?.n);
    const form = Number.isFinite(n) ? plurals.select(n) : "other";
    return dict[`${key}.${form}`] ?? dict[`${key}.other`];
  }
  return undefined;
}

/**
 * Look up a key. `{name}` takes a parameter; `{name:2}` formats a number with 2 decimals;
 * a parameter that is `{ key, params }` is itself translated.
 */
export function t(key, params = {}) {
  const s = entry(key, params);
  if (s === undefined) {
    console.warn(`i18n: no "${key}" in ${lang}.json`);
    return key;
  }
  return s.replace(/\{(\w+)(?::(\d))?\}/g, (whole, name, digits) => {
    const v = params[name];
    if (v === undefined || v === null) return whole;
    if (typeof v === "number") return formatNumber(v, digits === undefined ? undefined : Number(digits));
    if (typeof v === "object" && "key" in v) return t(v.key, v.params);
    return String(v);
  });
}

export function has(key) {
  return key in dict || `${key}.other` in dict;
}

/** Put a translated message into an element and keep the key, so a language switch re-renders it. */
export function setText(el, key, params) {
  el.dataset.i18n = key;
  if (params && Object.keys(params).length) el.dataset.i18nParams = JSON.stringify(params);
  else delete el.dataset.i18nParams;
  const text = t(key, params);
  // Live regions announce every change: an unchanged text must not touch the DOM.
  if (el.textContent !== text) el.textContent = text;
}

/** A new element with translated text. */
export function tr(tag, key, params, className) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  setText(el, key, params);
  return el;
}

/** A new element holding data (not translated). */
export function value(tag, text, className) {
  const el = document.createElement(tag);
  el.dataset.value = "";
  if (className) el.className = className;
  el.textContent = text;
  return el;
}

/** A profile's or station's name in the page's language: `"…"` or `{ en, es }`. */
export function textOf(text) {
  if (text === undefined || text === null) return "";
  if (typeof text === "string") return text;
  return text[lang] ?? text.en ?? "";
}

/** An element showing translatable data (a profile name `{ en, es }`), redrawn on a language switch. */
export function localized(tag, text, className) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  setLocalized(el, text);
  return el;
}

export function setLocalized(el, text) {
  el.dataset.value = "";
  el.dataset.localized = JSON.stringify(text ?? "");
  el.textContent = textOf(text);
  // A name the profile has in English only is English text: say so to screen readers and audits.
  if (typeof text === "object" && text && !(lang in text)) el.lang = "en";
  else el.removeAttribute("lang");
}

const ATTRS = ["aria-label", "placeholder", "title"];

export function translateTree(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    const params = el.dataset.i18nParams ? JSON.parse(el.dataset.i18nParams) : undefined;
    el.textContent = t(el.dataset.i18n, params);
  }
  for (const el of root.querySelectorAll("[data-localized]")) setLocalized(el, JSON.parse(el.dataset.localized));
  for (const attr of ATTRS) {
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`)));
  }
}
