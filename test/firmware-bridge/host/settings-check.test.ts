import { fileURLToPath } from "node:url";
import { loadStation } from "../../../src/profile/load.ts";
import { afterEach, describe, expect, it } from "vitest";
import { SerialPortMock } from "serialport";
import { checkSettings, expectedSettings } from "../../../firmware-bridge/settings-check.ts";
import { stockSettings } from "../../../firmware-bridge/protocol.ts";
import { Controller } from "../../../firmware-bridge/driver.ts";
import { FakeGrbl } from "./fake-grbl.ts";

const bench = { machine: loadStation(fileURLToPath(new URL("../../../stations/bench.json", import.meta.url))).machine };
const expected = expectedSettings(bench.machine);

/** A controller set up the way the bench station file says, on a stock GRBL 1.1h build (homes into negative machine space). */
function benchSettings(): Map<number, number> {
  const s = stockSettings();
  for (const [id, v] of [[1, 255], [10, 3], [32, 1], [30, 1000], [31, 0], [100, 80], [101, 80], [102, 250], [110, 3000], [111, 3000], [112, 600], [120, 500], [121, 500], [122, 1000], [11, 0.01], [130, 101], [131, 81], [22, 1], [20, 1], [21, 1], [23, 3]] as const) s.set(id, v);
  return s;
}

const STOCK = { codes: "V", blocks: 15, rxBuffer: 128 };
const ORIGIN = { codes: "VZ", blocks: 15, rxBuffer: 128 };

afterEach(() => SerialPortMock.binding.reset());

describe("settings check", () => {
  it("passes a controller set up as the bench station file says", () => {
    expect(checkSettings(benchSettings(), expected, STOCK)).toEqual([]);
  });

  it("lists every setting of a stock GRBL that does not fit, each with the value to send", () => {
    const stock = stockSettings().set(131, 50); // and a head with a short Y axis
    const found = checkSettings(stock, expected, STOCK);
    expect(found.map((m) => m.id)).toEqual([1, 10, 20, 21, 22, 23, 32, 100, 101, 110, 111, 112, 120, 121, 122, 131]);
    const msg = Object.fromEntries(found.map((m) => [m.id, m.message]));
    expect(msg[1]).toBe("setting $1 (step idle delay) is 25 ms, the station needs 255 ms (keep the steppers enabled: no drift at rest and no wait at each buffer sync): send $1=255 or fix the station file");
    expect(msg[32]).toBe("setting $32 (laser mode) is 0, the station needs 1 (laser mode: G0 carries no pin power and G1 blocks carry it without stops): send $32=1 or fix the station file");
    expect(msg[110]).toBe("setting $110 (X maximum rate) is 500 mm/min, the station needs at least 3000 mm/min: send $110=3000 or fix the station file");
    expect(msg[120]).toBe("setting $120 (X acceleration) is 10 mm/s², the station needs 500 mm/s² (within 1 %): send $120=500 or fix the station file");
    expect(msg[131]).toBe("setting $131 (Y maximum travel) is 50 mm, the station needs at least 81 mm (work area plus the $27 pull-off of 1 mm: this build homes into negative machine space): send $131=81 or fix the station file");
    expect(msg[22]).toBe("setting $22 (homing cycle) is 0, the station needs 1: send $22=1 or fix the station file");
  });

  it("never says fit for a controller that would alarm on its first move: the work area from the homed origin must lie in the soft-limit travel", () => {
    // Travel exactly the work area: fine where homing sets the origin to 0, one pull-off short on a stock build.
    const s = benchSettings().set(130, 100).set(131, 80);
    expect(checkSettings(s, expected, ORIGIN)).toEqual([]);
    expect(checkSettings(s, expected, STOCK).map((m) => m.id)).toEqual([130, 131]);
    // Z homed towards − on a FORCE_SET_ORIGIN build: travel [0, $132], the strike's step below 0 would alarm.
    expect(checkSettings(s.set(23, 7), expected, ORIGIN).map((m) => `${m.id}=${m.suggested}`)).toEqual(["23=3"]);
  });

  it("reads the build: no variable spindle is named, line numbers change nothing the check needs", () => {
    expect(checkSettings(benchSettings(), expected, { codes: "", blocks: 15, rxBuffer: 128 }).map((m) => m.message)).toEqual([
      "the controller's build has no variable spindle ([OPT:,…] without V): laser mode and pin power need the PWM output; flash a GRBL 1.1 build with VARIABLE_SPINDLE (the stock config.h has it)",
    ]);
    expect(checkSettings(benchSettings(), expected, { codes: "VN", blocks: 14, rxBuffer: 128 })).toEqual([]);
  });

  it("accepts acceleration and junction deviation within the tolerance, travel and rates above the need", () => {
    const s = benchSettings();
    s.set(120, 504).set(11, 0.0101).set(110, 5000).set(130, 300);
    expect(checkSettings(s, expected, STOCK)).toEqual([]);
    s.set(121, 510).set(11, 0.02).set(31, 10).set(130, 100.5);
    expect(checkSettings(s, expected, STOCK).map((m) => m.id)).toEqual([11, 31, 121, 130]);
  });

  it("does not ask for homing when the station does not home, and names a setting the controller did not list", () => {
    const s = benchSettings();
    s.set(22, 0).set(20, 0).delete(32);
    const found = checkSettings(s, expectedSettings({ ...bench.machine, homing: false }), STOCK);
    expect(found.map((m) => m.message)).toEqual(["setting $32 (laser mode) was not reported by the controller, the station needs 1 (laser mode: G0 carries no pin power and G1 blocks carry it without stops): send $32=1 or fix the station file"]);
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
    expect(text).toMatch(/^E_SETTINGS_MISMATCH: the controller's settings do not fit the station \(15\):/);
    expect(text).toContain("setting $32 (laser mode) is 0, the station needs 1 (laser mode: G0 carries no pin power and G1 blocks carry it without stops): send $32=1 or fix the station file");
    // It never homed a controller it refused.
    expect(fake.lines).not.toContain("$H");
    await c.close();
  });
});

describe("work offsets", () => {
  it("makes G54 the homed origin once, and leaves it alone when it already is", async () => {
    const fake = new FakeGrbl();
    fake.settings = benchSettings();
    fake.g54 = { x: 12.5, y: -3, z: 0 }; // another sender's "set zero here"
    const c = new Controller({ link: { path: fake.path, binding: fake.binding }, statusHz: 0 });
    await c.connect();
    expect(await c.ensureWorkOffset()).toEqual({ offset: { x: -100, y: -80, z: 0 }, written: true });
    expect(fake.lines.filter((l) => l.startsWith("G10"))).toEqual(["G10L2P1X-100Y-80Z0"]);
    expect(await c.ensureWorkOffset()).toEqual({ offset: { x: -100, y: -80, z: 0 }, written: false });
    expect(fake.lines.filter((l) => l.startsWith("G10"))).toHaveLength(1);
    await c.close();
  });
});
