import { describe, expect, it } from "vitest";
import { statusLine, statusOf, virtualHead } from "./helpers.ts";

/** Homing, soft and hard limits: limits.c, system.c system_check_travel_limits, motion_control.c mc_homing_cycle. */

describe("limits.c limits_go_home: where the head is after $H", () => {
  it("stock build: machine space is negative — homed towards X−/Y− it lands at −$13x + $27, towards Z+ at −$27", () => {
    const h = virtualHead(); // bench head: $23=3, $130=102, $131=82, $132=10, $27=1
    expect(h.send("$H\n").at(-1)).toBe("ok");
    expect(statusOf(h)).toMatchObject({ state: "Idle", mpos: [-101, -81, -1] });
  });

  it("HOMING_FORCE_SET_ORIGIN ([OPT:VZ]): machine position 0 wherever homing ends", () => {
    const h = virtualHead({ build: "origin" });
    h.send("$H\n");
    expect(statusOf(h)).toMatchObject({ state: "Idle", mpos: [0, 0, 0] });
    expect(h.send("$I\n")[1]).toBe("[OPT:VZ,15,128]");
  });

  it("the head ends up $27 off the switch it homed to, physically, whichever build", () => {
    for (const build of ["stock", "origin"] as const) {
      const h = virtualHead({ build });
      h.send("$H\n");
      const p = h.head.grbl.limits.physical();
      expect(p[0]).toBeCloseTo(1, 1); // 1 mm from the X− switch
      expect(p[1]).toBeCloseTo(1, 1);
      expect(p[2]).toBeCloseTo(12 - 1, 1); // 1 mm below the Z+ switch (travel 10 + 2 × 1 mm)
    }
  });

  it("mc_homing_cycle: Z first, then X and Y together (HOMING_CYCLE_0, HOMING_CYCLE_1)", () => {
    const h = virtualHead();
    const order: string[] = [];
    let last = h.head.grbl.limits.physical();
    h.head.write("$H\n");
    for (let i = 0; i < 400; i++) {
      h.head.advance(0.02);
      const p = h.head.grbl.limits.physical();
      const moving = [0, 1, 2].filter((a) => Math.abs(p[a]! - last[a]!) > 1e-9).map((a) => "XYZ"[a]).join("");
      if (moving && order.at(-1) !== moving) order.push(moving);
      last = p;
    }
    expect(order[0]).toBe("Z");
    expect(order.slice(1).every((m) => !m.includes("Z"))).toBe(true);
    expect(order).toContain("XY");
  });

  it("limits.c: no status report during $H; a ? sent meanwhile is answered once at the end, still in state Home", () => {
    const h = virtualHead();
    h.head.write("$H\n");
    h.head.advance(1);
    const from = h.lines.length;
    h.head.write("?");
    h.head.advance(1);
    expect(h.lines.slice(from)).toEqual([]);
    h.head.runUntilIdle();
    const said = h.lines.slice(from);
    expect(said.length).toBe(2);
    expect(said[0]).toMatch(/^<Home\|MPos:-101\.000,-81\.000,-1\.000\|/);
    expect(said[1]).toBe("ok");
  });

  it("the startup lines run after $H (system.c), echoed >line:ok", () => {
    const h = virtualHead();
    h.send("$X\n$N0=G21G90\n");
    expect(h.send("$H\n")).toEqual([">G21G90:ok", "ok"]);
  });

  it("limits.c: a reset during homing is ALARM:6, at once", () => {
    const h = virtualHead();
    h.head.write("$H\n");
    h.head.advance(0.5);
    // system.c: $H returns ok once mc_homing_cycle has unwound, so the ok follows the alarm.
    expect(h.send("\x18", 1)).toEqual(["ALARM:6", "ok", "", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
  });

  it("limits.c: a switch not found within 1.5 × $13x is ALARM:9 (the head is farther than the settings say)", () => {
    const h = virtualHead({ mechanics: { travel: { x: 400, y: 82, z: 12 }, start: { x: 300, y: 41, z: 6 } } });
    const said = h.send("$H\n", 30);
    expect(said[0]).toBe("ALARM:9");
  });

  it("limits.c: a switch still closed after the pull-off is ALARM:8 ($27=0)", () => {
    const h = virtualHead({ settings: { 27: 0 } });
    const said = h.send("$H\n", 30);
    expect(said[0]).toBe("ALARM:8");
  });

  it("system.c $H: error:5 when homing is off", () => {
    const h = virtualHead({ settings: { 22: 0 } });
    expect(h.send("$H\n")).toEqual(["error:5"]);
  });
});

describe("system.c system_check_travel_limits: soft limits on X, Y and Z", () => {
  it("stock: the travel is [−$13x, 0] on every axis; a target beyond it is ALARM:2 before it moves", () => {
    const h = virtualHead();
    h.send("$H\n");
    expect(h.send("G0X-101Y-81\nG0X0Y0\n").filter((l) => l === "ok").length).toBe(2);
    expect(h.send("G0X0.1\n", 1).slice(0, 2)).toEqual(["ALARM:2", "[MSG:Reset to continue]"]);
  });

  it("stock: Z is checked too — Z+ beyond 0 is ALARM:2 (MPos 0 is where the Z switch trips: stay $27 below it)", () => {
    const h = virtualHead();
    h.send("$H\n");
    expect(h.send("G0Z-0.5\n")).toEqual(["ok"]);
    expect(h.send("G0Z0.1\n", 1)[0]).toBe("ALARM:2");
  });

  it("HOMING_FORCE_SET_ORIGIN: axes homed towards − get [0, $13x], axes homed towards + keep [−$13x, 0]", () => {
    const h = virtualHead({ build: "origin" });
    h.send("$H\n");
    expect(h.send("G0X102Y82Z-10\nG0X0Y0Z0\n").filter((l) => l === "ok").length).toBe(2);
    expect(h.send("G0X-0.1\n", 1)[0]).toBe("ALARM:2");
  });

  it("limits.c limits_soft_check: a limit hit while running stops with a feed hold first, so the position is kept", () => {
    const h = virtualHead({ build: "origin" });
    h.send("$H\n");
    h.head.write("G0X50\nG0X500\n");
    h.head.advance(2);
    const said = h.lines.slice(-2);
    expect(said).toEqual(["ALARM:2", "[MSG:Reset to continue]"]);
    h.send("\x18", 1);
    const s = statusOf(h);
    expect(s.state).toBe("Alarm");
    expect(s.mpos![0]).toBeGreaterThan(0);
  });

  it("jog.c: a jog beyond the travel is error:15, not an alarm", () => {
    const h = virtualHead();
    h.send("$H\n");
    expect(h.send("$J=G91X-5F600\n")).toEqual(["error:15"]);
    expect(h.send("$J=G91X5F600\n", 1)).toEqual(["ok"]);
  });
});

describe("limits.c ISR(LIMIT_INT_vect): hard limits", () => {
  it("with $21=1 a switch that closes outside homing is ALARM:1, critical", () => {
    const h = virtualHead({ settings: { 20: 0 } }); // soft limits off: nothing stops the move before the switch
    h.send("$X\n");
    h.head.write("G0X-80\n"); // from the middle (51 mm from the X− switch)
    h.head.advance(3);
    expect(h.lines.slice(-2)).toEqual(["ALARM:1", "[MSG:Reset to continue]"]);
    h.send("\x18", 1);
    expect(statusLine(h)).toMatch(/\|Pn:X/); // report.c: the closed switch shows in Pn:
  });

  it("protocol.c CHECK_LIMITS_AT_INIT: a switch closed at power-up with $21=1 is [MSG:Check Limits] and Alarm", () => {
    const h = virtualHead({ mechanics: { start: { x: -0.5, y: 41, z: 6 } } });
    expect(h.lines).toEqual(["", "Grbl 1.1h ['$' for help]", "[MSG:Check Limits]", "[MSG:'$H'|'$X' to unlock]"]);
  });

  it("the hardLimit() fault trips ALARM:1 as the pin-change interrupt does", () => {
    const h = virtualHead({ build: "origin" });
    h.send("$H\n");
    h.head.write("G0X90Y70\n");
    h.head.advance(0.2);
    const from = h.lines.length;
    h.head.hardLimit();
    h.head.advance(1);
    expect(h.lines.slice(from)).toEqual(["ALARM:1", "[MSG:Reset to continue]"]);
  });
});
