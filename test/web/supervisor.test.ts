import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteOf } from "../server/helpers.ts";
import { markJob, newJob } from "../journal/helpers.ts";
import {
  auditText,
  dictionary,
  englishOnPage,
  launchBrowser,
  lookAtPreview,
  mistranslated,
  openPage,
  pageErrors,
  REPO,
  say,
  SCANNER_SETTINGS,
  SCREENS,
  type ScreenName,
  shot,
  startStation,
  until,
  type BenchStation,
} from "./bench.ts";

/**
 * The supervisor's work on the page, on a station with tokens (the bench has the technician's,
 * the operator signs in with their own): serial-number series defined, picked by the
 * technician and marked from, a number voided with a reason; an interrupted serial released;
 * the journal searched by part of a serial, a page at a time, a job's history opened; the
 * journal exported as CSV for a Spanish spreadsheet and as JSON; statistics; profiles with
 * their versions, a sample previewed, a file checked with every problem at once, published,
 * published again unchanged, retired and restored. In English on the large screen and in
 * Spanish on the small one, where nothing a person reads is English.
 */
const en = dictionary("en");
const es = dictionary("es");
const DICT = { en, es } as const;
const TOKENS = { technician: "bench-3-technician-token", operator: "bench-3-operator-token" };

async function speaks(page: Page, lang: "en" | "es", where: string): Promise<void> {
  const audit = await auditText(page);
  expect(audit.untranslated, `${where}: text that is neither translated nor data`).toEqual([]);
  expect(mistranslated(audit, DICT[lang]), `${where}: text not in ${lang}.json`).toEqual([]);
  if (lang === "es") expect(await englishOnPage(page, en, es), `${where}: English on the Spanish page`).toEqual([]);
}

async function view(page: Page, name: string): Promise<void> {
  await page.click(`nav .tab[data-view=${name}]`);
  await page.waitForSelector(`#view-${name}:not([hidden])`);
}

/** Fill the operator's dialog (name kept from the sign-in) and confirm. */
async function giveReason(page: Page, reason: string): Promise<void> {
  await page.waitForSelector("#action-dialog[open]");
  await page.fill("#f-a-reason", reason);
  await page.click("#action-confirm");
  await until(page, "!document.getElementById('action-dialog').open");
}

const COMBOS: { lang: "en" | "es"; locale: string; screen: ScreenName }[] = [
  { lang: "en", locale: "en-US", screen: "large" },
  { lang: "es", locale: "es-SV", screen: "small" },
];

