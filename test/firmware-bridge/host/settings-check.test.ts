import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { SerialPortMock } from "serialport";
import { checkSettings, expectedSettings } from "../../../firmware-bridge/settings-check.ts";
import { stockSettings } from "../../../firmware-bridge/protocol.ts";
import { Controller } from "../../../firmware-bridge/driver.ts";
import { FakeGrbl } from "./fake-grbl.ts";

const bench = JSON.parse(readFileSync(new URL("../../../stations/bench.json", import.meta.url), "utf8")) as { machine: Parameters<typeof expectedSettings>[0] };
const expected = expectedSettings(bench.machine);

/** A controller set up the way the bench station file says. */
function benchSettings(): Map<number, number> {
  const s = stockSettings();
  for (const [id, v] of [[32, 1], [30, 1000], [31, 0], [110, 3000], [111, 3000], [120, 500], [121, 500], [11, 0.01], [130, 100], [131, 80], [22, 1], [20, 1]] as const) s.set(id, v);
  return s;
}

afterEach(() => SerialPortMock.binding.reset());

describe("settings check", () => {
  it("passes a controller set up as the bench station file says", () => {
    expect(checkSettings(benchSettings(), expected)).toEqual([]);
  });

  it("lists every setting of a stock GRBL that does not fit, each with the value to send", () => {
    const stock = stockSettings().set(131, 50); // and a head with a short Y axis
    const found = checkSettings(stock, expected);
    expect(found.map((m) => m.id)).toEqual([22, 32, 110, 111, 120, 121, 131]);
    const msg = Object.fromEntries(found.map((m) => [m.id, m.message]));
    expect(msg[32]).toBe("setting $32 (laser mode) is 0, the station needs 1: send $32=1 or fix the station file");
    expect(msg[110]).toBe("setting $110 (X maximum rate) is 500 mm/min, the station needs at least 3000 mm/min: send $110=3000 or fix the station file");
    expect(msg[120]).toBe("setting $120 (X acceleration) is 10 mm/s², the station needs 500 mm/s² (within 1 %): send $120=500 or fix the station file");
    expect(msg[131]).toBe("setting $131 (Y maximum travel) is 50 mm, the station needs at least 80 mm: send $131=80 or fix the station file");
    expect(msg[22]).toBe("setting $22 (homing cycle) is 0, the station needs 1: send $22=1 or fix the station file");
  });

  it("accepts acceleration and junction deviation within the tolerance, travel and rates above the need", () => {
    const s = benchSettings();
    s.set(120, 504).set(11, 0.0101).set(110, 5000).set(130, 300);
    expect(checkSettings(s, expected)).toEqual([]);
    s.set(121, 510).set(11, 0.02).set(31, 10).set(130, 99.5);
    expect(checkSettings(s, expected).map((m) => m.id)).toEqual([11, 31, 121, 130]);
  });

  it("does not ask for homing when the station does not home, and names a setting the controller did not list", () => {
    const s = benchSettings();
    s.set(22, 0).delete(32);
    const found = checkSettings(s, expectedSettings({ ...bench.machine, homing: false }));
    expect(found.map((m) => m.message)).toEqual(["setting $32 (laser mode) was not reported by the controller, the station needs 1: send $32=1 or fix the station file"]);
  });

  it("the controller refuses to prepare for marking and lists every mismatch in one error", async () => {
    const fake = new FakeGrbl();
    fake.settings = stockSettings();
    const c = new Controller({ link: { path: fake.path, binding: fake.binding }, statusHz: 0 });
    await c.connect();
    const err = await c.prepare(expected).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "E_SETTINGS_MISMATCH" });
    const text = String(err);
    expect(text).toMatch(/^E_SETTINGS_MISMATCH: the controller's settings do not fit the station \(6\):/);
    expect(text).toContain("setting $32 (laser mode) is 0, the station needs 1: send $32=1 or fix the station file");
    // It never homed a controller it refused.
    expect(fake.lines).not.toContain("$H");
    await c.close();
  });
});

describe("work offsets", () => {
  it("refuses to mark on a controller whose G54 offset would shift every strike", async () => {
    const fake = new FakeGrbl();
    fake.g54 = { x: 12.5, y: -3 };
    const c = new Controller({ link: { path: fake.path, binding: fake.binding }, statusHz: 0 });
    await c.connect();
    const err = await c.prepare(expected).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "E_SETTINGS_MISMATCH" });
    expect(String(err)).toContain("work offset G54 is X12.5 Y-3, the station needs 0,0 (every strike would land shifted by it): send G10 L2 P1 X0 Y0 to clear it");
    expect(fake.lines).not.toContain("$H");
    await c.close();
  });

  it("the simulated head reports the G54 offset it was built with", async () => {
    const { SimHead } = await import("../../../firmware-bridge/sim/head.ts");
    const head = new SimHead({ baud: Infinity, g54: { x: 5, y: 7 } });
    const out: string[] = [];
    head.on("output", (b) => out.push(b.toString()));
    head.write("$#\n");
    head.runUntilIdle();
    expect(out.join("")).toContain("[G54:5.000,7.000,0.000]");
  });
});
