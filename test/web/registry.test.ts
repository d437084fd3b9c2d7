import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobView } from "../../src/job/view.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { loadStation } from "../../src/profile/load.ts";
import { exampleRecord, ROOT } from "../job/helpers.ts";
import { PG_URL, pgSchema } from "../journal/engines.ts";
import { TcpProxy } from "../server/tcp-proxy.ts";
import { dictionary, launchBrowser, lookAtPreview, openPage, pageErrors, SCANNER_SETTINGS, scan, shot, startStation, until, type BenchStation } from "./bench.ts";

/**
 * The technician's page on a station whose registry (PostgreSQL) goes away: a mark under way
 * says so and stops between two strikes, and says when the registry records again; a mark
 * started while it is away is refused with the page's sentence for E_REGISTRY_UNREACHABLE.
 * The registry is cut with a TCP proxy between the station and the test server.
 */
if (!PG_URL) console.warn("PEENMARK_TEST_PG is unset: the page-on-a-registry tests are skipped");

const en = dictionary("en");

describe.skipIf(!PG_URL)("the page on a station whose registry goes away", () => {
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
    const base = loadStation(join(ROOT, "stations", "bench.json"));
    const station = { ...base, controller: { ...base.controller, journalStallTimeout: 1 } };
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

  it("says the registry cannot be reached while a mark is under way, stops it between two strikes, and clears once it records again", async () => {
    const started = await bench.app.inject({ method: "POST", url: "/api/jobs", payload: { profileId: "slide-5x7", record: { ...exampleRecord("slide-5x7"), serial: "RG2026W00001" }, technician: "Ana Ruiz" } });
    expect(started.statusCode, started.body).toBe(201);
    const id = started.json<{ job: JobView }>().job.id;
    await until(page, "document.getElementById('job-panel').dataset.state === 'marking'");
    expect(await page.isHidden("#job-journal")).toBe(true);

    proxy.stall();
    await until(page, "!document.getElementById('job-journal').hidden && document.getElementById('job-panel').dataset.state === 'paused'", 20_000);
    expect(await page.textContent("#job-journal p")).toBe(en["job.journal.registry"]);
    expect(await page.textContent("#job-journal .technical")).toMatch(/registry postgres:\/\/peenmark_test:\*\*\*@127\.0\.0\.1:\d+/);
    await page.screenshot({ path: shot("registry-unreachable-marking-en-1366") });

    proxy.restore();
    await until(page, "document.getElementById('job-journal').hidden", 20_000);
    const aborted = await bench.app.inject({ method: "POST", url: `/api/jobs/${id}/abort`, payload: {} });
    expect(aborted.statusCode, aborted.body).toBe(200);
    await until(page, "document.getElementById('job-panel').dataset.state === 'aborted'");
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
});
