import { describe, expect, it } from "vitest";
import { NO_HOMING, statusOf, statusLine, unlocked, virtualHead } from "./helpers.ts";

/** The G-code parser and executor: gcode.c gc_execute_line. Stock build unless said. */

const FREE = { machine: NO_HOMING }; // no soft limits, so every target is reachable

describe("gcode.c gc_execute_line: GRBL's answer for each line (reference §8)", () => {
  it.each([
    // STEP 2: words
    ["G0X1G1X2", "error:24"], // G1 finds the axis command taken by G0 (axis command conflict before modal group)
    ["G0G1", "error:24"],
    ["M3M5", "error:21"],
    ["G17G18", "error:21"],
    ["X1X2", "error:25"],
    ["G0X1X2", "error:25"],
    ["GX1", "error:2"],
    ["1G0", "error:1"],
    ["G1.5X1", "error:23"],
    ["G92.2", "error:20"],
    ["G28.2", "error:20"],
    ["G38.1X1", "error:20"],
    ["M99.5", "error:23"],
    ["M6", "error:20"],
    ["M7", "error:20"], // ENABLE_M7 is off in stock config.h
    ["M56", "error:20"],
    ["G41", "error:20"],
    ["G43Z1", "error:20"],
    ["G61.1", "error:20"],
    ["G64", "error:20"],
    ["G81X1", "error:20"],
    ["A1", "error:20"],
    ["Q1", "error:20"],
    ["F-5", "error:4"],
    ["S-1", "error:4"],
    ["T300", "error:38"],
    ["N99999999G0X1", "error:27"],
    // STEP 3: checks
    ["G1X5", "error:22"],
    ["G4", "error:28"],
    ["P1", "error:36"],
    ["G0X1I1", "error:36"],
    ["G92", "error:26"],
    ["G10L2P1", "error:26"],
    ["G10L2X0", "ok"], // P defaults to the active system
    ["G10L3P1X0", "error:20"],
    ["G10L2P7X0", "error:29"],
    ["G59.1", "error:23"],
    ["G53G2X1", "error:30"],
    ["G80X1", "error:31"],
    ["G43.1X1", "error:37"],
    ["G1F100G2X1", "error:24"],
    ["G2X1Y1I1F100", "ok"],
    ["G2X1Y1R0.1F100", "error:34"],
    ["G2X0Y0R1F100", "error:33"],
    ["G2Z1F100", "error:32"],
    ["G2X2F100", "error:35"],
    ["G2X10Y0I1F100", "error:33"],
    ["G93G1X1", "error:22"],
  ])("%j → %s", (line, answer) => {
    const h = unlocked(FREE);
    expect(h.send(line + "\n")).toEqual([answer]);
  });

  it.each([
    "M4S100", "G10L2P1X0Y0", "G10L20P1X0", "G92X0", "G53G0X0", "G28", "G30", "G28.1", "G30.1", "G59", "G54",
    "G43.1Z1", "G49", "G80", "G61", "G93", "G94", "G18", "G19", "G17", "G40", "G91.1", "M8", "M9", "T1", "G0Z1",
    "G20", "G21", "G91", "G90", "M1", "M2", "M30", "G92.1",
  ])("gcode.c: %j is accepted", (line) => {
    const h = unlocked(FREE);
    expect(h.send(line + "\n").at(-1)).toBe("ok");
  });

  it("a rejected line changes nothing (all checks come before execution)", () => {
    const h = unlocked(FREE);
    h.send("G0X10Y10\n");
    expect(h.send("G1X20Y20G0\n")).toEqual(["error:24"]);
    expect(statusOf(h).mpos).toEqual([10, 10, 0]);
    expect(h.send("$G\n")[0]).toBe("[GC:G0 G54 G17 G21 G90 G94 M5 M9 T0 F0 S0]");
  });
});

