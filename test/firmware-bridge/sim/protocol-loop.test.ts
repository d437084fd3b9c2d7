import { describe, expect, it } from "vitest";
import { NO_HOMING, statusOf, unlocked, virtualHead, type VirtualHead } from "./helpers.ts";

/** The main loop and its check points: protocol.c (and delay_sec of nuts_bolts.c). */

const ORIGIN = { build: "origin" as const, machine: NO_HOMING };
/** With a $1 wait of 25 ms (GRBL's default; the station sets 255): st_go_idle's delay shows. */
const ORIGIN_IDLE25 = { ...ORIGIN, settings: { 1: 25 } };

/** Time (s) at which the line `text` was answered after `from` (index into h.timed). */
function answeredAt(h: VirtualHead, from: number, text = "ok"): number {
  const hit = h.timed.slice(from).find((x) => x.line === text);
  if (!hit) throw new Error(`no ${text} after ${from}: ${JSON.stringify(h.timed.slice(from))}`);
  return hit.t;
}

describe("protocol.c protocol_main_loop: lines", () => {
  it.each([
    ["(a comment)G0X1Y1 ; and another", "ok"],
    ["g0 x2 y2", "ok"],
    ["(only a comment)", "ok"],
    ["/G0X3", "ok"], // block delete is not supported: the '/' is dropped and the rest runs
    ["%", "error:1"], // '%' is not special in 1.1h: it reaches the parser as a letter
    ["G0X" + "1".repeat(80), "error:11"],
  ])("%j → %s", (line, answer) => {
    const h = unlocked(ORIGIN);
    expect(h.send(line + "\n")).toEqual([answer]);
  });

  it("protocol_main_loop: \\r and \\n both end a line, so \\r\\n is a line and an empty line, two oks", () => {
    const h = unlocked(ORIGIN);
    expect(h.send("G0X1\r\n")).toEqual(["ok", "ok"]);
  });

  it("protocol_main_loop: G-code is refused in Alarm (error:9) while $ commands run", () => {
    const h = virtualHead(); // stock, homing enabled: HOMING_INIT_LOCK holds it in Alarm
    expect(h.send("G0X1\n")).toEqual(["error:9"]);
    expect(h.send("$G\n").at(-1)).toBe("ok");
  });
});

describe("nuts_bolts.c delay_sec: a dwell runs in whole DWELL_TIME_STEPs of 50 ms", () => {
  it.each([
    [0.01, 50],
    [0.05, 50],
    [0.051, 100],
    [0.2, 200],
    [0, 0],
  ])("mc_dwell: G4P%s lasts %s ms (ceil(20·P) steps)", (p, wantMs) => {
    const h = unlocked(ORIGIN);
    const from = h.timed.length;
    const t0 = h.head.now;
    h.send(`G4P${p}\n`);
    const byte = 10 / 115200;
    // the line takes its bytes in, ok takes its bytes out
    const lineIn = (`G4P${p}`.length + 1) * byte;
    expect((answeredAt(h, from) - t0 - lineIn - 4 * byte) * 1000).toBeCloseTo(wantMs, 1);
  });

  it("delay_sec: `?` during a dwell is answered only at the next 50 ms step, with state Idle", () => {
    const h = unlocked(ORIGIN);
    h.head.write("G4P0.2\n");
    h.head.advance(0.01);
    const from = h.timed.length;
    const asked = h.head.now;
    h.head.write("?");
    h.head.advance(0.06);
    const report = h.timed.slice(from).find((x) => x.line.startsWith("<"))!;
    expect(report.line).toMatch(/^<Idle\|/);
    expect(report.t - asked).toBeGreaterThan(0.03);
    expect(report.t - asked).toBeLessThan(0.051);
  });
});

describe("stepper.c st_go_idle: every sync after motion waits $1 ms with the main loop frozen", () => {
  function syncAfterMove(settings: Record<number, number>) {
    const h = unlocked({ ...ORIGIN, settings });
    const t0 = h.head.now; // power-up itself waits $1 (st_reset), so times count from here
    h.send("G1X5F600\n", 0.002);
    const from = h.timed.length;
    h.head.write("G4P0\n"); // a sync with no wait of its own
    h.head.runUntilIdle();
    return { h, okAt: answeredAt(h, from) - t0 };
  }

  it("the sync completes $1 = 25 ms after the last step (stock $1)", () => {
    const { h, okAt } = syncAfterMove({ 1: 25 });
    const stopped = h.head.grbl.stepper; // the motion is long over by now
    expect(stopped.running).toBe(false);
    const withoutWait = syncAfterMove({ 1: 255 }).okAt;
    expect((okAt - withoutWait) * 1000).toBeCloseTo(25, 0);
  });

  it("$1=255 keeps the drivers on and skips the wait", () => {
    const a = syncAfterMove({ 1: 255 });
    const b = syncAfterMove({ 1: 0 });
    expect(Math.abs(a.okAt - b.okAt)).toBeLessThan(0.0005);
  });

  it("protocol.c: a ? during the $1 wait is answered after it, still Run, with every block free and FS:0", () => {
    const h = unlocked({ ...ORIGIN, settings: { 1: 200 } });
    h.head.write("G1X1F600\nG4P0\n");
    // 1 mm at 10 mm/s: ~0.1 s of motion, then 200 ms of wait.
    h.head.advance(0.2);
    const from = h.timed.length;
    h.head.write("?");
    h.head.advance(0.02);
    expect(h.timed.slice(from).some((x) => x.line.startsWith("<"))).toBe(false); // frozen
    h.head.runUntilIdle();
    const report = h.timed.slice(from).find((x) => x.line.startsWith("<"))!;
    expect(report.line).toMatch(/^<Run\|MPos:1\.000,0\.000,0\.000\|Bf:15,\d+\|FS:0,0/);
  });
});

