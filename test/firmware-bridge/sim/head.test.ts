import { describe, expect, it } from "vitest";
import { streamLines } from "../../../firmware-bridge/sim/index.ts";
import { NO_HOMING, statusOf, unlocked, virtualHead, zStrikeProgram } from "./helpers.ts";

/** The SimHead around the firmware: construction, builds, faults, jogging, the wire. */

const FREE = { machine: NO_HOMING };

describe("construction", () => {
  it("greets like GRBL and, with homing enabled (HOMING_INIT_LOCK), locks G-code until $H or $X", () => {
    const h = virtualHead();
    expect(h.lines).toEqual(["", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
    expect(h.send("G0X-1\n")).toEqual(["error:9"]);
    expect(h.send("$X\n")).toEqual(["[MSG:Caution: Unlocked]", "ok"]);
    expect(h.send("G0X-1\n")).toEqual(["ok"]);
  });

  it("starts Idle when the head has no homing", () => {
    const h = virtualHead({ ...FREE });
    expect(h.lines).toEqual(["", "Grbl 1.1h ['$' for help]"]);
    expect(h.send("$H\n")).toEqual(["error:5"]);
  });

  it("can be built with wrong settings, as a mis-set controller, or from GRBL's factory defaults", () => {
    const h = virtualHead({ settings: { 32: 0, 30: 255 } });
    const s = h.send("$$\n");
    expect(s).toContain("$32=0");
    expect(s).toContain("$30=255");
    const factory = virtualHead({ factorySettings: true });
    expect(factory.send("$$\n")).toContain("$100=250.000");
  });

  it("builds by name, as grbl-host's binaries: stock, origin, stock-ln, origin-ln", () => {
    expect(virtualHead({ build: "stock" }).head.buildOptions).toBe("V");
    expect(virtualHead({ build: "origin" }).head.buildOptions).toBe("VZ");
    expect(virtualHead({ build: "stock-ln" }).head.buildOptions).toBe("VN");
    expect(virtualHead({ build: "origin-ln" }).head.buildOptions).toBe("VNZ");
    expect(() => virtualHead({ build: "nope" as never })).toThrow(/unknown GRBL build/);
  });

  it("a G54 offset left in EEPROM shifts every move and is reported by $#", () => {
    const h = unlocked({ ...FREE, g54: { x: 2, y: 3 } });
    expect(h.send("$#\n")[0]).toBe("[G54:2.000,3.000,0.000]");
    h.send("G0X1Y1\n");
    expect(statusOf(h).mpos).toEqual([3, 4, 0]);
  });
});

describe("jog.c", () => {
  it("$J= jogs in its own state and 0x85 cancels it with a controlled stop (planner and position synced)", () => {
    const h = unlocked({ ...FREE });
    expect(h.send("$J=G91X10Y5F600\n")).toEqual(["ok"]);
    expect(statusOf(h).mpos).toEqual([10, 5, 0]);
    h.head.write("$J=X90F600\n");
    h.head.advance(1);
    expect(statusOf(h).state).toBe("Jog");
    h.head.write(Buffer.from([0x85]));
    h.head.runUntilIdle();
    const s = statusOf(h);
    expect(s.state).toBe("Idle");
    expect(s.mpos![0]).toBeLessThan(90);
    // gc_sync_position: the parser is where the head stopped, so a relative move starts there
    const x = s.mpos![0]!;
    h.send("G91G0X1\n");
    expect(statusOf(h).mpos![0]).toBeCloseTo(x + 1, 2);
  });

  it("gcode.c: a jog carries the modal spindle and S — in laser M3 the pin is on during the jog", () => {
    const h = unlocked({ ...FREE });
    h.send("M3S300\n$J=G91X2F600\n");
    expect(h.head.pinEvents[0]).toMatchObject({ pwm: 77, x: 0 });
  });
});

describe("fault injection", () => {
  it("resets itself when the block with line N starts, as an e-stop wired to reset does", () => {
    const h = unlocked({ ...FREE, faults: { resetAtLine: 3 } });
    const said = h.send("N1G0X10Y10\nN2G0X20Y10\nN3G0X30Y10\nN4G0X40Y10\n", 2);
    expect(said.slice(-4)).toEqual(["ALARM:3", "", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
    expect(statusOf(h).state).toBe("Alarm");
    expect(statusOf(h).mpos![0]).toBeLessThan(30);
  });

  it("raises an alarm when the block with line N starts", async () => {
    const h = unlocked({ ...FREE, faults: { alarmAtLine: { line: 4, alarm: 1 } } });
    const done = streamLines(h.port, zStrikeProgram([{ x: 5, y: 5, force: 50 }, { x: 10, y: 5, force: 50 }]));
    h.head.runUntilIdle();
    await expect(done).rejects.toThrow("ALARM:1");
    expect(h.head.pinIntervals.length).toBe(1);
  });

  it("drops a byte on the way in: the damaged line is rejected, the rest are answered", () => {
    const h = unlocked({ ...FREE, faults: { inbound: (b, i) => (i === 6 ? undefined : b) } }); // "$X\n" is bytes 0–2; byte 6 is the "5" after X
    expect(h.send("G0X5Y5\nG0X6Y6\n")).toEqual(["error:2", "ok"]);
  });

  it("corrupts bytes on the way in", () => {
    const h = unlocked({ ...FREE, faults: { inbound: (b) => (b === 0x59 ? 0x4b : b) } }); // Y → K
    expect(h.send("G0Y1\n")).toEqual(["error:36"]); // K is a value word no command uses
  });

  it("a slow controller answers later, and starves its planner: the same stroke takes longer", async () => {
    const run = async (parseDelay: number) => {
      const h = unlocked({ ...FREE, faults: { parseDelay } });
      h.send("G0X10Y10\n");
      const pts = Array.from({ length: 40 }, (_, i) => ({ x: 10 + i * 0.8, y: 10 }));
      const t0 = h.head.now;
      const done = streamLines(h.port, pts.slice(1).map((p) => `G1X${p.x.toFixed(3)}Y10F2400`));
      h.head.runUntilIdle();
      await done;
      return h.head.now - t0;
    };
    const fed = await run(0);
    const starved = await run(0.05);
    expect(fed).toBeLessThan(1.2);
    expect(starved).toBeGreaterThan(fed * 1.5);
  });

  it("unplugged, it says nothing more and strikes no more", () => {
    const h = unlocked({ ...FREE, faults: { unplugAtLine: 2 } });
    const unplugged: number[] = [];
    h.head.on("unplug", () => unplugged.push(h.head.now));
    h.send("N1G0X5\nN2G0X10\nN3G0X20\n");
    expect(unplugged.length).toBe(1);
    expect(h.head.isUnplugged).toBe(true);
    expect(h.send("$I\n?")).toEqual([]);
  });
});
