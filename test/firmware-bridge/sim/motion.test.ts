import { describe, expect, it } from "vitest";
import { junctionSpeedSqr, timeline, type Motion, type MotionLimits } from "../../../firmware-bridge/kinematics.ts";
import { streamLines } from "../../../firmware-bridge/sim/index.ts";
import { NO_HOMING, statusLine, statusOf, unlocked, virtualHead, zStrikeProgram, type VirtualHead } from "./helpers.ts";

/** Planner, stepper and spindle output: planner.c, stepper.c, motion_control.c, spindle_control.c. */

const FREE = { machine: NO_HOMING };

async function stream(h: VirtualHead, lines: readonly string[]): Promise<void> {
  const done = streamLines(h.port, lines);
  h.head.runUntilIdle();
  const r = await done;
  expect(r.answers.filter((a) => a !== "ok")).toEqual([]);
}

describe("planner.h / planner.c: the planner buffer", () => {
  it("BLOCK_BUFFER_SIZE: 15 blocks can be queued on a stock build, 14 with line numbers (Bf: idle, [OPT:])", () => {
    const stock = unlocked({ ...FREE });
    expect(statusOf(stock).bf).toEqual({ blocks: 15, bytes: 128 });
    expect(stock.send("$I\n")[1]).toBe("[OPT:V,15,128]");
    const ln = unlocked({ ...FREE, build: "stock-ln" });
    expect(statusOf(ln).bf).toEqual({ blocks: 14, bytes: 128 });
    expect(ln.send("$I\n")[1]).toBe("[OPT:VN,14,128]");
  });

  it("plan_check_full_buffer: with 15 blocks queued the next motion line waits (no ok) until a block leaves", () => {
    const h = unlocked({ ...FREE });
    // a 10 s block first, so nothing leaves the planner meanwhile
    const said = h.send("G1X10F60\n" + Array.from({ length: 16 }, (_, i) => `G1X${11 + i}\n`).join(""), 0.5);
    expect(said.filter((l) => l === "ok").length).toBe(15);
    expect(statusOf(h).bf!.blocks).toBe(0);
  });

  it("plan_buffer_line: targets are rounded absolutely, lround(mm × $100); a move of less than a step is dropped", () => {
    const h = unlocked({ ...FREE });
    h.send("G91G1X0.005F100\n"); // 0.4 step → 0
    expect(statusOf(h).mpos![0]).toBe(0);
    h.send("G1X0.005\n"); // the parser is at 0.01: 0.8 step → 1
    expect(h.head.position.x).toBe(0.0125);
    expect(statusOf(h).mpos![0]).toBe(0.013); // print.c printFloat rounds 12.5 up
    h.send("G1X0.005\n"); // 0.015 → 1.2 → 1: nothing
    expect(h.head.position.x).toBe(0.0125);
  });

  it("motion_control.c mc_line: in laser M3 a move too short to step still sets S — with a full buffer sync", () => {
    const h = unlocked({ ...FREE });
    h.send("M3S0\nG1F600\n");
    h.head.write("G1X10\nG1X10.001S500\n");
    h.head.advance(0.2);
    expect(h.head.grbl.spindle.pwm).toBe(0); // waiting for the 10 mm block to end
    h.head.runUntilIdle();
    expect(h.head.pinEvents.at(-1)).toMatchObject({ pwm: 128, x: 10 });
    const m4 = unlocked({ ...FREE });
    m4.send("M4S0\nG1F600\nG1X0.001S500\n");
    expect(m4.head.pinEvents).toEqual([]); // M4: nothing happens to the output
  });

  it("planner.c: a block planned into an empty planner enters at 0, even while the previous block's last segments still run", async () => {
    const together = unlocked({ ...FREE, settings: { 1: 255 } });
    const t0 = together.head.now;
    together.send("G1X10F1800\nG1X20\n");
    const continuous = together.head.now - t0;
    const late = unlocked({ ...FREE, settings: { 1: 255 } });
    const t1 = late.head.now;
    late.head.write("G1X10F1800\n");
    // 10 mm at 30 mm/s ≈ 0.39 s; 30 ms before the end the block has left the planner.
    late.head.advance(0.36);
    expect(statusOf(late).bf!.blocks).toBe(15);
    late.head.write("G1X20\n");
    late.head.runUntilIdle();
    expect(late.head.now - t1).toBeGreaterThan(continuous + 0.05); // it stopped at X10 and started again
  });

  it("planner.c: the junction limit uses the acceleration along the change of direction (√2·a for a 90° X→Y corner)", () => {
    const a = 500 * 3600; // mm/min²
    const v2 = junctionSpeedSqr([1, 0, 0], [0, 1, 0], [a, a, a], 0.01);
    const s = Math.SQRT1_2;
    expect(v2 / ((Math.SQRT2 * a * 0.01 * s) / (1 - s))).toBeCloseTo(1, 6); // single precision, as GRBL
    expect(junctionSpeedSqr([1, 0, 0], [-1, 0, 0], [a, a, a], 0.01)).toBe(0); // MINIMUM_JUNCTION_SPEED 0
  });

  it("kinematics.timeline (the compiler's estimate) gives the head's own time for a stroke streamed by a character-counting host", async () => {
    const pts = Array.from({ length: 30 }, (_, i) => ({ x: 10 + i * 0.8, y: 10 + (i % 2) * 0.6 }));
    const h = unlocked({ ...FREE, settings: { 1: 255 } });
    h.send(`G0X${pts[0]!.x}Y${pts[0]!.y}\n`);
    const t0 = h.head.now;
    await stream(h, pts.slice(1).map((p) => `G1X${p.x.toFixed(3)}Y${p.y.toFixed(3)}F2400`));
    const headTime = h.head.now - t0;
    const limits: MotionLimits = { maxRate: { x: 3000, y: 3000, z: 600 }, acceleration: { x: 500, y: 500, z: 1000 }, junctionDeviation: 0.01, stepsPerMm: { x: 80, y: 80, z: 250 }, plannerBlocks: 15 };
    const motions: Motion[] = pts.slice(1).map((p) => ({ kind: "line", to: { x: Number(p.x.toFixed(3)), y: Number(p.y.toFixed(3)) }, feed: 2400, rapid: false }));
    const est = timeline(pts[0]!, motions, limits).at(-1)!.end;
    // the head's time includes the first line's way in over the wire (~2 ms) and the last ok
    expect(headTime / est).toBeGreaterThan(0.99);
    expect(headTime / est).toBeLessThan(1.02);
  });
});

