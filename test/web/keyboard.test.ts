import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeId, dictionary, launchBrowser, lookAtPreview, openPage, pageErrors, SCANNER_SETTINGS, SCREENS, startStation, until, type BenchStation } from "./bench.ts";

/**
 * The bench without a mouse: every control has a label, the focus is visible and moves in
 * an order that follows the work (record, Preview, Mark, then the job's buttons), a good
 * preview puts the focus on Mark so that Enter marks, and a whole mark — scan, fill, preview,
 * mark, abort with its confirmation — is done from the keyboard and a scanner alone.
 */
const en = dictionary("en");
let bench: BenchStation;
let browser: Browser;
let page: Page;

const active = (p: Page): Promise<{ id: string; tag: string; value: string; outline: string }> =>
  p.evaluate("(() => { const e = document.activeElement; const s = getComputedStyle(e); return { id: e.id, tag: e.tagName, value: e.value ?? '', outline: s.outlineStyle + ' ' + s.outlineWidth }; })()") as Promise<{ id: string; tag: string; value: string; outline: string }>;

/** Press Tab until the element with `id` has the focus (at most `max` presses); returns the ids passed. */
async function tabTo(p: Page, id: string, max = 15): Promise<string[]> {
  const passed: string[] = [];
  for (let i = 0; i < max; i++) {
    await p.keyboard.press("Tab");
    const a = await active(p);
    passed.push(a.id || a.tag.toLowerCase());
    if (a.id === id) return passed;
  }
  throw new Error(`Tab never reached #${id}; passed ${passed.join(", ")}`);
}

beforeAll(async () => {
  bench = await startStation(2);
  browser = await launchBrowser();
  page = await openPage(browser, bench.url, "en-US", SCREENS.large, SCANNER_SETTINGS);
});

afterAll(async () => {
  await browser?.close();
  await bench?.close();
});

describe("the page from the keyboard", () => {
  it("labels every control it shows", async () => {
    const unlabelled = await page.evaluate(`[...document.querySelectorAll("input, select, textarea, button")]
      .filter((e) => e.checkVisibility() || e.classList.contains("file-input"))
      .filter((e) => (e.labels ? e.labels.length === 0 : true) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby") && !(e.tagName === "BUTTON" && e.textContent.trim()))
      .map((e) => e.outerHTML.slice(0, 80))`);
    expect(unlabelled).toEqual([]);
  });

  it("marks and aborts with the keyboard and a scanner only, the focus always visible", async () => {
    await page.selectOption("#profile", "us-receiver");
    await page.fill("#f-technician", "Ana Ruiz");
    await page.fill("#f-model", "");
    await page.fill("#f-caliber", "");
    await page.focus("#f-serial");
    // Scan: Enter goes on to the first empty field, then the next, then previews.
    await page.keyboard.type("RA555001");
    await page.keyboard.press("Enter");
    expect(await activeId(page)).toBe("f-model");
    await page.keyboard.type("RX-9");
    await page.keyboard.press("Enter");
    expect(await activeId(page)).toBe("f-caliber");
    await page.keyboard.type("9MM");
    await page.keyboard.press("Enter");
    await lookAtPreview(page);
    expect(await activeId(page), "a good preview puts the focus on Mark").toBe("mark-btn");

    // From the technician's name: Preview, then Mark, each with the focus ring.
    await page.focus("#f-technician");
    expect(await tabTo(page, "mark-btn")).toEqual(["preview-btn", "mark-btn"]);
    expect((await active(page)).outline).toBe("solid 3px");
    await page.keyboard.press("Enter");
    await until(page, "document.getElementById('job-panel').dataset.state === 'marking'");

    // The focus went to the job: Pause, then Abort (Resume is disabled and skipped).
    expect(await activeId(page)).toBe("job-title");
    expect(await tabTo(page, "abort-btn")).toEqual(["pause-btn", "abort-btn"]);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#abort-dialog[open]");
    expect((await active(page)).value, "Keep marking is the default").toBe("cancel");
    await page.keyboard.press("Escape");
    expect(await page.isVisible("#abort-dialog")).toBe(false);
    expect(await page.textContent("#job-state")).toBe(en["job.status.marking"]!.replace("{serial}", "RA555001"));

    await page.keyboard.press("Enter");
    await page.waitForSelector("#abort-dialog[open]");
    await page.keyboard.press("Tab");
    expect((await active(page)).value).toBe("abort");
    await page.keyboard.press("Enter");
    await until(page, "document.getElementById('job-panel').dataset.state === 'aborted'", 20_000);
    expect(await activeId(page), "the outcome is read first").toBe("job-outcome");
    expect(pageErrors(page)).toEqual([]);
  });
});
