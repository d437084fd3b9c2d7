/**
 * A simulated marking head: GRBL 1.1h (grbl.ts and the files it composes, one per GRBL
 * source file) on a simulated machine, with a dot-peen pin on its spindle output and the
 * workpiece the pin marks. This file is the outside of it: the wire to the host, virtual
 * time, the pin (pin.ts), and the faults a test can inject.
 *
 * Time is virtual: nothing happens until `advance()` (or a clock driver in clock.ts) moves
 * it on. All times are seconds since power-up.
 */
import { EventEmitter } from "node:events";
import type { XY } from "../kinematics.ts";
import { stockSettings, type MachineState } from "../protocol.ts";
import { NAMED_BUILDS, type BuildName, type BuildOptions } from "./config.ts";
import { Grbl, type FirmwareObserver } from "./grbl.ts";
import { BENCH_MACHINE, BENCH_PIN, headSettings, type HeadMachine, type HeadMechanics, type PinDriver } from "./machine.ts";
import { PinModel, type PinEvent, type PinInterval, type Strike } from "./pin.ts";
import { ALARM, STATE } from "./system.ts";

export type { Strike, PinEvent, PinInterval };

export interface SimFaults {
  /**
   * Every byte from the host passes here on arrival (index counts from 0 at power-up):
   * return it, return another byte (corruption), or return undefined (lost on the wire).
   */
  inbound?: (byte: number, index: number) => number | undefined;
  /** Raise ALARM:`alarm` when the block with line number `line` starts, or that line's sync completes (1 = hard limit). */
  alarmAtLine?: { readonly line: number; readonly alarm: number };
  /** Soft-reset (as the e-stop circuit does) when the block with this line number starts, or its sync completes. */
  resetAtLine?: number;
  /** The port vanishes (USB cable pulled) when the block with this line number starts, or its sync completes. */
  unplugAtLine?: number;
  /** A slow controller: seconds the protocol loop spends on every line before acting on it. */
  parseDelay?: number;
  /**
   * The controller goes silent when the block with this line number starts: it runs on, but
   * nothing it sends reaches the host any more (a broken TX wire, a hung USB-serial chip), port open.
   */
  silentAtLine?: number;
}

export interface SimHeadOptions {
  /** The machine the settings are derived from (default: the bench station). */
  machine?: HeadMachine;
  /** Settings that differ from what `machine` implies: this is how a mis-set controller is built. */
  settings?: Readonly<Record<number, number>>;
  /**
   * Start from GRBL's compile-time defaults (defaults.h, as a freshly flashed board after
   * `$RST=*`) instead of the settings the station's head is set up with; `settings` still applies.
   */
  factorySettings?: boolean;
  pin?: PinDriver;
  /** Baud rate of the wire, bits/s; 8N1 so 10 bits a byte. Infinity for instant bytes. */
  baud?: number;
  faults?: SimFaults;
  /**
   * The firmware build (config.h options): a name ("stock", "origin", "stock-ln",
   * "origin-ln") or the options. Default: stock GRBL 1.1h, as the bench head is flashed.
   */
  build?: BuildName | BuildOptions;
  /** Where the limit switches are and where the head sits at power-up (default: soft-limit travel + 1 mm each end; the middle). */
  mechanics?: HeadMechanics;
  /**
   * A G54 work offset left in the controller's EEPROM (someone pressed "set zero here" in
   * another sender): it shifts every move, as on GRBL, and `$#` reports it.
   */
  g54?: { x?: number; y?: number; z?: number };
}

const INSTANT = Number.POSITIVE_INFINITY;

const STATE_NAMES: Record<number, MachineState> = {
  [STATE.idle]: "Idle",
  [STATE.alarm]: "Alarm",
  [STATE.checkMode]: "Check",
  [STATE.homing]: "Home",
  [STATE.cycle]: "Run",
  [STATE.hold]: "Hold",
  [STATE.jog]: "Jog",
  [STATE.safetyDoor]: "Door",
  [STATE.sleep]: "Sleep",
};

export class SimHead extends EventEmitter<{ output: [Buffer]; strike: [Strike]; pin: [PinEvent]; unplug: []; input: [] }> {
  readonly pin: PinDriver;
  private readonly firmware: Grbl;
  private readonly pinModel: PinModel;
  private readonly faults: SimFaults;
  private unplugged = false;
  private silenced = false;
  /** Line faults already fired (each fires once). */
  private readonly faultsFired = new Set<number>();

