/**
 * A simulated GRBL 1.1 marking head, seen from the device side of the wire: bytes arrive at
 * the baud rate into a 128-byte RX buffer (bytes beyond it are lost, as on GRBL), the
 * protocol loop turns them into lines and answers ok / error:N, motion goes through a
 * 16-block planner, the pin output follows GRBL's laser-mode rules and every strike the pin
 * driver makes is recorded — the simulated workpiece.
 *
 * Time is virtual: nothing happens until `advance()` (or a clock driver in clock.ts) moves
 * it on. All times are seconds since power-up.
 */
import { EventEmitter } from "node:events";
import { GRBL_LOOKAHEAD, type MotionLimits, type XY } from "../kinematics.ts";
import {
  BITS_PER_BYTE,
  EOL_FROM_CONTROLLER,
  GRBL_BUILD_DATE,
  GRBL_VERSION,
  PLANNER_USABLE_BLOCKS,
  REALTIME,
  RX_BUFFER_SIZE,
  UNLOCK_HINT,
  WELCOME,
  formatAlarm,
  formatError,
  formatFeedback,
  formatOptions,
  formatSettingsList,
  formatStatus,
  isRealtimeByte,
  type MachineState,
  type StatusReport,
} from "../protocol.ts";
import { POWER_UP_MODAL, modalReport, parseGcodeLine, parseJog, type Modal, type Op } from "./gcode.ts";
import { LineAssembler } from "./line.ts";
import { along, exitSpeed, makeBlock, profile, profileAt, type Block, type Direction, type Profile } from "./motion.ts";
import { BENCH_MACHINE, BENCH_PIN, headSettings, settingWriteError, storedValue, type HeadMachine, type PinDriver } from "./settings.ts";

/** One strike of the pin on the workpiece. */
export interface Strike {
  /** mm, machine coordinates. */
  readonly x: number;
  readonly y: number;
  /** Percent of full pin power. */
  readonly force: number;
  /** s since power-up. */
  readonly t: number;
  /** N of the block (or dwell line) that was executing; 0 when none. */
  readonly line: number;
}

export interface SimFaults {
  /**
   * Every byte from the host passes here on arrival (index counts from 0 at power-up):
   * return it, return another byte (corruption), or return undefined (lost on the wire).
   */
  inbound?: (byte: number, index: number) => number | undefined;
  /** Raise ALARM:`alarm` when the block with line number `line` starts (1 = hard limit). */
  alarmAtLine?: { readonly line: number; readonly alarm: number };
  /** Soft-reset (as the e-stop circuit does) when the block with this line number starts. */
  resetAtLine?: number;
  /** The port vanishes (USB cable pulled) when the block with this line number starts. */
  unplugAtLine?: number;
  /** A slow controller: seconds the protocol loop spends on every line before acting on it. */
  parseDelay?: number;
}

export interface SimHeadOptions {
  /** The machine the settings are derived from (default: the bench station). */
  machine?: HeadMachine;
  /** Settings that differ from what `machine` implies: this is how a mis-set controller is built. */
  settings?: Readonly<Record<number, number>>;
  pin?: PinDriver;
  /** Baud rate of the wire, bits/s; 8N1 so 10 bits a byte. Infinity for instant bytes. */
  baud?: number;
  faults?: SimFaults;
  /** Build option letters for `[OPT:…]` (V variable spindle, N line numbers). */
  buildOptions?: string;
  /**
   * A G54 work offset left in the controller's EEPROM (someone pressed "set zero here" in
   * another sender): reported by `$#` so the host's check can be tested. Not applied to
   * motion — the host refuses to mark before any move.
   */
  g54?: { x: number; y: number };
}

interface PendingLine {
  readonly ops: readonly Op[];
  next: number;
  readonly lineNumber: number;
  readonly modal: Modal;
}

interface Running {
  readonly block: Block;
  readonly profile: Profile;
  readonly t0: number;
}

const INSTANT = Number.POSITIVE_INFINITY;

