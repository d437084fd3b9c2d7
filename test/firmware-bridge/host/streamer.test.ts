import { afterEach, describe, expect, it } from "vitest";
import { SerialPortMock } from "serialport";
import { Controller } from "../../../firmware-bridge/driver.ts";
import { WELCOME } from "../../../firmware-bridge/protocol.ts";
import type { JobProgress } from "../../../firmware-bridge/streamer.ts";
import { dotProgram, FakeGrbl, grid, isScribeSegment, isStrike, scribeProgram } from "./fake-grbl.ts";

const REALTIME_ONLY = new Set([0x21, 0x3f, 0x18]);

async function connected(fake: FakeGrbl): Promise<Controller> {
  const c = new Controller({ link: { path: fake.path, binding: fake.binding }, statusHz: 0 });
  await c.connect();
  return c;
}

/** Let the link deliver what is in flight (mock reads and writes settle on process ticks). */
const settle = () => new Promise((r) => setTimeout(r, 5));

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await settle();
  }
  throw new Error(`timed out waiting for ${what}`);
}

afterEach(() => SerialPortMock.binding.reset());

describe("streamer: character counting", () => {
  it("never has more unanswered line bytes in flight than the 128-byte RX buffer holds, and fills it", async () => {
    const fake = new FakeGrbl();
    const c = await connected(fake);
    fake.autoAck = false;
    const program = dotProgram(grid(60));
    const job = c.run(program, { strikes: isStrike });
    let done = false;
    void job.then(() => (done = true));
    // Answer one line at a time, as slowly as the host likes to send.
    while (!done) {
      await settle();
      fake.ack();
    }
    const outcome = await job;
    expect(outcome.outcome).toBe("completed");
    expect(fake.maxPendingBytes).toBeLessThanOrEqual(128);
    // Character counting, not send-and-wait: several lines were in the buffer at once.
    expect(fake.maxPendingBytes).toBeGreaterThan(100);
    expect(fake.lines.slice(-program.length)).toEqual(program);
    expect(outcome.strikesDone).toBe(60);
    expect(outcome.lastExecutedLine).toBe(program.length);
    await c.close();
  });

  it("uses a larger RX buffer when the idle status report's Bf: shows one (grblHAL)", async () => {
    const fake = new FakeGrbl();
    fake.bf = { blocks: 35, bytes: 1023 };
    const c = await connected(fake);
    expect(c.streamer.rxBuffer).toBe(1023);
    fake.autoAck = false;
    const job = c.run(dotProgram(grid(60)));
    let done = false;
    void job.then(() => (done = true));
    while (!done) {
      await settle();
      fake.ack();
    }
    expect((await job).outcome).toBe("completed");
    expect(fake.maxPendingBytes).toBeGreaterThan(128);
    expect(fake.maxPendingBytes).toBeLessThanOrEqual(1023);
    await c.close();
  });
});

describe("streamer: the controller rejects a line", () => {
  it("stops sending at once, holds, resets and reports the rejected line with its meaning", async () => {
    const fake = new FakeGrbl();
    const c = await connected(fake);
    fake.autoAck = false;
    const program = dotProgram(grid(30));
    const bad = 20; // 1-based position in the program
    const job = c.run(program, { strikes: isStrike });
    // What the host had put on the wire when it read the error: nothing may follow but real-time bytes.
    const sent: string[] = [];
    c.streamer.on("sent", (t) => sent.push(t));
    let sentAtError = -1;
    c.on("line", (l) => {
      if (l.kind === "error") sentAtError = sent.length;
    });
    for (;;) {
      await until(() => fake.pending.length > 0, "a line to answer");
      if (fake.pending[0]!.line === program[bad - 1]) {
        fake.ack("error:33");
        break;
      }
      fake.ack();
    }
    const outcome = await job;
    expect(outcome.outcome).toBe("failed");
    expect(outcome.error).toEqual({ code: 33, name: expect.any(String), meaning: expect.stringMatching(/\S/), line: bad, text: program[bad - 1] });
    expect(outcome.lastAckedLine).toBe(bad - 1);
    expect(outcome.reason).toContain(`line ${bad} "${program[bad - 1]}" was rejected: error:33`);
    expect(sentAtError).toBeGreaterThan(0);
    expect(sent.length).toBe(sentAtError);
    expect(outcome.lastSentLine).toBe(sentAtError);
    await settle();
    expect(fake.lines.slice(-sentAtError)).toEqual(program.slice(0, sentAtError));
    const lastLineEnd = fake.bytes.lastIndexOf(0x0a);
    const after = fake.bytes.slice(lastLineEnd + 1);
    expect(after.filter((b) => !REALTIME_ONLY.has(b))).toEqual([]);
    // Feed hold first, then the reset that switches the pin output off.
    expect(after.filter((b) => b !== 0x3f)).toEqual([0x21, 0x18]);
    await c.close();
  });
});

