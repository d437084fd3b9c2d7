import { describe, expect, it } from "vitest";
import { classifyLine } from "../../../firmware-bridge/protocol.ts";
import { printFloat } from "../../../firmware-bridge/sim/report.ts";
import { NO_HOMING, statusLine, statusOf, unlocked, virtualHead } from "./helpers.ts";

/** What the controller prints: report.c, print.c, and the `$` commands of system.c. */

const FREE = { machine: NO_HOMING };

describe("report.c report_realtime_status", () => {
  it("fields in GRBL's order; WCO on the 1st report after a reset, Ov (with A:) on the 2nd, then every 10th idle", () => {
    const h = unlocked({ ...FREE });
    const reports = Array.from({ length: 13 }, () => statusLine(h));
    expect(reports[0]).toBe("<Idle|MPos:0.000,0.000,0.000|Bf:15,128|FS:0,0|WCO:0.000,0.000,0.000>");
    expect(reports[1]).toBe("<Idle|MPos:0.000,0.000,0.000|Bf:15,128|FS:0,0|Ov:100,100,100>");
    expect(reports.map((r, i) => (r.includes("WCO") ? i : -1)).filter((i) => i >= 0)).toEqual([0, 10]);
    expect(reports.map((r, i) => (r.includes("Ov:") ? i : -1)).filter((i) => i >= 0)).toEqual([1, 11]);
  });

  it("busy states refresh WCO every 30 and Ov every 20 reports; a change of offset forces WCO into the next one", () => {
    const h = unlocked({ ...FREE });
    statusLine(h);
    statusLine(h); // WCO and Ov out of the way
    h.head.write("G1X100F300\n");
    h.head.advance(0.1);
    const busy = Array.from({ length: 35 }, () => {
      h.head.advance(0.01);
      return statusLine(h);
    });
    expect(busy.every((r) => r.startsWith("<Run"))).toBe(true);
    const wco = busy.map((r, i) => (r.includes("WCO") ? i : -1)).filter((i) => i >= 0);
    expect(wco.length).toBe(1);
    h.send("\x18", 1); // ALARM:3, 500 ms, welcome
    h.send("$X\n");
    statusLine(h); // the reset's first report carries WCO anyway
    statusLine(h);
    h.send("G92X1\n"); // system_flag_wco_change: WCO in the very next report
    const line = statusLine(h);
    const x = Number(/MPos:(-?[\d.]+)/.exec(line)![1]);
    expect(line).toContain(`|WCO:${(x - 1).toFixed(3)},0.000,0.000`);
  });

  it("A: shows the spindle as the hardware has it (S for CW, C for CCW) and F for flood coolant", () => {
    const h = unlocked({ ...FREE, settings: { 32: 0 } });
    h.send("M3S500\nM8\n");
    statusLine(h);
    expect(statusLine(h)).toMatch(/\|Ov:100,100,100\|A:SF>$/);
  });

  it("USE_LINE_NUMBERS off (stock): never an Ln:, even with N on every line", () => {
    const h = unlocked({ ...FREE });
    h.head.write("N5G1X20F600\nN6G1X40\n");
    h.head.advance(0.5);
    expect(statusLine(h)).not.toMatch(/Ln:/);
  });

  it("USE_LINE_NUMBERS on: Ln: is the N of the oldest planner block — absent in the tail of motion, when the block has left", () => {
    const h = unlocked({ ...FREE, build: "stock-ln", settings: { 1: 255 } });
    h.head.write("N5G1X10F600\nN6G1X20\n");
    h.head.advance(0.5);
    expect(statusOf(h).ln).toBe(5);
    h.head.advance(1.3); // inside N6, near its end
    expect(statusOf(h).ln).toBe(6);
    h.head.advance(0.16); // the last ~50 ms: N6 has been fully prepared and discarded
    const tail = statusOf(h);
    expect(tail.state).toBe("Run");
    expect(tail.ln).toBeUndefined();
  });

  it("print.c printFloat: the sign comes before rounding, so a tiny negative prints -0.000", () => {
    expect(printFloat(-0.0001, 3)).toBe("-0.000");
    expect(printFloat(0.0125, 3)).toBe("0.013");
    expect(printFloat(1000, 0)).toBe("1000");
    expect(printFloat(-101, 3)).toBe("-101.000");
  });

  it("FS spindle is sys.spindle_speed: S clamped to $30", () => {
    const h = unlocked({ ...FREE, settings: { 32: 0 } });
    h.send("M3S2000\n");
    expect(statusLine(h)).toMatch(/\|FS:0,1000/);
  });
});