describe("kinematics.timeline: the estimate of a whole strike program", () => {
  it("100 Z-block strikes with their rapids, syncs included: the estimate is the head's time within 0.5 %", async () => {
    const dots = Array.from({ length: 100 }, (_, i) => ({ x: 10 + (i % 10) * 0.7, y: 10 + Math.floor(i / 10) * 0.9, force: 70 }));
    const h = virtualHead({ ...FREE });
    const t0 = h.head.now;
    await stream(h, zStrikeProgram(dots));
    const headTime = h.head.now - t0;
    const motions: Motion[] = [{ kind: "sync" }, { kind: "sync" }]; // G92Z0, M3S0
    let z = 0;
    for (const d of dots) {
      motions.push({ kind: "line", to: { x: d.x, y: d.y }, feed: 0, rapid: true });
      z = z === 0 ? -0.004 : 0;
      motions.push({ kind: "line", to: { x: d.x, y: d.y, z }, feed: 24, rapid: false });
    }
    motions.push({ kind: "line", to: { x: 0, y: 0 }, feed: 0, rapid: true }, { kind: "sync" }); // park, M5
    const limits: MotionLimits = { maxRate: { x: 3000, y: 3000, z: 600 }, acceleration: { x: 500, y: 500, z: 1000 }, junctionDeviation: 0.01, stepsPerMm: { x: 80, y: 80, z: 250 }, idleLockMs: 25, plannerBlocks: 15 };
    const est = timeline({ x: 0, y: 0, z: 0 }, motions, limits).at(-1)!.end;
    expect(headTime / est).toBeGreaterThan(0.995);
    expect(headTime / est).toBeLessThan(1.005);
  });

  it("syncs wait $1 after motion and dwells run in 50 ms steps in the estimate too", () => {
    const limits: MotionLimits = { maxRate: { x: 3000, y: 3000 }, acceleration: { x: 500, y: 500 }, junctionDeviation: 0.01, idleLockMs: 25 };
    const tl = timeline({ x: 0, y: 0 }, [{ kind: "line", to: { x: 10, y: 0 }, feed: 600, rapid: false }, { kind: "dwell", seconds: 0.01 }, { kind: "sync" }], limits);
    expect(tl[1]!.end - tl[1]!.start).toBeCloseTo(0.025 + 0.05, 9); // the wait after motion, then one 50 ms step
    expect(tl[2]!.end - tl[2]!.start).toBe(0); // nothing moved since
  });
});

