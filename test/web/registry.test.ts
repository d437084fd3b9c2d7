import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { CutOffJournal } from "../../src/journal/cut-off.ts";
import { Outbox } from "../../src/journal/outbox.ts";
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

describe.skipIf(!PG_URL)("the page on a station cut off from its registry, with a lease", () => {
  let bench: BenchStation;
  let browser: Browser;
  let proxy: TcpProxy;
  let dropSchema: () => Promise<void>;
  let outboxDir: string;

  beforeAll(async () => {
    const { schema, drop } = await pgSchema();
    dropSchema = drop;
    const station = loadStation(join(ROOT, "stations", "bench.json"));
    const owner = new PgJournal({ url: PG_URL!, schema });
    await owner.open();
    await owner.createSeries({ id: "nat", pattern: "RX{yy}{counter:5}", start: 1, end: 99999, createdBy: "Marta Ortiz" });
    await owner.leaseNumbers("nat", { stationId: station.id, size: 5, hours: 48, operator: "Marta Ortiz", reason: "the post loses its line on Fridays" }, new Date());
    await owner.close();
    const target = new URL(PG_URL!);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    outboxDir = mkdtempSync(join(tmpdir(), "peenmark-web-outbox-"));
    const registry = new PgJournal({ url: proxy.urlFor(PG_URL!), schema, stationId: station.id, reconnectMs: 500, queryTimeoutMs: 700 });
    const journal = new CutOffJournal(registry, new Outbox(join(outboxDir, "outbox.db"), station.id), { probeMs: 300 });
    bench = await startStation(10, undefined, undefined, { journal, station });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await bench?.close();
    await proxy?.close();
    await dropSchema?.();
    rmSync(outboxDir, { recursive: true, force: true });
  });

  for (const lang of ["en", "es"] as const) {
    it(`says it is cut off and what it may still mark, in ${lang === "en" ? "English" : "Spanish"}; nothing once the registry answers`, async () => {
      const dict = dictionary(lang);
      const page = await openPage(browser, bench.url, lang === "en" ? "en-US" : "es-MX", undefined, SCANNER_SETTINGS);
      expect(await page.isHidden("#registry-line"), "nothing to say while the registry answers").toBe(true);
      proxy.cut();
      await until(page, "!document.getElementById('registry-line').hidden", 15_000);
      const line = await page.evaluate(() => document.getElementById("registry-line")!.innerText);
      const head = dict["registry.cutOff"]!.split("{since}")[0]!;
      expect(line).toContain(head);
      expect(line).toMatch(lang === "en" ? /Series nat: 5 numbers left, until / : /Serie nat: quedan 5 números, hasta /);
      await page.screenshot({ path: shot(`registry-cut-off-${lang}-1366`) });
      proxy.restore();
      await until(page, "document.getElementById('registry-line').hidden", 15_000);
      expect(pageErrors(page)).toEqual([]);
      await page.close();
    });
  }
});
