import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { SerialPortMock } from "serialport";
import { Controller } from "../../../firmware-bridge/driver.ts";
import { pinOffPairs } from "../../../firmware-bridge/streamer.ts";
import { dotProgram, FakeGrbl, grid, isStrike } from "./fake-grbl.ts";

/**
 * In constant-power laser mode (M3) the pin stays on after a strike block (`G1Z…`) until the
 * next block loads — the rapid to the next dot. Each such pair must reach the controller in
 * one write: if the host stalled or died between them, the planner would run dry after the
 * strike and the controller would sit at rest with the pin on, striking the same spot again
 * and again. Scribe strokes run in M4, where the pin is never on at rest.
 */
afterEach(() => SerialPortMock.binding.reset());

const golden = (name: string) => readFileSync(new URL(`../../golden/${name}.gcode`, import.meta.url), "utf8").split("\n").filter((l) => l !== "");

describe("lines that leave the pin on travel with the line that switches it off", () => {
  it("pairs each M3 strike with the line after it; M4 scribe segments need none", () => {
    const lines = ["N1G21G90G94G17G54G92.1", "N2G92Z0", "N3M3S0", "N4G0X1Y1", "N5G1Z-0.004S700F24", "N6G0X2Y1", "N7G1Z0", "N8M4S0", "N9G0X2Y2", "N10G1X3Y2S600F900", "N11X4Y2", "N12G0X5Y5", "N13S0", "N14M5", "N15G0X0Y80Z0"];
    const pairs = pinOffPairs(lines);
    expect(lines.filter((_l, i) => pairs[i])).toEqual(["N5G1Z-0.004S700F24", "N7G1Z0"]);
  });

  it("finds a pair for every strike and every scribe stroke of a real program", () => {
    const lines = golden("us-receiver");
    const pairs = pinOffPairs(lines);
    const strikeLines = lines.filter(isStrike).length;
    expect(strikeLines).toBeGreaterThan(100);
    expect(pairs.filter(Boolean)).toHaveLength(strikeLines);
    lines.forEach((l, i) => {
      if (pairs[i]) expect(lines[i + 1]).toMatch(/^N\d+(S0|M4S0|G0X)/);
    });
  });

  it("never writes a strike line without the line after it in the same write", async () => {
    const fake = new FakeGrbl();
    const c = new Controller({ link: { path: fake.path, binding: fake.binding }, statusHz: 0 });
    await c.connect();
    fake.autoAck = false;
    fake.writes = [];
    const program = dotProgram(grid(60));
    const job = c.run(program, { strikes: isStrike });
    let done = false;
    void job.then(() => (done = true));
    // One answer at a time: the buffer often has room for a strike line but not the rapid after it.
    while (!done) {
      await new Promise((r) => setTimeout(r, 2));
      fake.ack();
    }
    expect((await job).outcome).toBe("completed");
    let strikesSeen = 0;
    for (const chunk of fake.writes) {
      const lines = chunk.split("\n");
      lines.forEach((line, i) => {
        if (!isStrike(line)) return;
        strikesSeen++;
        expect(lines[i + 1], `write ${JSON.stringify(chunk)} ends after a strike line`).toMatch(/^N\d+(G0X|S0$)/);
      });
    }
    expect(strikesSeen).toBe(60);
    await c.close();
  });
});