export class SimHead extends EventEmitter<{ output: [Buffer]; strike: [Strike]; unplug: []; input: [] }> {
  now = 0;
  readonly strikes: Strike[] = [];
  /** Bytes that arrived while the RX buffer was full and were lost. */
  lostBytes = 0;
  readonly settings: Map<number, number>;
  readonly pin: PinDriver;
  private readonly initialSettings: Map<number, number>;
  private readonly faults: SimFaults;
  private readonly byteTime: number;
  private readonly buildOptions: string;
  private readonly g54: { x: number; y: number } | undefined;

  private wire: { byte: number; at: number }[] = [];
  private wireFree = 0;
  private inboundIndex = 0;
  private rx: number[] = [];
  private readonly assembler = new LineAssembler();
  private tx: { data: string; at: number }[] = [];
  private txFree = 0;

  private state: MachineState;
  private holdPhase: 0 | 1 = 0;
  private critical = false;
  private checkMode = false;
  private unplugged = false;
  private modal: Modal = POWER_UP_MODAL;
  private pending: PendingLine | undefined;
  private parserBusyUntil = 0;
  private dwellUntil: number | undefined;
  private dwellLine = 0;
  private dwellRemaining: number | undefined;
  private homing: { until: number; to: XY } | undefined;

  private planner: Block[] = [];
  private running: Running | undefined;
  private exitV = 0;
  private lastDir: Direction | undefined;
  private restPos: XY = { x: 0, y: 0 };
  private plannedPos: XY = { x: 0, y: 0 };
  /** Decelerating to a hold (Hold:1), or flushing after a jog cancel. */
  private stopping: "hold" | "jogCancel" | undefined;

  /** S units on the output before the spindle override; 0 is off. */
  private output = 0;
  private ov = { feed: 100, rapid: 100, spindle: 100 };
  private firing: { next: number; line: number } | undefined;
  private reportCount = 0;
  /** `$N0=` and `$N1=`: stored and listed; this head does not run them at reset. */
  private readonly startupLines = ["", ""];

  constructor(opts: SimHeadOptions = {}) {
    super();
    const base = headSettings(opts.machine ?? BENCH_MACHINE);
    for (const [k, v] of Object.entries(opts.settings ?? {})) base.set(Number(k), v);
    this.settings = base;
    this.initialSettings = new Map(base);
    this.pin = opts.pin ?? BENCH_PIN;
    this.faults = opts.faults ?? {};
    const baud = opts.baud ?? 115200;
    this.byteTime = baud === INSTANT ? 0 : BITS_PER_BYTE / baud;
    this.buildOptions = opts.buildOptions ?? "VN";
    this.g54 = opts.g54;
    this.state = this.settings.get(22) ? "Alarm" : "Idle";
    this.greet();
  }

  // ------------------------------------------------------------ the wire

  /** Bytes from the host. They arrive one byte time apart, after whatever is still on the wire. */
  write(data: Uint8Array | string): void {
    if (this.unplugged) return;
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    let at = Math.max(this.now, this.wireFree);
    for (const byte of bytes) {
      at += this.byteTime;
      this.wire.push({ byte, at });
    }
    this.wireFree = at;
    this.emit("input");
  }

  get isUnplugged(): boolean {
    return this.unplugged;
  }

  private send(line: string): void {
    const data = line + EOL_FROM_CONTROLLER;
    this.txFree = Math.max(this.now, this.txFree) + data.length * this.byteTime;
    this.tx.push({ data, at: this.txFree });
  }

  private greet(): void {
    this.send("");
    this.send(WELCOME);
    if (this.state === "Alarm") this.send(formatFeedback("MSG", UNLOCK_HINT));
  }

  // ------------------------------------------------------------ time

  /** Run the head for `seconds` of virtual time. */
  advance(seconds: number): void {
    this.runTo(this.now + seconds);
  }

  /**
   * Run until nothing is left to do (no bytes on the wire, no motion, no dwell, no output),
   * at most `maxSeconds`. A pin left on at rest keeps striking, but does not count as work.
   */
  runUntilIdle(maxSeconds = 3600): void {
    const limit = this.now + maxSeconds;
    for (;;) {
      this.pump();
      const t = this.nextWorkTime();
      if (t === undefined || t > limit) break;
      this.runTo(t);
    }
  }

  /** Run to the next moment something happens; false when nothing is scheduled. */
  step(): boolean {
    this.pump();
    const t = this.nextEventTime();
    if (t === undefined) return false;
    this.now = Math.max(this.now, t);
    this.pump();
    return true;
  }