describe("stepper.c: a planner block leaves the planner when its last segment is generated", () => {
  it("report.c Bf: all blocks free while the last ~50 ms of motion still run, and FS:0 at the very end", () => {
    const h = unlocked({ ...ORIGIN, settings: { 1: 255 } });
    h.head.write("G1X2F600\n"); // 0.2 s
    h.head.advance(0.05);
    expect(statusOf(h)).toMatchObject({ state: "Run", bf: { blocks: 14 } });
    h.head.advance(0.13); // within the last 50 ms
    const tail = statusOf(h);
    expect(tail.state).toBe("Run");
    expect(tail.bf!.blocks).toBe(15);
  });
});

describe("protocol.c: feed hold", () => {
  it("protocol_exec_rt_system: ! decelerates (Hold:1), Hold:0 once stopped, and lines wait unanswered in the suspend loop", () => {
    const h = unlocked(ORIGIN);
    h.send("G0X50\n", 0.1);
    h.head.write("!");
    h.head.advance(0.01);
    expect(statusOf(h)).toMatchObject({ state: "Hold", subState: 1 });
    h.head.advance(0.5);
    const held = statusOf(h);
    expect(held).toMatchObject({ state: "Hold", subState: 0 });
    // protocol.c:81: the next line's EOL check point blocks inside protocol_exec_rt_suspend.
    expect(h.send("G0X10\n", 1)).toEqual([]);
    expect(h.send("~", 0.01)).toEqual(["ok"]);
    h.head.runUntilIdle();
    expect(statusOf(h)).toMatchObject({ state: "Idle", mpos: [10, 0, 0] });
  });

  it("protocol_exec_rt_system: ~ during Hold:1 is lost (resume needs SUSPEND_HOLD_COMPLETE)", () => {
    const h = unlocked(ORIGIN);
    h.send("G0X50\n", 0.3);
    h.head.write("!");
    h.head.advance(0.01);
    h.head.write("~");
    h.head.advance(1);
    expect(statusOf(h)).toMatchObject({ state: "Hold", subState: 0 });
  });

  it("laser mode (DISABLE_LASER_DURING_HOLD): the pin goes off when the hold is complete, not when ! arrives", () => {
    const h = unlocked(ORIGIN);
    h.send("M3S0\nG1F600\n");
    h.head.write("G1X30S1000\n");
    h.head.advance(0.3);
    h.head.write("!");
    h.head.advance(0.001);
    expect(h.head.grbl.spindle.pwm).toBe(255); // still decelerating: M3 keeps full power
    h.head.advance(1);
    expect(h.head.grbl.spindle.pwm).toBe(0);
    const off = h.head.pinEvents.at(-1)!;
    expect(off.pwm).toBe(0);
    expect(off.x).toBeGreaterThan(3); // it moved on after ! before stopping
  });

  it("protocol_exec_rt_suspend: with $32=0 a feed hold never turns the spindle off", () => {
    const h = unlocked({ ...ORIGIN, settings: { 32: 0 } });
    h.send("M3S500\nG4P0\n");
    h.head.write("G1X30F600\n");
    h.head.advance(0.3);
    h.head.write("!");
    h.head.advance(1);
    expect(statusOf(h)).toMatchObject({ state: "Hold", subState: 0 });
    expect(h.head.grbl.spindle.pwm).toBeGreaterThan(0);
  });
});

