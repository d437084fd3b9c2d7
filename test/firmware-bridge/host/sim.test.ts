import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Controller } from "../../../firmware-bridge/driver.ts";
import { expectedSettings } from "../../../firmware-bridge/settings-check.ts";
import type { JobOutcome } from "../../../firmware-bridge/streamer.ts";
import { RealtimeClock, registerSimHead, SimBinding, SimHead, startPtyHead, type PtyHead, type SimFaults, type Strike } from "../../../firmware-bridge/sim/index.ts";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { simHeadOf } from "../../../src/job/head.ts";
import { loadStation } from "../../../src/profile/load.ts";
import { dotProgram, grid, isStrike } from "./fake-grbl.ts";
import { LockstepClock } from "./lockstep.ts";

/**
 * The host side against the simulated head: a real program through the Controller, over
 * serialport, in process (SimBinding) and over a socat pseudo-terminal, and the head's fault
 * injection. What is asserted is what the workpiece shows: the strikes the pin made.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let counter = 0;
/**
 * A head in this process behind SimBinding. "realtime": virtual time follows the wall clock, as
 * at the bench (the host's milliseconds of latency are then as small against the head's motion
 * as they are for real). "lockstep": one head event per turn of the event loop, so a loaded
 * test machine cannot starve the head and the line numbers come out the same every run.
 */
const station = loadStation(fileURLToPath(new URL("../../../stations/bench.json", import.meta.url)));
/** The bench head, set up for the station (stock GRBL 1.1h: it homes into negative machine space). */
const benchHead = (faults: SimFaults = {}) => new SimHead({ ...simHeadOf(station), faults });

function inProcess(faults: SimFaults = {}, time: "realtime" | "lockstep" = "lockstep"): { head: SimHead; controller: Controller } {
  const head = benchHead(faults);
  const path = `sim://host-test-${process.pid}-${++counter}`;
  cleanups.push(registerSimHead(path, head, time === "realtime" ? new RealtimeClock(head) : new LockstepClock(head)));
  const controller = new Controller({ link: { path, binding: SimBinding }, statusHz: 20 });
  cleanups.push(() => controller.close());
  return { head, controller };
}

const expected = expectedSettings(station.machine);
const dots = grid(12);
const program = dotProgram(dots);
/** N number of a program line (1-based position). */
const nOf = (position: number) => Number(/^N(\d+)/.exec(program[position - 1]!)![1]);
const positionOfN = (n: number) => program.findIndex((l) => new RegExp(`^N${n}[A-Z]`).test(l)) + 1;
/** Position of the rapid to dot k (1-based). */
const rapidTo = (k: number) => program.findIndex((l) => l.includes(`G0X${dots[k - 1]!.x}Y${dots[k - 1]!.y}`)) + 1;

/** Where homing left the head, which G54 makes the program's 0,0 (driver.ts ensureWorkOffset). */
let g54 = { x: 0, y: 0, z: 0 };
/** Strikes in the program's coordinates (the head strikes in machine coordinates). */
const work = (strikes: readonly Strike[]) => strikes.map((s) => ({ x: +(s.x - g54.x).toFixed(4), y: +(s.y - g54.y).toFixed(4), force: s.force }));

function expectDotsStruck(strikes: readonly Strike[], count: number): void {
  // S700 is PWM 178 of 255: 69.8 %.
  expect(work(strikes)).toEqual(dots.slice(0, count).map((d) => ({ x: d.x, y: d.y, force: 69.8 })));
}

async function prepared(c: Controller): Promise<void> {
  await c.connect();
  await c.prepare(expected);
  g54 = await c.readWorkOffset();
}

/** Follow the job on its path, as the station does. */
const RUN = { strikes: isStrike, positionTolerance: station.machine.positionTolerance };

