import { afterEach, describe, expect, it } from "vitest";
import { SerialPortMock } from "serialport";
import { Controller, type ControllerStatus } from "../../../firmware-bridge/driver.ts";
import { FakeGrbl } from "./fake-grbl.ts";

afterEach(() => SerialPortMock.binding.reset());

const settle = () => new Promise((r) => setTimeout(r, 5));

function controller(fake: FakeGrbl, extra: { welcomeTimeoutMs?: number; statusHz?: number } = {}): Controller {
  return new Controller({ link: { path: fake.path, binding: fake.binding }, statusHz: 0, ...extra });
}

describe("controller handshake", () => {
  it("reads the welcome line, $I and $$", async () => {
    const fake = new FakeGrbl();
    const c = controller(fake);
    const hs = await c.connect();
    expect(hs.version).toBe("1.1h");
    expect(hs.build).toBe("1.1h.20190825:");
    expect(hs.options).toEqual({ codes: "V", blocks: 15, rxBuffer: 128 });
    expect(hs.settings.get(32)).toBe(1);
    expect(hs.settings.get(110)).toBe(500);
    expect(fake.lines).toEqual(["$I", "$$"]);
    expect(c.status.state).toBe("Idle");
    await c.close();
  });

  it("provokes the welcome line with a soft reset when the controller was already running", async () => {
    const fake = new FakeGrbl({ welcomeOnOpen: false });
    const c = controller(fake, { welcomeTimeoutMs: 100 });
    const hs = await c.connect();
    expect(hs.version).toBe("1.1h");
    expect(fake.bytes[0]).toBe(0x18);
    await c.close();
  });

  it("says clearly when nothing answers, even a reset", async () => {
    const fake = new FakeGrbl({ welcomeOnOpen: false });
    fake.answerReset = false;
    const c = controller(fake, { welcomeTimeoutMs: 50 });
    await expect(c.connect()).rejects.toMatchObject({
      code: "E_CONTROLLER_SILENT",
      message: expect.stringMatching(/no welcome line .* even after 3 soft resets: check the port, the baud rate \(115200\) and that the controller is powered/),
    });
    await c.close();
  });
});

describe("controller commands", () => {
  it("homes with $H only when asked or when the station homes, and unlocks only on request", async () => {
    const fake = new FakeGrbl();
    for (const [id, v] of [[1, 255], [10, 3], [30, 1000], [31, 0], [100, 80], [101, 80], [102, 250], [110, 3000], [111, 3000], [112, 600], [120, 500], [121, 500], [122, 1000], [11, 0.01], [130, 101], [131, 81], [20, 0], [21, 0], [22, 1], [23, 3]] as const) fake.settings.set(id, v);
    const c = controller(fake);
    await c.connect();
    const expected = { spindleMax: 1000, spindleMin: 0, rapidRate: 3000, acceleration: 500, junctionDeviation: 0.01, workArea: { width: 100, height: 80 }, stepsPerMm: { x: 80, y: 80, z: 250 }, strike: { move: 0.004, zRate: 600, zAcceleration: 1000 } };
    await c.prepare({ ...expected, homing: false });
    expect(fake.lines.filter((l) => l.startsWith("$H") || l === "$X")).toEqual([]);
    fake.settings.set(20, 1).set(21, 1);
    await c.prepare({ ...expected, homing: true });
    expect(fake.lines.filter((l) => l === "$H")).toEqual(["$H"]);
    // Homed, no alarm or reset since: the next job does not home again.
    await c.prepare({ ...expected, homing: true });
    expect(fake.lines.filter((l) => l === "$H")).toEqual(["$H"]);
    // A stock build homes into negative machine space: G54 became the homed corner, written once.
    expect(fake.lines.filter((l) => l.startsWith("G10"))).toEqual(["G10L2P1X-100Y-80Z0"]);
    await c.unlock();
    expect(fake.lines.at(-1)).toBe("$X");
    await c.close();
  });

  it("refuses to run a job while the controller is in alarm", async () => {
    const fake = new FakeGrbl();
    const c = controller(fake);
    await c.connect();
    fake.state = "Alarm";
    await expect(c.run(["N1G21"])).rejects.toMatchObject({ code: "E_CONTROLLER_BUSY", message: expect.stringMatching(/Alarm: home the head \(\$H\) or unlock it \(\$X\) first/) });
    expect(fake.lines).not.toContain("N1G21");
    await c.close();
  });

  it("jogs relative with $J= and cancels with 0x85", async () => {
    const fake = new FakeGrbl();
    const c = controller(fake);
    await c.connect();
    await c.jog({ x: 1.5, y: -2, feed: 600 });
    expect(fake.lines.at(-1)).toBe("$J=G21G91X1.5Y-2F600");
    await c.jogCancel();
    await settle();
    expect(fake.realtime.at(-1)).toBe(0x85);
    await c.close();
  });

  it("turns a rejected command into an error naming the command and the code's meaning", async () => {
    const fake = new FakeGrbl();
    fake.onLine = (l) => (l === "$H" ? ["error:5"] : undefined);
    const c = controller(fake);
    await c.connect();
    await expect(c.home()).rejects.toMatchObject({ code: "E_CONTROLLER_REJECTED", message: expect.stringMatching(/rejected "\$H": error:5 \(Setting disabled\)/) });
    await c.close();
  });
});

describe("controller status", () => {
  it("polls ? at the configured rate and folds reports into a status with change events", async () => {
    const fake = new FakeGrbl();
    const c = controller(fake, { statusHz: 50 });
    await c.connect();
    const states: string[] = [];
    const seen: ControllerStatus[] = [];
    c.on("state", (s) => states.push(s));
    c.on("status", (s) => seen.push(s));
    fake.state = "Run";
    fake.ln = 42;
    fake.bf = { blocks: 12, bytes: 90 };
    for (let i = 0; i < 400 && seen.length === 0; i++) await settle();
    expect(states).toEqual(["Run"]);
    expect(seen[0]).toEqual({ state: "Run", position: { x: 0, y: 0, z: 0 }, buffer: { blocks: 12, bytes: 90 }, feed: 0, spindle: 0, line: 42, pins: "" });
    await c.close();
    expect(fake.realtime.filter((b) => b === 0x3f).length).toBeGreaterThan(1);
  });

  it("an unplugged controller becomes 'disconnected' with an event, and reconnects on request", async () => {
    const fake = new FakeGrbl();
    const c = controller(fake, { statusHz: 20 });
    await c.connect();
    const events: string[] = [];
    c.on("disconnected", (e) => events.push(e.message));
    fake.unplug();
    for (let i = 0; i < 400 && events.length === 0; i++) await settle();
    expect(events[0]).toMatch(/disconnected .*check the cable and the controller's power, then reconnect/);
    expect(c.status.state).toBe("disconnected");
    fake.plugIn();
    const hs = await c.reconnect();
    expect(hs.version).toBe("1.1h");
    expect(c.link.state).toBe("open");
    await c.close();
    expect(c.link.state).toBe("closed");
  });
});
