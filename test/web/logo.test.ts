import type { Browser, Page } from "playwright-core";
import { PNG } from "pngjs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../src/compile.ts";
import { fontNames } from "../../src/fonts/font.ts";
import { loadProfile, loadStation } from "../../src/profile/load.ts";
import { dictionary, launchBrowser, lookAtPreview, openPage, pageErrors, REPO, say, scan, SCANNER_SETTINGS, SCREENS, shot, startStation, type BenchStation } from "./bench.ts";

/**
 * The technician picks the receiver profile with the maker's logo, scans a serial and sees
 * the logo in the preview where it will be struck: its dots drawn at the logo block's place
 * on the work area, as many as the program strikes there, dark on the screen.
 */
const en = dictionary("en");
let bench: BenchStation;
let browser: Browser;
let page: Page;

const SERIAL = "RA2026L00042";
const record = {
  serial: SERIAL,
  manufacturer: "Ridgeline Arms LLC",
  place: { city: "Prescott", state: "AZ", country: { code: "US", name: "United States" } },
  model: "RX-9",
  caliber: "9MM",
};

/** What the program strikes for the logo block, compiled here from the same files the station reads. */
function logoStrikes() {
  const station = loadStation(join(REPO, "stations", "bench.json"));
  const { profile } = loadProfile(join(REPO, "profiles", "logo-receiver.json"), { fonts: fontNames() });
  const job = compile({ record, profile, station, markedAt: new Date("2026-11-23T12:00:00Z") });
  const strikes = job.program.ops.filter((op) => op.kind === "strike" && op.block === "logo");
  const logo = job.blocks.find((b) => b.id === "logo")!;
  const at = strikes.map((op) => (op.kind === "strike" ? op.at : { x: NaN, y: NaN }));
  const box = { minX: Math.min(...at.map((p) => p.x)), maxX: Math.max(...at.map((p) => p.x)), minY: Math.min(...at.map((p) => p.y)), maxY: Math.max(...at.map((p) => p.y)) };
  return { count: strikes.length, box, logo: logo.logo! };
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

describe("the logo in the technician's preview", () => {
  it("shows the logo-receiver profile's logo, dot for dot, where it will be struck", async () => {
    const expected = logoStrikes();
    expect(expected.count, "the logo block strikes dots").toBeGreaterThan(100);

    await page.selectOption("#profile", "logo-receiver");
    await page.fill("#f-model", record.model);
    await page.fill("#f-caliber", record.caliber);
    await page.fill("#f-technician", "Ana Ruiz");
    await page.focus("#f-serial");
    await scan(page, SERIAL);
    await lookAtPreview(page);
    expect(await page.textContent("#strike-serial")).toBe(SERIAL);

    // The block table names the logo and its size as struck.
    const rows = (await page.evaluate("[...document.querySelectorAll('#block-rows tr')].map((tr) => [...tr.children].map((c) => c.textContent.trim()))")) as string[][];
    expect(rows.map((r) => r[0])).toEqual(["serial", "maker", "model", "logo"]);
    expect(rows[3]![1]).toBe(say(en, "preview.logo", { width: expected.logo.width.toFixed(1), height: expected.logo.height.toFixed(1) }));

    // The preview's strikes inside the logo's extent (work-area mm, the SVG's own units): every logo dot, nothing else.
    const inLogo = (await page.evaluate(`(() => {
      const b = ${JSON.stringify(expected.box)};
      return [...document.querySelectorAll("#preview-figure svg g.strikes circle")]
        .map((c) => ({ x: Number(c.getAttribute("cx")), y: Number(c.getAttribute("cy")), r: c.getBoundingClientRect() }))
        .filter((c) => c.x >= b.minX - 1e-3 && c.x <= b.maxX + 1e-3 && c.y >= b.minY - 1e-3 && c.y <= b.maxY + 1e-3)
        .map((c) => ({ left: c.r.left, top: c.r.top, right: c.r.right, bottom: c.r.bottom }));
    })()`)) as { left: number; top: number; right: number; bottom: number }[];
    expect(inLogo.length, "the preview draws every dot the program strikes for the logo").toBe(expected.count);

    // On the screen: the logo's region of the preview is inside the window, and dark with its dots.
    const clip = {
      x: Math.floor(Math.min(...inLogo.map((r) => r.left))),
      y: Math.floor(Math.min(...inLogo.map((r) => r.top))),
      width: Math.ceil(Math.max(...inLogo.map((r) => r.right)) - Math.min(...inLogo.map((r) => r.left))),
      height: Math.ceil(Math.max(...inLogo.map((r) => r.bottom)) - Math.min(...inLogo.map((r) => r.top))),
    };
    expect(clip.width, "the logo is drawn at a size one can see").toBeGreaterThan(30);
    expect(clip.x >= 0 && clip.y >= 0 && clip.x + clip.width <= SCREENS.large.width && clip.y + clip.height <= SCREENS.large.height, `the logo (${JSON.stringify(clip)}) is on the screen`).toBe(true);
    const darkShare = async (c: typeof clip) => {
      const png = PNG.sync.read(await page.screenshot({ clip: c }));
      let dark = 0;
      for (let i = 0; i < png.data.length; i += 4) if (0.299 * png.data[i]! + 0.587 * png.data[i + 1]! + 0.114 * png.data[i + 2]! < 128) dark++;
      return dark / (png.width * png.height);
    };
    const logoShare = await darkShare(clip);
    // The same area just below the logo, where nothing is struck (the work area's grid only).
    const emptyShare = await darkShare({ ...clip, y: clip.y + clip.height + 4 });
    expect(logoShare, `dark pixels where the logo is: ${(logoShare * 100).toFixed(1)} %`).toBeGreaterThan(0.03);
    expect(emptyShare, `dark pixels below it, where nothing is struck: ${(emptyShare * 100).toFixed(1)} %`).toBeLessThan(0.005);
    await page.screenshot({ path: shot("logo-preview-en-1366") });
    expect(pageErrors(page)).toEqual([]);
  });
});
