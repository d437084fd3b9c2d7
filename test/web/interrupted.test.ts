import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeId, auditText, dictionary, launchBrowser, lookAtPreview, mistranslated, openPage, pageErrors, REPO, say, SCANNER_SETTINGS, SCREENS, shot, startStation, until, type BenchStation } from "./bench.ts";

/**
 * A mark cut short by a dead station (power cut, crash): `peenmark station` is killed
 * mid-mark, the next start finds the job interrupted, and the page leads the technician
 * through re-home and re-mark, which needs an operator's name and a written reason.
 */
const en = dictionary("en");
const RECORD = {
  serial: "RA104230",
  manufacturer: "Ridgeline Arms LLC",
  place: { city: "Prescott", state: "AZ", country: { code: "US", name: "United States" } },
  model: "RX-9",
  caliber: "9MM",
};
let dataDir: string;
let child: ChildProcess | undefined;
let bench: BenchStation | undefined;
let browser: Browser;

/** `peenmark station --port 0` as a child process; resolves with its page's address. */
function startChildStation(): Promise<string> {
  child = spawn(process.execPath, [join(REPO, "bin", "peenmark.mjs"), "station", "--port", "0", "--data", dataDir], { cwd: REPO, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, PEENMARK_LOG: "warn" } });
  return new Promise((resolve, reject) => {
    let err = "";
    child!.stderr!.on("data", (b: Buffer) => {
      err += b.toString();
      const m = /peenmark station: (http:\/\/\S+\/)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child!.on("exit", (code) => reject(new Error(`peenmark station exited (${code}) before it was ready:\n${err}`)));
  });
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  return (await res.json()) as T;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "peenmark-web-crash-"));
  browser = await launchBrowser();
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await browser?.close();
  await bench?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("an interrupted mark", () => {
  it("is offered for re-home and re-mark after the station died mid-mark", async () => {
    const url = await startChildStation();
    const started = await json<{ job: { id: number } }>(`${url}api/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ profileId: "us-receiver", record: RECORD, technician: "Ana Ruiz" }) });
    const id = started.job.id;
    for (;;) {
      const { job } = await json<{ job: { progress: { linesExecuted: number } } | null }>(`${url}api/jobs/current`);
      if ((job?.progress.linesExecuted ?? 0) > 100) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // The station dies without a word: no abort, no journal update after this instant.
    const exited = new Promise((r) => child!.once("exit", r));
    child!.kill("SIGKILL");
    await exited;
    child = undefined;

    bench = await startStation(10, dataDir);
    const page = await openPage(browser, bench.url, "en-US", SCREENS.large, SCANNER_SETTINGS);
    await page.waitForSelector("#interrupted:not([hidden])");
    const item = (await page.textContent("#interrupted-list li")) ?? "";
    expect(item).toContain("RA104230");
    expect(item).toMatch(/profile us-receiver, stopped at line \d+ of [\d,]+/);
    expect(await page.textContent("#interrupted > p")).toBe(en["guide.interrupted"]);
    await page.screenshot({ path: shot("13-interrupted-en-1366"), fullPage: false });

    // Re-home first, as the guidance says.
    await page.click("#home-btn");
    await until(page, "document.getElementById('home-btn').hidden");

    await page.click(`#interrupted-list button[data-job="${id}"]`);
    await page.waitForSelector("#remark-box:not([hidden])");
    await lookAtPreview(page);
    expect(await page.inputValue("#f-serial"), "the interrupted job's record is back in the form").toBe("RA104230");
    expect(await page.inputValue("#f-model")).toBe("RX-9");
    expect(await activeId(page)).toBe("f-remark-operator");
    expect(await page.inputValue("#f-technician")).toBe("");

    // Mark without names and reason: each missing one is named at its field.
    await page.click("#mark-btn");
    expect(await page.textContent("#f-technician-error .problem > span")).toBe(en["err.technicianMissing"]);
    expect(await page.textContent("#f-remark-operator-error .problem > span")).toBe(en["err.operatorMissing"]);
    expect(await page.textContent("#f-remark-reason-error .problem > span")).toBe(en["err.reasonMissing"]);

    // A reason too short for the journal: the service's rule, shown at the reason.
    await page.fill("#f-technician", "Ana Ruiz");
    await page.fill("#f-remark-operator", "Marta Ortiz");
    await page.fill("#f-remark-reason", "power");
    await page.click("#mark-btn");
    await page.waitForSelector("#f-remark-reason-error:not([hidden])");
    expect(await page.textContent("#f-remark-reason-error .problem > span")).toBe(say(en, "issue.tooShort", { n: "10" }));

    const reason = "Power cut mid-mark; part left clamped, head re-homed, first line checked";
    await page.fill("#f-remark-reason", reason);
    await page.screenshot({ path: shot("14-remark-en-1366") });
    const audit = await auditText(page);
    expect(audit.untranslated).toEqual([]);
    expect(mistranslated(audit, en)).toEqual([]);
    await page.click("#mark-btn");
    await until(page, "document.getElementById('job-panel').dataset.state === 'completed'", 150_000);
    expect(await page.textContent("#job-outcome")).toBe(say(en, "outcome.completed", { serial: "RA104230" }));
    await until(page, "document.getElementById('interrupted').hidden && document.getElementById('remark-box').hidden");

    const { jobs } = await json<{ jobs: { id: number; state: string; remarkOf?: number; reason?: string; authorisedBy?: string }[] }>(`${bench.url}api/journal?serial=RA104230`);
    expect(jobs.map((j) => j.state).sort()).toEqual(["completed", "interrupted"]);
    const remark = jobs.find((j) => j.state === "completed")!;
    expect([remark.remarkOf, remark.reason, remark.authorisedBy]).toEqual([id, reason, "Marta Ortiz"]);

    // The journal view says which job the re-mark repeats, who allowed it and why.
    await page.click("nav .tab[data-view=journal]");
    await page.fill("#journal-serial", "RA104230");
    await page.keyboard.press("Enter");
    await until(page, "document.querySelectorAll('#journal-rows tr').length === 2");
    const notes = await page.locator("#journal-rows tr td:last-child").allTextContents();
    expect(await page.locator("#journal-rows tr td:first-child").allTextContents()).toEqual([String(remark.id), String(id)]);
    expect(notes[0]).toBe(`${say(en, "journal.remarkOf", { id: String(id), by: "Marta Ortiz" })} ${reason}`);
    expect(notes[1]).toMatch(/^stopped at line \d+ of [\d,]+$/);
    await page.screenshot({ path: shot("16-journal-en-1366"), fullPage: false });
    expect(pageErrors(page)).toEqual([]);
  }, 180_000);
});
