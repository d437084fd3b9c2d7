import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditText, dictionary, launchBrowser, mistranslated, openPage, pageErrors, REPO, say, shot, startStation, until, type BenchStation } from "./bench.ts";

/**
 * The page in Spanish from a Spanish browser: every visible string in every state a
 * technician meets (form, field error, preview, marking, abort dialog, outcome, journal)
 * comes from es.json; the language control switches and is remembered; the operator's
 * profile view lists a bad file's problems by JSON path and publishes a good one.
 */
const en = dictionary("en");
const es = dictionary("es");
let bench: BenchStation;
let browser: Browser;

/** Nothing visible outside the dictionary of `lang`, and every translated element in that language. */
async function speaks(page: Page, lang: "en" | "es", where: string): Promise<void> {
  const audit = await auditText(page);
  expect(audit.lang, where).toBe(lang);
  expect(audit.untranslated, `${where}: text that is neither translated nor data`).toEqual([]);
  expect(mistranslated(audit, lang === "es" ? es : en), `${where}: text not in ${lang}.json`).toEqual([]);
  expect(audit.translated.length, where).toBeGreaterThan(20);
}

beforeAll(async () => {
  bench = await startStation(2);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await bench?.close();
});

describe("the page in Spanish", () => {
  it("speaks Spanish throughout a mark, from the browser's language", async () => {
    const page = await openPage(browser, bench.url, "es-MX");
    expect(await page.inputValue("#lang")).toBe("es");
    await speaks(page, "es", "on load");

    await page.selectOption("#profile", "us-receiver");
    await page.fill("#f-model", "RX-9");
    await page.fill("#f-caliber", "9MM");
    await page.fill("#f-place-city", "");
    await page.fill("#f-serial", "MX2026001");
    await page.click("#preview-btn");
    await page.waitForSelector("#f-place-city-error:not([hidden])");
    expect(await page.textContent("#f-place-city-error .problem > span")).toBe(es["issue.required"]);
    await speaks(page, "es", "field error");

    await page.fill("#f-place-city", "Prescott");
    await page.fill("#f-technician", "Luis Pérez");
    await page.focus("#f-serial");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#preview-figure svg");
    // Numbers in the Spanish way: decimal comma.
    expect(await page.textContent("#block-rows tr:first-child td:nth-child(4)")).toBe("3,00 mm");
    await speaks(page, "es", "preview");

    await page.click("#mark-btn");
    await until(page, "document.getElementById('job-panel').dataset.state === 'marking' && document.querySelectorAll('#preview-figure .struck').length > 10");
    expect(await page.textContent("#job-state")).toBe(say(es, "job.status.marking", { serial: "MX2026001" }));
    await speaks(page, "es", "marking");
    await page.screenshot({ path: shot("11-spanish-marking"), fullPage: true });

    await page.click("#abort-btn");
    await page.waitForSelector("#abort-dialog[open]");
    await speaks(page, "es", "abort dialog");
    await page.click("#abort-dialog button[value=abort]");
    await until(page, "document.getElementById('job-panel').dataset.state === 'aborted'", 20_000);
    await speaks(page, "es", "aborted");

    await page.click("nav .tab[data-view=journal]");
    await until(page, "document.querySelectorAll('#journal-rows tr').length === 1");
    expect(await page.textContent("#journal-rows .badge")).toBe(es["job.state.aborted"]);
    await speaks(page, "es", "journal");
    // Search by serial.
    await page.fill("#journal-serial", "NOPE1");
    await page.keyboard.press("Enter");
    await until(page, "document.getElementById('journal-table').hidden");
    expect(await page.textContent("#journal-count")).toBe(say(es, "journal.noneFor", { serial: "NOPE1" }));
    await page.fill("#journal-serial", "MX2026001");
    await page.click("#journal-form button");
    await until(page, "!document.getElementById('journal-table').hidden");
    expect(await page.locator("#journal-rows td.serial").allTextContents()).toEqual(["MX2026001"]);
    await speaks(page, "es", "journal search");
    expect(pageErrors(page)).toEqual([]);
  });

  it("switches language with the visible control and remembers the choice", async () => {
    const page = await openPage(browser, bench.url, "es-ES");
    expect(await page.textContent("#preview-btn")).toBe(es["action.preview"]);
    await page.selectOption("#lang", "en");
    await until(page, "document.documentElement.lang === 'en'");
    await speaks(page, "en", "switched to English");
    await page.reload();
    await page.waitForSelector("body[data-ready='1']");
    expect(await page.inputValue("#lang"), "the choice outlives a reload").toBe("en");
    await speaks(page, "en", "after reload");
    await page.selectOption("#lang", "es");
    await until(page, "document.documentElement.lang === 'es'");
    await speaks(page, "es", "back to Spanish");
  });
});

describe("the operator's profile view", () => {
  it("lists a bad profile's problems by JSON path, and publishes a good one as a new profile", async () => {
    const page = await openPage(browser, bench.url, "en-US");
    const dir = mkdtempSync(join(tmpdir(), "peenmark-profiles-"));
    const good = JSON.parse(readFileSync(join(REPO, "profiles", "us-receiver.json"), "utf8")) as { id: string; name: string; blocks: Record<string, unknown>[] };
    good.id = "us-receiver-left";
    good.name = "US receiver, left side (bench copy)";
    const bad = structuredClone(good);
    bad.blocks[0]!.capHeight = -1;
    bad.blocks[2]!.mode = "laser";
    writeFileSync(join(dir, "bad.json"), JSON.stringify(bad));
    writeFileSync(join(dir, "good.json"), JSON.stringify(good));

    await page.click("nav .tab[data-view=operator]");
    await page.setInputFiles("#op-file", join(dir, "bad.json"));
    await page.click("#op-form button[type=submit]");
    await page.waitForSelector("#op-result .problems");
    const paths = await page.locator("#op-result .problems code.path").allTextContents();
    expect(paths).toEqual(["$.blocks[0].capHeight", "$.blocks[2].mode"]);
    expect(await page.isDisabled("#op-publish"), "nothing to publish").toBe(true);
    await page.screenshot({ path: shot("12-profile-check"), fullPage: false });

    await page.setInputFiles("#op-file", join(dir, "good.json"));
    await page.click("#op-form button[type=submit]");
    await page.waitForSelector("#op-result .ok-text");
    expect(await page.textContent("#op-result .ok-text")).toBe(say(en, "op.valid", { id: "us-receiver-left", blocks: "3" }));
    await page.click("#op-publish");
    await until(page, "document.querySelector('#op-result .ok-text')?.dataset.i18n === 'op.published'");
    expect(await page.textContent("#op-result .ok-text")).toBe(say(en, "op.published", { id: "us-receiver-left", version: "1" }));
    await until(page, "[...document.querySelectorAll('#profile option')].some((o) => o.value === 'us-receiver-left')");
    expect(pageErrors(page)).toEqual([]);
  });
});
