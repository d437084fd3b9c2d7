/**
 * GRBL's system state and `$` commands (system.h, system.c): the sys struct (state,
 * suspend, step control, overrides, report counters), the real-time execution flags the
 * interrupts set and the main program acts on, system_execute_line for every line that
 * starts with `$`, the startup lines, and the soft-limit travel check.
 */
import type { Vec3 } from "../kinematics.ts";
import { GRBL } from "./config.ts";
import type { Grbl } from "./grbl.ts";
import { readFloat } from "./nuts-bolts.ts";
import { COORD_G30 } from "./settings.ts";
import type { Busy } from "./cpu.ts";

/** system.h STATE_*: bit flags, Idle is 0. */
export const STATE = {
  idle: 0,
  alarm: 1 << 0,
  checkMode: 1 << 1,
  homing: 1 << 2,
  cycle: 1 << 3,
  hold: 1 << 4,
  jog: 1 << 5,
  safetyDoor: 1 << 6,
  sleep: 1 << 7,
} as const;

/** system.h EXEC_* (sys_rt_exec_state). */
export const EXEC = {
  statusReport: 1 << 0,
  cycleStart: 1 << 1,
  cycleStop: 1 << 2,
  feedHold: 1 << 3,
  reset: 1 << 4,
  safetyDoor: 1 << 5,
  motionCancel: 1 << 6,
  sleep: 1 << 7,
} as const;

/** system.h EXEC_ALARM_* codes. */
export const ALARM = { hardLimit: 1, softLimit: 2, abortCycle: 3, probeFailInitial: 4, probeFailContact: 5, homingFailReset: 6, homingFailDoor: 7, homingFailPulloff: 8, homingFailApproach: 9 } as const;

/** system.h EXEC_*_OVR_* (sys_rt_exec_motion_override, sys_rt_exec_accessory_override). */
export const MOTION_OVR = { feedReset: 1 << 0, feedCoarsePlus: 1 << 1, feedCoarseMinus: 1 << 2, feedFinePlus: 1 << 3, feedFineMinus: 1 << 4, rapidReset: 1 << 5, rapidMedium: 1 << 6, rapidLow: 1 << 7 } as const;
export const ACCESSORY_OVR = { spindleReset: 1 << 0, spindleCoarsePlus: 1 << 1, spindleCoarseMinus: 1 << 2, spindleFinePlus: 1 << 3, spindleFineMinus: 1 << 4, spindleStop: 1 << 5, floodToggle: 1 << 6, mistToggle: 1 << 7 } as const;

/** system.h SUSPEND_* */
export const SUSPEND = { disable: 0, holdComplete: 1 << 0, restartRetract: 1 << 1, retractComplete: 1 << 2, initiateRestore: 1 << 3, restoreComplete: 1 << 4, safetyDoorAjar: 1 << 5, motionCancel: 1 << 6, jogCancel: 1 << 7 } as const;

/** system.h STEP_CONTROL_* */
export const STEP_CONTROL = { normalOp: 0, endMotion: 1 << 0, executeHold: 1 << 1, executeSysMotion: 1 << 2, updateSpindlePwm: 1 << 3 } as const;

/** system.h SPINDLE_STOP_OVR_* */
export const SPINDLE_STOP_OVR = { disabled: 0, enabled: 1 << 0, initiate: 1 << 1, restore: 1 << 2, restoreCycle: 1 << 3 } as const;

/** report.h STATUS_* codes the `$` commands answer. */
export const STATUS = {
  ok: 0,
  expectedCommandLetter: 1,
  badNumberFormat: 2,
  invalidStatement: 3,
  negativeValue: 4,
  settingDisabled: 5,
  settingStepPulseMin: 6,
  settingReadFail: 7,
  idleError: 8,
  systemGcLock: 9,
  softLimitError: 10,
  overflow: 11,
  maxStepRateExceeded: 12,
  checkDoor: 13,
  lineLengthExceeded: 14,
  travelExceeded: 15,
  invalidJogCommand: 16,
  settingDisabledLaser: 17,
} as const;

/** system_t, reset by main() after every abort except for the state. */
export class Sys {
  state: number = STATE.idle;
  abort = false;
  suspend = 0;
  softLimit = false;
  stepControl = 0;
  probeSucceeded = false;
  /** Axes (bits) whose steps reach the motors during homing. */
  homingAxisLock = 0;
  fOverride = 100;
  rOverride = 100;
  spindleSpeedOvr = 100;
  spindleStopOvr = 0;
  reportOvrCounter = 0;
  reportWcoCounter = 0;
  /** rpm (S) the spindle runs at as the status report's FS shows it. */
  spindleSpeed = 0;

