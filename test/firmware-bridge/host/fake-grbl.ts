import { SerialPortMock } from "serialport";
import { formatOptions, formatSettingsList, formatStatus, stockSettings, WELCOME, type MachineState } from "../../../firmware-bridge/protocol.ts";
import type { BindingInterface } from "../../../firmware-bridge/link.ts";
import { emitGcode } from "../../../src/gcode/emit.ts";

/**
 * A scripted controller behind serialport's MockBinding, for the host-side tests before (and
 * besides) the simulated head: it records every byte the host writes, tells real-time bytes
 * from lines, counts the bytes of lines it has not answered (what GRBL's RX buffer would
 * hold), and answers the way the test says. It moves nothing: tests say what is "executed"
 * through the status it reports.
 */
const MockBinding = SerialPortMock.binding;

let counter = 0;

export class FakeGrbl {
  readonly path = `/dev/fake-grbl-${process.pid}-${++counter}`;
  readonly binding: BindingInterface;
  /** Every byte the host wrote, in order. */
  bytes: number[] = [];
  /** Lines received, in order (without "\n"). */
  lines: string[] = [];
  /** The G54 work offset `$#` reports; `G10L2P1…` sets it. */
  g54 = { x: 0, y: 0, z: 0 };
  /** Every write the host made, as it arrived (one entry per write call on the port). */
  writes: string[] = [];
  /** Real-time bytes received, in order. */
  realtime: number[] = [];
  /** Bytes of received lines not yet answered: GRBL's RX buffer fill under character counting. */
  pending: { line: string; bytes: number }[] = [];
  maxPendingBytes = 0;
  state: MachineState = "Idle";
  subState: number | undefined;
  ln: number | undefined;
  bf = { blocks: 15, bytes: 128 };
  /** Machine position the status reports give: tests move the head by setting it. */
  mpos: [number, number, number] = [0, 0, 0];
  settings = stockSettings();
  /** Answer G-code lines on arrival (true) or only when the test calls ack() (false). */
  autoAck = true;
  /** Answers the test scripts for particular lines: return the reply lines instead of "ok". */
  onLine: ((line: string) => string[] | undefined) | undefined;
  /** Whether a soft reset answers with the welcome line. */
  answerReset = true;
  private port: { emitData(d: string | Buffer): void; isOpen: boolean } | undefined;
  private partial = "";
  private failRead: ((e: Error) => void) | undefined;
  private unplugged = false;

  constructor(options: { welcomeOnOpen?: boolean } = {}) {
    MockBinding.createPort(this.path, { echo: false, record: true, ...(options.welcomeOnOpen === false ? {} : { readyData: Buffer.from(`\r\n${WELCOME}\r\n`) }) });
    this.settings.set(32, 1);
    this.binding = {
      list: () => MockBinding.list(),
      open: async (opts) => {
        const port = await MockBinding.open(opts as never);
        this.port = port;
        const write = port.write.bind(port);
        port.write = async (buf: Buffer) => {
          this.writes.push(buf.toString("latin1"));
          await write(buf);
          this.receive(buf);
        };
        const read = port.read.bind(port);
        port.read = (buffer: Buffer, offset: number, length: number) =>
          new Promise((resolve, reject) => {
            if (this.unplugged) return reject(this.unplugError());
            this.failRead = reject;
            read(buffer, offset, length).then(resolve, reject);
          });
        return port;
      },
    };
  }

  /** Send a line to the host as the controller would (\r\n). */
  say(line: string): void {
    if (this.port?.isOpen) this.port.emitData(`${line}\r\n`);
  }

  /** Answer the oldest pending line with `reply` (default ok). */
  ack(reply = "ok"): string | undefined {
    const p = this.pending.shift();
    if (!p) return undefined;
    this.say(reply);
    return p.line;
  }

  /** The cable is pulled: the next read fails the way a vanished tty does. */
  unplug(): void {
    this.unplugged = true;
    this.failRead?.(this.unplugError());
  }

  /** The cable is back (the next open works again). */
  plugIn(): void {
    this.unplugged = false;
  }

  private unplugError(): Error {
    return Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
  }

  /** Bytes written after the first line equal to `line` was received (real-time bytes included). */
  bytesAfterLine(line: string): number[] {
    let text = "";
    for (let i = 0; i < this.bytes.length; i++) {
      const b = this.bytes[i]!;
      if (b === 0x0a) {
        if (text === line) return this.bytes.slice(i + 1);
        text = "";
      } else if (!(b === 0x3f || b === 0x21 || b === 0x7e || b === 0x18 || b >= 0x80)) text += String.fromCharCode(b);
    }
    return [];
  }

