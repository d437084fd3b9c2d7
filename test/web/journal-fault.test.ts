import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdJournalLock } from "../fixtures/hold-lock.ts";
import { dictionary, launchBrowser, lookAtPreview, openPage, pageErrors, say, scan, SCANNER_SETTINGS, SCREENS, shot, startStation, until, type BenchStation } from "./bench.ts";

/**
 * The technician's page while the journal cannot record (docs/OPERATIONS.md, "Faults"):
 * another process holds the journal's write lock for a few seconds mid-mark (a backup tool, an
 * operator's sqlite3 shell). The mark goes on; the page says, in the technician's language,
 * that the journal is not recording and the serial stays held, and says nothing of it once the
 * journal records again. Then the outcome is "marked and recorded", not before.
 */
let bench: BenchStation;
let browser: Browser;

beforeAll(async () => {
  bench = await startStation(4);
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bench?.close();
});

async function home(p: Page): Promise<void> {
  if (await p.isVisible("#home-btn")) {
    await p.click("#home-btn");
    await until(p, "document.getElementById('home-btn').hidden && document.getElementById('controller-line').dataset.state === 'Idle'");
  }
}

const shownText = (p: Page, sel: string) => p.evaluate((s) => (document.querySelector(s) as HTMLElement | null)?.innerText ?? "", sel);

describe("the page while the journal cannot record", () => {
  for (const lang of ["en", "es"] as const) {
    it(`says so while another process holds the journal's lock, in ${lang === "en" ? "English" : "Spanish"}, and not once it records again`, { timeout: 120_000 }, async () => {
      const dict = dictionary(lang);
      const page = await openPage(browser, bench.url, lang === "en" ? "en-US" : "es-MX", SCREENS.large, SCANNER_SETTINGS);
      await home(page);
      await page.selectOption("#profile", "us-receiver");
      await page.fill("#f-model", "RX-9");
      await page.fill("#f-caliber", "9MM");
      await page.fill("#f-technician", "Ana Ruiz");
      await page.focus("#f-serial");
      const serial = lang === "en" ? "JRN1001" : "JRN1002";
      await scan(page, serial);
      await lookAtPreview(page);
      expect(await page.isHidden("#job-journal"), "nothing said of the journal before it fails").toBe(true);
      await page.keyboard.press("Enter");
      await until(page, "document.getElementById('job-panel').dataset.state === 'marking' && document.querySelectorAll('#preview-figure .struck').length > 0");

      const lock = holdJournalLock(join(bench.dataDir, "peenmark.db"), 4000);
      await lock.locked;
      await until(page, "!document.getElementById('job-journal').hidden", 10_000);
      const warning = await shownText(page, "#job-journal");
      expect(warning).toContain(say(dict, "job.journal.marking"));
      expect(warning).toContain(say(dict, "job.journal.held"));
      expect(await page.getAttribute("#job-journal", "role"), "read out at once").toBe("alert");
      expect(await page.getAttribute("#job-panel", "data-state"), "the mark goes on under a short lock").toBe("marking");
      await page.screenshot({ path: shot(`journal-not-recording-${lang}`) });

      await lock.released;
      await until(page, "document.getElementById('job-journal').hidden", 10_000);
      await until(page, "document.getElementById('job-panel').dataset.state === 'completed'", 90_000);
      expect(await shownText(page, "#job-outcome")).toContain(say(dict, "outcome.completed", { serial }));
      expect(await page.isHidden("#job-journal"), "nothing left to say once the outcome is in the journal").toBe(true);
      expect(pageErrors(page)).toEqual([]);
      await page.close();
    });
  }
});