  // Real-time flags, set by interrupts (and the main program), acted on at check points.
  execState = 0;
  execAlarm = 0;
  execMotionOverride = 0;
  execAccessoryOverride = 0;

  /** main.c: clear everything but the state at the start of each (re)initialisation. */
  clearForReset(): void {
    const state = this.state;
    Object.assign(this, new Sys());
    this.state = state;
  }

  setExecState(mask: number): void {
    this.execState |= mask;
  }

  clearExecState(mask: number): void {
    this.execState &= ~mask;
  }

  setExecAlarm(code: number): void {
    this.execAlarm = code;
  }

  setMotionOverride(mask: number): void {
    this.execMotionOverride |= mask;
  }

  setAccessoryOverride(mask: number): void {
    this.execAccessoryOverride |= mask;
  }

  /** Some flag is waiting for protocol_exec_rt_system. */
  anyExec(): boolean {
    return (this.execState | this.execAlarm | this.execMotionOverride | this.execAccessoryOverride) !== 0;
  }

  motionOverrides(): { feed: number; rapid: number } {
    return { feed: this.fOverride, rapid: this.rOverride };
  }
}

/** system.c: the `$` commands and the helpers around them. */
export class SystemCommands {
  constructor(private readonly g: Grbl) {}

  /** system_execute_line: the status code for one `$…` line (the line is upper case, without spaces or comments). */
  *executeLine(line: string): Busy<number> {
    const g = this.g;
    const sys = g.sys;
    const c1 = line[1] ?? "";
    if (c1 === "") {
      yield* g.serial.print(g.report.help());
      return STATUS.ok;
    }
    if (c1 === "J") {
      if (sys.state !== STATE.idle && sys.state !== STATE.jog) return STATUS.idleError;
      if (line[2] !== "=") return STATUS.invalidStatement;
      return yield* g.gc.executeLine(line);
    }
    if (c1 === "$" || c1 === "G" || c1 === "C" || c1 === "X") {
      if (line.length > 2) return STATUS.invalidStatement;
      switch (c1) {
        case "$":
          if (sys.state & (STATE.cycle | STATE.hold)) return STATUS.idleError; // takes too long to print while moving
          yield* g.serial.print(g.report.settings());
          return STATUS.ok;
        case "G":
          yield* g.serial.print(g.report.gcodeModes());
          return STATUS.ok;
        case "C":
          if (sys.state === STATE.checkMode) {
            g.mc.reset();
            yield* g.serial.print(g.report.feedback("Disabled"));
          } else {
            if (sys.state) return STATUS.idleError;
            sys.state = STATE.checkMode;
            yield* g.serial.print(g.report.feedback("Enabled"));
          }
          return STATUS.ok;
        case "X":
          if (sys.state === STATE.alarm) {
            yield* g.serial.print(g.report.feedback("Caution: Unlocked"));
            sys.state = STATE.idle;
            // The startup lines are not run: stored moves must not run after an unlock.
          }
          return STATUS.ok;
      }
    }
    // Everything else needs Idle or Alarm (EEPROM access, homing).
    if (!(sys.state === STATE.idle || sys.state === STATE.alarm)) return STATUS.idleError;
    switch (c1) {
      case "#": {
        if (line.length > 2) return STATUS.invalidStatement;
        const coords: Vec3[] = [];
        for (let i = 0; i <= COORD_G30; i++) {
          const r = yield* g.settings.readCoordData(i);
          if (!r.ok) {
            yield* g.serial.print(g.report.status(STATUS.settingReadFail));
            return STATUS.ok;
          }
          coords.push(r.data);
        }
        yield* g.serial.print(g.report.ngcParameters(coords));
        return STATUS.ok;
      }
      case "H": {
        if (!g.settings.value(22)) return STATUS.settingDisabled;
        if (line.length > 2) return STATUS.invalidStatement; // HOMING_SINGLE_AXIS_COMMANDS is not in the build
        sys.state = STATE.homing;
        yield* g.mc.homingCycle();
        if (!sys.abort) {
          sys.state = STATE.idle;
          const wait = g.stepper.goIdle();
          if (wait) yield g.cpu.now + wait;
          yield* this.executeStartup();
        }
        return STATUS.ok;
      }
      case "S":
        if (line !== "$SLP") return STATUS.invalidStatement;
        sys.setExecState(EXEC.sleep);
        return STATUS.ok;
      case "I":
        if (line.length === 2) {
          const text = yield* g.settings.readBuildInfo();
          yield* g.serial.print(g.report.buildInfo(text));
          return STATUS.ok;
        }
        if (line[2] !== "=") return STATUS.invalidStatement;
        this.shiftLineBuffer(3);
        yield* g.settings.storeBuildInfo();
        return STATUS.ok;
      case "R": {
        if (!/^\$RST=.$/.test(line)) return STATUS.invalidStatement;
        const what = line[5];
        if (what !== "$" && what !== "#" && what !== "*") return STATUS.invalidStatement;
        yield* g.settings.restore(what);
        yield* g.serial.print(g.report.feedback("Restoring defaults"));
        g.mc.reset(); // a reset, so the restored settings take effect
        return STATUS.ok;
      }
    }
    let storeStartup = false;
    let at = 1;
    if (c1 === "N") {
      if (line.length === 2) {
        for (let n = 0; n < GRBL.nStartupLines; n++) {
          const r = yield* g.settings.readStartupLine(n);
          yield* g.serial.print(r.ok ? g.report.startupLine(n, r.text) : g.report.status(STATUS.settingReadFail));
        }
        return STATUS.ok;
      }
      if (sys.state !== STATE.idle) return STATUS.idleError; // store only when idle: no motion from an alarm
      storeStartup = true;
      at = 2;
    }
    const parameter = readFloat(line, at);
    if (!parameter) return STATUS.badNumberFormat;
    if (line[parameter.next] !== "=") return STATUS.invalidStatement;
    const rest = line.slice(parameter.next + 1);
    if (storeStartup) {
      // The line is executed to check it, and stored only if it runs.
      this.shiftLineBuffer(parameter.next + 1);
      const status = yield* g.gc.executeLine(rest);
      if (status) return status;
      yield* g.settings.storeStartupLine(Math.trunc(parameter.value) & 0xff);
      return STATUS.ok;
    }
    const value = readFloat(rest, 0);
    if (!value) return STATUS.badNumberFormat;
    if (value.next !== rest.length || parameter.value > 255) return STATUS.invalidStatement;
    const id = Math.trunc(parameter.value) & 0xff;
    const status = yield* g.settings.storeGlobal(id, value.value);
    if (status === STATUS.ok && id === 13) yield* this.flagWcoChange();
    return status;
  }

