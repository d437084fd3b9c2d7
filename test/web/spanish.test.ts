import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTERRUPTED_NOTE } from "../../src/journal/journal.ts";
import { newJob } from "../journal/helpers.ts";
import { sqliteOf } from "../server/helpers.ts";
import { auditText, dictionary, englishOnPage, launchBrowser, lookAtPreview, mistranslated, openPage, pageErrors, say, scan, SCANNER_SETTINGS, SCREENS, shot, startStation, until, type BenchStation } from "./bench.ts";

/**
 * The page in Spanish, where a Spanish-speaking technician reads nothing in English but
 * serials, names and codes: numbers in the region's own way (El Salvador and Mexico write
 * 3.00 mm, Spain 3,00 mm), plurals by Intl's rules, the serial rule's advice of the profile's
 * own regime, the station's notes in Spanish (not "the controller says"), positions written
 * again after a language switch, and the choice remembered.
 */
const en = dictionary("en");
const es = dictionary("es");
let bench: BenchStation;
let browser: Browser;

/** Nothing visible outside the dictionary of `lang`, and in Spanish no English at all. */
async function speaks(page: Page, lang: "en" | "es", where: string): Promise<void> {
  const audit = await auditText(page);
  expect(audit.lang, where).toBe(lang);
  expect(audit.untranslated, `${where}: text that is neither translated nor data`).toEqual([]);
  expect(mistranslated(audit, lang === "es" ? es : en), `${where}: text not in ${lang}.json`).toEqual([]);
  if (lang === "es") expect(await englishOnPage(page, en, es), `${where}: English on the Spanish page`).toEqual([]);
  expect(audit.translated.length, where).toBeGreaterThan(20);
}

beforeAll(async () => {
  bench = await startStation(20);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await bench?.close();
});

describe("the page in Spanish", () => {
  it("writes numbers as the region does: a decimal point in El Salvador, a comma in Spain", async () => {
    for (const [locale, cap, lines] of [
      ["es-SV", "3.00 mm", /^[\d,]+$/],
      ["es-ES", "3,00 mm", /^[\d.]+$|^\d+$/],
    ] as const) {
      const page = await openPage(browser, bench.url, locale, SCREENS.small, SCANNER_SETTINGS);
      expect(await page.inputValue("#lang")).toBe("es");
      await page.selectOption("#profile", "us-receiver");
      await page.fill("#f-model", "RX-9");
      await page.fill("#f-caliber", "9MM");
      await page.fill("#f-technician", "Luis Pérez");
      await page.focus("#f-serial");
      await scan(page, "SV26R00200");
      await lookAtPreview(page);
      expect(await page.textContent("#block-rows tr:first-child td:nth-child(4)"), locale).toBe(cap);
      const program = /Programa: ([\d.,]+) líneas/.exec((await page.textContent("#figures")) ?? "")?.[1] ?? "";
      expect(program, locale).toMatch(lines);
      await speaks(page, "es", `preview ${locale}`);
      if (locale === "es-SV") {
        // The check itself: an English sentence shown as data, and a note marked English, are both caught.
        await page.evaluate(`(() => {
          const a = document.createElement("p"); a.dataset.value = ""; a.textContent = ${JSON.stringify(en["preview.stale"])};
          const b = document.createElement("p"); b.dataset.value = ""; b.lang = "en"; b.textContent = "service stopped while marking";
          document.getElementById("record-title").after(a, b);
        })()`);
        expect(await englishOnPage(page, en, es)).toEqual([`an English sentence: "${en["preview.stale"]}"`, 'marked English: "service stopped while marking"']);
      }
      await page.context().close();
    }
  });

  it("gives the advice of the profile's own rules: letters of two alphabets under ITI rules, not the US advice", async () => {
    const page = await openPage(browser, bench.url, "es-MX", SCREENS.large, SCANNER_SETTINGS);
    await page.selectOption("#profile", "arc-round");
    await page.fill("#f-manufacturer", "Armas del Bajío");
    await page.fill("#f-place-city", "Querétaro");
    await page.fill("#f-place-country-code", "MX");
    await page.fill("#f-place-country-name", "México");
    await page.fill("#f-caliber", "9MM");
    // A serial with a Cyrillic А among Latin letters.
    await page.fill("#f-serial", "MX2026\u0410001");
    await page.click("#preview-btn");
    await page.waitForSelector("#f-serial-error:not([hidden])");
    expect(await page.textContent("#f-serial-error .problem > span")).toBe(say(es, "err.E_SERIAL_RULE.mixed", { char: "\u0410", codePoint: "U+0410" }));
    await speaks(page, "es", "serial rule");
    await page.screenshot({ path: shot("06-field-error-es-1366") });
    await page.context().close();
  });

  it("says the station's own notes in Spanish, with plurals by count, in the journal and a job's history", async () => {
    const journal = sqliteOf(bench.app);
    const job = journal.createJob(newJob({ serial: "SV26R00300", stationId: "bench" }));
    journal.startJob(job.id);
    journal.endJob(job.id, { outcome: "interrupted", note: INTERRUPTED_NOTE });
    const page = await openPage(browser, bench.url, "es-SV", SCREENS.small, SCANNER_SETTINGS);
    await page.click("nav .tab[data-view=journal]");
    await page.fill("#journal-serial", "SV26R00300");
    await page.click("#journal-form button[type=submit]");
    await until(page, "document.querySelectorAll('#journal-rows tr').length === 1");
    // One mark, in the singular.
    expect(await page.textContent("#journal-count")).toBe(say(es, "journal.range.one", { from: "1", to: "1", n: "1" }));
    await page.click("#journal-rows tr");
    await page.waitForSelector("#detail-dialog[open]");
    expect(await page.textContent("#detail-body")).toContain(es["note.service-stopped"]);
    await speaks(page, "es", "a job's history");
    expect(pageErrors(page)).toEqual([]);
    await page.context().close();
  });

  it("switches language with the visible control, writes the numbers again in the new language, and remembers the choice", async () => {
    const page = await openPage(browser, bench.url, "es-ES", SCREENS.large, SCANNER_SETTINGS);
    if (await page.isVisible("#home-btn")) {
      await page.click("#home-btn");
      await until(page, "document.getElementById('home-btn').hidden");
    }
    // Spain's decimal comma in the position.
    await until(page, "/,\\d{3} mm$/.test(document.getElementById('ctl-position').textContent)");
    expect(await page.textContent("#preview-btn")).toBe(es["action.preview"]);
    await page.selectOption("#lang", "en");
    await until(page, "document.documentElement.lang === 'en'");
    expect(await page.textContent("#ctl-position"), "the position is written again in English").toMatch(/^X -?\d+\.\d{3} mm · Y -?\d+\.\d{3} mm$/);
    await speaks(page, "en", "switched to English");
    await page.reload();
    await page.waitForSelector("body[data-ready='1']");
    expect(await page.inputValue("#lang"), "the choice outlives a reload").toBe("en");
    await page.selectOption("#lang", "es");
    await until(page, "document.documentElement.lang === 'es'");
    expect(await page.textContent("#ctl-position")).toMatch(/^X -?\d+,\d{3} mm · Y -?\d+,\d{3} mm$/);
    await speaks(page, "es", "back to Spanish");
    await page.context().close();
  });
});
