/**
 * Motion control (motion_control.c, and delay_sec of nuts_bolts.c): the gateway from the
 * parser to the planner — mc_line with the soft-limit check, the wait for planner room and
 * laser mode's M3 sync for a move too short to step; arcs cut into chords ($12); G4 after a
 * buffer sync, in whole 50 ms steps; the homing cycle (Z, then X and Y); the probe cycle; and
 * mc_reset, the one way to a reset.
 */
import { PL_COND, type Vec3 } from "../kinematics.ts";
import { GRBL } from "./config.ts";
import type { Busy } from "./cpu.ts";
import type { PlanData } from "./gcode.ts";
import type { Grbl } from "./grbl.ts";
import { dwellSteps } from "./nuts-bolts.ts";
import { SPINDLE } from "./spindle.ts";
import { ALARM, EXEC, STATE, STEP_CONTROL } from "./system.ts";

export class MotionControl {
  /** sys_probe_position, steps. */
  probePosition: Vec3 = [0, 0, 0];

  constructor(private readonly g: Grbl) {}

  /** mc_line: `target` in mm, machine coordinates. */
  *line(target: Vec3, pl: PlanData): Busy<void> {
    const g = this.g;
    const sys = g.sys;
    if (g.settings.value(20) && sys.state !== STATE.jog) yield* g.limits.softCheck(target);
    if (sys.state === STATE.checkMode) return;
    // Planner full: that is fine, the host is ahead of the machine. Wait for a free block.
    for (;;) {
      yield* g.protocol.executeRealtime();
      if (sys.abort) return;
      if (!g.planner.isFull()) break;
      g.protocol.autoCycleStart();
      yield* g.protocol.poll();
    }
    if (!g.planner.bufferLine(target, pl)) {
      // A move shorter than a step: in laser mode M3, its S is still set, with a full sync.
      if (g.settings.laserMode() && pl.condition & PL_COND.spindleCw) yield* g.spindle.sync(SPINDLE.cw, pl.spindleSpeed);
    }
  }

  /** mc_arc: chords within $12 of the circle, each an mc_line. */
  *arc(target: Vec3, pl: PlanData, position: Vec3, offset: Vec3, radius: number, axis0: number, axis1: number, axisLinear: number, clockwise: boolean): Busy<void> {
    const tolerance = this.g.settings.value(12);
    const centre0 = position[axis0]! + offset[axis0]!;
    const centre1 = position[axis1]! + offset[axis1]!;
    let r0 = -offset[axis0]!;
    let r1 = -offset[axis1]!;
    const rt0 = target[axis0]! - centre0;
    const rt1 = target[axis1]! - centre1;
    let angular = Math.atan2(r0 * rt1 - r1 * rt0, r0 * rt0 + r1 * rt1);
    if (clockwise) {
      if (angular >= -GRBL.arcAngularTravelEpsilon) angular -= 2 * Math.PI;
    } else if (angular <= GRBL.arcAngularTravelEpsilon) angular += 2 * Math.PI;
    const segments = Math.floor(Math.abs(0.5 * angular * radius) / Math.sqrt(tolerance * (2 * radius - tolerance))) & 0xffff;
    if (segments) {
      const data = { ...pl };
      if (data.condition & PL_COND.inverseTime) {
        data.feedRate *= segments;
        data.condition &= ~PL_COND.inverseTime;
      }
      const thetaPer = angular / segments;
      const linearPer = (target[axisLinear]! - position[axisLinear]!) / segments;
      let cosT = 2 - thetaPer * thetaPer;
      const sinT = thetaPer * 0.16666667 * (cosT + 4);
      cosT *= 0.5;
      let count = 0;
      const p: Vec3 = [...position] as Vec3;
      for (let i = 1; i < segments; i++) {
        if (count < GRBL.nArcCorrection) {
          const ri = r0 * sinT + r1 * cosT;
          r0 = r0 * cosT - r1 * sinT;
          r1 = ri;
          count++;
        } else {
          const c = Math.cos(i * thetaPer);
          const s = Math.sin(i * thetaPer);
          r0 = -offset[axis0]! * c + offset[axis1]! * s;
          r1 = -offset[axis0]! * s - offset[axis1]! * c;
          count = 0;
        }
        p[axis0] = centre0 + r0;
        p[axis1] = centre1 + r1;
        p[axisLinear] = p[axisLinear]! + linearPer;
        yield* this.line([...p] as Vec3, data);
        if (this.g.sys.abort) return;
      }
      yield* this.line(target, data);
      return;
    }
    yield* this.line(target, pl);
  }

