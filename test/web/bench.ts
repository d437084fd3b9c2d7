import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { chromium, type Browser, type Page } from "playwright-core";
import type { Tokens } from "../../src/config.ts";
import { Head } from "../../src/job/head.ts";
import type { JournalEngine } from "../../src/journal/engine.ts";
import { loadStation } from "../../src/profile/load.ts";
import type { Station } from "../../src/profile/station.ts";
import { buildServer } from "../../src/server/app.ts";

/**
 * What the browser tests share: the real station service on the simulated head (running in
 * real time, as at the bench), Debian's chromium driven by playwright-core, the page's own
 * dictionaries, and where screenshots go.
 */
export const REPO = join(import.meta.dirname, "..", "..");

export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

export type Dictionary = Record<string, string>;

export function dictionary(lang: "en" | "es"): Dictionary {
  return JSON.parse(readFileSync(join(REPO, "src", "web", "i18n", `${lang}.json`), "utf8")) as Dictionary;
}

/** A dictionary entry with its parameters filled in, as the page shows it (strings only). */
export function say(dict: Dictionary, key: string, params: Record<string, string> = {}): string {
  const s = dict[key];
  if (s === undefined) throw new Error(`no "${key}" in the dictionary`);
  return s.replace(/\{(\w+)(?::\d)?\}/g, (whole, name: string) => params[name] ?? whole);
}

export interface BenchStation {
  readonly url: string;
  readonly dataDir: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * The station service as `peenmark station` runs it, in this process, on a fresh journal.
 * The simulated head runs at `simSpeed` virtual seconds per real second (2: a 30 s mark
 * takes 15 s, slow enough to pause, watch and abort it from the page). With
 * `existingDataDir` it reopens a journal another station left behind (kept on close);
 * with `tokens` it asks every client for one, as a station on the network does; `journal`
 * (an engine not yet opened: a registry) and `station` replace the data dir's SQLite file and
 * stations/bench.json.
 */
export async function startStation(simSpeed = 2, existingDataDir?: string, tokens?: Tokens, over: { journal?: JournalEngine; station?: Station } = {}): Promise<BenchStation> {
  const dataDir = existingDataDir ?? mkdtempSync(join(tmpdir(), "peenmark-web-"));
  const station = over.station ?? loadStation(join(REPO, "stations", "bench.json"));
  const head = await Head.open({ station, simSpeed });
  const app = await buildServer({ dataDir, station, head, logger: false, ...(tokens ? { tokens } : {}), ...(over.journal ? { journal: over.journal } : {}) });
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url: `${address}/`,
    dataDir,
    app,
    async close() {
      await app.close();
      if (!existingDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The two bench screens the page is made for: a 1366×768 laptop and a 1024×600 panel, browser in kiosk mode (the whole screen is the page). */
export const SCREENS = { large: { width: 1366, height: 768 }, small: { width: 1024, height: 600 } } as const;
export type ScreenName = keyof typeof SCREENS;

/** A page at the bench: a fresh browser profile (nothing remembered), the given language and screen, ready to scan. */
export async function openPage(browser: Browser, url: string, locale = "en-US", viewport: { width: number; height: number } = SCREENS.large, init?: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport, acceptDownloads: true });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  (page as Page & { problems: string[] }).problems = problems;
  await page.goto(url);
  await page.waitForSelector("body[data-ready='1']");
  return page;
}

/** Uncaught script errors the page has had. */
export function pageErrors(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

/**
 * Screenshots for docs/BENCH-GUIDE.md go to docs/screenshots/ when PEENMARK_SCREENSHOTS=1
 * (so an ordinary test run leaves the checkout clean), else to a temporary folder.
 */
const SHOTS = process.env.PEENMARK_SCREENSHOTS === "1" ? join(REPO, "docs", "screenshots") : join(tmpdir(), "peenmark-web-shots");
mkdirSync(SHOTS, { recursive: true });

export function shot(name: string): string {
  return join(SHOTS, `${name}.png`);
}

/**
 * Type like a barcode scanner: the characters as fast as the browser takes them, then Enter,
 * into whatever has the focus. The page tells a scan from typing by the time between keys
 * (bench settings, 50 ms by default); on a loaded test machine the browser may take a key
 * hundreds of milliseconds late, so the test pages allow 400 ms (SCANNER_SETTINGS), and typing
 * "by hand" in the tests is a key every 700 ms.
 */
export async function scan(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 0 });
  await page.keyboard.press("Enter");
}

/** Typing by hand: a key every 700 ms. */
export async function typeByHand(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 700 });
}