describe("streamer: the job is interrupted", () => {
  it("an ALARM mid-job ends it interrupted at the last line the controller reported executing", async () => {
    const fake = new FakeGrbl();
    const c = await connected(fake);
    fake.autoAck = false;
    const program = scribeProgram(36);
    const job = c.run(program, { strikes: isScribeSegment, positionTolerance: 0.01 });
    for (let i = 0; i < 25; i++) {
      await until(() => fake.pending.length > 0, "a line to answer");
      fake.ack();
    }
    // The head is halfway along the segment of N17 (program line 18): lines up to 17 are done.
    expect(program[17]).toBe("N17X16.5Y11.3");
    fake.state = "Run";
    fake.mpos = [16.25, 11.25, 0];
    fake.bf = { blocks: 8, bytes: 60 };
    fake.say(fake.status());
    await settle();
    const sentBefore = fake.bytes.length;
    fake.say("ALARM:1");
    const outcome = await job;
    expect(outcome.outcome).toBe("interrupted");
    expect(outcome.alarm).toMatchObject({ code: 1, name: "Hard limit" });
    expect(outcome.lastExecutedLine).toBe(17);
    expect(outcome.lastAckedLine).toBe(25);
    expect(outcome.unconfirmed).toEqual({ from: 18, to: 25 });
    // Segments are lines 6…41: 6…17 are done.
    expect(outcome.strikesTotal).toBe(36);
    expect(outcome.strikesDone).toBe(12);
    expect(outcome.reason).toMatch(/ALARM:1 \(Hard limit\).*line confirmed executed is 17 "N16X.*12 of 36 strikes done.*lines 18–25 were accepted and may have run/);
    expect(fake.bytes.slice(sentBefore).filter((b) => !REALTIME_ONLY.has(b))).toEqual([]);
    await c.close();
  });

  it("an unplugged cable ends the job interrupted and leaves the controller disconnected, not crashed", async () => {
    const fake = new FakeGrbl();
    const c = await connected(fake);
    fake.autoAck = false;
    const program = dotProgram(grid(30));
    const disconnected: string[] = [];
    c.on("disconnected", (e) => disconnected.push(e.code));
    const job = c.run(program, { strikes: isStrike });
    for (let i = 0; i < 10; i++) {
      await until(() => fake.pending.length > 0, "a line to answer");
      fake.ack();
    }
    await settle();
    fake.unplug();
    const outcome = await job;
    expect(outcome.outcome).toBe("interrupted");
    expect(outcome.lastAckedLine).toBe(10);
    // Line 4 (N3M3S0) synchronises the planner: acked means executed; the motion after it was never seen run.
    expect(outcome.lastExecutedLine).toBe(4);
    expect(outcome.unconfirmed).toEqual({ from: 5, to: 10 });
    expect(outcome.reason).toMatch(/link to the controller was lost/);
    expect(disconnected).toEqual(["E_LINK_DISCONNECTED"]);
    expect(c.status.state).toBe("disconnected");
    expect(c.link.state).toBe("disconnected");
    await expect(c.home()).rejects.toMatchObject({ code: "E_LINK_CLOSED" });
  });

  it("closing the controller during a job ends the job interrupted instead of leaving it waiting", async () => {
    const fake = new FakeGrbl();
    const c = await connected(fake);
    fake.autoAck = false;
    const job = c.run(dotProgram(grid(10)), { strikes: isStrike });
    for (let i = 0; i < 5; i++) {
      await until(() => fake.pending.length > 0, "a line to answer");
      fake.ack();
    }
    await settle();
    await c.close();
    const outcome = await job;
    expect(outcome.outcome).toBe("interrupted");
    expect(outcome.lastAckedLine).toBe(5);
    expect(outcome.reason).toMatch(/closed by this station during the job/);
  });

  it("a reset the host did not ask for (welcome line mid-job) ends the job interrupted", async () => {
    const fake = new FakeGrbl();
    const c = await connected(fake);
    fake.autoAck = false;
    const program = dotProgram(grid(30));
    const job = c.run(program, { strikes: isStrike });
    for (let i = 0; i < 12; i++) {
      await until(() => fake.pending.length > 0, "a line to answer");
      fake.ack();
    }
    await settle();
    const sentBefore = fake.bytes.length;
    fake.pending = [];
    fake.say(WELCOME);
    const outcome = await job;
    expect(outcome.outcome).toBe("interrupted");
    expect(outcome.reason).toMatch(/reset itself/);
    expect(outcome.lastAckedLine).toBe(12);
    // Nothing after the header's sync (N3M3S0) was seen run: the strikes may or may not have landed.
    expect(outcome.lastExecutedLine).toBe(4);
    expect(outcome.strikesDone).toBe(0);
    expect(outcome.reason).toMatch(/lines 5–12 were accepted and may have run/);
    await settle();
    expect(fake.bytes.slice(sentBefore).filter((b) => !REALTIME_ONLY.has(b))).toEqual([]);
    await c.close();
  });
});

describe("streamer: pause, resume, abort", () => {
  it("pause stops sending at a safe point and waits for the head to stand; resume sends again; no feed hold", async () => {
    const fake = new FakeGrbl();
    const c = await connected(fake);
    fake.autoAck = false;
    const program = dotProgram(grid(30));
    const progress: JobProgress[] = [];
    c.on("progress", (p) => progress.push(p));
    const job = c.run(program, { strikes: isStrike, positionTolerance: 0.01 });
    for (let i = 0; i < 9; i++) {
      await until(() => fake.pending.length > 0, "a line to answer");
      fake.ack();
    }
    const rtBefore = fake.realtime.length;
    await c.pause();
    expect(progress.at(-1)).toMatchObject({ paused: true, drained: false });
    // The controller answers what it holds; nothing more goes out.
    const sentAtPause = fake.lines.length;
    while (fake.pending.length) fake.ack();
    await settle();
    expect(fake.lines.length).toBe(sentAtPause);
    // Never between a strike and the rapid after it: the last line sent is a rapid, not a strike.
    expect(fake.lines.at(-1)).toMatch(/G0X/);
    // The head stands at the end of the last line sent: drained.
    const last = program.indexOf(fake.lines.at(-1)!);
    const [, x, y] = /X([\d.]+)Y([\d.]+)/.exec(program[last]!)!;
    const strikes = program.slice(0, last).filter(isStrike).length;
    fake.mpos = [Number(x), Number(y), strikes % 2 ? -0.004 : 0];
    fake.state = "Idle";
    fake.say(fake.status());
    await settle();
    expect(progress.at(-1)).toMatchObject({ paused: true, drained: true, executed: last + 1, strikesDone: strikes });
    await c.resume();
    await until(() => fake.pending.length > 0, "a line after resume");
    expect(fake.lines.length).toBeGreaterThan(sentAtPause);
    // Not one feed hold or cycle start: pause and resume are the host's own.
    expect(fake.realtime.slice(rtBefore).filter((b) => b !== 0x3f)).toEqual([]);
    fake.state = "Run";
    await settle();
    const sentBefore = fake.bytes.length;
    c.abort();
    const outcome = await job;
    expect(outcome.outcome).toBe("aborted");
    const after = fake.bytes.slice(sentBefore);
    expect(after.filter((b) => !REALTIME_ONLY.has(b))).toEqual([]);
    expect(after.filter((b) => b !== 0x3f)).toEqual([0x21, 0x18]);
    expect(outcome.lastExecutedLine).toBe(last + 1);
    expect(outcome.strikesDone).toBe(strikes);
    expect(outcome.reason).toMatch(/^aborted on request/);
    await c.close();
  });

  it("reports strikes done and time left as the head moves along the program", async () => {
    const fake = new FakeGrbl();
    const c = await connected(fake);
    const dots = grid(5);
    const program = dotProgram(dots);
    const progress: JobProgress[] = [];
    c.on("progress", (p) => progress.push(p));
    fake.autoAck = false;
    const job = c.run(program, { strikes: isStrike, lineSeconds: program.map(() => 0.5), positionTolerance: 0.01 });
    // GRBL answers motion lines as it queues them and a sync (S0) only once everything before it ran.
    const syncAt = program.indexOf(program.find((l) => /S0$/.test(l) && !/M3/.test(l))!);
    for (;;) {
      await until(() => fake.pending.length > 0, "a line to answer");
      if (fake.pending[0]!.line === program[syncAt]) break;
      fake.ack();
    }
    fake.state = "Run";
    // The head strikes the first three dots: at the third, Z one step down (strikes alternate).
    fake.mpos = [dots[2]!.x, dots[2]!.y, -0.004];
    fake.say(fake.status());
    await settle();
    expect(progress.at(-1)!.strikesDone).toBe(2);
    fake.mpos = [dots[4]!.x, dots[4]!.y, -0.004];
    while (fake.pending.length) fake.ack();
    await until(() => fake.lines.includes(program.at(-1)!), "the whole program sent");
    while (fake.pending.length) fake.ack();
    fake.mpos = [0, 80, 0];
    fake.state = "Idle";
    fake.say(fake.status());
    const outcome = await job;
    expect(outcome).toMatchObject({ outcome: "completed", totalLines: program.length, lastSentLine: program.length, lastAckedLine: program.length, lastExecutedLine: program.length, strikesDone: 5, strikesTotal: 5 });
    expect(outcome.unconfirmed).toBeUndefined();
    const left = progress.map((p) => p.secondsLeft!);
    expect(left[0]).toBe(program.length * 0.5);
    expect(left.at(-1)).toBe(0);
    for (let i = 1; i < left.length; i++) expect(left[i]!).toBeLessThanOrEqual(left[i - 1]!);
    await c.close();
  });

  it("a head found off the program's path stops the job: failed, E_POSITION, where it is and where it should be", async () => {
    const fake = new FakeGrbl();
    const c = await connected(fake);
    const program = dotProgram(grid(10));
    fake.autoAck = false;
    const job = c.run(program, { strikes: isStrike, positionTolerance: 0.05 });
    for (let i = 0; i < 6; i++) {
      await until(() => fake.pending.length > 0, "a line to answer");
      fake.ack();
    }
    // A corrupted digit: the head went to X30 instead of X10.
    fake.mpos = [30, 20, 0];
    fake.state = "Idle";
    fake.say(fake.status());
    const outcome = await job;
    expect(outcome.outcome).toBe("failed");
    expect(outcome.position).toMatchObject({ line: 5, expected: { x: 0, y: 0, z: 0 }, reported: { x: 30, y: 20, z: 0 } });
    expect(outcome.reason).toMatch(/the head is at X30.000 Y20.000 Z0.000, [\d.]+ mm from where the program puts it/);
    await c.close();
  });
});