// One browser for the file; each language gets a station of its own (a fresh journal).
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(COMBOS)("the supervisor on the page ($lang, $screen screen)", ({ lang, locale, screen }) => {
  const d = DICT[lang];
  const tag = `${lang}-${SCREENS[screen].width}`;
  let bench: BenchStation;
  let page: Page;
  const yy = String(new Date().getUTCFullYear() % 100).padStart(2, "0");

  beforeAll(async () => {
    bench = await startStation(20, undefined, TOKENS);
    page = await openPage(browser, bench.url, locale, SCREENS[screen], `${SCANNER_SETTINGS}; localStorage.setItem("peenmark.token", ${JSON.stringify(TOKENS.technician)})`);
  });

  afterAll(async () => {
    await page?.context().close();
    await bench?.close();
  });

  it("signs in with the operator's own token (a technician's is refused), and shows the operator's work", async () => {
    expect(await page.textContent("#role-badge")).toBe(d["auth.roleTechnician"]);
    // A fresh station: the head waits in alarm to be homed.
    await page.waitForSelector("#home-btn:not([hidden])");
    if (lang === "es") await page.screenshot({ path: shot(`01-start-of-shift-${tag}`) });
    await view(page, "series");
    expect(await page.isVisible("#series-form"), "a technician does not define series").toBe(false);
    expect(await page.textContent("#view-series p[data-role=technician]")).toBe(d["series.signIn"]);
    await page.click("#signin-btn");
    await page.fill("#f-si-name", "Marta Ortiz");
    await page.fill("#f-si-token", TOKENS.technician);
    await page.click("#signin-form button[type=submit]");
    await page.waitForSelector("#f-si-token-error:not([hidden])");
    expect(await page.textContent("#f-si-token-error .problem > span")).toBe(d["auth.notOperator"]);
    await page.screenshot({ path: shot(`22-sign-in-${tag}`) });
    await page.fill("#f-si-token", TOKENS.operator);
    await Promise.all([page.waitForEvent("load"), page.click("#signin-form button[type=submit]")]);
    await page.waitForSelector("body[data-ready='1']");
    expect(await page.textContent("#role-badge")).toBe(say(d, "auth.asOperator", { name: "Marta Ortiz" }));
    await speaks(page, lang, "signed in");
  });

  it("defines a series, the technician marks from it as previewed, and an operator voids a number with a reason", async () => {
    await view(page, "series");
    await page.fill("#f-s-id", "sv");
    await page.fill("#f-s-pattern", "SV{yy}R{counter:5}");
    await page.fill("#f-s-start", "107");
    await page.fill("#f-s-end", "99");
    await page.fill("#f-s-operator", "Marta Ortiz");
    await page.click("#series-form button[type=submit]");
    // The journal's own refusal, at the field it names.
    await page.waitForSelector("#f-s-end-error:not([hidden])");
    await page.fill("#f-s-end", "999");
    await page.click("#series-form button[type=submit]");
    await until(page, "document.querySelectorAll('#series-rows tr').length === 1");
    expect(await page.textContent("#series-rows td.serial")).toBe(`SV${yy}R00107`);
    await speaks(page, lang, "series");

    // The technician picks the series instead of scanning: the preview shows the number it gives next.
    await view(page, "mark");
    if (await page.isVisible("#home-btn")) {
      await page.click("#home-btn");
      await until(page, "document.getElementById('home-btn').hidden");
    }
    await page.selectOption("#profile", "us-receiver");
    await page.fill("#f-model", "RX-9");
    await page.fill("#f-caliber", "9MM");
    await page.fill("#f-technician", "Ana Ruiz");
    await page.selectOption("#serial-source", "sv");
    expect(await page.isDisabled("#f-serial")).toBe(true);
    await lookAtPreview(page);
    expect(await page.textContent("#strike-serial")).toBe(`SV${yy}R00107`);
    await page.keyboard.press("Enter");
    await until(page, "document.getElementById('job-panel').dataset.state === 'completed'", 60_000);
    expect(await page.textContent("#job-outcome")).toBe(say(d, "outcome.completed", { serial: `SV${yy}R00107` }));

    // A blank scrapped before marking: its reserved number is voided, with a reason.
    sqliteOf(bench.app).reserveNext("sv", new Date());
    await view(page, "series");
    await page.click("#series-rows button[data-series=sv]");
    await page.waitForSelector("#series-number-rows button[data-act=void]");
    await page.click("#series-number-rows button[data-act=void]");
    expect(await page.inputValue("#f-a-operator"), "the signed-in operator's name is there").toBe("Marta Ortiz");
    await page.screenshot({ path: shot(`18-series-void-${tag}`) });
    await giveReason(page, lang === "es" ? "Pieza desechada antes de marcar" : "Blank scrapped before marking");
    await until(page, "document.querySelectorAll('#series-number-rows .badge.void').length === 1");
    expect(await page.textContent("#series-rows td.serial")).toBe(`SV${yy}R00109`);
    await speaks(page, lang, "series numbers");
    await page.screenshot({ path: shot(`18-series-${tag}`) });
  });

  it("releases an interrupted serial with the operator's name and a reason", async () => {
    markJob(sqliteOf(bench.app), newJob({ serial: "SV26R00555", manufacturer: "Armería Centroamericana S.A.", stationId: "bench" }), "interrupted");
    await page.reload();
    await page.waitForSelector("#interrupted-list button[data-release]");
    await page.click("#interrupted-list button[data-release]");
    await page.waitForSelector("#action-dialog[open]");
    expect(await page.textContent("#action-title")).toBe(say(d, "release.title", { serial: "SV26R00555" }));
    await page.fill("#f-a-reason", "short");
    await page.click("#action-confirm");
    await page.waitForSelector("#f-a-reason-error:not([hidden])");
    expect(await page.textContent("#f-a-reason-error .problem > span")).toBe(say(d, "issue.tooShort", { n: "10" }));
    await page.screenshot({ path: shot(`23-release-${tag}`) });
    await giveReason(page, lang === "es" ? "Armazón desechado tras el corte de luz" : "Receiver scrapped after the power cut");
    await until(page, "document.getElementById('interrupted').hidden");
    const { jobs } = (await (await fetch(`${bench.url}api/journal?serial=SV26R00555`, { headers: { authorization: `Bearer ${TOKENS.operator}` } })).json()) as { jobs: { released?: { by: string } }[] };
    expect(jobs[0]!.released?.by).toBe("Marta Ortiz");
  });

  it("searches the journal by part of a serial, a page at a time, and opens a job's history", async () => {
    const journal = sqliteOf(bench.app);
    for (let i = 1; i <= 30; i++) markJob(journal, newJob({ serial: `PG${String(i).padStart(3, "0")}X`, stationId: "bench" }));
    await view(page, "journal");
    await page.fill("#journal-serial", "pg0");
    await page.click("#journal-form button[type=submit]");
    const first = say(d, "journal.range.other", { from: "1", to: "25", n: "30" });
    await until(page, `document.getElementById('journal-count').textContent === ${JSON.stringify(first)}`);
    expect(await page.locator("#journal-rows tr").count()).toBe(25);
    expect(await page.locator("#journal-rows td.serial").first().textContent()).toBe("PG030X");
    await page.click("#journal-next");
    await until(page, "document.querySelectorAll('#journal-rows tr').length === 5");
    expect(await page.locator("#journal-rows td.serial").last().textContent()).toBe("PG001X");
    await page.click("#journal-prev");
    await until(page, "document.querySelectorAll('#journal-rows tr').length === 25");
    await speaks(page, lang, "journal");
    await page.screenshot({ path: shot(`16-journal-search-${tag}`) });

    // The released job's history: what was marked, and who released it, when and why.
    await page.fill("#journal-serial", "r00555");
    await page.click("#journal-form button[type=submit]");
    const one = say(d, "journal.range.one", { from: "1", to: "1", n: "1" });
    await until(page, `document.getElementById('journal-count').textContent === ${JSON.stringify(one)}`);
    expect(await page.locator("#journal-rows tr").count()).toBe(1);
    await page.click("#journal-rows tr");
    await page.waitForSelector("#detail-dialog[open]");
    const events = await page.locator("#detail-body tbody tr").allTextContents();
    expect(events).toHaveLength(1);
    expect(events[0]).toContain(d["event.serial-released"]);
    expect(events[0]).toContain("Marta Ortiz");
    await speaks(page, lang, "job history");
    await page.screenshot({ path: shot(`19-journal-detail-${tag}`) });
    await page.click("#detail-dialog button[value=close]");
  });

  it("exports the journal as CSV for a spreadsheet in Spanish, and as JSON", async () => {
    await page.fill("#journal-serial", "");
    await page.selectOption("#export-delimiter", "semicolon");
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
    const csvText = readFileSync((await csv.path())!);
    expect(csvText.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csvText.toString("utf8").split("\r\n")[0]).toMatch(/^\uFEFFjobId;serial;licencePrefix;/);
    expect(csv.suggestedFilename()).toMatch(/^peenmark-journal-bench-\d{4}-\d{2}-\d{2}\.csv$/);
    const [json] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
    const rows = JSON.parse(readFileSync((await json.path())!, "utf8")) as { serial: string }[];
    // The series mark, the released one and the thirty of the search.
    expect(rows.length).toBe(32);
    await until(page, "document.getElementById('export-status').textContent.includes('.json')");
  });

  it("counts marks per day, station and technician", async () => {
    await view(page, "stats");
    await page.waitForSelector("#stats-tables table");
    // Dates the same way in every region (year, month, day); an impossible one refused at its field.
    for (const bad of ["23/11/2026", "2026-02-31"]) {
      await page.fill("#stats-from", bad);
      await page.click("#stats-form button[type=submit]");
      await page.waitForSelector("#stats-from-error:not([hidden])");
      expect(await page.textContent("#stats-from-error .problem > span"), bad).toBe(d["issue.date"]);
    }
    await page.fill("#stats-from", "");
    await page.click("#stats-form button[type=submit]");
    await until(page, "document.getElementById('stats-from-error').hidden");
    expect(await page.textContent("#stats-zone")).toBe(say(d, "stats.zone.other", { n: "32", zone: "UTC" }));
    const total = await page.locator("#stats-tables table").first().locator("tbody td").allTextContents();
    expect(total).toEqual(["32", "31", "0", "0", "1", "0"]);
    await speaks(page, lang, "statistics");
    await page.screenshot({ path: shot(`20-stats-${tag}`) });
  });

  it("shows profiles with versions and a sample, checks a file with every problem at once, publishes, and retires", async () => {
    await view(page, "operator");
    await page.click("#profiles-rows button[data-profile=us-receiver]");
    await page.waitForSelector("#profile-preview svg");
    expect(await page.locator("#version-rows tr").count()).toBe(1);
    await speaks(page, lang, "profiles");
    await page.screenshot({ path: shot(`21-profiles-${tag}`) });

    const dir = mkdtempSync(join(tmpdir(), "peenmark-profiles-"));
    const good = JSON.parse(readFileSync(join(REPO, "profiles", "us-receiver.json"), "utf8")) as { id: string; name: unknown; blocks: Record<string, unknown>[] } & Record<string, unknown>;
    good.id = `us-receiver-${lang}`;
    const bad = structuredClone(good);
    // A 1.2 mm serial under US rules, a block at y = 95 on an 80 mm work area, a font the station lacks.
    bad.blocks[0]!.capHeight = 1.2;
    (bad.blocks[2]!.origin as { y: number }).y = 95;
    bad.blocks[1]!.font = "comic-sans";
    writeFileSync(join(dir, "bad.json"), JSON.stringify(bad));
    writeFileSync(join(dir, "good.json"), JSON.stringify(good));
    await page.setInputFiles("#op-file", join(dir, "bad.json"));
    await page.click("#op-form button[type=submit]");
    await page.waitForSelector("#op-result .problems");
    expect(await page.locator("#op-result .problems code.path").allTextContents()).toEqual(["$.blocks[1].font", "$.blocks[0]", "$.blocks[2]"]);
    expect(await page.locator("#op-result .problems .problem > span").allTextContents()).toEqual([d["err.E_FONT_UNKNOWN"], d["err.E_MARK_RULE"], d["err.E_OUT_OF_BOUNDS"]]);
    expect(await page.isDisabled("#op-publish"), "nothing to publish").toBe(true);
    await speaks(page, lang, "profile check");
    await page.locator("#op-result").scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot(`12-profile-check-${tag}`) });

    await page.setInputFiles("#op-file", join(dir, "good.json"));
    await page.click("#op-form button[type=submit]");
    await page.waitForSelector("#op-result .ok-text");
    expect(await page.textContent("#op-result .ok-text")).toBe(say(d, "op.valid.other", { id: good.id, n: "3" }));
    await page.waitForSelector("#op-result figure svg");
    await page.click("#op-publish");
    await until(page, "document.querySelector('#op-result .ok-text')?.dataset.i18n === 'op.published'");
    expect(await page.textContent("#op-result .ok-text")).toBe(say(d, "op.published", { id: good.id, version: "1" }));
    // The same file again is no new version.
    await page.click("#op-form button[type=submit]");
    await page.waitForSelector("#op-result .ok-text[data-i18n^='op.valid']");
    await page.click("#op-publish");
    await until(page, "document.querySelector('#op-result .ok-text')?.dataset.i18n === 'op.unchanged'");
    expect(await page.textContent("#op-result .ok-text")).toBe(say(d, "op.unchanged", { id: good.id, version: "1" }));

    await page.click(`#profiles-rows button[data-profile=${good.id}]`);
    await page.waitForSelector("#profile-retire");
    await page.click("#profile-retire");
    await giveReason(page, lang === "es" ? "Sustituido por el nuevo utillaje" : "Replaced by the new fixture");
    await until(page, "!document.getElementById('profile-retired').hidden");
    await until(page, `![...document.querySelectorAll('#profile option')].some((o) => o.value === ${JSON.stringify(good.id)})`);
    await speaks(page, lang, "profile retired");
    await page.click("#profile-retire");
    await giveReason(page, lang === "es" ? "El utillaje antiguo vuelve a servir" : "The old fixture is back in use");
    await until(page, `[...document.querySelectorAll('#profile option')].some((o) => o.value === ${JSON.stringify(good.id)})`);
    expect(pageErrors(page)).toEqual([]);
  });
});