describe("system.c `$` commands and their answers", () => {
  it("the welcome, $I with [VER:1.1h.20190830:] and [OPT:] from the build", () => {
    const h = virtualHead();
    expect(h.lines).toEqual(["", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
    expect(h.send("$I\n")).toEqual(["[VER:1.1h.20190830:]", "[OPT:V,15,128]", "ok"]);
    // The line is stored as the main loop filtered it: upper case, no spaces.
    expect(h.send("$I=bench head 7\n")).toEqual(["ok"]);
    expect(h.send("$I\n")).toEqual(["[VER:1.1h.20190830:BENCHHEAD7]", "[OPT:V,15,128]", "ok"]);
    const origin = virtualHead({ build: "origin-ln" });
    expect(origin.send("$I\n")[1]).toBe("[OPT:VNZ,14,128]");
  });

  it("$$ lists what the bench head is set up with, $30/$31 without decimals", () => {
    const h = virtualHead();
    const s = h.send("$$\n");
    expect(s.at(-1)).toBe("ok");
    for (const want of ["$1=255", "$10=3", "$11=0.010", "$20=1", "$22=1", "$23=3", "$27=1.000", "$30=1000", "$31=0", "$32=1", "$100=80.000", "$102=250.000", "$110=3000.000", "$112=600.000", "$120=500.000", "$122=1000.000", "$130=102.000", "$131=82.000", "$132=10.000"]) expect(s).toContain(want);
  });

  it("$G, $#, $N, $ (help)", () => {
    const h = unlocked({ ...FREE });
    expect(h.send("$G\n")).toEqual(["[GC:G0 G54 G17 G21 G90 G94 M5 M9 T0 F0 S0]", "ok"]);
    expect(h.send("$#\n")).toEqual([
      "[G54:0.000,0.000,0.000]",
      "[G55:0.000,0.000,0.000]",
      "[G56:0.000,0.000,0.000]",
      "[G57:0.000,0.000,0.000]",
      "[G58:0.000,0.000,0.000]",
      "[G59:0.000,0.000,0.000]",
      "[G28:0.000,0.000,0.000]",
      "[G30:0.000,0.000,0.000]",
      "[G92:0.000,0.000,0.000]",
      "[TLO:0.000]",
      "[PRB:0.000,0.000,0.000:0]",
      "ok",
    ]);
    expect(h.send("$N\n")).toEqual(["$N0=", "$N1=", "ok"]);
    expect(h.send("$\n")).toEqual(["[HLP:$$ $# $G $I $N $x=val $Nx=line $J=line $SLP $C $X $H ~ ! ? ctrl-x]", "ok"]);
  });

  it.each([
    ["$X1", "error:3"],
    ["$$x", "error:3"],
    ["$Gx", "error:3"],
    ["$Cx", "error:3"],
    ["$Q", "error:2"],
    ["$10=abc", "error:2"],
    ["$130=-5", "error:4"],
    ["$0=2", "error:6"],
    ["$99=1", "error:3"],
    ["$103=1", "error:3"],
    ["$110", "error:3"],
    ["$110=3000x", "error:3"],
    ["$256=1", "error:3"],
    ["$RST=", "error:3"],
    ["$RST=x", "error:3"],
    ["$SLX", "error:3"],
    ["$J=X1", "error:22"],
    ["$J=G91X1M3F100", "error:16"],
    ["$J=G91X1S100F100", "error:36"],
    ["$J=G4X1F100", "error:28"], // gcode.c checks G4's P (step 3) before the jog's commands (step 4)
    ["$J=G4P1X1F100", "error:16"],
    ["$JX1", "error:3"],
  ])("%j → %s", (line, answer) => {
    const h = unlocked({ ...FREE });
    expect(h.send(line + "\n")).toEqual([answer]);
  });

  it("$RST=? is a status report (the ? is real-time) and then error:3 for `$RST=`", () => {
    const h = unlocked({ ...FREE });
    const said = h.send("$RST=?\n");
    expect(said.length).toBe(2);
    expect(said[0]).toMatch(/^<Idle\|/);
    expect(said[1]).toBe("error:3");
  });

  it("settings.c: $1.5=… is $1; values above 255 for a byte setting wrap as the uint8 they are stored in", () => {
    const h = unlocked({ ...FREE });
    expect(h.send("$1.5=200\n")).toEqual(["ok"]);
    expect(h.send("$26=300\n")).toEqual(["ok"]);
    const s = h.send("$$\n");
    expect(s).toContain("$1=200");
    expect(s).toContain("$26=44");
  });

  it("settings.c: $20=1 needs $22=1 (error:10); $22=0 turns soft limits off too", () => {
    const h = unlocked({ ...FREE });
    expect(h.send("$20=1\n")).toEqual(["error:10"]);
    const homing = unlocked();
    expect(homing.send("$22=0\n")).toEqual(["ok"]);
    expect(homing.send("$$\n")).toContain("$20=0");
  });

  it("eeprom.c: a setting write takes 3.4 ms per changed byte with interrupts off — bytes sent meanwhile overrun and are lost", () => {
    const h = unlocked({ ...FREE });
    const t0 = h.head.now;
    h.send("$110=2500\n"); // a float: 3 of its 4 bytes change
    const byte = 10 / 115200;
    expect(h.timed.at(-1)!.t - t0 - 14 * byte).toBeCloseTo(0.0068, 4); // two waits; the last write finishes in the background
    // Sent in one go, the second line arrives while the first is being written to EEPROM.
    const lost = h.head.lostBytes;
    expect(h.send("$111=2500\n$I\n")).toEqual(["ok"]);
    expect(h.head.lostBytes - lost).toBeGreaterThan(0);
  });

  it("$RST=$ restores GRBL's compile-time defaults, answers ok and resets (welcome)", () => {
    const h = unlocked({ ...FREE });
    expect(h.send("$RST=$\n", 0.5)).toEqual(["[MSG:Restoring defaults]", "ok", "", "Grbl 1.1h ['$' for help]"]);
    const s = h.send("$$\n");
    expect(s).toContain("$100=250.000");
    expect(s).toContain("$32=0");
  });

  it("$RST=# zeroes the coordinate data, $RST=* also the startup lines and build info", () => {
    const h = unlocked({ ...FREE });
    for (const l of ["G10L2P1X5", "$N0=G21", "$I=x"]) h.send(l + "\n");
    h.send("$RST=#\n", 0.5);
    expect(h.send("$#\n")[0]).toBe("[G54:0.000,0.000,0.000]");
    expect(h.send("$N\n")[0]).toBe("$N0=G21");
    h.send("$RST=*\n", 0.5);
    expect(h.send("$N\n")[0]).toBe("$N0=");
    expect(h.send("$I\n")[0]).toBe("[VER:1.1h.20190830:]");
  });

  it("$N0= executes the line to check it, stores it only if it runs, needs Idle; it runs at every reset after the welcome", () => {
    const h = unlocked({ ...FREE });
    expect(h.send("$N0=G1X5\n")).toEqual(["error:22"]);
    expect(h.send("$N\n")[0]).toBe("$N0=");
    expect(h.send("$N0=G21G91\n")).toEqual(["ok"]);
    expect(h.send("\x18", 0.5)).toEqual(["", "Grbl 1.1h ['$' for help]", ">G21G91:ok"]);
    const alarm = virtualHead();
    expect(alarm.send("$N0=G21\n")).toEqual(["error:8"]);
  });

  it("$C toggles check mode; leaving it resets", () => {
    const h = unlocked({ ...FREE });
    expect(h.send("$C\n")).toEqual(["[MSG:Enabled]", "ok"]);
    expect(h.send("G0X10\n")).toEqual(["ok"]);
    expect(statusOf(h)).toMatchObject({ state: "Check", mpos: [0, 0, 0] });
    expect(h.send("$C\n", 0.5)).toEqual(["[MSG:Disabled]", "ok", "", "Grbl 1.1h ['$' for help]"]);
  });

  it("$SLP: ok, then [MSG:Sleeping]; a reset wakes it locked in Alarm", () => {
    const h = unlocked({ ...FREE });
    expect(h.send("$SLP\n")).toEqual(["ok", "[MSG:Sleeping]"]);
    expect(statusOf(h).state).toBe("Sleep");
    expect(h.send("G0X1\n")).toEqual([]); // the main loop is asleep
    expect(h.send("\x18", 0.5)).toEqual(["", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
  });

  it("$$ is refused only in Run and Hold (error:8); $H, $#, $I, $N in any state but Idle and Alarm", () => {
    const h = unlocked({ ...FREE });
    h.head.write("G1X50F600\n");
    h.head.advance(0.2);
    expect(h.send("$$\n", 0.01)).toEqual(["error:8"]);
    expect(h.send("$#\n", 0.01)).toEqual(["error:8"]);
    expect(h.send("$G\n", 0.01).at(-1)).toBe("ok");
  });

  it("every line the head says is one the protocol module classifies", () => {
    const h = unlocked({ ...FREE });
    h.send("$$\n$#\n$G\n$I\n?G0X1\nG5\n");
    // ($N's "$N0=" lines are the one kind protocol.ts's classifier does not know.)
    for (const l of h.lines.filter((x) => x !== "")) expect(classifyLine(l).kind, l).not.toBe("other");
  });
});
