import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, openPage, pageErrors, scan, startStation, type BenchStation } from "./bench.ts";

/**
 * The page under its own Content-Security-Policy, and what a page elsewhere can do to the
 * station through the bench computer's browser: frame it, post to it, or reach it under
 * another name (DNS rebinding, simulated with chromium's host resolver rules).
 */
let bench: BenchStation;
let browser: Browser;
let attacker: Server;
let attackerUrl: string;
let port: number;

/** Console lines that say the page broke its own policy. */
function violations(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

beforeAll(async () => {
  bench = await startStation(20);
  port = Number(new URL(bench.url).port);
  // Another origin on the same computer: a port of its own serving whatever the test says.
  attacker = createServer((req, res) => {
    const html = decodeURIComponent(new URL(req.url ?? "/", "http://x").searchParams.get("html") ?? "");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((ok) => attacker.listen(0, "127.0.0.1", ok));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: [...CHROMIUM_ARGS, "--host-resolver-rules=MAP rebind.attacker.example 127.0.0.1"] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => attacker?.close(ok));
  await bench?.close();
});

describe("the page and its Content-Security-Policy", () => {
  it("works under its own policy: no violation while it loads, previews and follows events", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    const seen = violations(page);
    await page.goto(bench.url);
    await page.waitForSelector("body[data-ready='1']");
    await page.selectOption("#profile", "us-receiver");
    await page.fill("#f-model", "RX-9");
    await page.fill("#f-caliber", "9MM");
    await page.fill("#f-technician", "Ana Ruiz");
    await page.focus("#f-serial");
    await scan(page, "RA104221");
    await page.waitForSelector("#preview-figure svg circle");
    expect(await page.evaluate("document.getElementById('ctl-state').textContent")).not.toBe("");
    expect(seen).toEqual([]);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it("cannot be framed by a page from another origin", async () => {
    const page = await (await browser.newContext()).newPage();
    const seen = violations(page);
    await page.goto(`${attackerUrl}?html=${encodeURIComponent(`<iframe id="f" src="${bench.url}" width="800" height="600"></iframe>`)}`);
    await page.waitForTimeout(1500);
    const frames = page.frames().filter((f) => f !== page.mainFrame());
    expect(frames).toHaveLength(1);
    // the frame holds chromium's error page, not the station's
    const ready = await frames[0]!.evaluate("document.body?.dataset?.ready ?? null").catch(() => null);
    expect(ready).toBeNull();
    expect(frames[0]!.url()).not.toBe(bench.url);
    expect(seen.join("\n")).toMatch(/frame-ancestors/);
  });

  it("does not let a page elsewhere move the head: text/plain is refused, JSON needs a preflight it never gets", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${attackerUrl}?html=${encodeURIComponent("<p>cat pictures</p>")}`);
    const results = (await page.evaluate(`(async () => {
      const url = ${JSON.stringify(bench.url)};
      const out = [];
      for (const path of ["api/controller/home", "api/controller/unlock", "api/jobs/1/abort"]) {
        try { await fetch(url + path, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: "{}" }); out.push(path + " sent"); } catch (e) { out.push(path + " failed"); }
        try { const r = await fetch(url + path, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }); out.push(path + " read " + r.status); } catch (e) { out.push(path + " blocked"); }
      }
      return out;
    })()`)) as string[];
    // The simple request goes out unasked and the service refuses it (403 for its Origin; the browser then hides even
    // that answer, Cross-Origin-Resource-Policy: same-origin); the JSON one never leaves its preflight.
    expect(results.filter((r) => / read /.test(r))).toEqual([]);
    expect(results.filter((r) => r.endsWith("blocked"))).toHaveLength(3);
    const controller = bench.app.peenmark.runner.head.view();
    expect(controller).toMatchObject({ homed: false, state: "Alarm" });
  });

  it("does not answer the page under another name (DNS rebinding)", async () => {
    const page = await (await browser.newContext()).newPage();
    const res = await page.goto(`http://rebind.attacker.example:${port}/`);
    expect(res?.status()).toBe(403);
    expect(JSON.parse((await res?.text()) ?? "{}").error.code).toBe("E_FORBIDDEN");
    const posted = (await page.evaluate(`fetch("/api/controller/home", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).then((r) => r.status)`)) as number;
    expect(posted).toBe(403);
    expect(bench.app.peenmark.runner.head.view().homed).toBe(false);
  });
});
