/**
 * Limit switches, homing and soft limits (limits.c), on a simulated machine: each axis runs
 * between two switches (both wired to the axis' one limit pin, normally open), `travel` mm
 * apart, and the head starts somewhere in between. The firmware only sees the pins; the
 * physical position is the steps that reached the motors (during homing a tripped axis is
 * locked out and stops, though GRBL's step counter runs on).
 *
 * - limits_go_home: per cycle (Z, then X and Y) four phases — approach at $25 over 1.5 ×
 *   the largest $13x, pull-off $27, approach at $24 over 5 × $27, pull-off — then the
 *   machine position: −$13x + $27 (homed towards −) or −$27 (towards +) on a stock build,
 *   0 with HOMING_FORCE_SET_ORIGIN. ALARM:6 reset, 8 still on the switch, 9 switch not found.
 * - the pin-change interrupt: with $21=1 any change of a limit pin outside homing is a
 *   hard limit, ALARM:1.
 * - limits_soft_check: a target outside the travel stops a running cycle with a feed hold,
 *   then resets into ALARM:2.
 */
import { PL_COND, type Vec3 } from "../kinematics.ts";
import { GRBL } from "./config.ts";
import { POLL, type Busy, type Peripheral } from "./cpu.ts";
import type { Grbl } from "./grbl.ts";
import { lround } from "./nuts-bolts.ts";
import { ALARM, EXEC, STATE, STEP_CONTROL } from "./system.ts";
import { SWITCH_MARGIN, type HeadMechanics } from "./machine.ts";

export class Limits implements Peripheral {
  /** The pin-change interrupt is armed (limits_init with $21=1; off during homing). */
  private armed = false;
  /** Motor steps minus sys_position, per axis, for axes that step. */
  private offset: Vec3 = [0, 0, 0];
  /** Motor steps of axes locked out during homing. */
  private frozen: (number | undefined)[] = [undefined, undefined, undefined];
  private lastPins = 0;
  private edge: number | undefined;
  private edgeValid = false;
  private travelMm: Vec3 | undefined;
  private startMm: Vec3 | undefined;

  constructor(
    private readonly g: Grbl,
    private readonly mechanics: HeadMechanics = {},
  ) {}

  /** Called at power-up, once settings are known: the machine's size and where the head is. */
  powerUp(): void {
    const max = this.g.settings.maxTravel();
    const t = this.mechanics.travel;
    this.travelMm = t ? [t.x, t.y, t.z] : [max[0] + 2 * SWITCH_MARGIN, max[1] + 2 * SWITCH_MARGIN, max[2] + 2 * SWITCH_MARGIN];
    const s = this.mechanics.start;
    this.startMm = s ? [s.x, s.y, s.z] : [this.travelMm[0] / 2, this.travelMm[1] / 2, this.travelMm[2] / 2];
    this.offset = [0, 0, 0];
    this.frozen = [undefined, undefined, undefined];
    this.lastPins = this.state();
  }

  // ------------------------------------------------------------ the machine

  private stepping(axis: number): boolean {
    return this.g.sys.state !== STATE.homing || (this.g.sys.homingAxisLock & (1 << axis)) !== 0;
  }

  /** Steps that reached the motor of `axis` since power-up. */
  motorSteps(axis: number, sysSteps = this.g.stepper.position()[axis]!): number {
    return this.frozen[axis] ?? sysSteps + this.offset[axis]!;
  }

  /** Where the head physically is, mm from each axis' negative-end switch. */
  physical(): Vec3 {
    const sys = this.g.stepper.position();
    const spm = this.g.settings.stepsPerMm();
    return [0, 1, 2].map((i) => this.startMm![i]! + this.motorSteps(i, sys[i]) / spm[i]!) as Vec3;
  }

  /** A switch is closed at each end: beyond 0 or beyond the travel. */
  private tripped(): number {
    const p = this.physical();
    let m = 0;
    for (let i = 0; i < 3; i++) if (p[i]! < 0 || p[i]! > this.travelMm![i]!) m |= 1 << i;
    return m;
  }

  /** limits_get_state: the axes whose pin reads "triggered" ($5 inverts normally-open switches). */
  state(): number {
    const t = this.tripped();
    return this.g.settings.value(5) ? ~t & 0b111 : t;
  }

