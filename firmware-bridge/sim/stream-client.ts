/**
 * A minimal streaming client in the manner of GRBL's doc/script/stream.py: character
 * counting. Every line sent is remembered with its length (plus its newline); a line is only
 * sent when the unanswered bytes plus it fit in the controller's RX buffer (RX_BUFFER_SIZE−1
 * bytes, as GRBL's ring buffer holds); each ok or error:N frees its oldest line. It exists to
 * exercise the simulated head over a real port; the station's streamer is ../streamer.ts.
 */
import type { Duplex } from "node:stream";
import { ReadlineParser } from "serialport";
import { classifyLine, RX_BUFFER_SIZE } from "../protocol.ts";

/** The little a stream client needs of a port: write bytes, hear lines. */
export interface LinePort {
  write(data: string): void;
  onLine(listener: (line: string) => void): () => void;
}

/** A LinePort over a serialport stream (SerialPort, SerialPortStream). */
export function linePortOf(port: Duplex): LinePort {
  const parser = port.pipe(new ReadlineParser({ delimiter: "\n" }));
  return {
    write: (data) => void port.write(data),
    onLine: (listener) => {
      parser.on("data", listener);
      return () => void parser.off("data", listener);
    },
  };
}

export interface StreamResult {
  /** One answer per line sent, in order: "ok" or "error:N". */
  readonly answers: string[];
  /** Lines that were neither answers nor empty (status reports, [MSG:…], ALARM:N, …). */
  readonly other: string[];
}

export function streamLines(port: LinePort, lines: readonly string[], opts: { rxBuffer?: number; timeoutMs?: number } = {}): Promise<StreamResult> {
  const budget = (opts.rxBuffer ?? RX_BUFFER_SIZE) - 1;
  const blocks = lines.map((l) => l.trim()).filter((l) => l !== "");
  const inFlight: number[] = [];
  const answers: string[] = [];
  const other: string[] = [];
  let next = 0;
  return new Promise((resolve, reject) => {
    const timer = opts.timeoutMs ? setTimeout(() => finish(new Error(`stream timed out with ${blocks.length - answers.length} lines unanswered`)), opts.timeoutMs) : undefined;
    const fill = () => {
      while (next < blocks.length) {
        const size = blocks[next]!.length + 1;
        if (size > budget) return finish(new Error(`line ${next + 1} is longer than the RX buffer`));
        if (inFlight.reduce((a, b) => a + b, 0) + size > budget) break;
        inFlight.push(size);
        port.write(blocks[next]! + "\n");
        next++;
      }
      if (answers.length === blocks.length) finish();
    };
    const off = port.onLine((raw) => {
      const line = raw.replace(/\r$/, "");
      const c = classifyLine(line);
      if (c.kind === "ok" || c.kind === "error") {
        answers.push(line);
        inFlight.shift();
        fill();
      } else if (line !== "") {
        other.push(line);
        if (c.kind === "alarm") finish(new Error(`controller raised ${line}`));
      }
    });
    let done = false;
    function finish(err?: Error) {
      if (done) return;
      done = true;
      off();
      if (timer) clearTimeout(timer);
      if (err) reject(Object.assign(err, { answers, other }));
      else resolve({ answers, other });
    }
    fill();
  });
}
