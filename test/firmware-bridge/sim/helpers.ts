import { SimHead, type SimHeadOptions } from "../../../firmware-bridge/sim/index.ts";
import type { LinePort } from "../../../firmware-bridge/sim/stream-client.ts";

/** A head in virtual time with everything it says collected as lines (line endings removed). */
export function virtualHead(opts: SimHeadOptions = {}): { head: SimHead; lines: string[]; port: LinePort; send(text: string): string[] } {
  const head = new SimHead(opts);
  const lines: string[] = [];
  const listeners = new Set<(l: string) => void>();
  let buf = "";
  head.on("output", (d) => {
    buf += d.toString("latin1");
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, "");
      buf = buf.slice(i + 1);
      lines.push(line);
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
  /** Send text, run until idle, return what the head said in answer. */
  const send = (text: string) => {
    const from = lines.length;
    head.write(text);
    head.runUntilIdle();
    return lines.slice(from);
  };
  return { head, lines, port, send };
}

/** A program in the dialect of the brief: dots at (x, y, force %). */
export function dotProgram(dots: readonly { x: number; y: number; force: number }[], strikeTime = 0.01): string[] {
  const out = ["(peenmark job=test profile=test station=bench)", "N1G21G90G94G17", "N2M3S0", "N3G1F1200"];
  let n = 4;
  for (const d of dots) {
    out.push(`N${n++}G0X${d.x}Y${d.y}`);
    out.push(`N${n++}G1S${Math.round(d.force * 10)}G4P${strikeTime}`);
    out.push(`N${n++}S0`);
  }
  out.push(`N${n++}S0`, `N${n++}M5`, `N${n++}G0X0Y80`);
  return out;
}
