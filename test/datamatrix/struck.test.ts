import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.ts";
import { decodeStrikes } from "../../src/datamatrix/verify.ts";
import { measureStreaming } from "../../firmware-bridge/measure.ts";
import type { Profile } from "../../src/profile/schema.ts";
import { example, MARKED_AT } from "../compile/examples.ts";

/**
 * Data Matrix symbols struck on the simulated head: the program is streamed over the
 * simulated serial link, the head records where its pin struck, and those dots — drawn at
 * their real diameter, no enlargement — are decoded by both decoders.
 */
const { profile, record, station } = example("receiver-datamatrix");
const m = station.machine;

function withPayload(payload: string, module: number, rotation: number): Profile {
  return {
    ...profile,
    blocks: profile.blocks.map((b) => (b.kind === "datamatrix" ? { ...b, payload, module, rotation, origin: { x: 20, y: 20 }, humanReadable: undefined } : b)),
  };
}

describe.each([
  // payload (its length sets the symbol size), module mm, rotation degrees
  ["{serial}", 0.3, 0],
  ["{serial}/{model}/{date.code}", 0.3, 90],
  ["SN {serial} MFR RIDGELINE ARMS PRESCOTT AZ US MODEL {model}", 0.28, -30],
] as const)("payload %s, module %s mm, rotated %s°", (payload, module, rotation) => {
  it("is struck dot for dot and decodes to the payload", async () => {
    const job = compile({ record, profile: withPayload(payload, module, rotation), station, markedAt: MARKED_AT });
    const dm = job.datamatrix[0]!;
    const expected = job.blocks.find((b) => b.id === "code")!.symbol!.payload;
    const sim = await measureStreaming(job.gcode.lines, {
      head: { machine: { workArea: m.workArea, rapidRate: m.rapidRate, acceleration: m.acceleration, junctionDeviation: m.junctionDeviation, homing: m.homing }, pin: { strikeFrequency: m.strikeFrequency, strikeTime: m.strikeTime } },
    });
    expect(sim.outcome.outcome).toBe("completed");
    const onSymbol = sim.strikes.filter((s) => s.line > 0 && job.gcode.lines[s.line - 1] !== undefined).slice(0, dm.strikes.length);
    expect(onSymbol).toHaveLength(dm.strikes.length);
    onSymbol.forEach((s, i) => {
      expect(Math.abs(s.x - dm.strikes[i]!.x)).toBeLessThan(0.01);
      expect(Math.abs(s.y - dm.strikes[i]!.y)).toBeLessThan(0.01);
    });
    const v = await decodeStrikes(onSymbol, { module: dm.module, dotDiameter: dm.dotDiameter, origin: dm.origin, rotation: dm.rotation, readerFill: 0 });
    expect(v.dmtxread).toEqual({ text: expected });
    expect(v.zxing).toEqual({ text: expected });
    expect(dm.rows).toBeGreaterThanOrEqual(payload.length > 40 ? 24 : 12);
  });
});
