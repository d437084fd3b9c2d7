import { createHash } from "node:crypto";
import type { Point } from "../geometry.ts";
import type { Program } from "../plan/program.ts";

/**
 * Program → GRBL 1.1 G-code lines (the dialect in firmware-bridge/PROTOCOL.md).
 * Laser mode ($32=1), M3 constant power: G0 always switches the pin off; a strike is
 * "stop, pin on, dwell, pin off" (`G1S…G4P…` then `S0`); a scribe stroke is consecutive G1
 * moves with the pin on. Every body line carries an N number (GRBL reports it as Ln: in
 * status reports, which is how the streamer knows which strike is under the pin).
 */
export interface GcodeProgram {
  /** The lines to stream, without line endings; the first is the header comment. */
  readonly lines: readonly string[];
  /** sha256 of the body (every line after the header comment, joined with \n). */
  readonly hash: string;
  /** Index into `lines` of every line whose execution strikes (dot strikes and scribe segments). */
  readonly strikeLines: readonly number[];
  /** Longest line in bytes. */
  readonly maxLineBytes: number;
}

/** GRBL line buffer is 80 characters (LINE_BUFFER_SIZE). */
export const MAX_LINE_BYTES = 80;

/** At most 3 decimals, no trailing zeros, no "-0": 1 µm is finer than any head's resolution. */
export function num(n: number): string {
  const r = Math.round(n * 1000) / 1000;
  if (Object.is(r, -0) || r === 0) return "0";
  return String(r);
}

/** S word for a force in percent: $30=1000 makes S per-mille of full power. */
export function spindle(force: number): number {
  return Math.round(force * 10);
}

const xy = (p: Point) => `X${num(p.x)}Y${num(p.y)}`;

export function emitGcode(p: Program): GcodeProgram {
  const body: string[] = [];
  const strikeLines: number[] = [];
  const push = (words: string, strikes = false) => {
    body.push(`N${body.length + 1}${words}`);
    if (strikes) strikeLines.push(body.length); // index in `lines` = body index + 1 (header)
  };
  // mm, absolute, feed per minute, XY plane; G54 with G92 offsets cleared: program = machine coordinates.
  push("G21G90G94G17G54G92.1");
  push("M3S0");
  push(`G1F${num(p.markFeed)}`);
  const dwell = num(p.strikeTime);
  for (const op of p.ops) {
    if (op.kind === "strike") {
      push(`G0${xy(op.at)}`);
      push(`G1S${spindle(op.force)}G4P${dwell}`, true);
      push("S0");
    } else {
      push(`G0${xy(op.points[0]!)}`);
      op.points.slice(1).forEach((pt, i) => push(i === 0 ? `G1${xy(pt)}S${spindle(op.force)}F${num(op.feed)}` : xy(pt), true));
    }
  }
  push("S0");
  push("M5");
  push(`G0${xy(p.park)}`);
  const hash = createHash("sha256").update(body.join("\n")).digest("hex");
  const header = `(peenmark job=${hash.slice(0, 12)} profile=${p.profileId} station=${p.stationId})`;
  const lines = [header, ...body];
  return { lines, hash, strikeLines, maxLineBytes: Math.max(...lines.map((l) => Buffer.byteLength(l))) };
}
