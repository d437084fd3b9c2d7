import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  activeId,
  auditText,
  dictionary,
  englishOnPage,
  jobState,
  launchBrowser,
  lookAtPreview,
  mistranslated,
  offScreen,
  openPage,
  pageErrors,
  say,
  scan,
  SCANNER_SETTINGS,
  SCREENS,
  type ScreenName,
  shot,
  startStation,
  struckDots,
  until,
  type BenchStation,
} from "./bench.ts";

/**
 * A technician at the bench, through the page, against the real station service on the
 * simulated head, on the two bench screens and in both languages: scan (in small letters: the
 * profile capitalises), the serial to strike shown large, one key marks (Enter, or a foot
 * pedal's key), and the record, the preview, the controller line, the progress and
 * Pause/Abort all on one screen while it marks, then the "marked" box. Then a refusal shown at
 * its field with the advice of the profile's own rules, a duplicate, pause and resume, abort
 * with its confirmation, a limit switch, and real size calibrated against a ruler.
 */
const en = dictionary("en");
const es = dictionary("es");
const DICT = { en, es } as const;
let bench: BenchStation;
let browser: Browser;

/** Everything a technician needs while a mark runs, each wholly on the screen. */
const WHILE_MARKING = ["#controller-line", "#ctl-state", "#strike-serial", "#mark-btn", "#f-serial", "#f-model", "#f-technician", "#preview-figure svg", "#job-state", "#job-progress", "#job-numbers", "#pause-btn", "#abort-btn"];

/** Nothing visible outside the dictionary of `lang`; in Spanish, no English sentence and nothing marked English. */
async function speaks(page: Page, lang: "en" | "es", where: string): Promise<void> {
  const audit = await auditText(page);
  expect(audit.lang, where).toBe(lang);
  expect(audit.untranslated, `${where}: text that is neither translated nor data`).toEqual([]);
  expect(mistranslated(audit, DICT[lang]), `${where}: text not in ${lang}.json`).toEqual([]);
  if (lang === "es") expect(await englishOnPage(page, en, es), `${where}: English on the Spanish page`).toEqual([]);
}

/** Pick the US receiver profile and fill what its defaults leave empty. */
async function receiverRecord(p: Page): Promise<void> {
  await p.selectOption("#profile", "us-receiver");
  await p.fill("#f-model", "RX-9");
  await p.fill("#f-caliber", "9MM");
  await p.fill("#f-technician", "Ana Ruiz");
  await p.focus("#f-serial");
}

async function home(p: Page): Promise<void> {
  if (await p.isVisible("#home-btn")) {
    await p.click("#home-btn");
    await until(p, "document.getElementById('home-btn').hidden && document.getElementById('controller-line').dataset.state === 'Idle'");
  }
}

async function startMark(p: Page, serial: string): Promise<void> {
  await receiverRecord(p);
  await scan(p, serial);
  await lookAtPreview(p);
  expect(await p.textContent("#strike-serial"), "the scan is the serial to strike").toBe(serial);
  await p.keyboard.press("Enter");
  await until(p, "document.getElementById('job-panel').dataset.state === 'marking' && document.querySelectorAll('#preview-figure .struck').length > 0");
}

const strikesDone = async (p: Page): Promise<number> => Number(/([\d.,]+) (?:of|de) [\d.,]+ ·[^·]*$/.exec((await p.textContent("#job-numbers")) ?? "")?.[1]?.replace(/[.,]/g, "") ?? NaN);

beforeAll(async () => {
  // Ten times real time: a 33 s mark takes about 3 s, long enough to watch and to catch mid-mark.
  bench = await startStation(10);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await bench?.close();
});

/** Two flows mark to the end (one per screen, one per language); the other two stop once the marking screen is checked. */
const FLOWS: { lang: "en" | "es"; locale: string; screen: ScreenName; serial: string; pedal?: string; toTheEnd: boolean }[] = [
  { lang: "en", locale: "en-US", screen: "large", serial: "ra104220", toTheEnd: true },
  { lang: "es", locale: "es-SV", screen: "small", serial: "sv26r00107", toTheEnd: true },
  { lang: "en", locale: "en-US", screen: "small", serial: "ra104219", pedal: "F9", toTheEnd: false },
  { lang: "es", locale: "es-MX", screen: "large", serial: "mx2026001", toTheEnd: false },
];

