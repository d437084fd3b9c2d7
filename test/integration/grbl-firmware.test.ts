import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller } from "../../firmware-bridge/driver.ts";
import { totalTime } from "../../firmware-bridge/kinematics.ts";
import { buildFeatures, workOrigin } from "../../firmware-bridge/settings-check.ts";
import { compile } from "../../src/compile.ts";
import { fontNames } from "../../src/fonts/font.ts";
import { simHeadOf } from "../../src/job/head.ts";
import { machineLimits, programMotions } from "../../src/plan/estimate.ts";
import { loadProfile, loadRecord } from "../../src/profile/load.ts";
import { headSettings } from "../../firmware-bridge/sim/index.ts";
import { profileIds, ROOT, station } from "../compile/examples.ts";

/**
 * GRBL's own firmware in the loop: when PEENMARK_GRBL_SIM names a GRBL 1.1h build for the
 * host (gnea/grbl with grbl-sim, built outside this repository — PROTOCOL.md "Differential
 * tests"), every example profile is marked on it through `peenmark mark --port`, as a
 * technician would, and the firmware's own log of its pin output is read back: every planned
 * strike struck once, at rest, where the plan says, for the strike time; the pin never on at
 * rest outside a strike; the firmware's marking time against the compiler's estimate. Then a
 * mark with 20 pauses at random moments, checked the same way. Skipped without the variable
 * (CI has no firmware build).
 */
const BIN = process.env.PEENMARK_GRBL_SIM;
const RATE = Number(process.env.PEENMARK_GRBL_RATE ?? 4);
const m = station().machine;

interface PinInterval {
  readonly on: number;
  readonly off: number;
  readonly at: { x: number; y: number; z: number };
  readonly offAt: { x: number; y: number; z: number };
  /** The spindle direction when it came on: cw for M3 (strikes), ccw for M4 (scribe strokes). */
  readonly dir: string;
}

/** Pin-on intervals from the firmware's events log (`pin <t_us> <pwm> <x> <y> <z>`), from the n-th event on. */
function pinIntervals(events: string, fromLine = 0): PinInterval[] {
  const out: PinInterval[] = [];
  let on: { t: number; at: PinInterval["at"]; dir: string } | undefined;
  let dir = "cw";
  for (const line of events.split("\n").slice(fromLine)) {
    const f = line.split(" ");
    if (f[0] === "spindle_dir") dir = f[2]!;
    if (f[0] !== "pin") continue;
    const t = Number(f[1]) / 1e6;
    const pwm = Number(f[2]);
    const at = { x: Number(f[3]), y: Number(f[4]), z: Number(f[5]) };
    if (pwm > 0 && !on) on = { t, at, dir };
    else if (pwm === 0 && on) {
      out.push({ on: on.t, off: t, at: on.at, offAt: at, dir: on.dir });
      on = undefined;
    }
  }
  return out;
}

/**
 * Simulated seconds the job took: from its first motion (after the homing before it, which
 * ends in `state Idle`) to the end of its last motion.
 */
function markingSeconds(events: string, fromLine: number): number {
  const lines = events.split("\n").slice(fromLine);
  let from = 0;
  lines.forEach((l, i) => {
    if (/^state \d+ Home/.test(l)) from = i;
  });
  let start: number | undefined;
  let end = 0;
  let homed = !lines.some((l) => /^state \d+ Home/.test(l));
  for (const line of lines.slice(from)) {
    const f = line.split(" ");
    if (f[0] === "state" && f[2] === "Idle") homed = true;
    if (f[0] !== "motion" || !homed) continue;
    const t = Number(f[1]) / 1e6;
    if (f[2] === "start" && start === undefined) start = t;
    if (f[2] === "stop") end = t;
  }
  return end - (start ?? end);
}

const lineCount = (path: string) => (existsSync(path) ? readFileSync(path, "utf8").split("\n").length - 1 : 0);

