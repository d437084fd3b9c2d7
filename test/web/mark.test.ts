import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeId, auditText, dictionary, jobState, launchBrowser, mistranslated, openPage, pageErrors, say, scan, shot, startStation, struckDots, until, type BenchStation } from "./bench.ts";

/**
 * A technician at the bench, through the page, against the real station service on the
 * simulated head: scan, preview, mark and watch the strikes land; a record the service
 * refuses, shown at its field; pause and resume; abort with its confirmation.
 */
const en = dictionary("en");
let bench: BenchStation;
let browser: Browser;
let page: Page;

/** Pick the US receiver profile and fill what its defaults leave empty. */
async function receiverRecord(p: Page): Promise<void> {
  await p.selectOption("#profile", "us-receiver");
  await p.fill("#f-model", "RX-9");
  await p.fill("#f-caliber", "9MM");
  await p.fill("#f-technician", "Ana Ruiz");
  await p.focus("#f-serial");
}

async function startMark(p: Page, serial: string): Promise<void> {
  await receiverRecord(p);
  await scan(p, serial);
  await p.waitForSelector("#preview-figure svg");
  await p.click("#mark-btn");
  await until(p, "document.getElementById('job-panel').dataset.state === 'marking' && document.querySelectorAll('#preview-figure .struck').length > 0");
}

const strikesDone = async (p: Page): Promise<number> => Number(/Strikes and scribe moves ([\d,]+) of/.exec((await p.textContent("#job-numbers")) ?? "")?.[1]?.replace(/,/g, "") ?? NaN);

beforeAll(async () => {
  bench = await startStation();
  browser = await launchBrowser();
  page = await openPage(browser, bench.url, "en-US");
});

afterAll(async () => {
  await browser?.close();
  await bench?.close();
});