describe.each(FLOWS)("a mark at the bench ($lang, $screen screen)", ({ lang, locale, screen, serial, pedal, toTheEnd }) => {
  it("scans, shows the serial to strike large, marks with one key, and keeps everything on one screen while marking", async () => {
    const d = DICT[lang];
    const { width } = SCREENS[screen];
    const tag = `${lang}-${width}`;
    const page = await openPage(browser, bench.url, locale, SCREENS[screen], `${SCANNER_SETTINGS};${pedal ? `localStorage.setItem("peenmark.markKey", ${JSON.stringify(pedal)})` : ""}`);
    expect(await activeId(page), "the serial field has the focus on load").toBe("f-serial");
    if (await page.isVisible("#home-btn")) {
      // The head powers up in alarm until it is homed: the page offers Home.
      expect(await page.textContent("#ctl-homed")).toBe(d["ctl.alarm"]);
      await page.screenshot({ path: shot(`01-start-of-shift-${tag}`) });
    }
    await home(page);
    await receiverRecord(page);
    await scan(page, serial);
    await lookAtPreview(page);
    const SERIAL = serial.toUpperCase();
    // The profile capitalises what is scanned; the serial to strike is what the preview compiled.
    expect(await page.inputValue("#f-serial")).toBe(SERIAL);
    expect(await page.textContent("#strike-serial")).toBe(SERIAL);
    const rows = (await page.evaluate("[...document.querySelectorAll('#block-rows tr')].map((tr) => [...tr.children].map((c) => c.textContent.trim()))")) as string[][];
    expect(rows.map((r) => r[0])).toEqual(["serial", "maker", "model"]);
    expect(rows[0]![1]).toBe(SERIAL);
    // Numbers as the region writes them: es-SV and es-MX, like en-US, with a decimal point.
    expect(rows[0]![3]).toBe("3.00 mm");
    expect(await activeId(page), "after a good preview the focus is on Mark: one key marks").toBe("mark-btn");
    expect(await page.textContent("#mark-note")).toBe(pedal ? say(d, "mark.readyKey", { key: pedal }) : d["mark.ready"]);
    expect(await offScreen(page, ["#strike-serial", "#mark-btn", "#preview-btn", "#preview-figure svg", "#block-table", "#f-technician"]), "the preview and Mark fit the screen").toEqual([]);
    await speaks(page, lang, "preview");
    await page.screenshot({ path: shot(`03-preview-${tag}`) });

    const strikes = await page.locator("#preview-figure g.strikes circle").count();
    await page.keyboard.press(pedal ?? "Enter");
    await until(page, "document.getElementById('job-panel').dataset.state === 'marking' && document.querySelectorAll('#preview-figure circle.struck').length > 20");
    expect(await page.isDisabled("#f-serial"), "the record is locked while marking").toBe(true);
    expect(await offScreen(page, WHILE_MARKING), "while marking, one screen").toEqual([]);
    expect(await page.textContent("#job-state")).toBe(say(d, "job.status.marking", { serial: SERIAL }));
    await speaks(page, lang, "marking");
    await page.screenshot({ path: shot(`04-marking-${tag}`) });
    if (!toTheEnd) {
      await page.click("#abort-btn");
      await page.click("#abort-dialog button[value=abort]");
      await until(page, "document.getElementById('job-panel').dataset.state === 'aborted'", 20_000);
      expect(await offScreen(page, ["#job-outcome"]), "the outcome is on the screen").toEqual([]);
      await page.context().close();
      return;
    }

    await until(page, "document.getElementById('job-panel').dataset.state === 'completed'", 60_000);
    expect(await page.textContent("#job-outcome")).toBe(say(d, "outcome.completed", { serial: SERIAL }));
    expect(await offScreen(page, ["#job-outcome", "#f-serial"]), "the marked box is on the screen").toEqual([]);
    expect(await struckDots(page), "every dot of the preview is struck").toBe(strikes);
    // Ready for the next part: serial cleared and focused, the rest of the record kept.
    expect(await page.inputValue("#f-serial")).toBe("");
    expect(await activeId(page)).toBe("f-serial");
    expect(await page.inputValue("#f-model")).toBe("RX-9");
    await speaks(page, lang, "completed");
    await page.screenshot({ path: shot(`05-completed-${tag}`) });

    const { jobs } = (await (await fetch(`${bench.url}api/journal?serial=${SERIAL}`)).json()) as { jobs: { serial: string; state: string; technician: string }[] };
    expect(jobs.map((j) => [j.serial, j.state, j.technician])).toEqual([[SERIAL, "completed", "Ana Ruiz"]]);
    expect(pageErrors(page)).toEqual([]);
    await page.context().close();
  });
});