describe.skipIf(!BIN)(`GRBL's own firmware: ${BIN ?? "(PEENMARK_GRBL_SIM unset: skipped)"}`, () => {
  const dir = mkdtempSync(join(tmpdir(), "peenmark-grbl-"));
  const link = join(dir, "grbl");
  const events = join(dir, "events.log");
  let firmware: ChildProcess;
  let g54 = { x: 0, y: 0, z: 0 };
  let runs = 0;

  beforeAll(async () => {
    // The bench head's switches: 1 mm beyond each end of its soft-limit travel; it powers up in the middle.
    const want = headSettings(simHeadOf(station()).machine!);
    for (const [id, v] of Object.entries(simHeadOf(station()).settings ?? {})) want.set(Number(id), v);
    const travel = [130, 131, 132].map((id) => want.get(id)! + 2);
    firmware = spawn(BIN!, ["--pty", link, "--rate", String(RATE), "--events", events, "--eeprom", join(dir, "eeprom"), "--travel", travel.join(","), "--start", travel.map((t) => t / 2).join(",")], { stdio: "ignore" });
    for (let i = 0; i < 200 && !existsSync(link); i++) await new Promise((r) => setTimeout(r, 20));
    // Set the controller up as a technician would for the bench station: the settings the
    // simulated head starts with, sent one by one.
    const c = new Controller({ link: { path: link }, statusHz: 0 });
    const hs = await c.connect();
    // Homing first: soft limits need it ($20=1 with $22=0 is error:10).
    const order = [...want.keys()].sort((a, b) => (a === 22 ? -1 : b === 22 ? 1 : a - b));
    for (const id of order) if (hs.settings.get(id) !== want.get(id)) await c.streamer.command(`$${id}=${want.get(id)}`);
    g54 = workOrigin(await c.readSettings(), buildFeatures(hs.options));
    await c.close();
  }, 60_000);

  afterAll(async () => {
    firmware?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Run the CLI; resolve with its exit code and output. `during` may drive it (signals, stdin). */
  function mark(id: string, during?: (child: ChildProcess) => void): Promise<{ code: number | null; out: string; err: string }> {
    // A journal per run: the examples mark the same serials again.
    const env = { ...process.env, PEENMARK_DATA: join(dir, `data-${++runs}`), PEENMARK_TECHNICIAN: "firmware test" };
    const child = spawn(process.execPath, [join(ROOT, "bin", "peenmark.mjs"), "mark", "--port", link, "--station", join(ROOT, "stations", "bench.json"), "--profile", join(ROOT, "profiles", `${id}.json`), "--record", join(ROOT, "examples", "records", `${id}.json`)], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (err += d));
    during?.(child);
    return new Promise((resolve) => child.on("close", (code) => resolve({ code, out, err })));
  }

  /** What the compiler plans for this example today (the CLI marks with today's date too). */
  function planOf(id: string) {
    const { profile } = loadProfile(join(ROOT, "profiles", `${id}.json`), { fonts: fontNames() });
    const record = loadRecord(join(ROOT, "examples", "records", `${id}.json`));
    return compile({ record, profile, station: station(), markedAt: new Date() });
  }

  function checkStrikes(id: string, from: number): { seconds: number; estimate: number } {
    const job = planOf(id);
    const log = readFileSync(events, "utf8");
    const intervals = pinIntervals(log, from);
    const planned = job.program.ops.filter((o) => o.kind === "strike");
    // Strikes are the M3 intervals: X and Y still. Scribe strokes are M4: the pin's power
    // follows the speed, so it is never on with the head at rest.
    const still = intervals.filter((p) => p.dir === "cw");
    expect(still, `${id}: one M3 interval per planned strike`).toHaveLength(planned.length);
    for (const p of still) expect(p.at.x === p.offAt.x && p.at.y === p.offAt.y, `${id}: a strike at rest`).toBe(true);
    still.forEach((p, i) => {
      const want = planned[i]!.at;
      expect(Math.abs(p.at.x - g54.x - want.x), `${id} strike ${i + 1} x`).toBeLessThan(0.01);
      expect(Math.abs(p.at.y - g54.y - want.y), `${id} strike ${i + 1} y`).toBeLessThan(0.01);
      expect(Math.abs(p.off - p.on - m.strikeTime), `${id} strike ${i + 1} pin-on time`).toBeLessThanOrEqual(0.001);
    });
    const seconds = markingSeconds(log, from);
    // The estimate from where homing leaves the head (work 0,0), where this job starts.
    const estimate = totalTime({ x: 0, y: 0, z: 0 }, programMotions(job.program), machineLimits(m));
    return { seconds, estimate };
  }

  for (const id of profileIds()) {
    it(`${id}: marked through peenmark mark --port, every strike once at rest for the strike time, firmware time ÷ estimate 0.97–1.05`, { timeout: 300_000 }, async () => {
      const from = lineCount(events);
      const r = await mark(id);
      expect(r.code, `${r.err}\n${r.out}`).toBe(0);
      expect(r.out).toMatch(/completed/);
      const { seconds, estimate } = checkStrikes(id, from);
      const ratio = seconds / estimate;
      console.log(`${id}: firmware ${seconds.toFixed(3)} s, estimate ${estimate.toFixed(3)} s, ratio ${ratio.toFixed(3)}`);
      expect(ratio).toBeGreaterThanOrEqual(0.97);
      expect(ratio).toBeLessThanOrEqual(1.05);
    });
  }

  it("20 pauses at random moments: no comet, no strike cut short, none twice, none skipped", { timeout: 600_000 }, async () => {
    let seed = 20261201;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const id of ["slide-5x7", "us-receiver"]) {
      const from = lineCount(events);
      let pauses = 0;
      const r = await mark(id, (child) => {
        const cycle = () => {
          if (pauses >= 10 || child.exitCode !== null) return;
          setTimeout(() => {
            if (child.exitCode !== null) return;
            child.kill("SIGINT"); // pause
            pauses++;
            // Long enough for the head to run what it holds (about a second of its time) and stand.
            setTimeout(() => {
              child.stdin!.write("\n"); // resume
              cycle();
            }, 1200 / RATE + 100);
          }, 100 + random() * (1500 / RATE));
        };
        // Once the job is under way (after homing: a pause then would be an abort).
        child.stderr!.on("data", function once(d: Buffer) {
          if (!/strikes [1-9]\d*\//.test(d.toString())) return;
          child.stderr!.off("data", once);
          cycle();
        });
      });
      expect(r.code, `${r.err}\n${r.out}`).toBe(0);
      expect(pauses).toBe(10);
      checkStrikes(id, from);
    }
  });
});
