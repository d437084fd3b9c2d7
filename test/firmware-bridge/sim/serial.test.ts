import { describe, expect, it } from "vitest";
import { streamLines } from "../../../firmware-bridge/sim/index.ts";
import { NO_HOMING, statusOf, unlocked, virtualHead } from "./helpers.ts";

/** The serial port and the wire: serial.c. */
describe("serial.c: the RX ring holds 128 bytes (129 slots, one kept free)", () => {
  it("serial.c ISR(SERIAL_RX): 128 bytes fit while the main loop is busy; the 129th is lost", () => {
    const h = unlocked({ machine: NO_HOMING });
    // G4P1 keeps the main loop in the dwell for a second; everything after it waits in the ring.
    const tail = "G0X1\n".repeat(40); // 200 bytes
    h.head.write("G4P1\n" + tail);
    h.head.advance(0.5);
    expect(statusOf(h).bf!.bytes).toBe(0); // serial_get_rx_buffer_available: 128 − used
    h.head.runUntilIdle();
    expect(h.head.lostBytes).toBe(200 - 128);
  });

  it("serial.c: a host that counts characters against 128 bytes loses nothing", async () => {
    const h = unlocked({ machine: NO_HOMING });
    const lines = ["G4P1", ...Array.from({ length: 60 }, (_, i) => `G0X${i % 10}Y1`)];
    const done = streamLines(h.port, lines, { rxBuffer: 129 }); // the client keeps one byte spare
    h.head.runUntilIdle();
    const r = await done;
    expect(h.head.lostBytes).toBe(0);
    expect(r.answers).toEqual(lines.map(() => "ok"));
  });

  it("serial.c ISR(SERIAL_RX): every byte above 0x7F is kept out of the ring, known or not", () => {
    const h = unlocked({ machine: NO_HOMING });
    h.head.write(Buffer.from([0x47, 0x30, 0xfe, 0x58, 0x31, 0x86, 0x0a])); // "G0" 0xFE "X1" 0x86 "\n"
    h.head.runUntilIdle();
    expect(h.lines.at(-1)).toBe("ok");
    expect(statusOf(h).mpos).toEqual([1, 0, 0]);
  });

  it("serial.c: the four ASCII real-time characters are taken out wherever they are, even inside a line or a comment", () => {
    const h = unlocked({ machine: NO_HOMING });
    const said = h.send("G0X2(comm?ent)Y1\n");
    // One status report (from the EOL check point, protocol.c) then the line's ok.
    expect(said.map((l) => (l.startsWith("<") ? "<status>" : l))).toEqual(["<status>", "ok"]);
  });

  it("serial.c + protocol.c: several ? before one check point give one report (a single flag bit)", () => {
    const h = unlocked({ machine: NO_HOMING });
    h.head.write("G4P0.2\n");
    h.head.advance(0.06);
    h.head.write("???");
    h.head.advance(0.06); // the dwell's next 50 ms step is the next check point
    expect(h.lines.filter((l) => l.startsWith("<")).length).toBe(1);
  });
});

describe("the wire at the baud rate (10 bits a byte)", () => {
  it("an answer takes its bytes' time: ok (4 bytes) 0.35 ms after the line is read at 115200 baud", () => {
    const h = virtualHead({ machine: NO_HOMING });
    const t0 = h.head.now;
    h.head.write("$I\n");
    h.head.runUntilIdle();
    const ok = h.timed.find((x) => x.line === "ok")!;
    // 3 bytes in (0.26 ms), 2 lines of build info (43 bytes) and ok (4 bytes) out.
    const byte = 10 / 115200;
    expect(ok.t - t0).toBeCloseTo(3 * byte + (22 + 16 + 4) * byte, 4);
  });

  it("serial.c serial_write: a long answer blocks the main loop until the rest fits in the TX ring (104 bytes)", () => {
    const h = virtualHead({ machine: NO_HOMING });
    const byte = 10 / 115200;
    h.head.write("$$\n");
    h.head.advance(3 * byte + 0.005);
    expect(h.head.grbl.cpu.mainPolling).toBe(false); // still writing the list
    h.head.runUntilIdle();
    const text = h.lines.slice(h.lines.indexOf("$0=10")).join("\r\n") + "\r\n";
    const end = h.timed.find((x) => x.line === "ok")!.t;
    // The list and its ok leave back to back at the byte rate.
    expect(end - h.timed.find((x) => x.line === "$0=10")!.t).toBeCloseTo((text.length - "$0=10\r\n".length) * byte, 6);
  });

});
