import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Controller } from "../../../firmware-bridge/driver.ts";
import { expectedSettings } from "../../../firmware-bridge/settings-check.ts";
import type { JobOutcome } from "../../../firmware-bridge/streamer.ts";
import { BENCH_MACHINE, RealtimeClock, registerSimHead, SimBinding, SimHead, startPtyHead, type PtyHead, type SimFaults, type Strike } from "../../../firmware-bridge/sim/index.ts";
import { readFileSync } from "node:fs";
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
function inProcess(faults: SimFaults = {}, time: "realtime" | "lockstep" = "lockstep"): { head: SimHead; controller: Controller } {
  const head = new SimHead({ faults });
  const path = `sim://host-test-${process.pid}-${++counter}`;
  cleanups.push(registerSimHead(path, head, time === "realtime" ? new RealtimeClock(head) : new LockstepClock(head)));
  const controller = new Controller({ link: { path, binding: SimBinding }, statusHz: 20 });
  cleanups.push(() => controller.close());
  return { head, controller };
}

const expected = expectedSettings(BENCH_MACHINE);
const dots = grid(12);
const program = dotProgram(dots);
/** N number of a program line (1-based position). */
const nOf = (position: number) => Number(/^N(\d+)/.exec(program[position - 1]!)![1]);
const positionOfN = (n: number) => program.findIndex((l) => l.startsWith(`N${n}G`) || l.startsWith(`N${n}S`) || l.startsWith(`N${n}M`)) + 1;

function expectDotsStruck(strikes: readonly Strike[], count: number): void {
  expect(strikes.map((s) => ({ x: s.x, y: s.y, force: s.force }))).toEqual(dots.slice(0, count).map((d) => ({ x: d.x, y: d.y, force: 70 })));
}

async function prepared(c: Controller): Promise<void> {
  await c.connect();
  await c.prepare(expected);
}

describe("streaming to the simulated head", () => {
  it("in process through serialport, in real time: the job completes and every dot is struck once, where the program says", async () => {
    const { head, controller } = inProcess({}, "realtime");
    await prepared(controller);
    const outcome = await controller.run(program, { strikes: isStrike });
    expect(outcome).toMatchObject({ outcome: "completed", lastExecutedLine: program.length, strikesDone: 12, strikesTotal: 12 });
    expectDotsStruck(head.strikes, 12);
    expect(head.lostBytes).toBe(0);
  });

  it("a real program (the slide-5x7 golden): completed, each dot struck once where and as hard as the program says", async () => {
    const lines = readFileSync(new URL("../../golden/slide-5x7.gcode", import.meta.url), "utf8").split("\n").filter((l) => l !== "");
    // Where the program strikes: each strike line fires at the rapid target before it, with force S/10.
    const wanted: { x: number; y: number; force: number }[] = [];
    let at = { x: 0, y: 0 };
    for (const l of lines) {
      const g0 = /G0X(-?[\d.]+)Y(-?[\d.]+)/.exec(l);
      if (g0) at = { x: Number(g0[1]), y: Number(g0[2]) };
      const strike = /G1S(\d+)G4P/.exec(l);
      if (strike) wanted.push({ ...at, force: Number(strike[1]) / 10 });
    }
    expect(wanted.length).toBeGreaterThan(300);
    const { head, controller } = inProcess();
    await prepared(controller);
    const outcome = await controller.run(lines, { strikes: isStrike });
    expect(outcome).toMatchObject({ outcome: "completed", lastExecutedLine: lines.length, strikesDone: wanted.length, strikesTotal: wanted.length });
    expect(head.strikes.map((s) => ({ x: s.x, y: s.y, force: s.force }))).toEqual(wanted);
    expect(head.lostBytes).toBe(0);
  });

  it("over a socat pseudo-terminal with the OS serial binding: the same job, the same dots", async () => {
    const head = new SimHead();
    const link = join(mkdtempSync(join(tmpdir(), "peenmark-sim-")), "head");
    const pty: PtyHead = await startPtyHead({ link, head, clock: "realtime" });
    cleanups.push(() => pty.close());
    const controller = new Controller({ link: { path: link }, statusHz: 20 });
    cleanups.push(() => controller.close());
    await prepared(controller);
    const outcome = await controller.run(program, { strikes: isStrike });
    expect(outcome).toMatchObject({ outcome: "completed", lastExecutedLine: program.length, strikesDone: 12 });
    expectDotsStruck(head.strikes, 12);
    expect(head.lostBytes).toBe(0);
  });
});