  status(): string {
    return formatStatus({ state: this.state, ...(this.subState === undefined ? {} : { subState: this.subState }), mpos: this.mpos, bf: this.bf, ...(this.ln === undefined ? {} : { ln: this.ln }), fs: { feed: 0, spindle: 0 } });
  }

  private receive(buf: Buffer): void {
    for (const b of buf) {
      this.bytes.push(b);
      if (b === 0x3f || b === 0x21 || b === 0x7e || b === 0x18 || b >= 0x80) {
        this.realtime.push(b);
        this.onRealtime(b);
        continue;
      }
      if (b === 0x0a) {
        const line = this.partial;
        this.partial = "";
        this.lines.push(line);
        this.pending.push({ line, bytes: line.length + 1 });
        this.maxPendingBytes = Math.max(this.maxPendingBytes, this.pending.reduce((s, p) => s + p.bytes, 0));
        this.onLineReceived(line);
      } else this.partial += String.fromCharCode(b);
    }
  }

  private onRealtime(b: number): void {
    if (b === 0x3f) this.say(this.status());
    else if (b === 0x21) {
      this.state = "Hold";
      this.subState = 0;
    } else if (b === 0x7e && this.state === "Hold") {
      this.state = "Run";
      this.subState = undefined;
    } else if (b === 0x18) {
      this.pending = [];
      this.partial = "";
      if (this.state !== "Alarm") this.state = "Idle";
      this.subState = undefined;
      if (this.answerReset) setImmediate(() => this.say(WELCOME));
    }
  }

  private onLineReceived(line: string): void {
    const scripted = this.onLine?.(line);
    if (scripted) {
      this.pending.shift();
      for (const r of scripted) this.say(r);
      return;
    }
    if (line === "$I") {
      this.pending.shift();
      this.say("[VER:1.1h.20190825:]");
      this.say(formatOptions({ codes: "V", blocks: 15, rxBuffer: 128 }));
      this.say("ok");
    } else if (line === "$$") {
      this.pending.shift();
      for (const l of formatSettingsList(this.settings)) this.say(l);
      this.say("ok");
    } else if (line === "$#") {
      this.pending.shift();
      this.say(`[G54:${this.g54.x.toFixed(3)},${this.g54.y.toFixed(3)},${this.g54.z.toFixed(3)}]`);
      this.say("[G92:0.000,0.000,0.000]");
      this.say("ok");
    } else if (line.startsWith("G10L2P1")) {
      this.pending.shift();
      const v = (l: string) => Number(new RegExp(`${l}(-?[\\d.]+)`).exec(line)?.[1] ?? NaN);
      this.g54 = { x: v("X"), y: v("Y"), z: v("Z") };
      this.say("ok");
    } else if (line === "$H" || line === "$X" || line.startsWith("$J=")) {
      this.pending.shift();
      if (line !== "$J=") this.state = "Idle";
      this.say("ok");
    } else if (this.autoAck) {
      this.ack();
    }
  }
}

/** The bench's strike block: one Z step of 0.004 mm in 10 ms. */
const STRIKE = { move: 0.004, feed: 24 };

/** A dot-mode program as the compiler writes it (src/gcode/emit.ts): rapid to each dot, the Z-only strike block. */
export function dotProgram(dots: readonly { x: number; y: number }[], force = 70): string[] {
  return [...emitGcode({ stationId: "bench", profileId: "test", park: { x: 0, y: 80 }, strikeTime: 0.01, strike: STRIKE, ops: dots.map((at) => ({ kind: "strike" as const, at, force, block: "b" })) }).lines];
}

/** The strike lines of the dialect: the Z-only G1 block. */
export const isStrike = (text: string): boolean => /^N\d+G1Z/.test(text);

export function grid(count: number): { x: number; y: number }[] {
  return Array.from({ length: count }, (_, i) => ({ x: 10 + (i % 10) * 1.25, y: 20 + Math.floor(i / 10) * 1.5 }));
}

/** A scribe-mode program as the compiler writes it: one stroke of `segments` short G1 segments in M4. */
export function scribeProgram(segments: number): string[] {
  const points = Array.from({ length: segments + 1 }, (_, i) => ({ x: 10 + i * 0.5, y: Math.round((10 + 0.1 * i) * 1000) / 1000 }));
  return [...emitGcode({ stationId: "bench", profileId: "test", park: { x: 0, y: 80 }, strikeTime: 0.01, strike: STRIKE, ops: [{ kind: "scribe", points, force: 60, feed: 900, block: "b" }] }).lines];
}

/** Scribe segments strike the part: the G1 moves of a stroke (XY words, no G0). */
export const isScribeSegment = (text: string): boolean => /^N\d+(G1)?X/.test(text) && !/G0/.test(text);
