import { afterEach, describe, expect, it } from "vitest";
import { SerialPortMock } from "serialport";
import { Controller } from "../../../firmware-bridge/driver.ts";
import { leavesPinOnAtRest } from "../../../firmware-bridge/streamer.ts";
import { dotProgram, FakeGrbl, grid, isStrike } from "./fake-grbl.ts";

/**
 * A strike switches the pin on (`G1S…G4P…`) and the next line switches it off (`S0`). They
 * must reach the controller in one write: if the host stalled or died between them, the
 * controller would sit at rest with the pin on, striking the same spot again and again.
 */
afterEach(() => SerialPortMock.binding.reset());

describe("strike lines travel with their pin-off line", () => {
  it("recognises the lines that leave the pin on at rest", () => {
    expect(leavesPinOnAtRest("N5G1S700G4P0.01")).toBe(true);
    expect(leavesPinOnAtRest("N6S0")).toBe(false);
    expect(leavesPinOnAtRest("N7G4P0.5")).toBe(false);
    expect(leavesPinOnAtRest("N8G1X1Y2S600F900")).toBe(false);
    expect(leavesPinOnAtRest("N9G1S0G4P0.01")).toBe(false);
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
        if (!leavesPinOnAtRest(line)) return;
        strikesSeen++;
        expect(lines[i + 1], `write ${JSON.stringify(chunk)} ends after a strike line`).toMatch(/^N\d+S0$/);
      });
    }
    expect(strikesSeen).toBe(60);
    await c.close();
  });
});