/** An init script for test pages: the scanner allowance of a loaded test machine. */
export const SCANNER_SETTINGS = `localStorage.setItem("peenmark.scanGapMs", "400")`;

/** After a preview has appeared, a person looks at it: the page ignores a key pressed in the first 400 ms (a scanner's second Enter). */
export async function lookAtPreview(page: Page): Promise<void> {
  await page.waitForSelector("#preview-figure svg");
  await until(page, "document.getElementById('strike-serial').textContent !== '' && !document.getElementById('mark-btn').disabled");
  await page.waitForTimeout(450);
}

export const activeId = (page: Page): Promise<string> => page.evaluate("document.activeElement ? document.activeElement.id : ''") as Promise<string>;

/** Visible text of the page that is neither translated (`data-i18n`) nor data (`data-value`), and every translated element's key and text. */
export interface TextAudit {
  readonly untranslated: string[];
  readonly translated: { key: string; text: string }[];
  readonly attributes: { key: string; text: string }[];
  readonly lang: string;
}

export function auditText(page: Page): Promise<TextAudit> {
  return page.evaluate(`(() => {
    const visible = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && !el.closest("details:not([open]) > :not(summary)");
    const untranslated = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      const el = n.parentElement;
      if (!text || !el || el.closest("script, style")) continue;
      if (!visible(el) || el.closest("[data-i18n], [data-value]")) continue;
      untranslated.push(text);
    }
    const translated = [...document.querySelectorAll("[data-i18n]")]
      .filter((el) => el.closest("head") || visible(el))
      .map((el) => ({ key: el.dataset.i18n ?? el.getAttribute("data-i18n"), text: el.textContent.trim() }));
    const attributes = [];
    for (const a of ["aria-label", "placeholder", "title"])
      for (const el of document.querySelectorAll("[data-i18n-" + a + "]")) attributes.push({ key: el.getAttribute("data-i18n-" + a), text: el.getAttribute(a) ?? "" });
    return { untranslated, translated, attributes, lang: document.documentElement.lang };
  })()`) as Promise<TextAudit>;
}

/** The entry of `key`, or of its plural forms (`key.one`, `key.other`, …). */
function templatesOf(dict: Dictionary, key: string): string[] {
  if (dict[key] !== undefined) return [dict[key]!];
  return Object.keys(dict)
    .filter((k) => k.startsWith(`${key}.`) && /^(zero|one|two|few|many|other)$/.test(k.slice(key.length + 1)))
    .map((k) => dict[k]!);
}