  private runTo(end: number): void {
    for (;;) {
      this.pump();
      const t = this.nextEventTime();
      if (t === undefined || t > end) break;
      this.now = Math.max(this.now, t);
    }
    this.now = Math.max(this.now, end);
    this.pump();
  }

  /** The next virtual time at which something is scheduled to happen. */
  nextEventTime(): number | undefined {
    const work = this.nextWorkTime();
    const strike = this.firing && this.pinPower() > 0 && this.firing.next > this.now ? this.firing.next : undefined;
    if (work === undefined) return strike;
    return strike === undefined ? work : Math.min(work, strike);
  }

  /** Like nextEventTime, leaving out strikes: when the head will next do something other than strike at rest. */
  nextWorkTime(): number | undefined {
    const times: number[] = [];
    if (this.wire[0]) times.push(this.wire[0].at);
    if (this.tx[0]) times.push(this.tx[0].at);
    if (this.parserBusyUntil > this.now) times.push(this.parserBusyUntil);
    if (this.dwellUntil !== undefined) times.push(this.dwellUntil);
    if (this.homing) times.push(this.homing.until);
    if (this.running) times.push(this.running.t0 + this.running.profile.duration);
    if (this.running && this.firing && this.pinPower() > 0) times.push(this.firing.next);
    const future = times.filter((t) => t > this.now);
    return future.length ? Math.min(...future) : undefined;
  }

  /** True when the host has nothing in flight: every byte it sent has been read and answered. */
  get waitingForHost(): boolean {
    return this.wire.length === 0 && this.rx.length === 0 && this.pending === undefined && this.tx.length === 0 && this.parserBusyUntil <= this.now;
  }

  private pump(): void {
    if (this.unplugged) return;
    for (let guard = 0; guard < 100_000; guard++) {
      let progress = false;
      while (this.wire[0] && this.wire[0].at <= this.now) {
        this.receive(this.wire.shift()!.byte);
        progress = true;
      }
      if (this.unplugged) return;
      progress = this.stepExecutor() || progress;
      progress = this.stepParser() || progress;
      this.refreshPin();
      if (!progress) break;
    }
    this.fireDue();
    while (this.tx[0] && this.tx[0].at <= this.now) this.emit("output", Buffer.from(this.tx.shift()!.data, "latin1"));
  }

  // ------------------------------------------------------------ bytes in

  private receive(raw: number): void {
    const byte = this.faults.inbound ? this.faults.inbound(raw, this.inboundIndex) : raw;
    this.inboundIndex++;
    if (byte === undefined) return;
    if (isRealtimeByte(byte)) {
      this.realtime(byte);
      return;
    }
    // GRBL's RX ring keeps one slot empty: 127 bytes fit in the 128-byte buffer.
    if (this.rx.length >= RX_BUFFER_SIZE - 1) {
      this.lostBytes++;
      return;
    }
    this.rx.push(byte);
  }

  private realtime(byte: number): void {
    switch (byte) {
      case REALTIME.statusReport:
        this.send(formatStatus(this.status()));
        return;
      case REALTIME.feedHold:
        this.feedHold();
        return;
      case REALTIME.cycleStart:
        this.cycleStart();
        return;
      case REALTIME.softReset:
        this.softReset();
        return;
      case REALTIME.jogCancel:
        if (this.state === "Jog") this.beginStop("jogCancel");
        return;
      case REALTIME.feedOverrideReset:
        this.ov.feed = 100;
        return;
      case REALTIME.feedOverridePlus10:
      case REALTIME.feedOverrideMinus10:
      case REALTIME.feedOverridePlus1:
      case REALTIME.feedOverrideMinus1: {
        const d = { [REALTIME.feedOverridePlus10]: 10, [REALTIME.feedOverrideMinus10]: -10, [REALTIME.feedOverridePlus1]: 1, [REALTIME.feedOverrideMinus1]: -1 }[byte];
        this.ov.feed = Math.min(200, Math.max(10, this.ov.feed + d));
        return;
      }
      case REALTIME.rapidOverrideReset:
        this.ov.rapid = 100;
        return;
      case REALTIME.rapidOverrideHalf:
        this.ov.rapid = 50;
        return;
      case REALTIME.rapidOverrideQuarter:
        this.ov.rapid = 25;
        return;
      case REALTIME.spindleOverrideReset:
        this.ov.spindle = 100;
        return;
      case REALTIME.spindleOverridePlus10:
      case REALTIME.spindleOverrideMinus10:
      case REALTIME.spindleOverridePlus1:
      case REALTIME.spindleOverrideMinus1: {
        const d = { [REALTIME.spindleOverridePlus10]: 10, [REALTIME.spindleOverrideMinus10]: -10, [REALTIME.spindleOverridePlus1]: 1, [REALTIME.spindleOverrideMinus1]: -1 }[byte];
        this.ov.spindle = Math.min(200, Math.max(10, this.ov.spindle + d));
        return;
      }
      default:
        return; // other real-time bytes (coolant, door) do nothing on a marking head
    }
  }