describe("stepper.c: segments and the spindle PWM they carry", () => {
  it("st_prep_buffer: in M3 the PWM is set once per block, at its first segment; at rest after the last block it stays on", () => {
    const h = unlocked({ ...FREE });
    h.send("M3S0\nG1F1200\nG1X5S400\nG1X10S800\n");
    expect(h.head.pinEvents.map((e) => [e.pwm, e.x])).toEqual([
      [102, 0],
      [204, 5],
    ]);
    expect(h.head.grbl.spindle.pwm).toBe(204); // laser_mode.md: M3 keeps the laser on at rest
  });

  it("st_prep_buffer: in M4 the PWM follows speed every segment, and the output goes off when the buffer runs dry", () => {
    const h = unlocked({ ...FREE });
    h.send("M4S1000\nG1X20F1200\n");
    const pwms = h.head.pinEvents.map((e) => e.pwm);
    expect(Math.max(...pwms)).toBe(255);
    expect(pwms.filter((p) => p > 0 && p < 255).length).toBeGreaterThan(4); // ramps up and down with the speed
    // The last segment ends at speed 0, so its PWM is already off: the pin goes off as it starts.
    expect(h.head.pinEvents.at(-1)!.pwm).toBe(0);
    expect(h.head.pinEvents.at(-1)!.x).toBeGreaterThan(19.9);
  });

  it("stepper.c: an M4 scribe stroke whose next line has not arrived is off by the time the head stops (stepper.c:962, 397)", () => {
    const h = unlocked({ ...FREE });
    h.send("M4S800\nG1F1200\n");
    h.head.write("G1X5\n");
    h.head.advance(1); // the host is late with the next segment
    expect(h.head.grbl.spindle.pwm).toBe(0);
    const last = h.head.pinIntervals.at(-1)!;
    expect(last.off).toBeDefined();
    expect(last.offAt!.x).toBeGreaterThan(4.9);
    expect(last.offAt!.x).toBeLessThanOrEqual(5);
  });

  it("report.c FS: the feed is the speed at the end of the last prepared segment, 0 outside motion states", () => {
    const h = unlocked({ ...FREE });
    h.head.write("G1X50F1200\n");
    h.head.advance(0.5);
    expect(statusLine(h)).toMatch(/\|FS:1200,0/);
    h.head.runUntilIdle();
    expect(statusLine(h)).toMatch(/\|FS:0,0/);
  });

  it("protocol.c feed override: 0x91 (+10 %) re-plans the queued blocks and the running one", () => {
    const h = unlocked({ ...FREE });
    h.head.write("G1X50F1200\n");
    h.head.advance(0.5);
    h.head.write(Buffer.from([0x91]));
    h.head.advance(0.3);
    expect(statusLine(h)).toMatch(/\|FS:1320,0/);
  });
});

describe("issue 9's strike encoding: the pin on for exactly one Z block of d / F", () => {
  const dots = [
    { x: 10, y: 10, force: 70 },
    { x: 12.5, y: 10, force: 70 },
    { x: 12.5, y: 11.25, force: 50 },
    { x: 30, y: 20, force: 100 },
  ];

  it("each dot: pin on 10.0 ms (±0.5) with X and Y at the dot and not moving, Z one step, power from S", async () => {
    const h = unlocked({ ...FREE });
    await stream(h, zStrikeProgram(dots, 0.01));
    const pins = h.head.pinIntervals;
    expect(pins.length).toBe(dots.length);
    for (const [i, p] of pins.entries()) {
      expect((p.off! - p.on) * 1000).toBeGreaterThan(9.5);
      expect((p.off! - p.on) * 1000).toBeLessThan(10.5);
      expect(p.distance).toBe(0);
      expect(p.at.x).toBeCloseTo(dots[i]!.x, 9);
      expect(p.at.y).toBeCloseTo(dots[i]!.y, 9);
      expect(Math.abs(p.offAt!.z - p.at.z)).toBeCloseTo(0.004, 9);
    }
    expect(h.head.strikes.map((s) => s.force)).toEqual([69.8, 69.8, 50.2, 100]);
    expect(h.head.grbl.spindle.pwm).toBe(0);
  });

  it.each([
    [10, 20, 40],
    [1000, 10, 10.5],
  ])("a strike planned into an empty planner (after a sync) starts from rest: at $122=%s it lasts %s–%s ms", (accel, min, max) => {
    const h = unlocked({ ...FREE, settings: { 122: accel } });
    h.send("G92Z0\nM3S0\nG0X10Y10\nG4P0\nG1Z-0.004S700F24\nG0X11\n");
    const p = h.head.pinIntervals[0]!;
    expect((p.off! - p.on) * 1000).toBeGreaterThan(min);
    expect((p.off! - p.on) * 1000).toBeLessThan(max);
  });
});