  /** system_execute_startup: each stored line is run and echoed `>line:ok` (or its error; `>:error:7` for a bad checksum). */
  *executeStartup(): Busy<void> {
    for (let n = 0; n < GRBL.nStartupLines; n++) {
      const r = yield* this.g.settings.readStartupLine(n);
      if (!r.ok) {
        yield* this.g.serial.print(`>:${this.g.report.status(STATUS.settingReadFail)}`);
        continue;
      }
      if (r.text === "") continue;
      const status = yield* this.g.gc.executeLine(r.text);
      yield* this.g.serial.print(`>${r.text}:${this.g.report.status(status)}`);
    }
  }

  /** system.c: the part of the line after `=` moves to the start of the line buffer, its terminating zero with it. */
  private shiftLineBuffer(from: number): void {
    const buf = this.g.protocol.lineBuffer;
    let i = from;
    do buf[i - from] = buf[i]!;
    while (buf[i++] !== 0 && i < buf.length);
  }

  /** system_flag_wco_change: sync first (FORCE_BUFFER_SYNC_DURING_WCO_CHANGE), then report WCO in the next status. */
  *flagWcoChange(): Busy<void> {
    yield* this.g.protocol.bufferSynchronize();
    this.g.sys.reportWcoCounter = 0;
  }

  /** system_check_travel_limits: true when `target` (mm) is outside the soft-limit travel. */
  travelExceeded(target: Vec3): boolean {
    const max = this.g.settings.maxTravel();
    const dir = this.g.settings.value(23);
    for (let i = 0; i < 3; i++) {
      const t = target[i]!;
      if (this.g.build.options.forceSetOrigin && dir & (1 << i)) {
        if (t < 0 || t > max[i]!) return true;
      } else if (t > 0 || t < -max[i]!) return true;
    }
    return false;
  }
}