  // ------------------------------------------------------------ the protocol loop

  private stepParser(): boolean {
    if (this.critical || this.state === "Sleep" || this.parserBusyUntil > this.now) return false;
    if (this.dwellUntil !== undefined || this.dwellRemaining !== undefined || this.homing) return false;
    if (this.pending) return this.continuePending();
    while (this.rx.length) {
      const line = this.assembler.push(this.rx.shift()!);
      if (!line) continue;
      const delay = this.faults.parseDelay ?? 0;
      if (delay > 0) this.parserBusyUntil = this.now + delay;
      if (line.overflow) this.send(formatError(11));
      else if (line.text === "") this.send("ok");
      else if (line.text.startsWith("$")) this.system(line.text);
      else if (this.state === "Alarm" || this.state === "Jog") this.send(formatError(9));
      else this.gcode(line.text);
      return true;
    }
    return false;
  }

  private gcode(text: string): void {
    const parsed = parseGcodeLine(text, this.modal, this.laserMode, this.plannedPos);
    if (parsed.error !== undefined) {
      this.send(formatError(parsed.error));
      return;
    }
    if (this.checkMode) {
      this.modal = parsed.modal;
      for (const op of parsed.ops) if (op.kind === "move") this.plannedPos = op.to;
      this.send("ok");
      return;
    }
    this.pending = { ops: parsed.ops, next: 0, lineNumber: parsed.lineNumber, modal: parsed.modal };
    this.continuePending();
  }

  /** Run the pending line's ops in order; stop at the first that must wait. */
  private continuePending(): boolean {
    const p = this.pending!;
    let progress = false;
    while (p.next < p.ops.length) {
      const op = p.ops[p.next]!;
      if (op.kind === "move") {
        if (this.plannerCount() >= PLANNER_USABLE_BLOCKS) return progress;
        if (this.outsideTravel(op.to)) {
          // GRBL checks soft limits as the move is planned: the head stops, nothing of it runs.
          this.raiseAlarm(2, true);
          return true;
        }
        this.queueMove(op.to, { feed: op.feed, rapid: op.rapid, jog: false, laserPower: op.laserPower, line: p.lineNumber });
      } else {
        if (!this.atRest()) return progress;
        if (p.next === 0 && this.lineFaults(p.lineNumber)) return true;
        if (op.kind === "spindleSync") {
          this.output = op.spindleOn ? op.power : 0;
          this.refreshPin(p.lineNumber);
        } else if (op.seconds > 0) {
          this.dwellUntil = this.now + op.seconds;
          this.dwellLine = p.lineNumber;
          p.next++;
          return true;
        }
      }
      p.next++;
      progress = true;
    }
    this.modal = p.modal;
    this.pending = undefined;
    this.send("ok");
    return true;
  }