  constructor(opts: SimHeadOptions = {}) {
    super();
    const initial = opts.factorySettings ? stockSettings() : headSettings(opts.machine ?? BENCH_MACHINE);
    for (const [k, v] of Object.entries(opts.settings ?? {})) initial.set(Number(k), v);
    this.pin = opts.pin ?? BENCH_PIN;
    this.faults = opts.faults ?? {};
    const build = typeof opts.build === "string" ? NAMED_BUILDS[opts.build] : opts.build;
    if (typeof opts.build === "string" && !build) throw new Error(`unknown GRBL build "${opts.build}" (known: ${Object.keys(NAMED_BUILDS).join(", ")})`);
    const observer: FirmwareObserver = {
      pwmChanged: (pwm) => this.pinModel.pwmChanged(pwm),
      blockStarting: (line) => {
        if (line > 0 && line === this.faults.silentAtLine) this.silenced = true;
        return this.lineFault(line);
      },
      segmentStarted: () => this.pinModel.track(),
      motionStopped: () => this.pinModel.track(),
      lineAnswered: () => {},
      syncDone: (n) => void this.lineFault(n),
      greeted: () => {},
    };
    this.firmware = new Grbl(
      {
        build: build ?? {},
        settings: initial,
        ...(opts.g54 ? { g54: opts.g54 } : {}),
        baud: opts.baud ?? 115200,
        ...(opts.mechanics ? { mechanics: opts.mechanics } : {}),
        serialFaults: this.faults.inbound ? { inbound: this.faults.inbound } : {},
        protocolFaults: this.faults.parseDelay ? { parseDelay: this.faults.parseDelay } : {},
      },
      observer,
      (data) => {
        if (!this.unplugged && !this.silenced) this.emit("output", Buffer.from(data, "latin1"));
      },
    );
    this.pinModel = new PinModel(this.firmware, this.pin, {
      pin: (e) => this.emit("pin", e),
      strike: (s) => this.emit("strike", s),
    });
    this.firmware.cpu.attach(this.pinModel);
    this.firmware.powerUp();
  }

  /** Injected faults tied to a line number; true when one fired (the block then does not start). */
  private lineFault(line: number): boolean {
    if (line <= 0 || this.faultsFired.has(line)) return false;
    const f = this.faults;
    if (f.alarmAtLine && f.alarmAtLine.line === line) this.raiseAlarm(f.alarmAtLine.alarm);
    else if (f.resetAtLine === line) this.softReset();
    else if (f.unplugAtLine === line) this.unplug();
    else return false;
    this.faultsFired.add(line);
    return true;
  }

  // ------------------------------------------------------------ the wire

  /** Bytes from the host. They arrive one byte time apart, after whatever is still on the wire. */
  write(data: Uint8Array | string): void {
    if (this.unplugged) return;
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    this.firmware.serial.hostWrite(bytes);
    this.emit("input");
  }

  /** From now on nothing the controller sends reaches the host; it goes on running (see SimFaults.silentAtLine). */
  silence(): void {
    this.silenced = true;
  }

  get isSilent(): boolean {
    return this.silenced;
  }

  get isUnplugged(): boolean {
    return this.unplugged;
  }

  /** Bytes that arrived while the RX buffer was full (or while interrupts were off) and were lost. */
  get lostBytes(): number {
    return this.firmware.serial.lostBytes;
  }

  // ------------------------------------------------------------ time

  /** Seconds since power-up. */
  get now(): number {
    return this.firmware.cpu.seconds(this.firmware.cpu.now);
  }

  /** Run the head for `seconds` of virtual time. */
  advance(seconds: number): void {
    if (this.unplugged) return;
    const cpu = this.firmware.cpu;
    cpu.runTo(cpu.now + cpu.cyclesOf(seconds));
  }

  /**
   * Run until nothing is left to do (no bytes on the wire, no motion, no delay, nothing to
   * send), at most `maxSeconds`. A pin left on at rest keeps striking, but does not count as work.
   */
  runUntilIdle(maxSeconds = 3600): void {
    const cpu = this.firmware.cpu;
    const limit = cpu.now + cpu.cyclesOf(maxSeconds);
    for (;;) {
      if (this.unplugged) return;
      const t = this.nextWorkCycle();
      if (t === undefined || t > limit) break;
      cpu.runTo(t);
    }
  }

