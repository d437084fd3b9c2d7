/**
 * The protocol loop (protocol.c): the main loop that assembles lines from the serial ring
 * (comments and spaces stripped, upper-cased, 79 characters at most) and answers each with
 * ok or error:N; the check points where real-time flags are acted on (protocol_execute_
 * realtime: alarm → reset → status report → hold/door/sleep → cycle start → cycle stop →
 * overrides → refill the segment buffer); the suspend loop a hold waits in; and
 * protocol_buffer_synchronize, which waits until the planner is empty and the cycle over.
 */
import { GRBL } from "./config.ts";
import { POLL, type Busy } from "./cpu.ts";
import type { Grbl } from "./grbl.ts";
import { COOLANT, SPINDLE } from "./spindle.ts";
import { ACCESSORY_OVR, EXEC, MOTION_OVR, SPINDLE_STOP_OVR, STATE, STATUS, STEP_CONTROL, SUSPEND } from "./system.ts";

const LINE_FLAG_OVERFLOW = 1 << 0;
const LINE_FLAG_COMMENT_PARENTHESES = 1 << 1;
const LINE_FLAG_COMMENT_SEMICOLON = 1 << 2;
/** config.h SAFETY_DOOR_SPINDLE_DELAY, SAFETY_DOOR_COOLANT_DELAY (s) */
const SAFETY_DOOR_SPINDLE_DELAY = 4;
const SAFETY_DOOR_COOLANT_DELAY = 1;

export interface ProtocolFaults {
  /** A slow controller: seconds the main loop spends on every line before acting on it. */
  readonly parseDelay?: number;
}

export class Protocol {
  /** The main loop is waiting for serial data with nothing half-done (the host has been answered). */
  idleAtSerial = false;
  /**
   * protocol.c's `line`: one 80-byte buffer for the line being assembled, shared with the `$`
   * commands and the startup lines. What a shorter line leaves after its terminating zero is
   * the rest of an earlier one — and $N= and $I= store all 80 bytes to EEPROM.
   */
  readonly lineBuffer = new Uint8Array(GRBL.lineBufferSize);

  constructor(
    private readonly g: Grbl,
    private readonly faults: ProtocolFaults = {},
  ) {}

  /**
   * Wait for the next interrupt, unless a flag already waits to be acted on. GRBL spins
   * here, re-raising the auto cycle start on every turn; a cycle start that would change
   * nothing (the cycle already runs) is no reason to spin in virtual time.
   */
  *poll(): Busy<void> {
    const s = this.g.sys;
    if ((s.execState & ~EXEC.cycleStart) | s.execAlarm | s.execMotionOverride | s.execAccessoryOverride) return;
    if (s.execState & EXEC.cycleStart && (s.state === STATE.idle || (s.state & STATE.hold && s.suspend & SUSPEND.holdComplete) || s.state === STATE.safetyDoor)) return;
    yield POLL;
  }

  /** protocol_main_loop: returns on abort, to main()'s re-initialisation. */
  *mainLoop(): Busy<void> {
    const g = this.g;
    const sys = g.sys;
    // CHECK_LIMITS_AT_INIT
    if (g.settings.value(21) && g.limits.state()) {
      sys.state = STATE.alarm;
      yield* g.serial.print(g.report.feedback("Check Limits"));
    }
    if (sys.state & (STATE.alarm | STATE.sleep)) {
      yield* g.serial.print(g.report.feedback("'$H'|'$X' to unlock"));
      sys.state = STATE.alarm;
    } else {
      sys.state = STATE.idle;
      yield* g.system.executeStartup();
    }
    let flags = 0;
    let count = 0;
    const buf = this.lineBuffer;
    for (;;) {
      for (let c = g.serial.read(); c !== undefined; c = g.serial.read()) {
        if (c === 0x0a || c === 0x0d) {
          this.idleAtSerial = false;
          yield* this.executeRealtime();
          if (sys.abort) return;
          const delay = this.faults.parseDelay ?? 0;
          if (delay > 0) yield g.cpu.now + g.cpu.cyclesOf(delay);
          buf[count] = 0;
          const line = Buffer.from(buf.subarray(0, count)).toString("latin1");
          let status: number;
          if (flags & LINE_FLAG_OVERFLOW) status = STATUS.overflow;
          else if (line === "") status = STATUS.ok;
          else if (line[0] === "$") status = yield* g.system.executeLine(line);
          else if (sys.state & (STATE.alarm | STATE.jog)) status = STATUS.systemGcLock;
          else status = yield* g.gc.executeLine(line);
          yield* g.serial.print(g.report.status(status));
          g.observer.lineAnswered(line, status);
          flags = 0;
          count = 0;
          continue;
        }
        if (flags) {
          if (c === 0x29 && flags & LINE_FLAG_COMMENT_PARENTHESES) flags &= ~LINE_FLAG_COMMENT_PARENTHESES;
        } else if (c <= 0x20) {
          // whitespace and control characters
        } else if (c === 0x2f) {
          // '/': block delete is not supported; the character is dropped
        } else if (c === 0x28) flags |= LINE_FLAG_COMMENT_PARENTHESES;
        else if (c === 0x3b) flags |= LINE_FLAG_COMMENT_SEMICOLON;
        else if (count >= GRBL.lineBufferSize - 1) flags |= LINE_FLAG_OVERFLOW;
        else buf[count++] = c >= 0x61 && c <= 0x7a ? c - 32 : c;
      }
      // The ring is empty: the host is done for now or the planner is full. Start what is queued.
      this.autoCycleStart();
      yield* this.executeRealtime();
      if (sys.abort) return;
      this.idleAtSerial = flags === 0 && count === 0;
      yield* this.poll();
    }
  }