describe("issue 9 items 4 and 5: a hold and a strike's sync (protocol.c protocol_buffer_synchronize)", () => {
  /** The old strike encoding: rapid, then a sync line that turns the pin on and dwells. */
  const program = (dwell: number) => "M3S0\nG1F600\nG0X10\n" + `G1S700G4P${dwell}\n` + "S0\n";

  function pinOnTime(dwell: number): number {
    const h = unlocked(ORIGIN_IDLE25);
    h.send(program(dwell));
    return h.head.pinIntervals[0]!.on;
  }

  it("a hold in the last ~50 ms of the rapid lets the strike line through while the head still moves: the pin comes on in motion", () => {
    const unheld = pinOnTime(0.01); // = end of motion + $1
    const h = unlocked(ORIGIN_IDLE25);
    h.head.write(program(0.01));
    // 25 ms of $1 wait precede the pin; the last 50 ms of motion are already in the segment buffer.
    const holdAt = unheld - 0.025 - 0.03;
    h.head.advance(holdAt - h.head.now);
    h.head.write("!");
    h.head.advance(2);
    const first = h.head.pinIntervals[0]!;
    expect(first.on).toBeLessThan(unheld - 0.025); // on before the head stopped
    expect(first.distance).toBeGreaterThan(0); // a comet
    expect(statusOf(h)).toMatchObject({ state: "Hold", subState: 0 });
    // After resume nothing powers the pin again at this dot: laser mode restores power only with motion.
    h.send("~", 1);
    expect(h.head.pinIntervals.length).toBe(1);
  });

  it("a hold during the $1 wait before the strike is safe: Hold:0 at once and the strike line blocks", () => {
    const unheld = pinOnTime(0.01);
    const h = unlocked(ORIGIN_IDLE25);
    h.head.write(program(0.01));
    h.head.advance(unheld - 0.01 - h.head.now); // inside the 25 ms wait
    h.head.write("!");
    h.head.advance(1);
    expect(h.head.pinIntervals).toEqual([]);
    expect(statusOf(h)).toMatchObject({ state: "Hold", subState: 0 });
  });

  it("delay_sec: a hold during a one-step dwell (P ≤ 0.05) is not seen before the dwell ends — the strike is not cut short", () => {
    const unheld = pinOnTime(0.01);
    const h = unlocked(ORIGIN_IDLE25);
    h.head.write(program(0.01));
    h.head.advance(unheld + 0.02 - h.head.now);
    h.head.write("!");
    h.head.advance(1);
    const pin = h.head.pinIntervals[0]!;
    expect((pin.off! - pin.on) * 1000).toBeCloseTo(50, 2);
  });

  it("delay_sec: a hold during a longer dwell stops it at the next 50 ms step with the pin off; after ~ the rest runs with the pin still off", () => {
    const unheld = pinOnTime(0.2);
    const h = unlocked(ORIGIN_IDLE25);
    h.head.write(program(0.2));
    h.head.advance(unheld + 0.06 - h.head.now);
    h.head.write("!");
    h.head.advance(1);
    const pin = h.head.pinIntervals[0]!;
    expect((pin.off! - pin.on) * 1000).toBeCloseTo(100, 0); // two of the four steps
    const said = h.send("~", 1);
    expect(said).toContain("[MSG:Restoring spindle]");
    expect(h.head.pinIntervals.length).toBe(1); // the remaining 100 ms ran with the pin off
  });
});

describe("mc_reset (motion_control.c) and main.c", () => {
  it("a reset in motion raises ALARM:3, stops the steppers dead, greets $1 ms after the alarm's 500 ms", () => {
    const h = unlocked(ORIGIN_IDLE25);
    h.send("G0X90Y70\n", 0.3);
    const from = h.timed.length;
    h.head.write("\x18");
    h.head.advance(1);
    expect(h.timed.slice(from).map((x) => x.line)).toEqual(["ALARM:3", "", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
    const gap = h.timed[from + 1]!.t - h.timed[from]!.t;
    expect(gap).toBeGreaterThan(0.52); // report.c: 500 ms after ALARM:N, then st_reset's $1
    const s = statusOf(h);
    expect(s.state).toBe("Alarm");
    expect(s.mpos![0]).toBeGreaterThan(0);
    expect(s.mpos![0]).toBeLessThan(90);
  });

  it("a reset during Hold:1 (still decelerating) is a reset in motion: ALARM:3", () => {
    const h = unlocked(ORIGIN);
    h.send("G0X90\n", 0.3);
    h.head.write("!");
    h.head.advance(0.02);
    expect(h.send("\x18", 1)[0]).toBe("ALARM:3");
  });

  it("a reset at rest keeps the position and the state: no alarm, no unlock needed", () => {
    const h = unlocked(ORIGIN);
    h.send("G0X12Y7\n");
    expect(h.send("\x18", 0.5)).toEqual(["", "Grbl 1.1h ['$' for help]"]);
    expect(statusOf(h)).toMatchObject({ state: "Idle", mpos: [12, 7, 0] });
  });

  it("main.c serial_reset_read_buffer: what the host sends during the reset's ALARM pause is dropped", () => {
    const h = unlocked(ORIGIN);
    h.send("G0X90\n", 0.2);
    h.head.write("\x18");
    h.head.advance(0.1);
    h.head.write("$I\n"); // arrives during ALARM:3's 500 ms
    h.head.advance(1);
    expect(h.lines.some((l) => l.startsWith("[VER:"))).toBe(false);
  });

  it("ALARM:2 is critical: after it nothing but a reset, not even a status report", () => {
    const h = virtualHead({ build: "origin" });
    h.send("$H\n");
    h.send("G0X500\n", 1);
    expect(h.lines.slice(-2)).toEqual(["ALARM:2", "[MSG:Reset to continue]"]);
    expect(h.send("?", 0.5)).toEqual([]);
    expect(h.send("$X\n", 0.5)).toEqual([]);
    // The line that hit the limit is answered once the reset unwinds (gc_execute_line returns ok).
    expect(h.send("\x18", 0.5)).toEqual(["ok", "", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
  });
});