  /** Run to the next moment something happens; false when nothing is scheduled. */
  step(): boolean {
    if (this.unplugged) return false;
    return this.firmware.cpu.step();
  }

  /** The next virtual time (s) at which something is scheduled to happen. */
  nextEventTime(): number | undefined {
    if (this.unplugged) return undefined;
    const t = this.firmware.cpu.nextEventTime();
    return t === undefined ? undefined : this.firmware.cpu.seconds(t);
  }

  /** Like nextEventTime, leaving out strikes: when the head will next do something other than strike at rest. */
  nextWorkTime(): number | undefined {
    const t = this.nextWorkCycle();
    return t === undefined ? undefined : this.firmware.cpu.seconds(t);
  }

  private nextWorkCycle(): number | undefined {
    if (this.unplugged) return undefined;
    const cpu = this.firmware.cpu;
    const t = cpu.nextEventTime();
    if (t === undefined) return undefined;
    // A strike at rest is not work; anything else due at or before it is.
    if (this.pinModel.nextEventTime() === t) {
      const other = cpu.nextEventTime(this.pinModel);
      return other;
    }
    return t;
  }

  /** True when the host has nothing in flight: every byte it sent has been read and answered. */
  get waitingForHost(): boolean {
    const g = this.firmware;
    return g.serial.inputDrained && g.serial.outputDrained && g.protocol.idleAtSerial && g.cpu.mainPolling;
  }

  // ------------------------------------------------------------ what the head did

  /** Every strike of the pin on the workpiece, in order. */
  get strikes(): readonly Strike[] {
    return this.pinModel.strikes;
  }

  /** Every change of the spindle output, with the machine position at that instant. */
  get pinEvents(): readonly PinEvent[] {
    return this.pinModel.events;
  }

  /** Every time the output was on, with where it came on and went off and how far the head moved meanwhile. */
  get pinIntervals(): readonly PinInterval[] {
    return this.pinModel.intervals;
  }

  /** The controller's settings now (as `$$` would list them). */
  get settings(): ReadonlyMap<number, number> {
    return this.firmware.settings.all();
  }

  /** The build's [OPT:] letters. */
  get buildOptions(): string {
    return this.firmware.build.optionLetters;
  }

  /** Machine position now (mm, step counts ÷ steps/mm). */
  get position(): { x: number; y: number; z: number } {
    const s = this.firmware.stepper.position();
    const spm = this.firmware.settings.stepsPerMm();
    return { x: s[0] / spm[0], y: s[1] / spm[1], z: s[2] / spm[2] };
  }

  /** Where the head is now, mm (X and Y of `position`). */
  positionNow(): XY {
    const p = this.position;
    return { x: p.x, y: p.y };
  }

  get machineState(): MachineState {
    return STATE_NAMES[this.firmware.sys.state] ?? "Idle";
  }

  /** The firmware itself, for tests that look inside (planner, stepper, parser state). */
  get grbl(): Grbl {
    return this.firmware;
  }

  // ------------------------------------------------------------ faults

  /** Ctrl-X from outside the wire (an e-stop wired to reset): as 0x18 on the serial line. */
  softReset(): void {
    if (this.unplugged) return;
    this.firmware.mc.reset(true);
  }

  /** The e-stop button: on a GRBL head it is wired to reset. */
  eStop(): void {
    this.softReset();
  }

  /**
   * Raise ALARM:`code` as the firmware would for it: a hard limit (1) as the limit-pin
   * interrupt does, anything else as a reset in motion does (with that code).
   */
  raiseAlarm(code: number): void {
    if (this.unplugged) return;
    const g = this.firmware;
    if (g.sys.state === STATE.alarm && code === ALARM.hardLimit) return;
    g.mc.reset();
    g.sys.setExecAlarm(code);
  }

  /** A limit switch closes (ALARM:1 when hard limits are enabled, as the pin-change interrupt does). */
  hardLimit(): void {
    if (this.firmware.settings.value(21) && this.firmware.sys.state !== STATE.alarm && !this.firmware.sys.execAlarm) this.raiseAlarm(ALARM.hardLimit);
  }

  /** The port vanishes: nothing more goes in or out, and the head stops where it is. */
  unplug(): void {
    if (this.unplugged) return;
    this.unplugged = true;
    this.firmware.serial.unplug();
    this.firmware.spindle.stop();
    this.pinModel.stop();
    this.firmware.cpu.halt();
    this.emit("unplug");
  }
}
