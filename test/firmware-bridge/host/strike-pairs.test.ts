import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { SerialPortMock } from "serialport";
import { Controller } from "../../../firmware-bridge/driver.ts";
import { pinOffPairs } from "../../../firmware-bridge/streamer.ts";
import { dotProgram, FakeGrbl, grid, isStrike } from "./fake-grbl.ts";

/**
 * In laser mode (M3) the pin stays on after a strike line (`G1S…G4P…`) until `S0`, and after
 * the last segment of a scribe stroke until the `G0` that follows. Each such pair must reach
 * the controller in one write: if the host stalled or died between them, the controller
 * would sit at rest with the pin on, striking the same spot again and again.
 */
afterEach(() => SerialPortMock.binding.reset());

const golden = (name: string) => readFileSync(new URL(`../../golden/${name}.gcode`, import.meta.url), "utf8").split("\n").filter((l) => l !== "");

describe("lines that leave the pin on travel with the line that switches it off", () => {
  it("pairs each strike with its S0 and the last scribe segment with the G0 after it, nothing else", () => {
    const lines = ["N1G21G90G94G17", "N2M3S0", "N3G1F1200", "N4G0X1Y1", "N5G1S700G4P0.01", "N6S0", "N7G0X2Y2", "N8G1X3Y2S600F900", "N9X4Y2", "N10X4Y3", "N11G0X5Y5", "N12S0", "N13M5"];
    const pairs = pinOffPairs(lines);
    expect(lines.filter((_l, i) => pairs[i])).toEqual(["N5G1S700G4P0.01", "N10X4Y3"]);
  });

  it("finds a pair for every strike and every scribe stroke of a real program", () => {
    const lines = golden("us-receiver");
    const pairs = pinOffPairs(lines);
    const strikeLines = lines.filter((l) => /G4P/.test(l)).length;
    const strokes = lines.filter((l, i) => /^N\d+G0/.test(l) && /^N\d+G1X/.test(lines[i + 1] ?? "")).length;
    expect(strokes).toBeGreaterThan(10);
    expect(pairs.filter(Boolean)).toHaveLength(strikeLines + strokes);
    lines.forEach((l, i) => {
      if (pairs[i]) expect(lines[i + 1]).toMatch(/^N\d+(S0|G0X)/);
    });
  });

  it("never writes a strike line without its S0 after it in the same write", async () => {
    const fake = new FakeGrbl();
    const c = new Controller({ link: { path: fake.path, binding: fake.binding }, statusHz: 0 });
    await c.connect();
    fake.autoAck = false;
    fake.writes = [];
    const program = dotProgram(grid(60));
    const job = c.run(program, { strikes: isStrike });
    let done = false;
    void job.then(() => (done = true));
    // One answer at a time: the buffer often has room for a strike line but not its S0.
    while (!done) {
      await new Promise((r) => setTimeout(r, 2));
      fake.ack();
    }
    expect((await job).outcome).toBe("completed");
    let strikesSeen = 0;
    for (const chunk of fake.writes) {
      const lines = chunk.split("\n");
      lines.forEach((line, i) => {
        if (!/G4P/.test(line)) return;
        strikesSeen++;
        expect(lines[i + 1], `write ${JSON.stringify(chunk)} ends after a strike line`).toMatch(/^N\d+S0$/);
      });
    }
    expect(strikesSeen).toBe(60);
    await c.close();
  });
});