  /** protocol_buffer_synchronize: until the planner is empty and no cycle runs (or the machine is held). */
  *bufferSynchronize(): Busy<void> {
    const g = this.g;
    this.autoCycleStart();
    for (;;) {
      yield* this.executeRealtime();
      if (g.sys.abort) return;
      if (!(g.planner.currentBlock() || g.sys.state === STATE.cycle)) return;
      yield* this.poll();
    }
  }

  /** protocol_auto_cycle_start */
  autoCycleStart(): void {
    if (this.g.planner.currentBlock()) this.g.sys.setExecState(EXEC.cycleStart);
  }

  /** protocol_execute_realtime */
  *executeRealtime(): Busy<void> {
    yield* this.execRtSystem();
    if (this.g.sys.suspend) yield* this.execRtSuspend();
  }

  /** st_reset: st_go_idle (with its $1 wait) and a cleared segment buffer. */
  *stReset(): Busy<void> {
    const wait = this.g.stepper.goIdle();
    if (wait) yield this.g.cpu.now + wait;
    this.g.stepper.resetState();
  }

  /** protocol_exec_rt_system: act on every real-time flag, in GRBL's order. */
  *execRtSystem(): Busy<void> {
    const g = this.g;
    const sys = g.sys;
    let rt = sys.execAlarm;
    if (rt) {
      sys.state = STATE.alarm;
      yield* g.serial.print(g.report.alarm(rt));
      yield g.cpu.now + g.cpu.ms(GRBL.alarmMessageDelayMs);
      if (rt === 1 || rt === 2) {
        // Hard and soft limits are critical: nothing but a reset, not even status reports.
        yield* g.serial.print(g.report.feedback("Reset to continue"));
        sys.clearExecState(EXEC.reset);
        while (!(sys.execState & EXEC.reset)) yield POLL;
      }
      sys.execAlarm = 0;
    }
    rt = sys.execState;
    if (rt) {
      if (rt & EXEC.reset) {
        sys.abort = true;
        return;
      }
      if (rt & EXEC.statusReport) {
        yield* g.serial.print(g.report.realtimeStatus());
        sys.clearExecState(EXEC.statusReport);
      }
      if (rt & (EXEC.motionCancel | EXEC.feedHold | EXEC.safetyDoor | EXEC.sleep)) {
        if (!(sys.state & (STATE.alarm | STATE.checkMode))) {
          if (sys.state & (STATE.cycle | STATE.jog)) {
            if (!(sys.suspend & (SUSPEND.motionCancel | SUSPEND.jogCancel))) {
              g.stepper.updatePlanBlockParameters();
              sys.stepControl = STEP_CONTROL.executeHold;
              if (sys.state === STATE.jog && !(rt & EXEC.sleep)) sys.suspend |= SUSPEND.jogCancel;
            }
          }
          if (sys.state === STATE.idle) sys.suspend = SUSPEND.holdComplete;
          if (rt & EXEC.motionCancel && !(sys.state & STATE.jog)) sys.suspend |= SUSPEND.motionCancel;
          if (rt & EXEC.feedHold && !(sys.state & (STATE.safetyDoor | STATE.jog | STATE.sleep))) sys.state = STATE.hold;
          if (rt & EXEC.safetyDoor) {
            yield* g.serial.print(g.report.feedback("Check Door"));
            if (!(sys.suspend & SUSPEND.jogCancel)) {
              if (sys.state === STATE.safetyDoor && sys.suspend & SUSPEND.initiateRestore) {
                sys.suspend &= ~(SUSPEND.retractComplete | SUSPEND.initiateRestore | SUSPEND.restoreComplete);
                sys.suspend |= SUSPEND.restartRetract;
              }
              if (sys.state !== STATE.sleep) sys.state = STATE.safetyDoor;
            }
            sys.suspend |= SUSPEND.safetyDoorAjar;
          }
        }
        if (rt & EXEC.sleep) {
          if (sys.state === STATE.alarm) sys.suspend |= SUSPEND.retractComplete | SUSPEND.holdComplete;
          sys.state = STATE.sleep;
        }
        sys.clearExecState(EXEC.motionCancel | EXEC.feedHold | EXEC.safetyDoor | EXEC.sleep);
      }
      if (rt & EXEC.cycleStart) {
        // Not in the same pass as a hold: an auto cycle start must not resume a hold.
        if (!(rt & (EXEC.feedHold | EXEC.motionCancel | EXEC.safetyDoor))) {
          if (sys.state === STATE.safetyDoor && !(sys.suspend & SUSPEND.safetyDoorAjar)) {
            if (sys.suspend & SUSPEND.restoreComplete) sys.state = STATE.idle;
            else if (sys.suspend & SUSPEND.retractComplete) sys.suspend |= SUSPEND.initiateRestore;
          }
          if (sys.state === STATE.idle || (sys.state & STATE.hold && sys.suspend & SUSPEND.holdComplete)) {
            if (sys.state === STATE.hold && sys.spindleStopOvr) sys.spindleStopOvr |= SPINDLE_STOP_OVR.restoreCycle;
            else {
              sys.stepControl = STEP_CONTROL.normalOp;
              if (g.planner.currentBlock() && !(sys.suspend & SUSPEND.motionCancel)) {
                sys.suspend = SUSPEND.disable;
                sys.state = STATE.cycle;
                g.stepper.prepBuffer();
                g.stepper.wakeUp();
              } else {
                sys.suspend = SUSPEND.disable;
                sys.state = STATE.idle;
              }
            }
          }
        }
        sys.clearExecState(EXEC.cycleStart);
      }
      if (rt & EXEC.cycleStop) {
        if (sys.state & (STATE.hold | STATE.safetyDoor | STATE.sleep) && !sys.softLimit && !(sys.suspend & SUSPEND.jogCancel)) {
          // Hold complete: re-plan from the stop and wait for a resume.
          g.planner.cycleReinitialize();
          if (sys.stepControl & STEP_CONTROL.executeHold) sys.suspend |= SUSPEND.holdComplete;
          sys.stepControl &= ~(STEP_CONTROL.executeHold | STEP_CONTROL.executeSysMotion);
        } else {
          if (sys.suspend & SUSPEND.jogCancel) {
            sys.stepControl = STEP_CONTROL.normalOp;
            g.planner.reset();
            yield* this.stReset();
            g.gc.syncPosition();
            g.planner.syncPosition();
          }
          if (sys.suspend & SUSPEND.safetyDoorAjar) {
            sys.suspend &= ~SUSPEND.jogCancel;
            sys.suspend |= SUSPEND.holdComplete;
            sys.state = STATE.safetyDoor;
          } else {
            sys.suspend = SUSPEND.disable;
            sys.state = STATE.idle;
          }
        }
        sys.clearExecState(EXEC.cycleStop);
      }
    }

    rt = sys.execMotionOverride;
    if (rt) {
      sys.execMotionOverride = 0;
      const f = GRBL.feedOverride;
      let feed = sys.fOverride;
      if (rt & MOTION_OVR.feedReset) feed = 100;
      if (rt & MOTION_OVR.feedCoarsePlus) feed += f.coarse;
      if (rt & MOTION_OVR.feedCoarseMinus) feed -= f.coarse;
      if (rt & MOTION_OVR.feedFinePlus) feed += f.fine;
      if (rt & MOTION_OVR.feedFineMinus) feed -= f.fine;
      feed = Math.max(f.min, Math.min(f.max, feed));
      let rapid = sys.rOverride;
      if (rt & MOTION_OVR.rapidReset) rapid = 100;
      if (rt & MOTION_OVR.rapidMedium) rapid = GRBL.rapidOverride.medium;
      if (rt & MOTION_OVR.rapidLow) rapid = GRBL.rapidOverride.low;
      if (feed !== sys.fOverride || rapid !== sys.rOverride) {
        sys.fOverride = feed;
        sys.rOverride = rapid;
        sys.reportOvrCounter = 0;
        g.planner.updateVelocityProfileParameters();
        g.planner.cycleReinitialize();
      }
    }

    rt = sys.execAccessoryOverride;
    if (rt) {
      sys.execAccessoryOverride = 0;
      const o = GRBL.spindleOverride;
      let s = sys.spindleSpeedOvr;
      if (rt & ACCESSORY_OVR.spindleReset) s = 100;
      if (rt & ACCESSORY_OVR.spindleCoarsePlus) s += o.coarse;
      if (rt & ACCESSORY_OVR.spindleCoarseMinus) s -= o.coarse;
      if (rt & ACCESSORY_OVR.spindleFinePlus) s += o.fine;
      if (rt & ACCESSORY_OVR.spindleFineMinus) s -= o.fine;
      s = Math.max(o.min, Math.min(o.max, s));
      if (s !== sys.spindleSpeedOvr) {
        sys.spindleSpeedOvr = s;
        if (sys.state === STATE.idle) g.spindle.setState(g.gc.state.modal.spindle, g.gc.state.spindleSpeed);
        else sys.stepControl |= STEP_CONTROL.updateSpindlePwm;
        sys.reportOvrCounter = 0;
      }
      if (rt & ACCESSORY_OVR.spindleStop && sys.state === STATE.hold) {
        if (!sys.spindleStopOvr) sys.spindleStopOvr = SPINDLE_STOP_OVR.initiate;
        else if (sys.spindleStopOvr & SPINDLE_STOP_OVR.enabled) sys.spindleStopOvr |= SPINDLE_STOP_OVR.restore;
      }
      if (rt & (ACCESSORY_OVR.floodToggle | ACCESSORY_OVR.mistToggle)) {
        if (sys.state === STATE.idle || sys.state & (STATE.cycle | STATE.hold | STATE.jog)) {
          let c = g.gc.state.modal.coolant;
          if (g.build.options.mistCoolant) {
            if (rt & ACCESSORY_OVR.mistToggle) c ^= COOLANT.mist;
            if (rt & ACCESSORY_OVR.floodToggle) c ^= COOLANT.flood;
          } else c ^= COOLANT.flood;
          g.spindle.setCoolant(c);
          g.gc.state.modal.coolant = c;
        }
      }
    }

    if (sys.state & (STATE.cycle | STATE.hold | STATE.safetyDoor | STATE.homing | STATE.sleep | STATE.jog)) g.stepper.prepBuffer();
  }

