import { createHash } from "node:crypto";
import type { Point } from "../geometry.ts";
import type { Op, Program } from "../plan/program.ts";

/**
 * Program → GRBL 1.1 G-code lines (the dialect in firmware-bridge/PROTOCOL.md, "The dialect
 * peenmark emits"). Laser mode ($32=1): G0 always carries power 0, a G1 block with axis words
 * carries its S without a buffer sync.
 *
 * - A dot strike is `G0` to the dot, then one G1 block that moves only Z by a few steps at the
 *   feed that makes it last the strike time, in M3 (constant power): the pin is on for exactly
 *   that block, X and Y at rest, and goes off at the next block's first step (a G0 carries 0).
 *   No dwell (GRBL runs G4 in 50 ms steps) and no sync (each costs the `$1` idle-lock wait).
 * - A scribe stroke is consecutive G1 XY moves in M4 (power follows speed): the pin fires its
 *   train while the head moves and is off whenever it stands, also when the planner runs dry.
 * - Z alternates between 0 and −move (a `G92Z0` in the header makes Z 0 where it stands), and
 *   goes back to 0 with the park move, so that jobs never walk Z towards its soft limit.
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

/** At most `decimals` decimals (3: 1 µm), no trailing zeros, no "-0". */
export function num(n: number, decimals = 3): string {
  const f = 10 ** decimals;
  const r = Math.round(n * f) / f;
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
  // Modal state as the controller will hold it, so that words go out only when they change.
  let spindleMode: 3 | 4 | undefined;
  let s = 0;
  let feed: number | undefined;
  let zDown = false;
  const sWord = (force: number) => {
    const v = spindle(force);
    if (v === s) return "";
    s = v;
    return `S${v}`;
  };
  const fWord = (f: number) => {
    if (feed === f) return "";
    feed = f;
    return `F${num(f)}`;
  };
  // Z moves are whole steps; 4 decimals keep a step of any head (≥ 0.0001 mm) exact.
  const zDownWord = `Z${num(-p.strike.move, 4)}`;
  /** A spindle-mode change is a buffer sync; S0 with it so the pin is off at rest (a bare M3 would switch on at the modal S). */
  const mode = (op: Op) => {
    const want = op.kind === "strike" ? 3 : 4;
    if (spindleMode === want) return;
    spindleMode = want;
    s = 0;
    push(`M${want}S0`);
  };

  // mm, absolute, feed per minute, XY plane; G54 (the controller's offset is the homed
  // origin, set by the driver) with G92 offsets cleared; then Z zero where Z stands.
  push("G21G90G94G17G54G92.1");
  push("G92Z0");
  for (const op of p.ops) {
    mode(op);
    if (op.kind === "strike") {
      push(`G0${xy(op.at)}`);
      zDown = !zDown;
      push(`G1${zDown ? zDownWord : "Z0"}${sWord(op.force)}${fWord(p.strike.feed)}`, true);
    } else {
      push(`G0${xy(op.points[0]!)}`);
      op.points.slice(1).forEach((pt, i) => push(i === 0 ? `G1${xy(pt)}${sWord(op.force)}${fWord(op.feed)}` : xy(pt), true));
    }
  }
  push("S0");
  push("M5");
  push(`G0${xy(p.park)}Z0`);
  const hash = createHash("sha256").update(body.join("\n")).digest("hex");
  const header = `(peenmark job=${hash.slice(0, 12)} profile=${p.profileId} station=${p.stationId})`;
  const lines = [header, ...body];
  let maxLineBytes = 0;
  for (const l of lines) maxLineBytes = Math.max(maxLineBytes, Buffer.byteLength(l));
  return { lines, hash, strikeLines, maxLineBytes };
}