describe("the technician's page", () => {
  let page: Page;
  beforeAll(async () => {
    page = await openPage(browser, bench.url, "en-US", SCREENS.large, SCANNER_SETTINGS);
    await home(page);
  });

  it("shows what the service refuses next to the field it names, in plain words, with the advice of the profile's rules", async () => {
    await receiverRecord(page);
    await page.fill("#f-place-city", "");
    await page.focus("#f-serial");
    await scan(page, "RA104221");
    // Enter from the scanner goes on to the first empty field instead of previewing.
    expect(await activeId(page)).toBe("f-place-city");
    await page.click("#preview-btn");
    await page.waitForSelector("#f-place-city-error:not([hidden])");
    expect(await page.getAttribute("#f-place-city", "aria-invalid")).toBe("true");
    expect(await page.textContent("#f-place-city-error .problem > span")).toBe(en["issue.required"]);
    expect(await page.textContent("#f-place-city-error code")).toBe("E_SCHEMA");
    expect(await activeId(page), "the focus goes to the field to correct").toBe("f-place-city");
    expect(await page.isDisabled("#mark-btn")).toBe(true);
    await page.screenshot({ path: shot("06-field-error-en-1366") });

    // A serial the US rules refuse, at the serial field, with the US rule's advice.
    await page.fill("#f-place-city", "Prescott");
    await page.fill("#f-serial", "RA-4221");
    await page.click("#preview-btn");
    await page.waitForSelector("#f-serial-error:not([hidden])");
    expect(await page.textContent("#f-serial-error .problem > span")).toBe(en["err.E_SERIAL_RULE.usChars"]);
    expect(await page.textContent("#f-serial-error code")).toBe("E_SERIAL_RULE");
    expect(await page.isVisible("#f-place-city-error"), "the corrected field's message is gone").toBe(false);
    expect(await activeId(page)).toBe("f-serial");

    // A character the maker's font lacks, and a maker too long for the work area: at the maker's field.
    await page.fill("#f-serial", "RA104221");
    await page.fill("#f-manufacturer", "Ridgeline Arms Ж");
    await page.click("#preview-btn");
    await page.waitForSelector("#f-manufacturer-error:not([hidden])");
    expect([await page.textContent("#f-manufacturer-error code"), await page.isVisible("#f-place-city-error")]).toEqual(["E_GLYPH_MISSING", false]);
    expect(await page.textContent("#f-manufacturer-error .problem > span")).toBe(say(en, "err.E_GLYPH_MISSING", { char: "Ж" }));
    await page.fill("#f-manufacturer", "Ridgeline Arms Manufacturing Company of the Great American Southwest, Incorporated");
    await page.click("#preview-btn");
    await page.waitForSelector("#f-manufacturer-error:not([hidden])");
    expect(await page.textContent("#f-manufacturer-error code")).toBe("E_OUT_OF_BOUNDS");
    await page.fill("#f-manufacturer", "Ridgeline Arms LLC");

    // The serial marked in the first flow: the journal refuses it at Mark.
    await page.fill("#f-serial", "RA104220");
    await page.click("#preview-btn");
    await lookAtPreview(page);
    await page.click("#mark-btn");
    await page.waitForSelector("#f-serial-error:not([hidden])");
    expect(await page.textContent("#f-serial-error code")).toBe("E_SERIAL_DUPLICATE");
    expect(await page.textContent("#f-serial-error .problem > span")).toBe(en["err.E_SERIAL_DUPLICATE"]);
    await page.screenshot({ path: shot("07-serial-duplicate-en-1366") });
  });

  it("pauses (pausing…, then paused with the head at rest) and resumes; aborts only after the technician confirms", async () => {
    await startMark(page, "RA104222");
    await page.click("#pause-btn");
    await until(page, "document.getElementById('job-panel').dataset.state === 'paused' && document.getElementById('job-panel').dataset.drained === '1'");
    expect(await page.textContent("#job-state")).toBe(en["job.status.paused"]);
    expect(await page.isEnabled("#resume-btn")).toBe(true);
    expect(await page.isDisabled("#pause-btn")).toBe(true);
    const held = await strikesDone(page);
    const heldDots = await struckDots(page);
    await page.screenshot({ path: shot("08-paused-en-1366") });
    // The controller reports at 5 Hz; a second of reports with the head at rest.
    await page.waitForTimeout(1000);
    expect(await strikesDone(page)).toBe(held);
    expect(await struckDots(page)).toBe(heldDots);
    await page.click("#resume-btn");
    await until(page, "document.getElementById('job-panel').dataset.state === 'marking'");
    await until(page, `document.querySelectorAll('#preview-figure circle.struck').length > ${heldDots}`);

    await page.click("#abort-btn");
    await page.waitForSelector("#abort-dialog[open]");
    expect(await page.textContent("#abort-title")).toBe(en["abort.title"]);
    expect(await page.evaluate("document.activeElement.value"), "the safe choice has the focus").toBe("cancel");
    await page.screenshot({ path: shot("09-abort-confirm-en-1366") });
    await page.click("#abort-dialog button[value=cancel]");
    expect(await page.isVisible("#abort-dialog")).toBe(false);
    expect(await jobState(page)).toBe("marking");
    await page.click("#abort-btn");
    await page.click("#abort-dialog button[value=abort]");
    await until(page, "document.getElementById('job-panel').dataset.state === 'aborted'", 20_000);
    const outcome = (await page.textContent("#job-outcome")) ?? "";
    const { jobs } = (await (await fetch(`${bench.url}api/journal?serial=RA104222`)).json()) as { jobs: { state: string; progress: { linesExecuted: number; linesTotal: number } }[] };
    expect(jobs[0]!.state).toBe("aborted");
    expect(jobs[0]!.progress.linesExecuted).toBeLessThan(jobs[0]!.progress.linesTotal);
    expect(outcome).toBe(say(en, "outcome.aborted", { serial: "RA104222", line: jobs[0]!.progress.linesExecuted.toLocaleString("en-US"), total: jobs[0]!.progress.linesTotal.toLocaleString("en-US") }));
    await page.screenshot({ path: shot("10-aborted-en-1366") });
    expect(pageErrors(page)).toEqual([]);
  });

  it("says where a mark stopped and what the controller said when a limit switch trips, in the page's words", async () => {
    await startMark(page, "RA104224");
    await bench.app.peenmark.runner.head.sim!.act("hardLimit");
    await until(page, "document.getElementById('job-panel').dataset.state === 'interrupted'");
    const outcome = page.locator("#job-outcome");
    expect(await outcome.locator("p").first().textContent()).toMatch(/^The mark of RA104224 was interrupted at line [\d,]+ of [\d,]+\.$/);
    expect(await outcome.locator(".controller-message").textContent()).toBe(say(en, "alarm.1"));
    // The controller's own words are kept, folded away, for maintenance.
    expect(await outcome.locator("details .technical").textContent()).toMatch(/Hard limit/);
    expect(await outcome.locator(".problem > span").textContent()).toBe(en["err.controllerAlarm"]);
    expect(await outcome.locator(".problem code").textContent()).toBe("ALARM:1");
    expect(await outcome.locator("p").last().textContent()).toBe(en["guide.interrupted"]);
    await until(page, "!document.getElementById('home-btn').hidden");
    await page.waitForSelector("#interrupted:not([hidden])");
    expect(await page.textContent("#interrupted-list li")).toContain("RA104224");
    expect(await page.textContent("#job-errors"), "the outcome says it once").toBe("");
    expect(await offScreen(page, ["#job-outcome", "#home-btn"])).toEqual([]);
    await page.screenshot({ path: shot("15-limit-switch-en-1366") });
    const audit = await auditText(page);
    expect(audit.untranslated).toEqual([]);
    expect(mistranslated(audit, en)).toEqual([]);
    expect(pageErrors(page)).toEqual([]);
  });

  it("shows the preview at real size once the screen is calibrated against a ruler, and remembers it for this screen", async () => {
    await home(page);
    await receiverRecord(page);
    await scan(page, "RA104225");
    await lookAtPreview(page);
    await page.selectOption("#zoom", "1");
    // Not calibrated yet: the page says actual size may be off.
    expect(await page.isVisible("#calibration-note")).toBe(true);
    await page.click("#settings-btn");
    await page.waitForSelector("#settings-dialog[open]");
    // 4.1 CSS px per mm is what a 15.6″ 1366×768 panel shows at 100 % zoom (the browser assumes 3.78).
    await page.$eval("#ruler-range", (el) => {
      (el as HTMLInputElement).value = "4.1";
      el.dispatchEvent(new Event("input"));
    });
    expect(await page.evaluate("document.getElementById('ruler-bar').getBoundingClientRect().width")).toBeCloseTo(410, 0);
    await page.screenshot({ path: shot("17-calibrate-en-1366") });
    await page.click("#settings-form button[type=submit]");
    const widthMm = Number(await page.getAttribute("#preview-figure svg", "data-width-mm"));
    expect(await page.evaluate("document.querySelector('#preview-figure svg').getBoundingClientRect().width")).toBeCloseTo(widthMm * 4.1, 0);
    expect(await page.isVisible("#calibration-note")).toBe(false);
    // Remembered for this screen, across a reload.
    await page.reload();
    await page.waitForSelector("body[data-ready='1']");
    expect(await page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('peenmark.pxPerMm.'))")).toEqual(["peenmark.pxPerMm.1366x768@1"]);
    await page.selectOption("#zoom", "fit");
    expect(pageErrors(page)).toEqual([]);
  });
});