  /** protocol_exec_rt_suspend: the loop a hold, a door or sleep waits in. */
  *execRtSuspend(): Busy<void> {
    const g = this.g;
    const sys = g.sys;
    const block = g.planner.currentBlock();
    const restoreCondition = block ? (block.condition & (SPINDLE.cw | SPINDLE.ccw)) | g.spindle.coolant : g.gc.state.modal.spindle | g.gc.state.modal.coolant;
    const restoreSpeed = block ? block.spindleSpeed : g.gc.state.spindleSpeed;
    // DISABLE_LASER_DURING_HOLD: in laser mode the output goes off while held.
    if (g.settings.laserMode()) sys.setAccessoryOverride(ACCESSORY_OVR.spindleStop);
    while (sys.suspend) {
      if (sys.abort) return;
      if (sys.suspend & SUSPEND.holdComplete) {
        if (sys.state & (STATE.safetyDoor | STATE.sleep)) {
          if (!(sys.suspend & SUSPEND.retractComplete)) {
            sys.spindleStopOvr = SPINDLE_STOP_OVR.disabled;
            g.spindle.setState(SPINDLE.disable, 0);
            g.spindle.setCoolant(COOLANT.disable);
            sys.suspend &= ~SUSPEND.restartRetract;
            sys.suspend |= SUSPEND.retractComplete;
          } else {
            if (sys.state === STATE.sleep) {
              yield* g.serial.print(g.report.feedback("Sleeping"));
              g.spindle.setState(SPINDLE.disable, 0);
              g.spindle.setCoolant(COOLANT.disable);
              const wait = g.stepper.goIdle();
              if (wait) yield g.cpu.now + wait;
              while (!sys.abort) {
                yield* this.execRtSystem();
                if (!sys.abort) yield* this.poll();
              }
              return;
            }
            // No door switch in this build: the door counts as closed again at once.
            if (sys.state === STATE.safetyDoor && sys.suspend & SUSPEND.safetyDoorAjar) {
              sys.suspend &= ~SUSPEND.safetyDoorAjar;
              }
            if (sys.suspend & SUSPEND.initiateRestore) {
              if (g.gc.state.modal.spindle !== SPINDLE.disable && !(sys.suspend & SUSPEND.restartRetract)) {
                if (g.settings.laserMode()) sys.stepControl |= STEP_CONTROL.updateSpindlePwm;
                else {
                  g.spindle.setState(restoreCondition & (SPINDLE.cw | SPINDLE.ccw), restoreSpeed);
                  yield* g.mc.delaySec(SAFETY_DOOR_SPINDLE_DELAY, "suspend");
                }
              }
              if (g.gc.state.modal.coolant !== COOLANT.disable && !(sys.suspend & SUSPEND.restartRetract)) {
                g.spindle.setCoolant(restoreCondition & (COOLANT.flood | COOLANT.mist));
                yield* g.mc.delaySec(SAFETY_DOOR_COOLANT_DELAY, "suspend");
              }
              if (!(sys.suspend & SUSPEND.restartRetract)) {
                sys.suspend |= SUSPEND.restoreComplete;
                sys.setExecState(EXEC.cycleStart);
              }
              }
          }
        } else if (sys.spindleStopOvr) {
          if (sys.spindleStopOvr & SPINDLE_STOP_OVR.initiate) {
            if (g.gc.state.modal.spindle !== SPINDLE.disable) {
              g.spindle.setState(SPINDLE.disable, 0);
              sys.spindleStopOvr = SPINDLE_STOP_OVR.enabled;
            } else sys.spindleStopOvr = SPINDLE_STOP_OVR.disabled;
          } else if (sys.spindleStopOvr & (SPINDLE_STOP_OVR.restore | SPINDLE_STOP_OVR.restoreCycle)) {
            if (g.gc.state.modal.spindle !== SPINDLE.disable) {
              yield* g.serial.print(g.report.feedback("Restoring spindle"));
              // Laser mode: the output comes back with the next motion segment, not now.
              if (g.settings.laserMode()) sys.stepControl |= STEP_CONTROL.updateSpindlePwm;
              else g.spindle.setState(restoreCondition & (SPINDLE.cw | SPINDLE.ccw), restoreSpeed);
            }
            if (sys.spindleStopOvr & SPINDLE_STOP_OVR.restoreCycle) sys.setExecState(EXEC.cycleStart);
            sys.spindleStopOvr = SPINDLE_STOP_OVR.disabled;
          }
        } else if (sys.stepControl & STEP_CONTROL.updateSpindlePwm) {
          // A spindle override while held (non-laser): applied now.
          g.spindle.setState(restoreCondition & (SPINDLE.cw | SPINDLE.ccw), restoreSpeed);
          sys.stepControl &= ~STEP_CONTROL.updateSpindlePwm;
        }
      }
      yield* this.execRtSystem();
      if (sys.abort) return;
      if (sys.suspend && !this.suspendWorkPending()) yield* this.poll();
    }
  }

  /** The next turn of the suspend loop would act without waiting for an interrupt. */
  private suspendWorkPending(): boolean {
    const sys = this.g.sys;
    if (!(sys.suspend & SUSPEND.holdComplete)) return false;
    if (sys.state & (STATE.safetyDoor | STATE.sleep)) {
      if (!(sys.suspend & SUSPEND.retractComplete) || sys.state === STATE.sleep) return true;
      return (sys.state === STATE.safetyDoor && (sys.suspend & SUSPEND.safetyDoorAjar) !== 0) || (sys.suspend & SUSPEND.initiateRestore) !== 0;
    }
    if (sys.spindleStopOvr) return (sys.spindleStopOvr & (SPINDLE_STOP_OVR.initiate | SPINDLE_STOP_OVR.restore | SPINDLE_STOP_OVR.restoreCycle)) !== 0;
    return (sys.stepControl & STEP_CONTROL.updateSpindlePwm) !== 0;
  }
}
