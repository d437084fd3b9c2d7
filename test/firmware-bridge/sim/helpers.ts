import { parseStatus, type StatusReport } from "../../../firmware-bridge/protocol.ts";
import { SimHead, type SimHeadOptions } from "../../../firmware-bridge/sim/index.ts";
import type { LinePort } from "../../../firmware-bridge/sim/stream-client.ts";

export interface VirtualHead {
  readonly head: SimHead;
  /** Every line the head said, line endings removed. */
  readonly lines: string[];
  /** The same lines with the virtual time (s) each one was complete on the wire. */
  readonly timed: { t: number; line: string }[];
  readonly port: LinePort;
  /** Send text, then run until idle (or for `seconds`), return what the head said in answer. */
  send(text: string, seconds?: number): string[];
}

/** A head in virtual time with everything it says collected as lines. Default build: stock GRBL 1.1h. */
export function virtualHead(opts: SimHeadOptions = {}): VirtualHead {
  const head = new SimHead(opts);
  const lines: string[] = [];
  const timed: { t: number; line: string }[] = [];
  const listeners = new Set<(l: string) => void>();
  let buf = "";
  head.on("output", (d) => {
    buf += d.toString("latin1");
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, "");
      buf = buf.slice(i + 1);
      lines.push(line);
      timed.push({ t: head.now, line });
      for (const l of listeners) l(line);
    }
  });
  head.runUntilIdle();
  const port: LinePort = {
    write: (data) => head.write(data),
    onLine: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const send = (text: string, seconds?: number) => {
    const from = lines.length;
    head.write(text);
    if (seconds === undefined) head.runUntilIdle();
    else head.advance(seconds);
    return lines.slice(from);
  };
  return { head, lines, timed, port, send };
}

/** Unlocked with $X (no homing: machine position 0,0,0). */
export function unlocked(opts: SimHeadOptions = {}): VirtualHead {
  const h = virtualHead(opts);
  h.send("$X\n");
  return h;
}

/** Homed with $H. */
export function homed(opts: SimHeadOptions = {}): VirtualHead {
  const h = virtualHead(opts);
  h.send("$H\n");
  return h;
}

/** The status report a `?` gets now (the head runs 20 ms for it). */
export function statusOf(h: VirtualHead): StatusReport {
  const from = h.lines.length;
  h.head.write("?");
  h.head.advance(0.02);
  const line = h.lines.slice(from).find((l) => l.startsWith("<"));
  if (!line) throw new Error(`no status report in ${JSON.stringify(h.lines.slice(from))}`);
  return parseStatus(line)!;
}

/** The raw status line a `?` gets now. */
export function statusLine(h: VirtualHead): string {
  const from = h.lines.length;
  h.head.write("?");
  h.head.advance(0.02);
  return h.lines.slice(from).find((l) => l.startsWith("<")) ?? "";
}

/** A machine without homing (no power-up lock, no soft limits): as the bench, $22=0. */
export const NO_HOMING = { workArea: { width: 100, height: 80 }, rapidRate: 3000, acceleration: 500, junctionDeviation: 0.01, homing: false } as const;

/**
 * A dot program in the strike encoding of issue 9: rapid to the dot with the pin off, then a
 * Z-only G1 of one Z step (0.004 mm) at F = d / strike time in M3 — the pin is on for that
 * block — and Z alternating between 0 and −d. Coordinates are machine coordinates.
 */
export function zStrikeProgram(dots: readonly { x: number; y: number; force: number }[], strikeTime = 0.01, d = 0.004): string[] {
  const feed = Math.round((d / strikeTime) * 60 * 1000) / 1000;
  const out = ["G21G90G94G17", "G92Z0", "M3S0"];
  let n = 1;
  let z = 0;
  for (const dot of dots) {
    out.push(`N${n++}G0X${dot.x}Y${dot.y}`);
    z = z === 0 ? -d : 0;
    out.push(`N${n++}G1Z${z}S${Math.round(dot.force * 10)}F${feed}`);
  }
  out.push(`N${n++}G0X0Y0`, "M5");
  return out;
}

/** The force a strike at `percent` (S = percent × 10 of $30=1000) shows: the PWM duty, spindle_control.c's 8-bit value ÷ 255. */
export function strikeForce(percent: number): number {
  const s = Math.fround(percent * 10);
  const pwm = s >= 1000 ? 255 : s <= 0 ? 0 : Math.floor(Math.fround(s * Math.fround(254 / 1000))) + 1;
  return Math.round((pwm / 255) * 1000) / 10;
}

/** Milliseconds, for readable expectations. */
export const ms = (s: number) => s * 1000;