describe("gcode.c: offsets, work coordinates and the motions GRBL has", () => {
  it("G10 L2 sets G54 in EEPROM ($#); the status report's WCO and WPos follow it", () => {
    const h = unlocked({ ...FREE, settings: { 10: 0 } }); // WPos
    h.send("G10L2P1X5Y6\n");
    expect(h.send("$#\n")[0]).toBe("[G54:5.000,6.000,0.000]");
    h.send("G0X1Y1\n");
    expect(statusLine(h)).toMatch(/^<Idle\|WPos:1\.000,1\.000,0\.000\|/);
    h.send("G53G0X0Y0\n");
    expect(statusLine(h)).toMatch(/WPos:-5\.000,-6\.000,0\.000/);
  });

  it("G10 L20 makes the current position read as given; G92 offsets and G92.1 clears them", () => {
    const h = unlocked({ ...FREE, settings: { 10: 0 } });
    h.send("G0X10Y10\nG10L20P1X0Y0\n");
    expect(statusLine(h)).toMatch(/WPos:0\.000,0\.000,0\.000/);
    h.send("G92X2\n");
    expect(statusLine(h)).toMatch(/WPos:2\.000,0\.000/);
    expect(h.send("$#\n").find((l) => l.startsWith("[G92:"))).toBe("[G92:-2.000,0.000,0.000]");
    h.send("G92.1\n");
    expect(statusLine(h)).toMatch(/WPos:0\.000,0\.000/);
  });

  it("G28 goes to the stored G28 position (machine 0 by default) through the given point; G28.1 stores the current one", () => {
    const h = unlocked(FREE);
    h.send("G0X20Y10\nG28.1\nG0X40Y40\nG28\n");
    expect(statusOf(h).mpos).toEqual([20, 10, 0]);
    expect(h.send("$#\n").find((l) => l.startsWith("[G28:"))).toBe("[G28:20.000,10.000,0.000]");
  });

  it("mc_arc: G2 runs as chords within $12 and ends exactly at the target", () => {
    const h = unlocked(FREE);
    h.send("G0X10Y0\nG2X0Y10I-10J0F3000\n");
    expect(statusOf(h).mpos).toEqual([0, 10, 0]);
  });

  it("G43.1 adds a tool length offset to Z (TLO in $#); G49 cancels it", () => {
    const h = unlocked(FREE);
    h.send("G43.1Z2\n");
    expect(h.send("$#\n").find((l) => l.startsWith("[TLO:"))).toBe("[TLO:2.000]");
    h.send("G0Z1\n");
    expect(statusOf(h).mpos![2]).toBe(3);
  });

  it("G20: inches in, mm in the planner; $G shows F in mm/min (the report is in inches only with $13=1)", () => {
    const h = unlocked(FREE);
    h.send("G20G1X1F10\n");
    expect(statusOf(h).mpos![0]).toBeCloseTo(25.4, 3);
    expect(h.send("$G\n")[0]).toBe("[GC:G1 G54 G17 G20 G90 G94 M5 M9 T0 F254 S0]");
  });

  it("M2 ends the program: [MSG:Pgm End], G1 G17 G90 G94 G54 M5 M9 restored", () => {
    const h = unlocked(FREE);
    expect(h.send("G0G91G18X1M3S100\nM2\n")).toEqual(["ok", "[MSG:Pgm End]", "ok"]);
    expect(h.send("$G\n")[0]).toBe("[GC:G1 G54 G17 G21 G90 G94 M5 M9 T0 F0 S100]");
  });

  it("M0 pauses like a feed hold once the planner is empty", () => {
    const h = unlocked(FREE);
    h.send("G0X5\nM0\n", 1);
    expect(statusOf(h)).toMatchObject({ state: "Hold", subState: 0 });
    h.send("~");
    expect(statusOf(h).state).toBe("Idle");
  });

  it("G38.2 on a head without a probe: the move runs out and ALARM:5 (probe fail)", () => {
    const h = unlocked(FREE);
    const said = h.send("G38.2Z-1F100\n", 2);
    expect(said).toContain("ALARM:5");
  });

  it("$C check mode: soft limits are still checked (mc_line), nothing moves", () => {
    const h = virtualHead({ build: "origin" });
    h.send("$H\n$C\n");
    expect(h.send("G0X10\n")).toEqual(["ok"]);
    expect(statusOf(h)).toMatchObject({ state: "Check", mpos: [0, 0, 0] });
    expect(h.send("G0X500\n", 1).slice(0, 2)).toEqual(["ALARM:2", "[MSG:Reset to continue]"]);
  });
});

describe("gcode.c laser mode ($32=1): when the S word syncs and what power a block carries", () => {
  it("an S change in a line with a motion never syncs: the power rides on the block", () => {
    const h = unlocked(FREE);
    h.send("M3S0\nG1F1200\n");
    h.head.write("G1X10S300\nG1X20S600\n");
    h.head.advance(0.3);
    expect(statusOf(h).state).toBe("Run"); // no stop between the two
    h.head.runUntilIdle();
    expect(h.head.pinEvents.map((e) => e.pwm)).toEqual([77, 153]); // one PWM per block, set at its first segment
  });

  it("GC_PARSER_LASER_FORCE_SYNC: in M3 a G0→G1 change with no axis words syncs; an S change without motion syncs (M3 and M4)", () => {
    const h = unlocked(FREE);
    h.send("M3S0\nG1F600\n");
    h.head.write("G0X10\nG1S500\n");
    h.head.advance(0.05);
    expect(h.head.grbl.spindle.pwm).toBe(0); // waits for the rapid to end
    h.head.runUntilIdle();
    expect(h.head.grbl.spindle.pwm).toBe(128); // set at rest
  });

  it("spindle_set_state: M4 in laser mode is off at rest whatever S", () => {
    const h = unlocked(FREE);
    h.send("M4S1000\n");
    expect(h.head.grbl.spindle.pwm).toBe(0);
    expect(statusLine(h)).toMatch(/FS:0,0/);
  });

  it("G0 carries power 0 (GC_PARSER_LASER_DISABLE): its first segment turns an M3 pin off, with no sync", () => {
    const h = unlocked(FREE);
    h.send("M3S0\nG1F1200\nG1X5S1000\nG0X10\n");
    const [on, off] = h.head.pinEvents;
    expect(on).toMatchObject({ pwm: 255, x: 0 });
    expect(off).toMatchObject({ pwm: 0, x: 5 });
  });

  it("$32=0: every S change with the spindle on syncs, even in a line with motion", () => {
    const h = unlocked({ ...FREE, settings: { 32: 0 } });
    h.send("M3S100\nG1F1200\n");
    h.head.write("G1X10\nG1X20S200\n");
    h.head.advance(0.45);
    // the second line waits for the first block to finish: the head stops at X10
    h.head.runUntilIdle();
    const at = h.head.pinEvents.find((e) => e.pwm === 51)!;
    expect(at.x).toBe(10);
  });
});
