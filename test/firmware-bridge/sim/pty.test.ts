import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { afterAll, describe, expect, it } from "vitest";
import { SimHead, linePortOf, startPtyHead, streamLines } from "../../../firmware-bridge/sim/index.ts";
import { strikeForce, zStrikeProgram } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "peenmark-sim-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Open a pty path as a host would; a pty has no modem lines, so no DTR/RTS changes (hupcl off). */
function openPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200, hupcl: false }, (e) => (e ? reject(e) : resolve(port)));
  });
}

function closePort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}

/**
 * A scribe stroke, then park. Machine coordinates of a stock build unlocked with $X where it
 * stands (the middle of its travel): machine space is negative, and ±40 mm stay clear of the switches.
 */
const SCRIBE = ["G21G90G94G17", "M3S0", "G1F1200", "G0X-30Y-20", "G1X-25Y-20S900F1200", "X-25Y-17", "G0X-40Y-1", "M5"];

describe("the simulated head on a pseudo-terminal (socat)", () => {
  it("a host streams a program through the pty path with serialport and the head executes all of it", async () => {
    const head = new SimHead();
    const pty = await startPtyHead({ link: join(dir, "head-a"), head, clock: "realtime" });
    const port = await openPort(pty.link);
    try {
      const lines = linePortOf(port);
      const dots = [
        { x: -20, y: -10, force: 60 },
        { x: -19.5, y: -10, force: 60 },
        { x: -19, y: -9.75, force: 80 },
      ];
      const r = await streamLines(lines, ["$X", ...zStrikeProgram(dots), ...SCRIBE], { timeoutMs: 30_000 });
      expect(r.answers.filter((a) => a !== "ok")).toEqual([]);
      expect(r.answers.length).toBe(1 + zStrikeProgram(dots).length + SCRIBE.length);
      // Poll as a host does until the head reports it has finished.
      let poll: NodeJS.Timeout | undefined;
      const statusLine = new Promise<string>((resolve) => {
        const off = lines.onLine((l) => {
          if (l.startsWith("<Idle")) {
            off();
            resolve(l.trim());
          }
        });
        poll = setInterval(() => port.write("?"), 50);
      }).finally(() => clearInterval(poll));
      expect(await statusLine).toMatch(/^<Idle\|MPos:-40\.000,-1\.000,-0\.004\|Bf:15,128\|/);
      // Each dot: the pin on at rest at the dot (a host late with the next line leaves it on
      // longer — more strikes on the same spot — which is the host's concern, not this test's).
      const dotPins = head.pinIntervals.slice(0, dots.length);
      expect(dotPins.map((p) => [p.at.x, p.at.y, p.distance])).toEqual(dots.map((d) => [d.x, d.y, 0]));
      const scribeForce = strikeForce(90);
      expect(new Set(head.strikes.filter((s) => s.force !== scribeForce).map((s) => `${s.x},${s.y},${s.force}`))).toEqual(new Set(dots.map((d) => `${d.x},${d.y},${strikeForce(d.force)}`)));
      const train = head.strikes.filter((s) => s.force === scribeForce);
      expect(train.length).toBeGreaterThan(50);
      expect(train[0]).toMatchObject({ x: -30, y: -20 });
      expect(head.lostBytes).toBe(0);
    } finally {
      await closePort(port);
      await pty.close();
    }
  });

  it("unplugging the head closes the host's port as a disconnect", async () => {
    const pty = await startPtyHead({ link: join(dir, "head-b"), head: new SimHead(), clock: "fast" });
    const port = await openPort(pty.link);
    port.on("error", () => {});
    const greeted = new Promise<void>((resolve) => {
      let text = "";
      port.on("data", (d: Buffer) => {
        text += d.toString();
        if (text.includes("Grbl 1.1h")) resolve();
      });
    });
    await greeted;
    const closed = new Promise<unknown>((resolve) => port.once("close", (err: unknown) => resolve(err)));
    await pty.unplug();
    const err = (await closed) as { disconnected?: boolean } | null;
    expect(err?.disconnected).toBe(true);
  });

  it("`peenmark sim --build origin --line-numbers` runs that build ([OPT:VNZ,14,128])", async () => {
    const link = join(dir, "head-d");
    const child = spawn(process.execPath, ["bin/peenmark.mjs", "sim", "--pty", link, "--fast", "--build", "origin", "--line-numbers"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("simulated head")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`peenmark sim exited ${code}`)));
    });
    expect(out).toContain("[OPT:VNZ]");
    const port = await openPort(link);
    try {
      const r = await streamLines(linePortOf(port), ["$I"], { timeoutMs: 30_000 });
      expect(r.other).toContain("[OPT:VNZ,14,128]");
    } finally {
      await closePort(port);
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
    }
  });

  it("`peenmark sim --pty` runs the head in its own process and writes the workpiece on exit", async () => {
    const link = join(dir, "head-c");
    const workpiece = join(dir, "work.svg");
    const child = spawn(process.execPath, ["bin/peenmark.mjs", "sim", "--pty", link, "--fast", "--workpiece", workpiece], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("simulated head")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`peenmark sim exited ${code}: ${err}`)));
    });
    expect(out).toContain(`on ${link}`);
    const port = await openPort(link);
    const dots = Array.from({ length: 8 }, (_, i) => ({ x: -12 + i, y: -5, force: 50 }));
    try {
      const r = await streamLines(linePortOf(port), ["$X", ...zStrikeProgram(dots)], { timeoutMs: 30_000 });
      expect(r.answers.every((a) => a === "ok")).toBe(true);
    } finally {
      await closePort(port);
    }
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out).toContain("8 strikes");
    const svg = readFileSync(workpiece, "utf8");
    expect(svg.match(/<circle /g)?.length).toBe(8);
  });
});
