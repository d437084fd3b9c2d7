import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dictionary, launchBrowser, lookAtPreview, pageErrors, scan, SCANNER_SETTINGS, SCREENS, startStation, until, type BenchStation } from "./bench.ts";

/**
 * A station with tokens (the service on a network): the page asks for the bench's token,
 * remembers it, follows the job over the event stream with it, and says plainly when the
 * technician's token may not do an operator's work.
 */
const en = dictionary("en");
const TOKENS = { technician: "bench-7-technician-token", operator: "bench-7-operator-token" };
let bench: BenchStation;
let browser: Browser;

beforeAll(async () => {
  bench = await startStation(2, undefined, TOKENS);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await bench?.close();
});

describe("a station with tokens", () => {
  it("asks for the token, refuses a wrong one, marks with the technician's and keeps operators' work for operators", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: SCREENS.large });
    await context.addInitScript(SCANNER_SETTINGS);
    const page = await context.newPage();
    await page.goto(bench.url);
    await page.waitForSelector("#token-form:not([hidden])");
    expect(await page.textContent("#load-error .problem > span")).toBe(en["err.E_AUTH"]);
    expect(await page.evaluate("document.activeElement.id")).toBe("f-token");

    await page.fill("#f-token", "not-the-token");
    await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
    await page.waitForSelector("body[data-ready='0']");
    expect(await page.isVisible("#token-form")).toBe(true);
    expect(await page.textContent("#load-error code")).toBe("E_AUTH");

    await page.fill("#f-token", TOKENS.technician);
    await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
    await page.waitForSelector("body[data-ready='1']");
    expect(await page.isVisible("#token-form")).toBe(false);

    // Progress comes over the event stream, which carries the token in its URL.
    await page.selectOption("#profile", "us-receiver");
    await page.fill("#f-model", "RX-9");
    await page.fill("#f-caliber", "9MM");
    await page.fill("#f-technician", "Ana Ruiz");
    await page.focus("#f-serial");
    await scan(page, "RA700001");
    await lookAtPreview(page);
    await page.click("#mark-btn");
    await until(page, "document.querySelectorAll('#preview-figure .struck').length > 10");
    await page.click("#abort-btn");
    await page.click("#abort-dialog button[value=abort]");
    await until(page, "document.getElementById('job-panel').dataset.state === 'aborted'", 20_000);

    // Publishing a profile is an operator's work: the bench's token shows how to sign in, and the station refuses it anyway.
    await page.click("nav .tab[data-view=operator]");
    expect(await page.isVisible("#op-form")).toBe(false);
    expect(await page.textContent("#view-operator p[data-role=technician]")).toBe(en["op.signIn"]);
    expect(await page.textContent("#role-badge")).toBe(en["auth.roleTechnician"]);
    const refused = await fetch(`${bench.url}api/profiles/check`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKENS.technician}` }, body: JSON.stringify({ id: "x" }) });
    expect(refused.status).toBe(403);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it("lets an operator authorise a re-mark with their own token on the technician's page", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: SCREENS.large });
    await context.addInitScript(`${SCANNER_SETTINGS}; localStorage.setItem("peenmark.token", ${JSON.stringify(TOKENS.technician)})`);
    const page = await context.newPage();
    await page.goto(bench.url);
    await page.waitForSelector("body[data-ready='1']");
    // A mark stopped by a limit switch waits for a re-mark.
    await page.selectOption("#profile", "us-receiver");
    await page.fill("#f-model", "RX-9");
    await page.fill("#f-caliber", "9MM");
    await page.fill("#f-technician", "Ana Ruiz");
    await page.focus("#f-serial");
    await scan(page, "RA700002");
    await lookAtPreview(page);
    await page.click("#mark-btn");
    await until(page, "document.querySelectorAll('#preview-figure .struck').length > 5");
    await bench.app.peenmark.runner.head.sim!.act("hardLimit");
    await page.waitForSelector("#interrupted-list button");
    // After a limit switch the controller waits for a reset: home the head, as the page says.
    await page.click("#home-btn");
    await until(page, "document.getElementById('home-btn').hidden");

    await page.click("#interrupted-list button");
    await page.waitForSelector("#remark-token-field:not([hidden])");
    await lookAtPreview(page);
    await page.fill("#f-remark-operator", "Marta Ortiz");
    await page.fill("#f-remark-reason", "Limit switch tripped by the clamp; clamp moved, head homed");
    // The technician's token cannot authorise it.
    await page.click("#mark-btn");
    await page.waitForSelector("#form-errors code");
    expect(await page.textContent("#form-errors code")).toBe("E_FORBIDDEN");
    expect(await page.textContent("#form-errors .problem > span")).toBe(en["err.E_FORBIDDEN"]);
    // The operator's own token, for this mark only.
    await page.fill("#f-remark-token", TOKENS.operator);
    await page.click("#mark-btn");
    await until(page, "document.getElementById('job-panel').dataset.state === 'marking'");
    const { job } = (await (await fetch(`${bench.url}api/jobs/current`, { headers: { authorization: `Bearer ${TOKENS.technician}` } })).json()) as { job: { serial: string; remarkOf?: number; authorisedBy?: string } };
    expect([job.serial, job.authorisedBy, typeof job.remarkOf]).toEqual(["RA700002", "Marta Ortiz", "number"]);
    expect(await page.evaluate("localStorage.getItem('peenmark.token')"), "the operator's token is not kept").toBe(TOKENS.technician);
    await page.click("#abort-btn");
    await page.click("#abort-dialog button[value=abort]");
    await until(page, "document.getElementById('job-panel').dataset.state === 'aborted'", 20_000);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });
});
