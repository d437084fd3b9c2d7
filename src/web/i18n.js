/**
 * Every visible string of the page comes from i18n/<lang>.json. Translatable elements carry
 * `data-i18n="key"` (and `data-i18n-params` as JSON), so switching language re-renders the
 * whole page from the dictionaries; data (serials, names, numbers from the service) sits in
 * elements marked `data-value` and is never translated.
 */
export const LANGUAGES = ["en", "es"];
const STORE = "peenmark.lang";

let lang = "en";
let dict = {};

export function currentLanguage() {
  return lang;
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
  if (remember) localStorage.setItem(STORE, next);
  document.documentElement.lang = next;
  translateTree(document);
  document.dispatchEvent(new CustomEvent("languagechange", { detail: next }));
}

/** A number in the active language; `digits` fixes the decimals. */
export function formatNumber(n, digits) {
  const opts = digits === undefined ? { maximumFractionDigits: 3 } : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(lang, opts).format(n);
}

export function formatDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? "");
  return new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "medium" }).format(d);
}

/** A duration as a translatable message: `{ key, params }`, usable as a parameter of t(). */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return { key: "time.s", params: { s } };
  return { key: "time.ms", params: { m: Math.floor(s / 60), s: String(s % 60).padStart(2, "0") } };
}

/**
 * Look up a key. `{name}` takes a parameter; `{name:2}` formats a number with 2 decimals;
 * a parameter that is `{ key, params }` is itself translated.
 */
export function t(key, params = {}) {
  const s = dict[key];
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
  return key in dict;
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

const ATTRS = ["aria-label", "placeholder", "title"];

export function translateTree(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    const params = el.dataset.i18nParams ? JSON.parse(el.dataset.i18nParams) : undefined;
    el.textContent = t(el.dataset.i18n, params);
  }
  for (const attr of ATTRS) {
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`)));
  }
}