describe("the technician's page", () => {
  it("marks a part: scan the serial, check the preview, Mark, watch it to completed", async () => {
    expect(await activeId(page), "the serial field has the focus on load").toBe("f-serial");
    // The head powers up in alarm until it is homed: the page offers Home.
    await until(page, "!document.getElementById('home-btn').hidden");
    expect(await page.textContent("#ctl-homed")).toBe(en["ctl.alarm"]);
    await page.screenshot({ path: shot("01-start-of-shift"), fullPage: false });
    await page.click("#home-btn");
    await until(page, "document.getElementById('home-btn').hidden && document.getElementById('ctl-state').textContent === 'Idle'");
    await receiverRecord(page);
    await page.screenshot({ path: shot("02-record"), fullPage: true });
    await scan(page, "RA104220");
    await page.waitForSelector("#preview-figure svg");
    // The preview: one row per block with the cap height asked and measured.
    const rows = (await page.evaluate("[...document.querySelectorAll('#block-rows tr')].map((tr) => [...tr.children].map((c) => c.textContent.trim()))")) as string[][];
    expect(rows.map((r) => r[0])).toEqual(["serial", "maker", "model"]);
    expect(rows[0]![1]).toBe("RA104220");
    expect(rows[0]![3]).toBe("3.00 mm");
    expect(rows[0]![4]).toMatch(/^\d\.\d{3} mm$/);
    expect(await page.textContent("#figures")).toMatch(/^Strikes: \d+ · Scribed: [\d.]+ mm · Estimated time: \d+ s · Program: [\d,]+ lines$/);
    expect(await page.isEnabled("#mark-btn")).toBe(true);
    await page.screenshot({ path: shot("03-preview"), fullPage: true });

    const strikes = await page.locator("#preview-figure g.strikes circle").count();
    await page.click("#mark-btn");
    await until(page, "document.getElementById('job-panel').dataset.state === 'marking' && document.querySelectorAll('#preview-figure circle.struck').length > 20");
    expect(await page.isDisabled("#f-serial"), "the record is locked while marking").toBe(true);
    await until(page, "document.querySelectorAll('#preview-figure path.struck').length > 0");
    await page.screenshot({ path: shot("04-marking"), fullPage: true });

    await until(page, "document.getElementById('job-panel').dataset.state === 'completed'", 150_000);
    expect(await page.textContent("#job-outcome")).toBe(say(en, "outcome.completed", { serial: "RA104220" }));
    expect(await struckDots(page), "every dot of the preview is struck").toBe(strikes);
    expect(await page.evaluate("(() => { const b = document.getElementById('job-progress'); return b.value === b.max && b.max > 1; })()"), "the progress bar is full").toBe(true);
    // Ready for the next part: serial cleared and focused, the rest of the record kept.
    expect(await page.inputValue("#f-serial")).toBe("");
    expect(await activeId(page)).toBe("f-serial");
    expect(await page.inputValue("#f-model")).toBe("RX-9");
    await page.screenshot({ path: shot("05-completed"), fullPage: true });

    const { jobs } = (await (await fetch(`${bench.url}api/journal?serial=RA104220`)).json()) as { jobs: { state: string; technician: string }[] };
    expect(jobs.map((j) => [j.state, j.technician])).toEqual([["completed", "Ana Ruiz"]]);
    const audit = await auditText(page);
    expect(audit.untranslated).toEqual([]);
    expect(mistranslated(audit, en)).toEqual([]);
  }, 180_000);

  it("shows what the service refuses next to the field it names, in plain words with the code", async () => {
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
    await page.screenshot({ path: shot("06-field-error"), fullPage: true });

    // A serial the US rules refuse, at the serial field.
    await page.fill("#f-place-city", "Prescott");
    await page.fill("#f-serial", "RA-4221");
    await page.click("#preview-btn");
    await page.waitForSelector("#f-serial-error:not([hidden])");
    expect(await page.textContent("#f-serial-error .problem > span")).toBe(en["err.E_SERIAL_RULE"]);
    expect(await page.textContent("#f-serial-error code")).toBe("E_SERIAL_RULE");
    expect(await page.isVisible("#f-place-city-error"), "the corrected field's message is gone").toBe(false);

    // The serial marked in the first test: the journal refuses it at Mark.
    await page.fill("#f-serial", "RA104220");
    await page.click("#preview-btn");
    await until(page, "!document.getElementById('mark-btn').disabled");
    await page.click("#mark-btn");
    await page.waitForSelector("#f-serial-error:not([hidden])");
    expect(await page.textContent("#f-serial-error code")).toBe("E_SERIAL_DUPLICATE");
    expect(await page.textContent("#f-serial-error .problem > span")).toBe(en["err.E_SERIAL_DUPLICATE"]);
    await page.locator("#record-form").screenshot({ path: shot("07-serial-duplicate") });
  });

  it("pauses and resumes: the head stops between two strikes, none lands while paused, then marking goes on", async () => {
    await startMark(page, "RA104222");
    await page.click("#pause-btn");
    await until(page, "document.getElementById('job-panel').dataset.state === 'paused'");
    expect(await page.isEnabled("#resume-btn")).toBe(true);
    expect(await page.isDisabled("#pause-btn")).toBe(true);
    expect(await page.textContent("#job-state")).toBe(en["job.status.paused"]);
    // Pause runs what the controller holds, then the head stands (no feed hold: the controller is Idle).
    await until(page, "document.getElementById('ctl-state').textContent === 'Idle'");
    const held = await strikesDone(page);
    const heldDots = await struckDots(page);
    await page.screenshot({ path: shot("08-paused"), fullPage: true });
    // The controller reports at 5 Hz; a second of reports with the head held.
    await page.waitForTimeout(1000);
    expect(await strikesDone(page)).toBe(held);
    expect(await struckDots(page)).toBe(heldDots);

    await page.click("#resume-btn");
    await until(page, "document.getElementById('job-panel').dataset.state === 'marking'");
    await until(page, `Number((/Strikes and scribe moves ([\\d,]+) of/.exec(document.getElementById('job-numbers').textContent) ?? [])[1]?.replace(/,/g, '')) > ${held}`);
    expect(await jobState(page)).toBe("marking");
    await until(page, "document.getElementById('job-panel').dataset.state === 'completed'", 150_000);
  }, 180_000);

  it("aborts only after the technician confirms, and says where the mark stopped", async () => {
    await startMark(page, "RA104223");
    await page.click("#abort-btn");
    await page.waitForSelector("#abort-dialog[open]");
    expect(await page.textContent("#abort-title")).toBe(en["abort.title"]);
    expect(await page.evaluate("document.activeElement.value"), "the safe choice has the focus").toBe("cancel");
    await page.screenshot({ path: shot("09-abort-confirm") });
    await page.click("#abort-dialog button[value=cancel]");
    expect(await page.isVisible("#abort-dialog")).toBe(false);
    expect(await jobState(page)).toBe("marking");

    await page.click("#abort-btn");
    await page.click("#abort-dialog button[value=abort]");
    await until(page, "document.getElementById('job-panel').dataset.state === 'aborted'", 20_000);
    const outcome = (await page.textContent("#job-outcome")) ?? "";
    expect(outcome).toMatch(new RegExp(`^${say(en, "outcome.aborted", { serial: "RA104223", line: "(\\d+)", total: "([\\d,]+)" }).replace(/\./g, "\\.")}$`));
    const { job } = (await (await fetch(`${bench.url}api/jobs/current`)).json()) as { job: unknown };
    expect(job).toBeNull();
    const { jobs } = (await (await fetch(`${bench.url}api/journal?serial=RA104223`)).json()) as { jobs: { state: string; progress: { linesExecuted: number; linesTotal: number } }[] };
    expect(jobs[0]!.state).toBe("aborted");
    expect(jobs[0]!.progress.linesExecuted).toBeLessThan(jobs[0]!.progress.linesTotal);
    expect(outcome).toContain(`line ${jobs[0]!.progress.linesExecuted.toLocaleString("en-US")} of`);
    await page.screenshot({ path: shot("10-aborted"), fullPage: true });
    expect(pageErrors(page)).toEqual([]);
  });

  it("says where a mark stopped and what the controller said when a limit switch trips", async () => {
    await startMark(page, "RA104224");
    bench.app.peenmark.runner.head.sim!.hardLimit();
    await until(page, "document.getElementById('job-panel').dataset.state === 'interrupted'");
    const outcome = page.locator("#job-outcome");
    expect(await outcome.locator("p").first().textContent()).toMatch(/^The mark of RA104224 was interrupted at line [\d,]+ of [\d,]+\.$/);
    expect(await outcome.locator(".controller-message").textContent()).toMatch(/ALARM:1 \(Hard limit\)/);
    expect(await outcome.locator(".problem > span").textContent()).toBe(en["err.controllerAlarm"]);
    expect(await outcome.locator("code").textContent()).toBe("ALARM:1");
    expect(await outcome.locator("p").last().textContent()).toBe(en["guide.interrupted"]);
    // The head lost its position: the controller line asks for a home, and the job waits for a re-mark.
    await until(page, "!document.getElementById('home-btn').hidden");
    await page.waitForSelector("#interrupted:not([hidden])");
    expect(await page.textContent("#interrupted-list li")).toContain("RA104224");
    expect(await page.textContent("#job-errors"), "the outcome says it once").toBe("");
    expect(await page.isVisible("#station-errors")).toBe(false);
    await page.screenshot({ path: shot("15-limit-switch"), fullPage: true });
    const audit = await auditText(page);
    expect(audit.untranslated).toEqual([]);
    expect(mistranslated(audit, en)).toEqual([]);
    expect(pageErrors(page)).toEqual([]);
  });
});