describe("streaming to the simulated head", () => {
  it("in process through serialport, in real time: the job completes and every dot is struck once, where the program says", async () => {
    const { head, controller } = inProcess({}, "realtime");
    await prepared(controller);
    const outcome = await controller.run(program, RUN);
    expect(outcome).toMatchObject({ outcome: "completed", lastExecutedLine: program.length, strikesDone: 12, strikesTotal: 12 });
    expectDotsStruck(head.strikes, 12);
    expect(head.lostBytes).toBe(0);
  });

  it("a real program (the slide-5x7 golden): completed, each dot struck once where and as hard as the program says", async () => {
    const lines = readFileSync(new URL("../../golden/slide-5x7.gcode", import.meta.url), "utf8").split("\n").filter((l) => l !== "");
    // Where the program strikes: each strike block fires at the rapid target before it, at the modal S.
    const wanted: { x: number; y: number }[] = [];
    let at = { x: 0, y: 0 };
    for (const l of lines) {
      const g0 = /G0X(-?[\d.]+)Y(-?[\d.]+)/.exec(l);
      if (g0) at = { x: Number(g0[1]), y: Number(g0[2]) };
      if (isStrike(l)) wanted.push(at);
    }
    expect(wanted.length).toBeGreaterThan(300);
    const { head, controller } = inProcess();
    await prepared(controller);
    const outcome = await controller.run(lines, RUN);
    expect(outcome).toMatchObject({ outcome: "completed", lastExecutedLine: lines.length, strikesDone: wanted.length, strikesTotal: wanted.length });
    // At the planned place to within the head's step (80 steps/mm: 0.0125 mm), S750 as PWM 191 (74.9 %).
    const got = work(head.strikes);
    expect(got).toHaveLength(wanted.length);
    got.forEach((s, i) => {
      expect(Math.abs(s.x - wanted[i]!.x)).toBeLessThanOrEqual(0.00625 + 1e-9);
      expect(Math.abs(s.y - wanted[i]!.y)).toBeLessThanOrEqual(0.00625 + 1e-9);
      expect(s.force).toBe(74.9);
    });
    expect(head.lostBytes).toBe(0);
  });

  it("over a socat pseudo-terminal with the OS serial binding: the same job, the same dots", async () => {
    const head = benchHead();
    const link = join(mkdtempSync(join(tmpdir(), "peenmark-sim-")), "head");
    const pty: PtyHead = await startPtyHead({ link, head, clock: "realtime" });
    cleanups.push(() => pty.close());
    const controller = new Controller({ link: { path: link }, statusHz: 20 });
    cleanups.push(() => controller.close());
    await prepared(controller);
    const outcome = await controller.run(program, RUN);
    expect(outcome).toMatchObject({ outcome: "completed", lastExecutedLine: program.length, strikesDone: 12 });
    expectDotsStruck(head.strikes, 12);
    expect(head.lostBytes).toBe(0);
  });
});