  /** mc_dwell: sync, then delay_sec in DWELL mode. */
  *dwell(seconds: number): Busy<void> {
    if (this.g.sys.state === STATE.checkMode) return;
    yield* this.g.protocol.bufferSynchronize();
    yield* this.delaySec(seconds, "dwell");
  }

  /**
   * delay_sec (nuts_bolts.c): ceil(20·s) steps of 50 ms, each one preceded by a real-time check
   * (in dwell mode the full check, which may enter the hold; in suspend mode only the flags).
   */
  *delaySec(seconds: number, mode: "dwell" | "suspend"): Busy<void> {
    const g = this.g;
    let n = dwellSteps(seconds);
    while (n-- > 0) {
      if (g.sys.abort) return;
      if (mode === "dwell") yield* g.protocol.executeRealtime();
      else {
        yield* g.protocol.execRtSystem();
        if (g.sys.suspend & 0x02) return; // SUSPEND_RESTART_RETRACT: the door opened again
      }
      yield g.cpu.now + g.cpu.ms(GRBL.dwellTimeStepMs);
    }
  }

  /** mc_homing_cycle: hard limits off, Z then X and Y, then the parser and planner take the homed position. */
  *homingCycle(): Busy<void> {
    const g = this.g;
    g.limits.disable();
    for (const cycle of GRBL.homingCycles) yield* g.limits.goHome(cycle);
    yield* g.protocol.executeRealtime();
    if (g.sys.abort) return;
    g.gc.syncPosition();
    g.planner.syncPosition();
    g.limits.init();
  }

  /**
   * mc_probe_cycle. The head has no probe input, so the probe never touches: G38.2/G38.4 end
   * in ALARM:5 at the end of the move, G38.3/G38.5 just stop there.
   */
  *probeCycle(target: Vec3, pl: PlanData, _away: boolean, noError: boolean): Busy<"target" | "system" | "none"> {
    const g = this.g;
    const sys = g.sys;
    if (sys.state === STATE.checkMode) return "target";
    yield* g.protocol.bufferSynchronize();
    if (sys.abort) return "none";
    sys.probeSucceeded = false;
    yield* this.line(target, pl);
    sys.setExecState(EXEC.cycleStart);
    do {
      yield* g.protocol.executeRealtime();
      if (sys.abort) return "none";
      if (sys.state !== STATE.idle) yield* g.protocol.poll();
    } while (sys.state !== STATE.idle);
    if (noError) this.probePosition = g.stepper.position();
    else sys.setExecAlarm(ALARM.probeFailContact);
    yield* g.protocol.executeRealtime();
    yield* g.protocol.stReset();
    g.planner.reset();
    g.planner.syncPosition();
    yield* g.serial.print(g.report.probe());
    return "target";
  }

  /**
   * mc_reset: set the reset flag, stop spindle and coolant at once, and if the machine was
   * moving (cycle, homing, jog, or a hold decelerating) stop the steppers dead: position
   * lost, ALARM:3 (ALARM:6 while homing). `fromSerial`: called by the receive interrupt (0x18),
   * whose own wait in st_go_idle then holds off further bytes.
   */
  reset(fromSerial = false): void {
    const g = this.g;
    const sys = g.sys;
    if (sys.execState & EXEC.reset) return;
    sys.setExecState(EXEC.reset);
    g.spindle.stop();
    g.spindle.stopCoolant();
    if (sys.state & (STATE.cycle | STATE.homing | STATE.jog) || sys.stepControl & (STEP_CONTROL.executeHold | STEP_CONTROL.executeSysMotion)) {
      if (sys.state === STATE.homing) {
        if (!sys.execAlarm) sys.setExecAlarm(ALARM.homingFailReset);
      } else sys.setExecAlarm(ALARM.abortCycle);
      const before = g.cpu.now;
      g.stepper.killFromIsr();
      if (fromSerial) g.serial.blockReceiveUntil(before + g.stepper.idleLockCycles());
    }
  }
}