  /** sys_position of `axis` is about to be overwritten: keep the motor where it is. */
  rebase(axis: number, motorSteps: number, newSysSteps: number): void {
    if (this.frozen[axis] === undefined) this.offset[axis] = motorSteps - newSysSteps;
    this.edgeValid = false;
  }

  /** Homing locks axes out (their steps stop reaching the motor) and back in. */
  setHomingLock(mask: number): void {
    const sys = this.g.stepper.position();
    for (let i = 0; i < 3; i++) {
      const locked = (mask & (1 << i)) === 0;
      if (locked && this.frozen[i] === undefined) this.frozen[i] = sys[i]! + this.offset[i]!;
      if (!locked && this.frozen[i] !== undefined) {
        this.offset[i] = this.frozen[i]! - sys[i]!;
        this.frozen[i] = undefined;
      }
    }
    this.g.sys.homingAxisLock = mask;
    this.edgeValid = false;
  }

  /** Homing is over: every axis reaches its motor again. */
  private releaseLocks(): void {
    this.setHomingLock(0b111);
  }

  positionChanged(): void {
    this.edgeValid = false;
  }

  // ------------------------------------------------------------ the pin-change interrupt

  /** limits_init: arm the hard-limit interrupt when $21=1. */
  init(): void {
    this.armed = this.g.settings.value(21) !== 0;
    this.lastPins = this.state();
  }

  /** limits_disable */
  disable(): void {
    this.armed = false;
  }

  nextEventTime(): number | undefined {
    if (!this.edgeValid) {
      this.edge = this.computeEdge();
      this.edgeValid = true;
    }
    return this.edge;
  }

  /** The next tick of the executing segment at which some switch closes or opens. */
  private computeEdge(): number | undefined {
    const st = this.g.stepper;
    const e = st.executing();
    if (!e || !this.startMm) return undefined;
    const spm = this.g.settings.stepsPerMm();
    const now = this.g.cpu.now;
    let best: number | undefined;
    for (let i = 0; i < 3; i++) {
      const inc = e.inc[i]!;
      if (inc === 0 || !this.stepping(i)) continue;
      const dir = e.seg.block.direction[i]!;
      const p0 = e.start[i]! + this.offset[i]!;
      const low = -this.startMm[i]! * spm[i]!;
      const high = (this.travelMm![i]! - this.startMm[i]!) * spm[i]!;
      const k0 = now < e.t0 ? 0 : Math.min(e.seg.nStep, Math.floor((now - e.t0) / e.tick) + 1);
      const s0 = p0 + dir * st.stepsAfter(e, i, k0);
      let m: number | undefined;
      if (dir < 0) {
        if (s0 > high) m = Math.ceil(p0 - high);
        else if (s0 >= low) m = Math.floor(p0 - low) + 1;
      } else if (s0 < low) m = Math.ceil(low - p0);
      else if (s0 <= high) m = Math.floor(high - p0) + 1;
      if (m === undefined) continue;
      const k = Math.floor((m * e.seg.block.stepEventCount - e.counters[i]!) / inc) + 1;
      if (k > k0 && k <= e.seg.nStep) {
        const t = st.tickTime(e, k);
        if (best === undefined || t < best) best = t;
      }
    }
    return best;
  }

  runEvent(): void {
    this.edgeValid = false;
    const pins = this.state();
    const changed = pins !== this.lastPins;
    this.lastPins = pins;
    const sys = this.g.sys;
    // ISR(LIMIT_INT_vect): any change is a hard limit, a switch opening as much as one closing.
    if (changed && this.armed && sys.state !== STATE.alarm && !sys.execAlarm) {
      this.g.mc.reset();
      sys.setExecAlarm(ALARM.hardLimit);
    }
  }

  // ------------------------------------------------------------ homing

