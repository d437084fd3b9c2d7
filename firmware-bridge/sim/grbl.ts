/**
 * The firmware image: every GRBL module of the simulated controller, wired to one another as
 * GRBL's globals are, on one simulated CPU. Each module lives in the file named after GRBL's
 * (serial, protocol, gcode, jog, motion-control, planner, stepper, spindle, limits, report,
 * system, settings, main). What the firmware does that the outside world sees goes through
 * `observer` (the pin output, motion starting and stopping, lines answered) and `emit` (bytes
 * on the wire to the host).
 */
import { resolveBuild, type Build, type BuildOptions } from "./config.ts";
import { Cpu } from "./cpu.ts";
import { GcodeParser } from "./gcode.ts";
import { Jog } from "./jog.ts";
import { Limits } from "./limits.ts";
import type { HeadMechanics } from "./machine.ts";
import { grblMain } from "./main.ts";
import { MotionControl } from "./motion-control.ts";
import { Planner } from "./planner.ts";
import { Protocol, type ProtocolFaults } from "./protocol.ts";
import { Report } from "./report.ts";
import { Serial, type SerialFaults } from "./serial.ts";
import { Settings } from "./settings.ts";
import { Spindle } from "./spindle.ts";
import { Stepper } from "./stepper.ts";
import { Sys, SystemCommands } from "./system.ts";

/** What the firmware tells the world around it (the head: pin driver, workpiece, faults). */
export interface FirmwareObserver {
  /** The spindle/laser output changed (0 off, 1–255 PWM). */
  pwmChanged(pwm: number): void;
  /** The stepper interrupt is about to start a new block (its first segment); true if that stopped the machine. */
  blockStarting(lineNumber: number): boolean;
  /** The stepper interrupt loaded a segment. */
  segmentStarted(): void;
  /** The stepper interrupt stopped (ring empty, reset, st_go_idle). */
  motionStopped(): void;
  /** The main loop answered a line (status 0 is ok). */
  lineAnswered(line: string, status: number): void;
  /** A buffer sync of the line with this N has completed (spindle, coolant, dwell). */
  syncDone(lineNumber: number): void;
  /** The welcome went out (power-up or after a reset). */
  greeted(): void;
}

export interface FirmwareOptions {
  readonly build?: BuildOptions;
  /** EEPROM contents at power-up. */
  readonly settings: ReadonlyMap<number, number>;
  /** A G54 offset stored in EEPROM, mm. */
  readonly g54?: { readonly x?: number; readonly y?: number; readonly z?: number };
  /** Wire speed, bits/s (Infinity: bytes take no time). */
  readonly baud: number;
  readonly mechanics?: HeadMechanics;
  readonly serialFaults?: SerialFaults;
  readonly protocolFaults?: ProtocolFaults;
}

export class Grbl {
  readonly cpu = new Cpu();
  readonly build: Build;
  readonly settings: Settings;
  readonly sys = new Sys();
  readonly serial: Serial;
  readonly planner: Planner;
  readonly stepper: Stepper;
  readonly spindle: Spindle;
  readonly gc: GcodeParser;
  readonly jog: Jog;
  readonly mc: MotionControl;
  readonly limits: Limits;
  readonly protocol: Protocol;
  readonly report: Report;
  readonly system: SystemCommands;

  constructor(
    opts: FirmwareOptions,
    readonly observer: FirmwareObserver,
    emit: (data: string) => void,
  ) {
    this.build = resolveBuild(opts.build);
    this.settings = new Settings(this, opts.settings, opts.g54 ? { g54: opts.g54 } : {});
    this.serial = new Serial(this, opts.baud, opts.serialFaults, emit);
    this.planner = new Planner(this);
    this.stepper = new Stepper(this);
    this.spindle = new Spindle(this);
    this.gc = new GcodeParser(this);
    this.jog = new Jog(this);
    this.mc = new MotionControl(this);
    this.limits = new Limits(this, opts.mechanics);
    this.protocol = new Protocol(this, opts.protocolFaults);
    this.report = new Report(this);
    this.system = new SystemCommands(this);
    // Interrupt priority on the ATmega328p: pin change (limits), Timer1 (stepper), USART.
    this.cpu.attach(this.limits);
    this.cpu.attach(this.stepper);
    this.cpu.attach(this.serial);
  }

  /** Power on: the machine is where it is, the firmware starts. */
  powerUp(): void {
    this.limits.powerUp();
    this.cpu.start(grblMain(this));
  }
}
