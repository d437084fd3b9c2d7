import { describe, expect, it } from "vitest";
import { classifyLine, parseStatus, type StatusReport } from "../../../firmware-bridge/protocol.ts";
import { streamLines } from "../../../firmware-bridge/sim/index.ts";
import { dotProgram, virtualHead } from "./helpers.ts";

function unlocked(opts: Parameters<typeof virtualHead>[0] = {}) {
  const h = virtualHead(opts);
  h.send("$X\n");
  return h;
}

function statusOf(h: ReturnType<typeof virtualHead>): StatusReport {
  h.head.write("?");
  h.head.advance(0.01);
  const line = [...h.lines].reverse().find((l) => l.startsWith("<"))!;
  return parseStatus(line)!;
}

describe("power-up and $ commands", () => {
  it("greets like GRBL and, with homing enabled, locks G-code until $H or $X", () => {
    const h = virtualHead();
    expect(h.lines).toEqual(["", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
    expect(h.send("G0X1\n")).toEqual(["error:9"]);
    expect(h.send("$X\n")).toEqual(["[MSG:Caution: Unlocked]", "ok"]);
    expect(h.send("G0X1\n")).toEqual(["ok"]);
  });

  it("starts idle when the head has no homing", () => {
    const h = virtualHead({ machine: { workArea: { width: 100, height: 80 }, rapidRate: 3000, acceleration: 500, junctionDeviation: 0.01, homing: false } });
    expect(h.lines).toEqual(["", "Grbl 1.1h ['$' for help]"]);
    expect(h.send("$H\n")).toEqual(["error:5"]);
  });

  it("lists the bench settings on $$ and reports the build on $I", () => {
    const h = virtualHead();
    const settings = h.send("$$\n");
    expect(settings.at(-1)).toBe("ok");
    for (const s of ["$10=3", "$11=0.010", "$20=1", "$22=1", "$30=1000", "$31=0", "$32=1", "$110=3000.000", "$111=3000.000", "$120=500.000", "$121=500.000", "$130=100.000", "$131=80.000"]) expect(settings).toContain(s);
    expect(h.send("$I\n")).toEqual(["[VER:1.1h.20190825:]", "[OPT:VN,15,128]", "ok"]);
    expect(h.send("$G\n")).toEqual(["[GC:G0 G54 G17 G21 G90 G94 M5 M9 T0 F0 S0]", "ok"]);
  });

  it("can be built with wrong settings, as a mis-set controller", () => {
    const h = virtualHead({ settings: { 32: 0, 30: 255 } });
    const settings = h.send("$$\n");
    expect(settings).toContain("$32=0");
    expect(settings).toContain("$30=255");
  });

  it("stores $N=value writes and refuses bad ones with GRBL's codes", () => {
    const h = virtualHead();
    expect(h.send("$110=2500\n")).toEqual(["ok"]);
    expect(h.send("$$\n")).toContain("$110=2500.000");
    expect(h.send("$0=2\n")).toEqual(["error:6"]);
    expect(h.send("$1=-1\n")).toEqual(["error:4"]);
    expect(h.send("$100=abc\n")).toEqual(["error:2"]);
    expect(h.send("$99=1\n")).toEqual(["error:3"]);
    expect(h.send("$Q\n")).toEqual(["error:2"]);
    expect(h.send("$110\n")).toEqual(["error:3"]);
    expect(h.send("$110=3000x\n")).toEqual(["error:3"]);
    expect(h.send("$22=0\n$20=1\n")).toEqual(["ok", "error:10"]);
  });

  it("sleeps on $SLP and wakes up locked after a reset", () => {
    const h = unlocked();
    expect(h.send("$SLP\n")).toEqual(["ok", "[MSG:Sleeping]"]);
    expect(statusOf(h).state).toBe("Sleep");
    expect(h.send("G0X1\n")).toEqual([]);
    expect(h.send("\x18")).toEqual(["", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
  });

  it("homes to the lower-left corner and unlocks", () => {
    const h = virtualHead();
    expect(h.send("$H\n")).toEqual(["ok"]);
    expect(statusOf(h)).toMatchObject({ state: "Idle", mpos: [0, 0, 0] });
  });
});

describe("answers every line as GRBL would", () => {
  it.each([
    ["N1G21G90G94G17", "ok"],
    ["(a comment)G0X1Y1 ; and another", "ok"],
    ["g0 x2 y2", "ok"],
    ["", "ok"],
    ["G1X5", "error:22"],
    ["G2X1Y1I1", "error:20"],
    ["M8", "error:20"],
    ["G0Z1", "error:20"],
    ["GX1", "error:2"],
    ["1G0", "error:1"],
    ["G4", "error:28"],
    ["G0G1X1", "error:21"],
    ["M3M5", "error:21"],
    ["X1X2", "error:25"],
    ["F-5", "error:4"],
    ["G1.5X1", "error:23"],
    ["P1", "error:36"],
    ["N99999999G0X1", "error:27"],
    ["G0X" + "1".repeat(80), "error:11"],
  ])("%j → %s", (line, answer) => {
    const h = unlocked();
    expect(h.send(line + "\n")).toEqual([answer]);
  });

  it("changes nothing on a rejected line", () => {
    const h = unlocked();
    h.send("G0X10Y10\n");
    expect(h.send("G1X20Y20G0\n")).toEqual(["error:21"]);
    expect(statusOf(h).mpos).toEqual([10, 10, 0]);
  });
});

describe("RX buffer", () => {
  it("loses the bytes that arrive beyond 127 while the controller is busy", () => {
    const h = unlocked();
    h.head.write("G4P1\n" + "G0X1Y1\n".repeat(20));
    h.head.runUntilIdle();
    expect(h.head.lostBytes).toBe(20 * 7 - 127);
    expect(h.lines.filter((l) => l === "ok").length).toBeLessThan(21 + 1);
  });

  it("loses nothing when the host counts characters", async () => {
    const h = unlocked();
    const lines = ["G4P1", ...Array.from({ length: 60 }, (_, i) => `G0X${i % 10}Y1`)];
    const done = streamLines(h.port, lines);
    h.head.runUntilIdle();
    const r = await done;
    expect(h.head.lostBytes).toBe(0);
    expect(r.answers).toEqual(lines.map(() => "ok"));
  });

  it("reports free blocks and free bytes while a job streams", async () => {
    const h = unlocked();
    const lines = Array.from({ length: 40 }, (_, i) => `N${i + 1}G1X${(i % 2) * 50 + 10}Y${i + 5}F1200`);
    const done = streamLines(h.port, lines);
    h.head.advance(0.5);
    const s = statusOf(h);
    expect(s.state).toBe("Run");
    expect(s.bf!.blocks).toBeLessThan(15);
    expect(s.bf!.bytes).toBeLessThanOrEqual(128);
    expect(s.ln).toBeGreaterThan(0);
    h.head.runUntilIdle();
    await done;
    expect(statusOf(h)).toMatchObject({ state: "Idle", bf: { blocks: 15, bytes: 128 } });
  });
});

describe("strikes", () => {
  it("records one strike per dot at the dot's place with its force", async () => {
    const h = unlocked();
    const dots = [
      { x: 12.345, y: 6.789, force: 70 },
      { x: 20, y: 10, force: 50 },
      { x: 20.5, y: 10, force: 100 },
    ];
    const done = streamLines(h.port, dotProgram(dots));
    h.head.runUntilIdle();
    expect((await done).answers.every((a) => a === "ok")).toBe(true);
    expect(h.head.strikes.map((s) => ({ x: s.x, y: s.y, force: s.force }))).toEqual(dots);
    expect(h.head.strikes.map((s) => s.line)).toEqual([5, 8, 11]);
    expect(statusOf(h).mpos).toEqual([0, 80, 0]);
  });

  it("strikes once more per strike-time gate while the pin stays on at rest", () => {
    const h = unlocked();
    h.send("M3S0\nG0X5Y5\nG1F600S500G4P0.035\nS0\n");
    // on at t0, then at +0.01, +0.02, +0.03: four strikes in a 35 ms dwell
    expect(h.head.strikes.length).toBe(4);
    expect(new Set(h.head.strikes.map((s) => `${s.x},${s.y}`))).toEqual(new Set(["5,5"]));
  });

  it("fires a scribe train at feed ÷ strike frequency along the stroke", async () => {
    const h = unlocked();
    const lines = ["N1G21G90G94G17", "N2M3S0", "N3G1F1200", "N4G0X10Y10", "N5G1X40Y10S600F900", "N6G0X0Y0", "N7S0", "N8M5"];
    const done = streamLines(h.port, lines);
    h.head.runUntilIdle();
    await done;
    const train = h.head.strikes;
    expect(train.every((s) => s.line === 5 && s.force === 60 && Math.abs(s.y - 10) < 1e-9)).toBe(true);
    expect(train[0]).toMatchObject({ x: 10, y: 10 });
    // at cruise (900 mm/min = 15 mm/s, 200 Hz) the pitch is 0.075 mm
    const gaps = train.slice(1).map((s, i) => s.x - train[i]!.x);
    const cruise = gaps.filter((g) => Math.abs(g - 0.075) < 1e-6);
    expect(cruise.length).toBeGreaterThan(300);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(0.075 + 1e-9);
    expect(train.at(-1)!.x).toBeLessThanOrEqual(40);
    expect(train.at(-1)!.x).toBeGreaterThan(39.9);
  });

  it("keeps firing through consecutive G1 segments without stopping", async () => {
    const h = unlocked();
    const lines = ["M3S0", "G0X10Y10", "G1X20Y10S800F1200", "X20Y20", "X10Y20", "G0X0Y0", "S0", "M5"];
    const done = streamLines(h.port, lines);
    h.head.runUntilIdle();
    await done;
    const t = h.head.strikes;
    const dt = t.slice(1).map((s, i) => s.t - t[i]!.t);
    expect(Math.max(...dt)).toBeCloseTo(1 / 200, 9); // never a pause in the train
    expect(t.some((s) => s.x === 20 && s.y > 10 && s.y < 20)).toBe(true);
  });

  it("with laser mode off ($32=0) the pin stays on through rapids — the mismatch a settings check must catch", () => {
    const h = unlocked({ settings: { 32: 0 } });
    h.send("M3S0\nG1F600S500G4P0.01\nG0X30Y0\n");
    expect(h.head.strikes.some((s) => s.x > 1 && s.x < 29)).toBe(true);
  });
});

describe("hold, resume, reset, alarms", () => {
  it("feed hold decelerates (Hold:1), stops (Hold:0) with the pin off, and ~ finishes the move", () => {
    const h = unlocked();
    h.send("M3S0\nG0X10Y10\n");
    h.head.write("G1X90Y10S500F1200\n");
    h.head.advance(0.5);
    h.head.write("!");
    h.head.advance(0.001);
    expect(statusOf(h)).toMatchObject({ state: "Hold", subState: 1 });
    h.head.advance(0.5);
    const held = statusOf(h);
    expect(held).toMatchObject({ state: "Hold", subState: 0 });
    expect(held.mpos![0]).toBeLessThan(90);
    const struck = h.head.strikes.length;
    h.head.advance(2);
    expect(h.head.strikes.length).toBe(struck);
    expect(statusOf(h).mpos).toEqual(held.mpos);
    h.head.write("~");
    h.head.runUntilIdle();
    expect(statusOf(h)).toMatchObject({ state: "Idle", mpos: [90, 10, 0] });
    expect(h.head.strikes.length).toBeGreaterThan(struck);
  });

  it("a soft reset in motion stops at once, flushes, greets again and raises ALARM:3", () => {
    const h = unlocked();
    h.head.write("G0X90Y70\nG0X0Y0\n");
    h.head.advance(0.3);
    const from = h.lines.length;
    h.head.write("\x18");
    h.head.advance(0.1);
    expect(h.lines.slice(from)).toEqual(["ALARM:3", "", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
    const s = statusOf(h);
    expect(s.state).toBe("Alarm");
    h.head.advance(5);
    expect(statusOf(h).mpos).toEqual(s.mpos);
    expect(s.mpos![0]).toBeGreaterThan(0);
    expect(s.mpos![0]).toBeLessThan(90);
  });

  it("a soft reset at rest needs no unlock", () => {
    const h = virtualHead({ machine: { workArea: { width: 100, height: 80 }, rapidRate: 3000, acceleration: 500, junctionDeviation: 0.01, homing: false } });
    expect(h.send("\x18")).toEqual(["", "Grbl 1.1h ['$' for help]"]);
  });

  it("refuses a move outside the travel with ALARM:2 before moving, and listens to nothing but reset", () => {
    const h = unlocked();
    h.send("G0X10Y10\n");
    expect(h.send("G0X150Y10\n")).toEqual(["ALARM:2", "[MSG:Reset to continue]"]);
    expect(statusOf(h)).toMatchObject({ state: "Alarm", mpos: [10, 10, 0] });
    expect(h.send("$X\n")).toEqual([]);
    expect(h.send("\x18")).toEqual(["", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
    expect(h.send("$X\nG0X20Y10\n")).toEqual(["[MSG:Caution: Unlocked]", "ok", "ok"]);
  });

  it("a tripped limit switch raises ALARM:1", () => {
    const h = unlocked();
    h.head.write("G0X90Y70\n");
    h.head.advance(0.2);
    const from = h.lines.length;
    h.head.hardLimit();
    h.head.advance(0.01);
    expect(h.lines.slice(from)).toEqual(["ALARM:1", "[MSG:Reset to continue]"]);
  });
});

describe("jog", () => {
  it("jogs with $J= and cancels with 0x85", () => {
    const h = unlocked();
    expect(h.send("$J=G91X10Y5F600\n")).toEqual(["ok"]);
    expect(statusOf(h).mpos).toEqual([10, 5, 0]);
    expect(h.send("$J=X10\n")).toEqual(["error:22"]);
    expect(h.send("$J=G91X10M3F100\n")).toEqual(["error:16"]);
    expect(h.send("$J=X500F600\n")).toEqual(["error:15"]);
    h.head.write("$J=X90F600\n");
    h.head.advance(1);
    expect(statusOf(h).state).toBe("Jog");
    h.head.write("\x85");
    h.head.runUntilIdle();
    const s = statusOf(h);
    expect(s.state).toBe("Idle");
    expect(s.mpos![0]).toBeLessThan(90);
  });
});

describe("fault injection", () => {
  it("resets itself when the block with line N starts, as an e-stop wired to reset does", () => {
    const h = unlocked({ faults: { resetAtLine: 3 } });
    const said = h.send("N1G0X10Y10\nN2G0X20Y10\nN3G0X30Y10\nN4G0X40Y10\n");
    expect(said.slice(-4)).toEqual(["ALARM:3", "", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
    expect(statusOf(h)).toMatchObject({ state: "Alarm" });
    expect(statusOf(h).mpos![0]).toBeLessThan(30);
  });

  it("drops a byte on the way in: the damaged line is rejected, the rest are answered", () => {
    const h = unlocked({ faults: { inbound: (b, i) => (i === 6 ? undefined : b) } }); // "$X\n" is bytes 0–2; byte 6 is the "5" after X in "G0X5Y5"
    expect(h.send("G0X5Y5\nG0X6Y6\n")).toEqual(["error:2", "ok"]);
  });

  it("raises an alarm when the block with line N starts", async () => {
    const h = unlocked({ faults: { alarmAtLine: { line: 8, alarm: 1 } } });
    const done = streamLines(h.port, dotProgram([{ x: 5, y: 5, force: 50 }, { x: 10, y: 5, force: 50 }]));
    h.head.runUntilIdle();
    await expect(done).rejects.toThrow("ALARM:1");
    expect(h.head.strikes.length).toBe(1);
  });

  it("corrupts bytes on the way in", () => {
    const h = unlocked({ faults: { inbound: (b) => (b === 0x59 ? 0x4b : b) } }); // Y → K
    expect(h.send("G0Y1\n")).toEqual(["error:20"]);
  });

  it("a slow controller answers later", () => {
    const fast = unlocked();
    const slow = unlocked({ faults: { parseDelay: 0.05 } });
    const t0 = slow.head.now;
    slow.send("G21\nG90\nG94\n");
    fast.send("G21\nG90\nG94\n");
    expect(slow.head.now - t0).toBeGreaterThanOrEqual(0.15);
    expect(slow.lines.slice(-3)).toEqual(["ok", "ok", "ok"]);
  });

  it("unplugged, it says nothing more", () => {
    const h = unlocked({ faults: { unplugAtLine: 2 } });
    const unplugged: number[] = [];
    h.head.on("unplug", () => unplugged.push(h.head.now));
    h.send("N1G0X5\nN2G0X10\nN3G0X20\n");
    expect(unplugged.length).toBe(1);
    expect(h.head.isUnplugged).toBe(true);
    expect(h.send("$I\n?")).toEqual([]);
  });
});

describe("check mode", () => {
  it("$C parses without moving or striking, and leaving it resets", () => {
    const h = unlocked();
    expect(h.send("$C\n")).toEqual(["[MSG:Enabled]", "ok"]);
    expect(h.send("M3S0\nG0X10Y10\nG1S700F600G4P0.01\nG2X1\n")).toEqual(["ok", "ok", "ok", "error:20"]);
    expect(h.head.strikes).toEqual([]);
    expect(statusOf(h)).toMatchObject({ state: "Check", mpos: [0, 0, 0] });
    expect(h.send("$C\n")).toEqual(["[MSG:Disabled]", "ok", "", "Grbl 1.1h ['$' for help]"]);
  });
});

it("every line the head says is one the protocol module classifies", () => {
  const h = unlocked();
  h.send("$$\n$#\n$G\n$I\n?G0X1\nG5\n");
  for (const l of h.lines.filter((x) => x !== "")) expect(classifyLine(l).kind, l).not.toBe("other");
});