describe("the simulated head's faults", () => {
  it("a line the controller rejects fails the job with its number and text; nothing after it is struck", async () => {
    const { head, controller } = inProcess();
    await prepared(controller);
    // Dot 6's strike line is corrupted into a G-code GRBL refuses (error:23, a G with a fraction).
    const strikeOf6 = program.findIndex((l, i) => isStrike(l) && program.slice(0, i).filter(isStrike).length === 5) + 1;
    const bad = program.map((l, i) => (i + 1 === strikeOf6 ? l.replace("G1Z", "G1.5Z") : l));
    const outcome = await controller.run(bad, RUN);
    expect(outcome.outcome).toBe("failed");
    expect(outcome.error).toMatchObject({ code: 23, line: strikeOf6, text: bad[strikeOf6 - 1] });
    expect(outcome.reason).toContain(`line ${strikeOf6} "${bad[strikeOf6 - 1]}" was rejected: error:23`);
    // GRBL parses far ahead of the motion: the error comes back while the head is still on its
    // first dots, and the hold and reset stop it there. What was struck is dots 1… in order,
    // never dot 6, and the outcome counts no strike the head did not make.
    const struck = head.strikes.length;
    expect(struck).toBeLessThan(6);
    expectDotsStruck(head.strikes, struck);
    expect(outcome.strikesDone).toBeLessThanOrEqual(struck);
  });

  it("ALARM at line N ends the job interrupted at the last executed line; nothing from line N on is struck", async () => {
    const alarmN = nOf(rapidTo(8));
    const { head, controller } = inProcess({ alarmAtLine: { line: alarmN, alarm: 1 } });
    await prepared(controller);
    const outcome = await controller.run(program, RUN);
    expect(outcome.outcome).toBe("interrupted");
    expect(outcome.alarm).toMatchObject({ code: 1, name: "Hard limit" });
    expect(outcome.lastExecutedLine).toBeLessThan(positionOfN(alarmN));
    expect(outcome.strikesDone).toBeLessThanOrEqual(7);
    expectDotsStruck(head.strikes, 7);
    expect(head.strikes.every((s) => s.line < alarmN)).toBe(true);
    // A hard limit locks the controller until a reset; homing on request resets it first and
    // leaves the head ready again. Nothing of the job is sent again.
    const sentBefore = head.strikes.length;
    await controller.home();
    expect((await controller.refreshStatus()).state).toBe("Idle");
    // Homed again: at the work area's origin, which is G54 (Z pulled off its switch, −$27).
    expect(controller.status.position).toEqual({ x: g54.x, y: g54.y, z: -1 });
    expect(head.strikes.length).toBe(sentBefore);
  });

  it("a reset mid-job (e-stop) ends the job interrupted with the line reached", async () => {
    const resetN = nOf(rapidTo(4));
    const { head, controller } = inProcess({ resetAtLine: resetN });
    await prepared(controller);
    const outcome = await controller.run(program, RUN);
    expect(outcome.outcome).toBe("interrupted");
    // Reset while moving: GRBL reports ALARM:3 before greeting again.
    expect(outcome.alarm).toMatchObject({ code: 3 });
    expect(outcome.lastExecutedLine).toBeLessThan(positionOfN(resetN));
    expectDotsStruck(head.strikes, 3);
    // Confirmed from the positions the head reported; the rest is reported as maybe run.
    expect(outcome.strikesDone).toBeLessThanOrEqual(3);
    expect(outcome.unconfirmed!.to).toBeGreaterThanOrEqual(positionOfN(resetN));
  });

  it("an unplugged cable mid-job: interrupted, the controller disconnected, no unhandled error", async () => {
    const unplugN = nOf(rapidTo(5));
    const { head, controller } = inProcess({ unplugAtLine: unplugN });
    await prepared(controller);
    const outcome = await controller.run(program, RUN);
    expect(outcome.outcome).toBe("interrupted");
    expect(outcome.reason).toMatch(/link to the controller was lost/);
    expect(controller.status.state).toBe("disconnected");
    expect(outcome.lastExecutedLine).toBeLessThan(positionOfN(unplugN));
    // The host counts only what the controller confirmed before the line went dead; the
    // head got no further than dot 4.
    const struck = [...new Set(work(head.strikes).map((s) => `${s.x},${s.y}`))];
    expect(struck).toEqual(dots.slice(0, 4).map((d) => `${d.x},${d.y}`));
    expect(outcome.strikesDone).toBeLessThanOrEqual(4);
  });

  it("pause mid-job: the head stops between two strikes, pin off, without a feed hold; resume finishes; every dot struck once", async () => {
    const { head, controller } = inProcess();
    await prepared(controller);
    const states: string[] = [];
    controller.on("state", (st) => states.push(st));
    let drained = false;
    controller.on("progress", (p) => (drained ||= p.drained));
    let paused = false;
    head.on("strike", () => {
      if (!paused && head.strikes.length === 3) {
        paused = true;
        void controller.pause();
      }
    });
    // A program longer than the controller's buffers (the planner holds 15 blocks: 7 strikes).
    const long = dotProgram(grid(40));
    const job = controller.run(long, RUN);
    for (let i = 0; i < 2000 && !drained; i++) await new Promise((r) => setTimeout(r, 5));
    expect(drained).toBe(true);
    // It finished what the controller held and stands with the pin off.
    // What the controller held when Pause came: its 15 planner blocks (7 strike pairs) and the
    // 128 bytes of its RX buffer (6 more): at most 13 strikes after the third.
    const held = head.strikes.length;
    expect(held).toBeGreaterThanOrEqual(3);
    expect(held).toBeLessThanOrEqual(3 + 13);
    expect(head.pinIntervals.at(-1)!.off).toBeDefined();
    await new Promise((r) => setTimeout(r, 100));
    expect(head.strikes.length).toBe(held);
    await controller.resume();
    const outcome = await job;
    expect(outcome.outcome).toBe("completed");
    expect(work(head.strikes)).toEqual(grid(40).map((d) => ({ x: d.x, y: d.y, force: 69.8 })));
    expect(states).not.toContain("Hold");
    // Every strike a whole one, at rest.
    for (const p of head.pinIntervals.filter((q) => q.line > 0)) {
      expect(p.off! - p.on).toBeGreaterThan(0.0099);
      expect(p.off! - p.on).toBeLessThan(0.0106);
      expect(p.distance).toBe(0);
    }
  });

  it("over a pty, the cable pulled mid-job: interrupted, disconnected, dots up to there struck once", async () => {
    const head = benchHead();
    const link = join(mkdtempSync(join(tmpdir(), "peenmark-sim-")), "head");
    const pty: PtyHead = await startPtyHead({ link, head, clock: "realtime" });
    cleanups.push(() => pty.close());
    const controller = new Controller({ link: { path: link }, statusHz: 20 });
    cleanups.push(() => controller.close());
    await prepared(controller);
    head.on("strike", () => {
      // The cable comes out between two events of the head, not inside one.
      if (head.strikes.length === 4) setImmediate(() => void pty.unplug());
    });
    const outcome = await controller.run(program, RUN);
    expect(outcome.outcome).toBe("interrupted");
    expect(controller.status.state).toBe("disconnected");
    expect(controller.link.state).toBe("disconnected");
    expect(outcome.strikesDone).toBeLessThanOrEqual(4);
    expectDotsStruck(head.strikes, 4);
  });

  it("abort mid-job: feed hold, reset, pin off — nothing is struck after the outcome", async () => {
    const { head, controller } = inProcess();
    await prepared(controller);
    let job: Promise<JobOutcome> | undefined;
    head.on("strike", () => {
      if (head.strikes.length === 5) controller.abort();
    });
    const long = dotProgram(grid(40));
    job = controller.run(long, RUN);
    const outcome = await job;
    expect(outcome.outcome).toBe("aborted");
    const struck = head.strikes.length;
    // The hold cannot slow segments already prepared: a strike or two more, each whole, at rest.
    expect(struck).toBeGreaterThanOrEqual(5);
    expect(struck).toBeLessThan(5 + 3);
    for (const p of head.pinIntervals) expect(p.off! - p.on).toBeGreaterThan(0.0099);
    // The count the outcome gives is what the head reported doing (its position at Hold:0).
    expect(outcome.strikesDone).toBe(struck);
    // Let the head run on for a while of virtual time: the pin stays still.
    head.advance(5);
    expect(head.strikes.length).toBe(struck);
    expect(work(head.strikes)).toEqual(grid(40).slice(0, struck).map((d) => ({ x: d.x, y: d.y, force: 69.8 })));
  });
});