  /** limits_go_home for the axes in `cycleMask`. */
  *goHome(cycleMask: number): Busy<void> {
    const g = this.g;
    const sys = g.sys;
    if (sys.abort) return;
    const dirMask = g.settings.value(23);
    const maxTravelSetting = g.settings.maxTravel();
    const pullOff = g.settings.value(27);
    let maxTravel = 0;
    for (let i = 0; i < 3; i++) if (cycleMask & (1 << i)) maxTravel = Math.max(maxTravel, GRBL.homingAxisSearchScalar * maxTravelSetting[i]!);
    let approach = true;
    let rate = g.settings.value(25);
    let nCycle = 2 * GRBL.nHomingLocateCycle + 1;
    do {
      const spm = g.settings.stepsPerMm();
      const steps = g.stepper.position();
      const target: Vec3 = [steps[0] / spm[0], steps[1] / spm[1], steps[2] / spm[2]];
      let axisLock = 0;
      let nActive = 0;
      for (let i = 0; i < 3; i++) {
        if (!(cycleMask & (1 << i))) continue;
        nActive++;
        g.stepper.setAxisPosition(i, 0);
        target[i] = (dirMask & (1 << i) ? -1 : 1) * (approach ? 1 : -1) * maxTravel;
        axisLock |= 1 << i;
      }
      rate *= Math.sqrt(nActive);
      this.setHomingLock(axisLock);
      g.planner.bufferLine(target, { feedRate: rate, condition: PL_COND.systemMotion | PL_COND.noFeedOverride, spindleSpeed: 0, lineNumber: 0 });
      sys.stepControl = STEP_CONTROL.executeSysMotion;
      g.stepper.prepBuffer();
      g.stepper.wakeUp();
      let done = false;
      do {
        if (approach) {
          const pins = this.state();
          for (let i = 0; i < 3; i++) if (axisLock & (1 << i) && pins & (1 << i)) axisLock &= ~(1 << i);
          if (axisLock !== sys.homingAxisLock) this.setHomingLock(axisLock);
        }
        g.stepper.prepBuffer();
        // No time for protocol_execute_realtime here: only reset, door and cycle stop are looked at.
        if (sys.execState & (EXEC.safetyDoor | EXEC.reset | EXEC.cycleStop)) {
          const rt = sys.execState;
          if (rt & EXEC.reset) sys.setExecAlarm(ALARM.homingFailReset);
          if (rt & EXEC.safetyDoor) sys.setExecAlarm(ALARM.homingFailDoor);
          if (!approach && this.state() & cycleMask) sys.setExecAlarm(ALARM.homingFailPulloff);
          if (approach && rt & EXEC.cycleStop) sys.setExecAlarm(ALARM.homingFailApproach);
          if (sys.execAlarm) {
            g.mc.reset();
            this.releaseLocks();
            yield* g.protocol.executeRealtime();
            return;
          }
          sys.clearExecState(EXEC.cycleStop);
          done = true;
          break;
        }
        if (axisLock) yield POLL;
      } while (axisLock);
      void done;
      yield* g.protocol.stReset();
      const debounce = g.settings.value(26);
      if (debounce) yield g.cpu.now + g.cpu.ms(debounce);
      approach = !approach;
      if (approach) {
        maxTravel = pullOff * GRBL.homingAxisLocateScalar;
        rate = g.settings.value(24);
      } else {
        maxTravel = pullOff;
        rate = g.settings.value(25);
      }
    } while (nCycle-- > 0);
    const spm = g.settings.stepsPerMm();
    for (let i = 0; i < 3; i++) {
      if (!(cycleMask & (1 << i))) continue;
      let set = 0;
      if (!g.build.options.forceSetOrigin) set = dirMask & (1 << i) ? lround((-maxTravelSetting[i]! + pullOff) * spm[i]!) : lround(-pullOff * spm[i]!);
      g.stepper.setAxisPosition(i, set);
    }
    this.releaseLocks();
    sys.stepControl = STEP_CONTROL.normalOp;
  }

  // ------------------------------------------------------------ soft limits

  /** limits_soft_check */
  *softCheck(target: Vec3): Busy<void> {
    const g = this.g;
    const sys = g.sys;
    if (!g.system.travelExceeded(target)) return;
    sys.softLimit = true;
    if (sys.state === STATE.cycle) {
      // A controlled stop keeps the position; the alarm comes when the head is at rest.
      sys.setExecState(EXEC.feedHold);
      do {
        yield* g.protocol.executeRealtime();
        if (sys.abort) return;
        if (sys.state !== STATE.idle) yield* g.protocol.poll();
      } while (sys.state !== STATE.idle);
    }
    g.mc.reset();
    sys.setExecAlarm(ALARM.softLimit);
    yield* g.protocol.executeRealtime();
  }
}