  private system(text: string): void {
    const idleOrAlarm = this.state === "Idle" || this.state === "Alarm";
    const reply = (...lines: string[]) => {
      for (const l of lines) this.send(l);
      this.send("ok");
    };
    if (text === "$") return reply(formatFeedback("HLP", "$$ $# $G $I $N $x=val $Nx=line $J=line $SLP $C $X $H ~ ! ? ctrl-x"));
    if (text === "$G") return reply(formatFeedback("GC", modalReport(this.modal)));
    if (text.startsWith("$J")) return this.jog(text);
    if (text === "$C") {
      if (this.state === "Check") {
        this.send(formatFeedback("MSG", "Disabled"));
        this.send("ok");
        this.checkMode = false;
        this.softReset();
        return;
      }
      if (this.state !== "Idle") return this.send(formatError(8));
      this.checkMode = true;
      this.state = "Check";
      return reply(formatFeedback("MSG", "Enabled"));
    }
    if (text === "$X") {
      if (this.state === "Alarm") {
        this.state = "Idle";
        return reply(formatFeedback("MSG", "Caution: Unlocked"));
      }
      return reply();
    }
    if (!idleOrAlarm) return this.send(formatError(8));
    if (text === "$$") return reply(...formatSettingsList(this.settings));
    if (text === "$#") {
      const zero = "0.000,0.000,0.000";
      const g54 = this.g54 ? `${this.g54.x.toFixed(3)},${this.g54.y.toFixed(3)},0.000` : zero;
      return reply(...["G54", "G55", "G56", "G57", "G58", "G59", "G28", "G30", "G92"].map((t) => formatFeedback(t, t === "G54" ? g54 : zero)), formatFeedback("TLO", "0.000"), formatFeedback("PRB", `${zero}:0`));
    }
    if (text === "$I") return reply(formatFeedback("VER", `${GRBL_VERSION}.${GRBL_BUILD_DATE}:`), formatOptions({ codes: this.buildOptions, blocks: PLANNER_USABLE_BLOCKS, rxBuffer: RX_BUFFER_SIZE }));
    if (text === "$N") return reply(...this.startupLines.map((l, i) => `$N${i}=${l}`));
    const startup = /^\$N([01])=(.*)$/.exec(text);
    if (startup) {
      this.startupLines[Number(startup[1])] = startup[2]!;
      return reply();
    }
    if (text === "$H") return this.home();
    if (text === "$SLP") {
      // GRBL answers the line, then its real-time loop puts it to sleep.
      this.send("ok");
      this.stopAll();
      this.state = "Sleep";
      this.send(formatFeedback("MSG", "Sleeping"));
      return;
    }
    const rst = /^\$RST=([$#*])$/.exec(text);
    if (rst) {
      if (rst[1] !== "#") for (const [k, v] of this.initialSettings) this.settings.set(k, v);
      this.send(formatFeedback("MSG", "Restoring defaults"));
      return reply();
    }
    // Anything else is a setting write, parsed as GRBL does: number, '=', number, end of line.
    const m = /^\$(\d+)(.*)$/.exec(text);
    if (!m) return this.send(formatError(2));
    if (!m[2]!.startsWith("=")) return this.send(formatError(3));
    const v = /^=([+-]?(?:\d+\.?\d*|\.\d+))(.*)$/.exec(m[2]!);
    if (!v) return this.send(formatError(2));
    const id = Number(m[1]);
    if (v[2] !== "" || id > 255) return this.send(formatError(3));
    const value = Number(v[1]);
    const err = settingWriteError(id, value, this.settings);
    if (err !== undefined) return this.send(formatError(err));
    this.settings.set(id, storedValue(id, value));
    reply();
  }

  private jog(text: string): void {
    if (!text.startsWith("$J=")) return this.send(formatError(3));
    if (this.state !== "Idle" && this.state !== "Jog") return this.send(formatError(8));
    const from = this.state === "Jog" ? this.plannedPos : this.positionNow();
    const j = parseJog(text.slice(3), this.modal, from);
    if ("error" in j) return this.send(formatError(j.error));
    if (this.outsideTravel(j.to)) return this.send(formatError(15));
    if (this.plannerCount() >= PLANNER_USABLE_BLOCKS) return this.send(formatError(8));
    this.queueMove(j.to, { feed: j.feed, rapid: false, jog: true, laserPower: 0, line: 0 });
    this.state = "Jog";
    this.send("ok");
  }

  private home(): void {
    if (!this.settings.get(22)) return this.send(formatError(5));
    const from = this.positionNow();
    const seek = (this.settings.get(25) ?? 500) / 60;
    this.output = 0;
    this.refreshPin();
    this.state = "Home";
    this.homing = { until: this.now + Math.hypot(from.x, from.y) / seek, to: { x: 0, y: 0 } };
  }

  private finishHoming(): void {
    this.restPos = this.homing!.to;
    this.plannedPos = this.restPos;
    this.homing = undefined;
    this.lastDir = undefined;
    this.state = "Idle";
    this.send("ok");
  }

  // ------------------------------------------------------------ planner and stepper

  private get laserMode(): boolean {
    return (this.settings.get(32) ?? 0) !== 0;
  }

  private limits(): MotionLimits {
    const s = (id: number) => this.settings.get(id) ?? 0;
    return { maxRate: { x: s(110), y: s(111) }, acceleration: { x: s(120), y: s(121) }, junctionDeviation: s(11) };
  }

  private plannerCount(): number {
    return this.planner.length + (this.running ? 1 : 0);
  }

  private atRest(): boolean {
    return this.plannerCount() === 0 && this.state !== "Hold" && this.homing === undefined;
  }

  /** Soft limits: machine travel is [0, $130] × [0, $131] with the origin at the homed corner. */
  private outsideTravel(p: XY): boolean {
    if (!this.settings.get(20)) return false;
    const e = 1e-6;
    return p.x < -e || p.y < -e || p.x > (this.settings.get(130) ?? 0) + e || p.y > (this.settings.get(131) ?? 0) + e;
  }

  private queueMove(to: XY, o: { feed: number; rapid: boolean; jog: boolean; laserPower: number; line: number }): void {
    const from = this.plannedPos;
    this.plannedPos = to;
    const last = this.planner[this.planner.length - 1] ?? this.running?.block;
    const prev: Direction | undefined = last ?? this.lastDir;
    const block = makeBlock(from, to, { ...o, feed: (o.feed * this.ov.feed) / 100, rapidOverride: this.ov.rapid }, this.limits(), prev);
    if (!block) return;
    this.planner.push(block);
    if (this.state === "Idle") this.state = "Run";
  }

  private stepExecutor(): boolean {
    let progress = false;
    if (this.homing && this.now >= this.homing.until) {
      this.finishHoming();
      progress = true;
    }
    if (this.dwellUntil !== undefined && this.now >= this.dwellUntil) {
      this.dwellUntil = undefined;
      progress = true;
    }
    if (this.running && this.now >= this.running.t0 + this.running.profile.duration) {
      const r = this.running;
      this.restPos = r.block.to;
      this.exitV = r.profile.v1;
      this.lastDir = r.block;
      this.running = undefined;
      progress = true;
    }
    const stopped = !this.running && this.stopping !== undefined && this.exitV <= 1e-9;
    if (!this.running && !stopped && this.planner.length && !(this.state === "Hold" && this.holdPhase === 0) && this.state !== "Alarm") {
      this.startBlock(this.planner.shift()!);
      return true;
    }
    if (!this.running) {
      if (this.exitV > 0 && !this.planner.length) this.exitV = 0;
      if (this.stopping === "hold" && this.state === "Hold" && this.holdPhase === 1) {
        this.holdPhase = 0;
        this.stopping = undefined;
        this.exitV = 0;
        this.refreshPin();
        progress = true;
      } else if (this.stopping === "jogCancel") {
        this.stopping = undefined;
        this.planner = [];
        this.plannedPos = this.restPos;
        this.exitV = 0;
        this.state = "Idle";
        progress = true;
      } else if ((this.state === "Run" || this.state === "Jog") && this.planner.length === 0) {
        this.state = "Idle";
        this.exitV = 0;
        progress = true;
      }
    }
    return progress;
  }

  private startBlock(block: Block): void {
    const v0 = this.exitV;
    if (this.stopping) {
      // Decelerating to a stop: no new acceleration, stop as soon as the block allows.
      const stopDist = (v0 * v0) / (2 * block.accel);
      if (stopDist < block.length) {
        const stopAt = along(block, stopDist);
        this.planner.unshift({ ...block, from: stopAt, length: block.length - stopDist, maxEntry: 0 });
        block = { ...block, to: stopAt, length: stopDist };
        this.running = { block, profile: profile(stopDist, v0, 0, v0, block.accel), t0: this.now };
      } else {
        const v1 = Math.sqrt(Math.max(0, v0 * v0 - 2 * block.accel * block.length));
        this.running = { block, profile: profile(block.length, v0, v1, v0, block.accel), t0: this.now };
      }
    } else {
      const v1 = exitSpeed(block, v0, this.planner, GRBL_LOOKAHEAD);
      this.running = { block, profile: profile(block.length, v0, v1, block.nominal, block.accel), t0: this.now };
    }
    if (this.state === "Idle") this.state = block.jog ? "Jog" : "Run";
    if (this.laserMode && !block.jog) this.output = block.laserPower;
    this.refreshPin(block.line);
    this.lineFaults(block.line);
  }

  /** Injected faults tied to a line number, fired as that line's block starts or its sync runs. True when one fired. */
  private lineFaults(line: number): boolean {
    if (line === 0) return false;
    const f = this.faults;
    if (f.alarmAtLine && f.alarmAtLine.line === line) this.raiseAlarm(f.alarmAtLine.alarm, f.alarmAtLine.alarm <= 2);
    else if (f.resetAtLine === line) this.softReset();
    else if (f.unplugAtLine === line) this.unplug();
    else return false;
    return true;
  }

  /** Where the head is now, mm. */
  positionNow(): XY {
    const r = this.running;
    if (!r) return this.restPos;
    return along(r.block, profileAt(r.profile, this.now - r.t0).dist);
  }

  private speedNow(): number {
    const r = this.running;
    return r ? profileAt(r.profile, this.now - r.t0).speed : 0;
  }

  // ------------------------------------------------------------ hold, resume, reset, alarms

  private feedHold(): void {
    if (this.state === "Alarm" || this.state === "Hold" || this.state === "Sleep" || this.state === "Home" || this.state === "Check") return;
    if (this.state === "Jog") {
      this.beginStop("jogCancel");
      return;
    }
    this.state = "Hold";
    if (this.dwellUntil !== undefined) {
      this.dwellRemaining = this.dwellUntil - this.now;
      this.dwellUntil = undefined;
    }
    if (this.running) this.beginStop("hold");
    else this.holdPhase = 0;
    this.refreshPin();
  }

  /** Replace the running block by a deceleration from the present speed. */
  private beginStop(kind: "hold" | "jogCancel"): void {
    this.stopping = kind;
    if (kind === "hold") this.holdPhase = 1;
    const r = this.running;
    if (!r) return;
    const { dist, speed } = profileAt(r.profile, this.now - r.t0);
    const here = along(r.block, dist);
    const rest = { ...r.block, from: here, length: r.block.length - dist, maxEntry: 0 };
    this.running = undefined;
    this.restPos = here;
    this.exitV = speed;
    if (rest.length <= 1e-9) return;
    if (speed <= 1e-9) this.planner.unshift(rest);
    else this.startBlock(rest);
  }

  private cycleStart(): void {
    if (this.state !== "Hold" || this.holdPhase !== 0) return;
    this.state = this.plannerCount() ? "Run" : "Idle";
    if (this.dwellRemaining !== undefined) {
      this.dwellUntil = this.now + this.dwellRemaining;
      this.dwellRemaining = undefined;
    }
    this.refreshPin();
  }

  private stopAll(): void {
    this.restPos = this.positionNow();
    this.running = undefined;
    this.planner = [];
    this.plannedPos = this.restPos;
    this.exitV = 0;
    this.lastDir = undefined;
    this.pending = undefined;
    this.dwellUntil = undefined;
    this.dwellRemaining = undefined;
    this.homing = undefined;
    this.stopping = undefined;
    this.output = 0;
    this.refreshPin();
  }

  /** Ctrl-X: stop at once, flush everything, greet again; in motion that costs the position (ALARM:3). */
  softReset(): void {
    if (this.unplugged) return;
    const moving = this.running !== undefined || this.homing !== undefined;
    const alarm = this.homing ? 6 : moving ? 3 : undefined;
    this.stopAll();
    this.rx = [];
    this.assembler.reset();
    this.parserBusyUntil = 0;
    this.modal = POWER_UP_MODAL;
    this.ov = { feed: 100, rapid: 100, spindle: 100 };
    this.critical = false;
    this.checkMode = false;
    this.holdPhase = 0;
    this.reportCount = 0;
    if (alarm !== undefined && this.state !== "Alarm") this.send(formatAlarm(alarm));
    // An alarm survives a reset, and a sleeping controller wakes up locked.
    this.state = alarm !== undefined || this.state === "Alarm" || this.state === "Sleep" ? "Alarm" : "Idle";
    this.greet();
  }

  /** Stop everything and report ALARM:code; a critical alarm (hard or soft limit) ignores all but reset. */
  raiseAlarm(code: number, critical = code <= 2): void {
    this.stopAll();
    this.state = "Alarm";
    this.send(formatAlarm(code));
    if (critical) {
      this.critical = true;
      this.send(formatFeedback("MSG", "Reset to continue"));
    }
  }

  /** A limit switch closes (ALARM:1): the head stops dead, position lost. */
  hardLimit(): void {
    if (this.settings.get(21)) this.raiseAlarm(1, true);
  }

  /** The e-stop button: on a GRBL head it is wired to reset. */
  eStop(): void {
    this.softReset();
  }

  /** The port vanishes: nothing more goes in or out. */
  unplug(): void {
    if (this.unplugged) return;
    this.stopAll();
    this.unplugged = true;
    this.wire = [];
    this.tx = [];
    this.emit("unplug");
  }

  // ------------------------------------------------------------ the pin

  /** Power at the pin now, S units: off while held or in alarm. */
  private pinPower(): number {
    if (this.state === "Alarm" || this.state === "Sleep" || this.checkMode) return 0;
    if (this.state === "Hold" && this.holdPhase === 0) return 0;
    return (this.output * this.ov.spindle) / 100;
  }

  private forceOf(power: number): number {
    const max = this.settings.get(30) || 1000;
    return Math.round((Math.min(power, max) / max) * 1000) / 10;
  }

  /** The driver fires as the output comes on, then once per gate (at rest) or per period (moving). */
  private refreshPin(line?: number): void {
    const power = this.pinPower();
    if (power <= 0) {
      this.firing = undefined;
      return;
    }
    const ln = line ?? this.running?.block.line ?? this.dwellLine;
    if (!this.firing) {
      this.firing = { next: this.now, line: ln };
      this.fireDue();
    }
  }

  private fireDue(): void {
    while (this.firing && this.firing.next <= this.now + 1e-12) {
      const power = this.pinPower();
      if (power <= 0) {
        this.firing = undefined;
        return;
      }
      const p = this.positionNow();
      const line = this.running?.block.line ?? (this.dwellUntil !== undefined ? this.dwellLine : this.firing.line);
      const strike: Strike = { x: p.x, y: p.y, force: this.forceOf(power), t: this.firing.next, line };
      this.strikes.push(strike);
      this.emit("strike", strike);
      // A listener may have reset or unplugged the head (fault injection does): nothing fires after that.
      if (!this.firing) return;
      const moving = this.running !== undefined;
      this.firing = { next: this.firing.next + (moving ? 1 / this.pin.strikeFrequency : this.pin.strikeTime), line };
    }
  }

  // ------------------------------------------------------------ reports

  /** The status report a `?` would get now. */
  status(): StatusReport {
    const mask = this.settings.get(10) ?? 1;
    const p = this.positionNow();
    const pos = [p.x, p.y, 0];
    const block = this.running?.block ?? this.planner[0];
    const count = this.reportCount++;
    const state = this.state;
    return {
      state,
      ...(state === "Hold" ? { subState: this.holdPhase } : {}),
      ...(mask & 1 ? { mpos: pos } : { wpos: pos }),
      ...(mask & 2 ? { bf: { blocks: PLANNER_USABLE_BLOCKS - this.plannerCount(), bytes: RX_BUFFER_SIZE - this.rx.length } } : {}),
      ...(block && block.line > 0 ? { ln: block.line } : {}),
      fs: { feed: Math.round(this.speedNow() * 60), spindle: Math.round(this.pinPower()) },
      // GRBL sends WCO and Ov only every so often; here every tenth report, WCO first.
      ...(count % 10 === 0 ? { wco: [0, 0, 0] } : {}),
      ...(count % 10 === 1 ? { ov: { ...this.ov }, ...(this.output > 0 && this.modal.spindleOn ? { accessories: "S" } : {}) } : {}),
    };
  }

  get machineState(): MachineState {
    return this.state;
  }
}
