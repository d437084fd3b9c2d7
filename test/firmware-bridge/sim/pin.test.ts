import { describe, expect, it } from "vitest";
import { NO_HOMING, unlocked } from "./helpers.ts";

/**
 * The pin driver on the spindle output (firmware-bridge/sim/pin.ts): not GRBL, a property of
 * the solenoid and its driver board. What GRBL decides is when the output is on; these tests
 * pin how the driver turns that into strikes and what the workpiece shows.
 */

const FREE = { machine: NO_HOMING };

describe("pin events: every change of the output, in grbl-host's shape", () => {
  it("each change is { t, pwm, x, y, z } with the machine position (steps ÷ steps/mm) at that instant", () => {
    const h = unlocked({ ...FREE });
    h.send("M3S0\nG1F600\nG0X2.5Y1.25\nG1S700G4P0.01\nS0\n");
    expect(h.head.pinEvents.map((e) => ({ pwm: e.pwm, x: e.x, y: e.y, z: e.z }))).toEqual([
      { pwm: 178, x: 2.5, y: 1.25, z: 0 },
      { pwm: 0, x: 2.5, y: 1.25, z: 0 },
    ]);
    const [on, off] = h.head.pinEvents;
    expect(off!.t).toBeGreaterThan(on!.t);
  });

  it("head.on('pin') sees every event as it happens", () => {
    const h = unlocked({ ...FREE });
    const seen: number[] = [];
    h.head.on("pin", (e) => seen.push(e.pwm));
    h.send("M3S1000\nG1X1F600\nG0X2\n");
    expect(seen).toEqual([255, 0]);
  });
});

describe("strikes", () => {
  it("the old dot encoding on GRBL (issue 9 item 1): G4P0.01 holds the pin on 50 ms, so a 10 ms driver strikes the dot 5 times", () => {
    const h = unlocked({ ...FREE });
    h.send("M3S0\nG1F600\nG0X5Y5\nG1S700G4P0.01\nS0\n");
    expect(h.head.pinIntervals.length).toBe(1);
    const p = h.head.pinIntervals[0]!;
    expect((p.off! - p.on) * 1000).toBeCloseTo(50, 0);
    expect(h.head.strikes.length).toBe(5);
    expect(new Set(h.head.strikes.map((s) => `${s.x},${s.y}`))).toEqual(new Set(["5,5"]));
  });

  it("at rest: one strike as the output comes on, then one per further full strike-time gate it stays on", () => {
    for (const [dwell, strikes] of [
      [0.05, 5],
      [0.1, 10],
    ] as const) {
      const h = unlocked({ ...FREE });
      h.send(`M3S0\nG1F600\nG1S500G4P${dwell}\nS0\n`);
      expect(h.head.strikes.length).toBe(strikes);
    }
    // A strike block a little longer than the strike time is still one strike: a gate must be whole.
    const h = unlocked({ ...FREE, pin: { strikeFrequency: 200, strikeTime: 0.04 } });
    h.send("M3S0\nG1F600\nG1S500G4P0.05\nS0\n");
    expect(h.head.strikes.length).toBe(1);
  });

  it("while the head moves in X/Y with the output on, the driver fires at the strike frequency: a scribe train", () => {
    const h = unlocked({ ...FREE });
    h.send("M3S0\nG1F900\nG0X10Y10\nG1X40Y10S600\nG0X0Y0\n");
    const train = h.head.strikes;
    // at cruise (900 mm/min = 15 mm/s, 200 Hz) the pitch is 0.075 mm
    const gaps = train.slice(1).map((s, i) => s.x - train[i]!.x);
    expect(gaps.filter((g) => Math.abs(g - 0.075) < 0.0126).length).toBeGreaterThan(300);
    expect(train.every((s) => s.y === 10 && s.x >= 10 && s.x <= 40)).toBe(true);
    expect(new Set(train.map((s) => s.force))).toEqual(new Set([60]));
  });

  it("minOnTime: a pulse shorter than the driver needs strikes nothing, but is still an on-interval", () => {
    const h = unlocked({ ...FREE, pin: { strikeFrequency: 200, strikeTime: 0.01, minOnTime: 0.02 } });
    h.send("G92Z0\nM3S0\nG0X5\nG1Z-0.004S700F24\nG0X6\n");
    expect(h.head.pinIntervals.length).toBe(1);
    expect(h.head.strikes).toEqual([]);
  });

  it("force is the output's duty cycle: PWM/255 (S700 of $30=1000 → PWM 178 → 69.8 %)", () => {
    const h = unlocked({ ...FREE });
    h.send("M3S0\nG1F600\nG1S700G4P0.01\nS0\nG1S1000G4P0.01\nS0\n");
    expect([...new Set(h.head.strikes.map((s) => s.force))]).toEqual([69.8, 100]);
  });

  it("each strike carries the N of the line that switched the pin on (whatever the build's line numbers)", () => {
    const h = unlocked({ ...FREE });
    h.send("M3S0\nG1F600\nN7G0X5\nN8G1S700G4P0\nN9S0\nN10G1X6S500\nN11G0X7\n");
    expect([...new Set(h.head.strikes.map((s) => s.line))]).toEqual([8, 10]);
  });
});

describe("pin intervals: what the workpiece shows", () => {
  it("a pin on while the head moves is a comet: the interval records the distance moved and where it went off", () => {
    const h = unlocked({ ...FREE });
    h.send("M3S0\nG1F600\nG1X3S800\nG0X5\n");
    const p = h.head.pinIntervals[0]!;
    expect(p.at.x).toBe(0);
    expect(p.offAt!.x).toBe(3);
    expect(p.distance).toBeCloseTo(3, 9);
  });

  it("a dot struck at rest has distance 0, even while Z moves (the Z-block strike)", () => {
    const h = unlocked({ ...FREE });
    h.send("G92Z0\nM3S0\nG0X5Y5\nG1Z-0.004S700F24\nG0X6\n");
    const p = h.head.pinIntervals[0]!;
    expect(p.distance).toBe(0);
    expect(p.at.z).toBe(0);
    expect(p.offAt!.z).toBe(-0.004);
  });
});
