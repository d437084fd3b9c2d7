import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JournalEngine, SqliteEngine } from "../../src/journal/engine.ts";
import { Journal } from "../../src/journal/journal.ts";
import { buildRegistry } from "../../src/registry/app.ts";
import { mark } from "../journal/engines.ts";
import { newJob, steppingClock, tempJournalPath } from "../journal/helpers.ts";
import { auditText, dictionary, launchBrowser, mistranslated, openPage, pageErrors, say, shot } from "./bench.ts";

/**
 * The registry's trace page in Debian's chromium, in English and in Spanish: a person types the
 * trace token, then a serial as read off a firearm, and reads the rows the registry found, how
 * each matched, exact matches first.
 */
const TOKEN = "trace-desk-token-0123456789";
let browser: Browser;
let app: FastifyInstance;
let journal: JournalEngine;
let url: string;
const tmp = tempJournalPath();
const ids: Record<string, number> = {};

beforeAll(async () => {
  journal = new SqliteEngine(new Journal({ path: tmp.path, clock: steppingClock() }));
  await journal.open();
  ids.exact = (await mark(journal, newJob({ serial: "TX8520", manufacturer: "Forjas Querétaro S.A." }))).id;
  ids.confusable = (await mark(journal, newJob({ serial: "TXB5Z0", manufacturer: "Armas del Norte", stationId: "customs-2" }), "interrupted")).id;
  ids.other = (await mark(journal, newJob({ serial: "TX8521", manufacturer: "Forjas Querétaro S.A." }))).id;
  ids.licensed = (await mark(journal, newJob({ serial: "QX77", licencePrefix: "98312345", manufacturer: "Indumil" }))).id;
  app = await buildRegistry({ journal, token: TOKEN, logger: false });
  url = `${await app.listen({ host: "127.0.0.1", port: 0 })}/`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await journal?.close();
  tmp.cleanup();
});

/** What a person sees in the result table: match label, serial, maker, station. */
async function rows(page: Page): Promise<string[][]> {
  return page.$$eval("#results tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].filter((_, i) => i === 0 || i === 1 || i === 2 || i === 5).map((td) => td.textContent!.trim())));
}

async function searchSerial(page: Page, serial: string): Promise<void> {
  // The page counts the searches it has answered (rows or a refusal): wait for this one's, not the last one's.
  const before = await page.evaluate(() => Number(document.body.dataset.answers ?? 0));
  await page.fill("#q-serial", serial);
  await page.click("#search-btn");
  await page.waitForFunction((b) => Number(document.body.dataset.answers ?? 0) > b, before);
}

for (const [lang, locale] of [
  ["en", "en-US"],
  ["es", "es-SV"],
] as const) {
  describe(`the trace page in ${lang === "en" ? "English" : "Spanish"}`, () => {
    const dict = dictionary(lang);
    const label = (k: string) => say(dict, `trace.match.${k}`);
    let page: Page;
    beforeAll(async () => {
      page = await openPage(browser, url, locale);
      // the token first; a wrong one is refused in the page's language
      await page.fill("#f-token", "not-the-registry-token-at-all");
      await page.press("#f-token", "Enter");
      await page.waitForSelector("#trace-error:not([hidden])");
      expect(await page.textContent("#trace-error")).toBe(say(dict, "err.E_AUTH"));
      await page.fill("#f-token", TOKEN);
      await page.press("#f-token", "Enter");
      await page.waitForSelector("#search-form", { state: "visible" });
    }, 60_000);
    afterAll(async () => {
      await page?.context().close();
    });

    it("finds the serial exactly and its look-alike after it (8/B, 5/S, 2/Z, 0/O)", async () => {
      await searchSerial(page, "tx852O");
      expect(await rows(page)).toEqual([
        [label("exact"), "TX8520", "Forjas Querétaro S.A.", "bench-1"],
        [label("confusable"), "TXB5Z0", "Armas del Norte", "customs-2"],
      ]);
      expect(await page.textContent("#results-summary")).toBe(say(dict, "trace.summary.other", { first: "1", last: "2", n: "2" }));
      await page.screenshot({ path: shot(`trace-${lang}-confusable`), fullPage: true });
    });

    it("finds a worn serial with ? and *", async () => {
      await searchSerial(page, "TX85?1");
      expect(await rows(page)).toEqual([[label("pattern"), "TX8521", "Forjas Querétaro S.A.", "bench-1"]]);
      await searchSerial(page, "TX*");
      expect((await rows(page)).map((r) => [r[0], r[1]])).toEqual([
        [label("pattern"), "TX8521"],
        [label("pattern"), "TXB5Z0"],
        [label("pattern"), "TX8520"],
      ]);
    });

    it("finds the licence form, and says so", async () => {
      await searchSerial(page, "98312345-qx77");
      expect(await rows(page)).toEqual([[label("licence"), "QX77 (98312345)", "Indumil", "bench-1"]]);
    });

    it("opens a result's whole story, and names a field the registry refused", async () => {
      await searchSerial(page, "TXB5Z0");
      await page.click("#results tbody tr:first-child button");
      await page.waitForSelector("#detail-panel:not([hidden])");
      expect(await page.textContent("#detail-title")).toBe(say(dict, "trace.d.title", { id: String(ids.confusable), serial: "TXB5Z0" }));
      const detail = await page.textContent("#detail");
      expect(detail).toContain("customs-2");
      expect(detail).toContain("b".repeat(64));
      expect(await page.textContent("#detail-history")).toContain(say(dict, "trace.h.interrupted", { at: "" }).split(" ")[0]!);
      await searchSerial(page, "T*");
      await page.waitForSelector("#trace-error:not([hidden])");
      expect(await page.textContent("#trace-error")).toBe(say(dict, "trace.errField", { field: say(dict, "trace.q.serial"), why: say(dict, "err.E_QUERY") }));
      expect(await page.getAttribute("#q-serial", "aria-invalid")).toBe("true");
    });

    it("exports the result set and shows the registry's statistics", async () => {
      await searchSerial(page, "tx8520");
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
      expect(download.suggestedFilename()).toMatch(/^peenmark-trace-registry-\d{4}-\d\d-\d\d\.csv$/);
      const csv = readFileSync(await download.path(), "utf8").split("\r\n");
      expect(csv[0]!.split(",").slice(0, 3)).toEqual(["match", "jobId", "serial"]);
      expect(csv.slice(1, 3).map((l) => l.split(",").slice(0, 3).join(","))).toEqual([`exact,${ids.exact},TX8520`, `confusable,${ids.confusable},TXB5Z0`]);
      await page.click("#stats-btn");
      await page.waitForSelector("#stats-panel:not([hidden])");
      const days = await page.$$eval("#stats-days tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent!.trim())));
      expect(days.map((d) => [d[0], d[2], d[4]])).toEqual([
        ["bench-1", "3", "0"],
        ["customs-2", "1", "1"],
      ]);
    });

    it("speaks one language throughout, with no script error", async () => {
      const audit = await auditText(page);
      expect(audit.lang).toBe(lang);
      expect(audit.untranslated).toEqual([]);
      expect(mistranslated(audit, dict)).toEqual([]);
      expect(pageErrors(page)).toEqual([]);
    });
  });
}
