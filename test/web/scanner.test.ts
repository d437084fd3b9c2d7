import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeId, launchBrowser, lookAtPreview, openPage, pageErrors, REPO, scan, SCANNER_SETTINGS, SCREENS, shot, startStation, typeByHand, until, type BenchStation } from "./bench.ts";

/**
 * A barcode scanner cannot clear the serial field before it types: a second scan used to be
 * appended to the first (`SV26R0O1#7SV26R00107` after a refused serial, `SV26R001SV26R00108`
 * after a truncated read) and the preview struck exactly that. Every scan now replaces the
 * field whatever it holds and wherever the caret is, a scan that arrives while Mark has the
 * focus previews the new serial instead of marking the old one, and only the second serial
 * is struck. Typing by hand is left alone.
 */
type Reader = { key(key: string, at: number): { scan: string | undefined }; start(key: string, at: number): void; readonly pending: string };
const scanner = (await import(pathToFileURL(join(REPO, "src", "web", "scanner.js")).href)) as { burstReader(gap?: number, min?: number): Reader; DEFAULT_GAP_MS: number };

describe("a burst of keys ended by Enter", () => {
  const feed = (r: Reader, keys: string, from: number, step: number) => {
    let at = from;
    for (const k of keys) r.key(k, (at += step));
    return r.key("Enter", at + step);
  };

  it("is a scan when every key came within the gap", () => {
    expect(feed(scanner.burstReader(50), "SV26R00107", 0, 8).scan).toBe("SV26R00107");
    // Keys typed by a person, 150 ms apart, are no scan.
    expect(feed(scanner.burstReader(50), "SV26R00107", 0, 150).scan).toBeUndefined();
  });

  it("starts after a pause: what was typed before is not part of the scan", () => {
    const r = scanner.burstReader(50);
    for (const [i, k] of [..."SV26"].entries()) r.key(k, i * 200);
    expect(feed(r, "SV26R00108", 2000, 5).scan).toBe("SV26R00108");
  });

  it("is no scan when the keys were edited by hand, or too few to be one", () => {
    const r = scanner.burstReader(50);
    r.key("S", 0);
    r.key("V", 5);
    r.key("Backspace", 10);
    expect(feed(r, "26", 10, 5).scan).toBeUndefined();
    expect(feed(scanner.burstReader(50), "AB1", 0, 5).scan).toBeUndefined();
    // A slow Enter after a fast burst: a person pressed it after typing fast.
    const slow = scanner.burstReader(50);
    for (const [i, k] of [..."SV26R00107"].entries()) slow.key(k, i * 5);
    expect(slow.key("Enter", 1000).scan).toBeUndefined();
  });
});

let bench: BenchStation;
let browser: Browser;
let page: Page;

const journal = async (serial: string) => ((await (await fetch(`${bench.url}api/journal?serial=${serial}`)).json()) as { jobs: { serial: string; state: string }[] }).jobs;

beforeAll(async () => {
  bench = await startStation(20);
  browser = await launchBrowser();
  page = await openPage(browser, bench.url, "es-SV", SCREENS.small, SCANNER_SETTINGS);
  await page.click("#home-btn");
  await until(page, "document.getElementById('home-btn').hidden");
  await page.selectOption("#profile", "us-receiver");
  await page.fill("#f-model", "RX-9");
  await page.fill("#f-caliber", "9MM");
  await page.fill("#f-technician", "Marta Ortiz");
});

afterAll(async () => {
  await browser?.close();
  await bench?.close();
});

async function markAndWait(p: Page): Promise<void> {
  await lookAtPreview(p);
  // The panel may still show the previous test's job completed: wait for this serial's.
  const serial = await p.inputValue("#f-serial");
  await p.keyboard.press("Enter");
  await until(p, `document.getElementById('job-panel').dataset.state === 'completed' && document.getElementById('job-state').textContent.includes(${JSON.stringify(serial)})`, 60_000);
}

describe("the serial field at the bench", () => {
  it("after a refused serial, the next scan replaces it — caret at the end, or in the middle — and only the second serial is struck", async () => {
    await page.focus("#f-serial");
    await scan(page, "SV26R0O1#7");
    await page.waitForSelector("#f-serial-error:not([hidden])");
    expect(await page.textContent("#f-serial-error code")).toBe("E_SERIAL_RULE");
    expect(await activeId(page), "the refusal puts the focus back in the serial field").toBe("f-serial");
    await page.screenshot({ path: shot("02-refused-scan-es-1024") });
    // The worst case: the technician clicked into the field, the caret in the middle, nothing selected.
    await page.$eval("#f-serial", (el) => (el as HTMLInputElement).setSelectionRange(4, 4));
    await scan(page, "SV26R00107");
    expect(await page.inputValue("#f-serial")).toBe("SV26R00107");
    await markAndWait(page);
    expect((await journal("SV26R0")).map((j) => [j.serial, j.state])).toEqual([["SV26R00107", "completed"]]);
  });

  it("after a truncated read, the rescan replaces it, previews the new serial instead of marking the old one, and only the second is struck", async () => {
    await page.focus("#f-serial");
    // The scanner read half the label: a serial the rules accept, previewed, Mark has the focus.
    await scan(page, "SV26R001");
    await lookAtPreview(page);
    expect(await page.textContent("#strike-serial")).toBe("SV26R001");
    expect(await activeId(page)).toBe("mark-btn");
    // The rescan arrives at the Mark button: its keys go to the serial field and its Enter previews.
    await scan(page, "SV26R00108");
    await until(page, "document.getElementById('strike-serial').textContent === 'SV26R00108'");
    expect(await page.inputValue("#f-serial")).toBe("SV26R00108");
    expect(await page.evaluate("document.getElementById('job-panel').hidden"), "nothing was marked by that Enter").toBe(true);
    await lookAtPreview(page);
    await page.screenshot({ path: shot("02-rescan-es-1024") });
    await markAndWait(page);
    // Every job whose serial holds SV26R001: the two full serials, never the truncated one.
    expect((await journal("SV26R001")).map((j) => [j.serial, j.state])).toEqual([
      ["SV26R00108", "completed"],
      ["SV26R00107", "completed"],
    ]);
  });

  it("lets a person type and edit by hand: slow keys are appended where the caret is", async () => {
    await page.fill("#f-serial", "SV26R001");
    await page.focus("#f-serial");
    await page.$eval("#f-serial", (el) => (el as HTMLInputElement).setSelectionRange(8, 8));
    await typeByHand(page, "11");
    await page.keyboard.press("Enter");
    await lookAtPreview(page);
    expect(await page.textContent("#strike-serial")).toBe("SV26R00111");
    expect(pageErrors(page)).toEqual([]);
  });
});