describe("the simulated head's faults", () => {
  it("a line the controller rejects fails the job with its number and text; nothing after it is struck", async () => {
    const { head, controller } = inProcess();
    await prepared(controller);
    // Dot 6's strike line carries a word the head does not know (G2 arcs are not in its subset).
    const bad = program.map((l, i) => (i + 1 === 3 * 6 + 3 ? l.replace("G1S", "G2S") : l));
    const outcome = await controller.run(bad, { strikes: isStrike });
    expect(outcome.outcome).toBe("failed");
    expect(outcome.error).toMatchObject({ line: 21, text: bad[20] });
    expect(outcome.reason).toContain(`line 21 "${bad[20]}" was rejected: error:${outcome.error!.code}`);
    // Dots 1–5 struck; dot 6 was not (its strike line was rejected), and the hold and reset stopped the rest.
    expectDotsStruck(head.strikes, 5);
    expect(outcome.strikesDone).toBe(5);
  });

  it("ALARM at line N ends the job interrupted at the last executed line; nothing from line N on is struck", async () => {
    const alarmN = nOf(3 * 8 + 2); // the rapid to dot 8
    const { head, controller } = inProcess({ alarmAtLine: { line: alarmN, alarm: 1 } });
    await prepared(controller);
    const outcome = await controller.run(program, { strikes: isStrike });
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
    expect(controller.status.position).toEqual({ x: 0, y: 0, z: 0 });
    expect(head.strikes.length).toBe(sentBefore);
  });

  it("a reset mid-job (e-stop) ends the job interrupted with the line reached", async () => {
    const resetN = nOf(3 * 4 + 2); // the rapid to dot 4
    const { head, controller } = inProcess({ resetAtLine: resetN });
    await prepared(controller);
    const outcome = await controller.run(program, { strikes: isStrike });
    expect(outcome.outcome).toBe("interrupted");
    // Reset while moving: GRBL reports ALARM:3 before greeting again.
    expect(outcome.alarm).toMatchObject({ code: 3 });
    expect(outcome.lastExecutedLine).toBeLessThan(positionOfN(resetN));
    expect(outcome.strikesDone).toBe(3);
    expectDotsStruck(head.strikes, 3);
  });

  it("an unplugged cable mid-job: interrupted, the controller disconnected, no unhandled error", async () => {
    const unplugN = nOf(3 * 5 + 2); // the rapid to dot 5
    const { head, controller } = inProcess({ unplugAtLine: unplugN });
    await prepared(controller);
    const outcome = await controller.run(program, { strikes: isStrike });
    expect(outcome.outcome).toBe("interrupted");
    expect(outcome.reason).toMatch(/link to the controller was lost/);
    expect(controller.status.state).toBe("disconnected");
    expect(outcome.lastExecutedLine).toBeLessThan(positionOfN(unplugN));
    // The host counts only what the controller confirmed before the line went dead; the
    // head got no further than dot 4.
    const struck = [...new Set(head.strikes.map((s) => `${s.x},${s.y}`))];
    expect(struck).toEqual(dots.slice(0, 4).map((d) => `${d.x},${d.y}`));
    expect(outcome.strikesDone).toBeLessThanOrEqual(4);
  });

  it("pause and resume mid-job: the head holds, then finishes; every dot struck once", async () => {
    const { head, controller } = inProcess();
    await prepared(controller);
    const states: string[] = [];
    controller.on("state", (st) => states.push(st));
    // Hold between dots, during the rapid to dot 4: a hold in the middle of a strike's dwell
    // switches the pin off and back on at resume, which strikes that dot again (GRBL laser mode).
    let paused = false;
    head.on("output", () => {
      if (!paused && head.strikes.length === 3 && head.machineState === "Run") {
        paused = true;
        void controller.pause();
      }
    });
    const job = controller.run(program, { strikes: isStrike });
    for (let i = 0; i < 1000 && !(controller.status.state === "Hold" && controller.status.subState === 0); i++) await new Promise((r) => setTimeout(r, 5));
    expect(controller.status).toMatchObject({ state: "Hold", subState: 0 });
    const held = head.strikes.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(head.strikes.length).toBe(held);
    await controller.resume();
    const outcome = await job;
    expect(outcome.outcome).toBe("completed");
    expectDotsStruck(head.strikes, 12);
    expect(states).toContain("Hold");
  });

  it("over a pty, the cable pulled mid-job: interrupted, disconnected, dots up to there struck once", async () => {
    const head = new SimHead();
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
    const outcome = await controller.run(program, { strikes: isStrike });
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
    job = controller.run(program, { strikes: isStrike });
    const outcome = await job;
    expect(outcome.outcome).toBe("aborted");
    const struck = head.strikes.length;
    expect(outcome.strikesDone).toBeLessThanOrEqual(struck);
    expect(struck).toBeGreaterThanOrEqual(5);
    expect(struck).toBeLessThan(12);
    // Let the head run on for a while of virtual time: the pin stays still.
    head.advance(5);
    expect(head.strikes.length).toBe(struck);
    expectDotsStruck(head.strikes, struck);
  });
});
