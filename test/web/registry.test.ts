import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { loadStation } from "../../src/profile/load.ts";
import { ROOT } from "../job/helpers.ts";
import { PG_URL, pgSchema } from "../journal/engines.ts";
import { TcpProxy } from "../server/tcp-proxy.ts";
import { dictionary, launchBrowser, lookAtPreview, openPage, pageErrors, SCANNER_SETTINGS, scan, shot, startStation, until, type BenchStation } from "./bench.ts";

/**
 * The technician's page on a station whose registry (PostgreSQL) cannot be reached: a mark
 * started then is refused with the page's sentence for E_REGISTRY_UNREACHABLE. The registry
 * is cut with a TCP proxy between the station and the test server. (A mark under way when it
 * goes away is the job view's `journal`, shown by the job panel; its API is tested in
 * test/server/registry.test.ts.)
 */
if (!PG_URL) console.warn("PEENMARK_TEST_PG is unset: the page-on-a-registry tests are skipped");

const en = dictionary("en");

describe.skipIf(!PG_URL)("the page on a station whose registry cannot be reached", () => {
  let bench: BenchStation;
  let browser: Browser;
  let page: Page;
  let proxy: TcpProxy;
  let dropSchema: () => Promise<void>;

  beforeAll(async () => {
    const { schema, drop } = await pgSchema();
    dropSchema = drop;
    const target = new URL(PG_URL!);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const station = loadStation(join(ROOT, "stations", "bench.json"));
    const journal = new PgJournal({ url: proxy.urlFor(PG_URL!), schema, stationId: station.id, reconnectMs: 500, queryTimeoutMs: 700 });
    bench = await startStation(10, undefined, undefined, { journal, station });
    browser = await launchBrowser();
    page = await openPage(browser, bench.url, "en-US", undefined, SCANNER_SETTINGS);
  });

  afterAll(async () => {
    await browser?.close();
    await bench?.close();
    await proxy?.close();
    await dropSchema?.();
  });

  it("refuses a mark while the registry cannot be reached, with the page's sentence for it", async () => {
    if (await page.isVisible("#home-btn")) {
      await page.click("#home-btn");
      await until(page, "document.getElementById('home-btn').hidden && document.getElementById('controller-line').dataset.state === 'Idle'");
    }
    await page.selectOption("#profile", "us-receiver");
    await page.fill("#f-model", "RX-9");
    await page.fill("#f-caliber", "9MM");
    await page.fill("#f-technician", "Ana Ruiz");
    await page.focus("#f-serial");
    await scan(page, "ra2026w00002");
    await lookAtPreview(page);
    proxy.cut();
    await page.keyboard.press("Enter");
    const sentence = en["err.E_REGISTRY_UNREACHABLE"]!;
    await until(page, `document.body.innerText.includes(${JSON.stringify(sentence)})`, 20_000);
    await page.screenshot({ path: shot("registry-unreachable-refused-en-1366") });
    proxy.restore();
    expect(pageErrors(page)).toEqual([]);
  });

  it("says, while a mark runs, that the registry cannot be reached and the serial stays held; nothing once it answers and has the outcome", { timeout: 120_000 }, async () => {
    await page.fill("#f-serial", "");
    await page.focus("#f-serial");
    await scan(page, "ra2026w00003");
    await lookAtPreview(page);
    await page.keyboard.press("Enter");
    await until(page, "document.getElementById('job-panel').dataset.state === 'marking' && document.querySelectorAll('#preview-figure .struck').length > 0");
    proxy.cut();
    await until(page, "!document.getElementById('job-journal').hidden", 30_000);
    const warning = await page.evaluate(() => document.getElementById("job-journal")!.innerText);
    expect(warning).toContain(en["job.registry.held"]!);
    expect([en["job.registry.marking"], en["job.registry.paused"], en["job.registry.ended"]].some((t) => warning.includes(t!)), warning).toBe(true);
    expect(warning, "a registry, not the journal's disk").not.toContain(en["job.journal.held"]!);
    await page.screenshot({ path: shot("registry-unreachable-marking-en-1366") });
    proxy.restore();
    // Paused by the stall, or marking on: resume if paused, then the outcome reaches the registry.
    await until(page, "document.getElementById('job-panel').dataset.state !== 'marking' || document.getElementById('job-journal').hidden", 60_000);
    if ((await page.getAttribute("#job-panel", "data-state")) === "paused") {
      await until(page, "!document.getElementById('resume-btn').disabled", 30_000);
      await page.click("#resume-btn");
    }
    await until(page, "document.getElementById('job-panel').dataset.state === 'completed' && document.getElementById('job-journal').hidden", 90_000);
    expect(await page.evaluate(() => document.getElementById("job-outcome")!.innerText)).toContain(en["outcome.completed"]!.replace("{serial}", "RA2026W00003"));
    expect(pageErrors(page)).toEqual([]);
  });
});