/** A dictionary entry as a pattern: its parameters may be anything. */
export function entryPattern(template: string): RegExp {
  const parts = template.trim().split(/\{\w+(?::\d)?\}/g).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join("[\\s\\S]*")}$`);
}

/** Elements whose text is not their key's entry in `dict` (empty when the page speaks that language throughout). */
export function mistranslated(audit: TextAudit, dict: Dictionary): string[] {
  const out: string[] = [];
  for (const { key, text } of [...audit.translated, ...audit.attributes]) {
    const templates = templatesOf(dict, key);
    if (templates.length === 0) out.push(`${key}: no such key`);
    else if (!templates.some((t) => entryPattern(t).test(text))) out.push(`${key}: "${text}" is not "${templates.join('" or "')}"`);
  }
  return out;
}

/**
 * English on a page that speaks Spanish: any visible text — data included — that is an
 * English sentence of the page's own dictionary (and not the same in Spanish), and any visible
 * element marked lang="en" (a profile name without Spanish, a note the station wrote in
 * English) outside a closed "details". Empty when a Spanish-speaking technician reads nothing
 * in English but serials, names and codes.
 */
export async function englishOnPage(page: Page, en: Dictionary, es: Dictionary): Promise<string[]> {
  const texts = (await page.evaluate(`(() => {
    const visible = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && !el.closest("details:not([open]) > :not(summary)");
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      const el = n.parentElement;
      if (!text || !el || el.closest("script, style") || !visible(el)) continue;
      const lang = el.closest("[lang]")?.getAttribute("lang") ?? "";
      // The language picker names English in English, as it should.
      if (el.closest("#lang")) continue;
      out.push({ text, lang });
    }
    return out;
  })()`)) as { text: string; lang: string }[];
  const english = Object.entries(en)
    .filter(([k, v]) => es[k] !== v && v.split(/\s+/).length >= 2 && !/^\{\w+\}/.test(v))
    .map(([, v]) => entryPattern(v));
  const out: string[] = [];
  for (const { text, lang } of texts) {
    if (lang.startsWith("en")) out.push(`marked English: "${text}"`);
    else if (english.some((re) => re.test(text))) out.push(`an English sentence: "${text}"`);
  }
  return out;
}

/**
 * What does not fit the screen: the page scrolls, or one of `selectors` is not wholly inside
 * the viewport (or is cut off by the box it scrolls in). Empty when everything is in view.
 */
export async function offScreen(page: Page, selectors: readonly string[]): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const out = [];
    const doc = document.scrollingElement;
    if (doc.scrollHeight > innerHeight + 1) out.push("the page scrolls: " + doc.scrollHeight + " px high in " + innerHeight);
    if (doc.scrollWidth > innerWidth + 1) out.push("the page scrolls sideways: " + doc.scrollWidth + " px wide in " + innerWidth);
    for (const sel of ${JSON.stringify(selectors)}) {
      const el = document.querySelector(sel);
      if (!el) { out.push(sel + ": not on the page"); continue; }
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) { out.push(sel + ": not shown"); continue; }
      if (r.top < -1 || r.left < -1 || r.bottom > innerHeight + 1 || r.right > innerWidth + 1) out.push(sel + ": outside the screen (" + [r.left, r.top, r.right, r.bottom].map(Math.round).join(", ") + ")");
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (!/(auto|scroll|hidden)/.test(s.overflowY + s.overflowX)) continue;
        const b = p.getBoundingClientRect();
        if (r.top < b.top - 1 || r.bottom > b.bottom + 1 || r.left < b.left - 1 || r.right > b.right + 1) { out.push(sel + ": cut off by " + (p.id ? "#" + p.id : p.className || p.tagName)); break; }
      }
    }
    return out;
  })()`)) as string[];
}

/** Poll a page expression until it is true (the page updates from server-sent events); on time-out, say what the page showed. */
export async function until(page: Page, expression: string, timeout = 50_000): Promise<void> {
  try {
    // As a function, not a string: playwright evaluates a string predicate with eval() in the
    // page, which the page's Content-Security-Policy (script-src 'self') rightly refuses.
    await page.waitForFunction(new Function(`return (${expression});`) as () => boolean, undefined, { timeout, polling: 100 });
  } catch (e) {
    const shown = await page
      .evaluate(`["job-panel", "job-state", "job-numbers", "job-outcome", "job-errors", "form-errors", "ctl-state", "ctl-message", "station-errors", "mark-note"].map((id) => { const el = document.getElementById(id); return id + ": " + (el ? (el.dataset.state ?? "") + " " + el.textContent.trim().replace(/\s+/g, " ") : "-"); }).join("\n")`)
      .catch(() => "(page gone)");
    throw new Error(`waited ${timeout} ms for ${expression}\n${shown}`, { cause: e });
  }
}

export const jobState = (page: Page): Promise<string> => page.evaluate("document.getElementById('job-panel').dataset.state ?? ''") as Promise<string>;
export const struckDots = (page: Page): Promise<number> => page.evaluate("document.querySelectorAll('#preview-figure circle.struck').length") as Promise<number>;
