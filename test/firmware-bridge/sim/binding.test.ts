import { SerialPort } from "serialport";
import { describe, expect, it } from "vitest";
import { FastClock, SimBinding, SimHead, linePortOf, registerSimHead, simHeadAt, streamLines } from "../../../firmware-bridge/sim/index.ts";
import { strikeForce, zStrikeProgram } from "./helpers.ts";

function open(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200, binding: SimBinding } as ConstructorParameters<typeof SerialPort>[0], (e) => (e ? reject(e) : resolve(port)));
  });
}

function close(port: SerialPort): Promise<void> {
  return new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}

function nextLines(port: SerialPort, count: number): Promise<string[]> {
  const lp = linePortOf(port);
  const got: string[] = [];
  return new Promise((resolve) => {
    const off = lp.onLine((l) => {
      got.push(l.replace(/\r$/, ""));
      if (got.length === count) {
        off();
        resolve(got);
      }
    });
  });
}

describe("the simulated head behind serialport's binding interface", () => {
  it("greets, answers $I and streams a dot program to completion", async () => {
    const head = new SimHead();
    const remove = registerSimHead("sim://binding-1", head, new FastClock(head));
    const port = await open("sim://binding-1");
    try {
      expect(await nextLines(port, 3)).toEqual(["", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
      const info = nextLines(port, 3);
      port.write("$I\n");
      expect(await info).toEqual(["[VER:1.1h.20190830:]", "[OPT:V,15,128]", "ok"]);
      // A stock build homes into negative machine space: the dots are at negative coordinates.
      const dots = Array.from({ length: 12 }, (_, i) => ({ x: -90 + i * 0.5, y: -60, force: 40 + i * 5 }));
      const r = await streamLines(linePortOf(port), ["$H", ...zStrikeProgram(dots)], { timeoutMs: 30_000 });
      expect(r.answers.every((a) => a === "ok")).toBe(true);
      await new Promise((res) => setTimeout(res, 50));
      // One pin-on at rest per dot, where and as hard as the program says. (A host late with the
      // next line would leave the pin on longer — more strikes on that spot, a host's concern.)
      expect(head.pinIntervals.map((p) => [p.at.x, p.at.y, p.distance])).toEqual(dots.map((d) => [d.x, d.y, 0]));
      expect([...new Set(head.strikes.map((s) => `${s.x},${s.y},${s.force}`))]).toEqual(dots.map((d) => `${d.x},${d.y},${strikeForce(d.force)}`));
      expect(head.lostBytes).toBe(0);
    } finally {
      await close(port);
      remove();
    }
  });

  it("creates a bench head on first open of an unknown sim:// path, and refuses a second open", async () => {
    const port = await open("sim://binding-2");
    try {
      expect(simHeadAt("sim://binding-2")).toBeInstanceOf(SimHead);
      await expect(open("sim://binding-2")).rejects.toThrow("already open");
    } finally {
      await close(port);
    }
  });

  it("an unplugged head closes the port as a disconnect", async () => {
    const head = new SimHead();
    const remove = registerSimHead("sim://binding-3", head, new FastClock(head));
    const port = await open("sim://binding-3");
    try {
      const closed = new Promise<Error | null>((resolve) => port.once("close", (err: Error | null) => resolve(err)));
      port.on("error", () => {});
      port.resume();
      head.unplug();
      const err = await closed;
      expect(err && (err as Error & { disconnected?: boolean }).disconnected).toBe(true);
      await expect(open("sim://binding-3")).rejects.toThrow("unplugged");
    } finally {
      remove();
    }
  });
});
