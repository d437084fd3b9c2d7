/**
 * The stepper (stepper.c): the segment generator that cuts the oldest planner block into
 * ~10 ms segments of constant step rate (st_prep_buffer), the 6-slot segment ring (5
 * usable), and the Timer1 interrupt that executes them (Bresenham with AMASS, the spindle
 * PWM of each segment applied as it is loaded, st_go_idle when the ring runs dry).
 *
 * Time is CPU cycles (16 MHz), event driven: the interrupt is modelled at segment
 * boundaries only, and the step counts in between follow from the Bresenham counters, so a
 * position can be read at any instant without stepping through every tick.
 */
import { PL_COND, type PlannerBlock, type Vec3 } from "../kinematics.ts";
import { GRBL } from "./config.ts";
import type { Grbl } from "./grbl.ts";
import { STATE, STEP_CONTROL, EXEC } from "./system.ts";

/** GRBL's prep variables are floats: single precision wherever they are stored. */
const f = Math.fround;
/** stepper.c DT_SEGMENT, minutes. */
const DT_SEGMENT = 1 / (GRBL.accelerationTicksPerSecond * 60);
/** stepper.c REQ_MM_INCREMENT_SCALAR */
const REQ_MM_INCREMENT_SCALAR = 1.25;
const RAMP_ACCEL = 0;
const RAMP_CRUISE = 1;
const RAMP_DECEL = 2;
const RAMP_DECEL_OVERRIDE = 3;
const PREP_FLAG_RECALCULATE = 1 << 0;
const PREP_FLAG_DECEL_OVERRIDE = 1 << 3;
/** stepper.c MAX_AMASS_LEVEL and the AMASS cut-offs (cycles per step). */
const MAX_AMASS_LEVEL = 3;
const AMASS_LEVEL1 = GRBL.fCpu / 8000;
const AMASS_LEVEL2 = GRBL.fCpu / 4000;
const AMASS_LEVEL3 = GRBL.fCpu / 2000;

/** st_block_t: the Bresenham data of a planner block, copied so the planner may discard it. */
interface StepperBlock {
  /** Steps per axis and the event count, scaled by 2^MAX_AMASS_LEVEL. */
  readonly steps: Vec3;
  readonly stepEventCount: number;
  readonly direction: Vec3;
  readonly isPwmRateAdjusted: boolean;
  /** Observer data (not GRBL's): the N the block came from and whether it moves X or Y. */
  readonly line: number;
  readonly movesXY: boolean;
}

/** segment_t */
interface Segment {
  /** Ticks (steps × 2^amass level). */
  readonly nStep: number;
  readonly cyclesPerTick: number;
  readonly amassLevel: number;
  readonly block: StepperBlock;
  readonly spindlePwm: number;
}

/** The segment the interrupt is executing, with the Bresenham counters at its start. */
interface Executing {
  readonly seg: Segment;
  /** Cycle of its first tick; a tick lasts OCR1A+1 cycles (CTC mode). */
  readonly t0: number;
  readonly tick: number;
  readonly counters: Vec3;
  readonly inc: Vec3;
  /** sys_position at its start. */
  readonly start: Vec3;
  /** Its slot in the ring was released at its last tick (stepper.c: segment_buffer_tail moves on then). */
  freed: boolean;
}

export class Stepper {
  // ---- segment generator (main program side)
  private plBlock: PlannerBlock | undefined;
  private prepBlock: StepperBlock | undefined;
  private prep = {
    recalculateFlag: 0,
    dtRemainder: 0,
    stepsRemaining: 0,
    stepPerMm: 0,
    reqMmIncrement: 0,
    rampType: RAMP_ACCEL,
    mmComplete: 0,
    currentSpeed: 0,
    maximumSpeed: 0,
    exitSpeed: 0,
    accelerateUntil: 0,
    decelerateAfter: 0,
    invRate: 0,
    currentSpindlePwm: 0,
  };
  /** The segment ring, oldest first (at most SEGMENT_BUFFER_SIZE − 1). */
  private ring: Segment[] = [];

  // ---- the interrupt (Timer1)
  /** OCIE1A: the interrupt is enabled. */
  private timerOn = false;
  private exec: Executing | undefined;
  /** The block of the last segment loaded (st.exec_block). */
  private execBlock: StepperBlock | undefined;
  /** Bresenham counters of the block being executed. */
  private counters: Vec3 = [0, 0, 0];
  /** Cycle of the next interrupt that matters (segment end, or the first tick after wake-up). */
  private nextIsr: number | undefined;
  /** st_go_idle's $1 wait in the interrupt: it completes (PWM off for M4, cycle stop) at this cycle. */
  private idleDone: number | undefined;
  /** sys_position, in steps, as of the last committed segment boundary. */
  private committed: Vec3 = [0, 0, 0];
  /** The block of the segment being loaded, while its PWM is applied (before its first step). */
  private loading: StepperBlock | undefined;

  constructor(private readonly g: Grbl) {}

  private get maxSegments(): number {
    return GRBL.segmentBufferSize - 1;
  }

  // ------------------------------------------------------------ position

  /** sys_position now, steps: the committed boundary plus the ticks of the executing segment so far. */
  position(at = this.g.cpu.now): Vec3 {
    const e = this.exec;
    if (!e) return [this.committed[0], this.committed[1], this.committed[2]];
    const k = this.ticksDone(e, at);
    if (k === 0) return [e.start[0], e.start[1], e.start[2]];
    const p: Vec3 = [0, 0, 0];
    for (let i = 0; i < 3; i++) p[i] = e.start[i]! + e.seg.block.direction[i]! * this.stepsAfter(e, i, k);
    return p;
  }

  /** Set one axis of sys_position (homing, reset). Only at rest. */
  setAxisPosition(axis: number, steps: number): void {
    this.commitNow();
    const motor = this.g.limits.motorSteps(axis, this.committed[axis]);
    this.committed[axis] = steps;
    this.g.limits.rebase(axis, motor, steps);
  }

  private ticksDone(e: Executing, at: number): number {
    if (at < e.t0) return 0;
    return Math.min(e.seg.nStep, Math.floor((at - e.t0) / e.tick) + 1);
  }

  /** Steps of axis `i` after `k` ticks of segment `e`: Bresenham with the counter carried in. */
  stepsAfter(e: Executing, i: number, k: number): number {
    const inc = e.inc[i]!;
    if (inc === 0 || k === 0) return 0;
    const n = Math.ceil((e.counters[i]! + k * inc) / e.seg.block.stepEventCount) - 1;
    return n < 0 ? 0 : n;
  }

  /** The segment being executed, for the limit switches and the pin observer. */
  executing(): Executing | undefined {
    return this.exec;
  }

  /** Cycle at which tick `k` (1-based count) of the executing segment happens. */
  tickTime(e: Executing, k: number): number {
    return e.t0 + (k - 1) * e.tick;
  }

  /** Whether X or Y steps now (the workpiece moves under the pin). */
  movingXY(): boolean {
    return (this.loading ?? this.exec?.seg.block)?.movesXY ?? false;
  }

  /** N of the block being executed (observer data; 0 when none). */
  executingLine(): number {
    return (this.loading ?? this.exec?.seg.block)?.line ?? 0;
  }

  // ------------------------------------------------------------ the interrupt

  /** The next cycle at which the interrupt does something. */
  nextEventTime(): number | undefined {
    if (this.idleDone !== undefined) return this.idleDone;
    if (!this.timerOn) return undefined;
    const e = this.exec;
    if (e && !e.freed) return this.tickTime(e, Math.max(1, e.seg.nStep));
    return this.nextIsr;
  }

  /** Run the interrupt at `now` (a segment's last tick, a segment's end, or the end of the wait in st_go_idle). */
  runEvent(): void {
    const now = this.g.cpu.now;
    if (this.idleDone !== undefined && now >= this.idleDone) {
      this.idleDone = undefined;
      this.finishGoIdle();
      return;
    }
    if (!this.timerOn) return;
    const e = this.exec;
    if (e && !e.freed && now >= this.tickTime(e, Math.max(1, e.seg.nStep))) {
      // The last tick: step_count reaches 0, the segment leaves the ring, the next loads one tick later.
      e.freed = true;
      this.ring.shift();
      return;
    }
    if (this.nextIsr === undefined || now < this.nextIsr) return;
    if (this.exec) this.commitSegment();
    this.isrPop(now);
  }

  /** The end of the executing segment: its steps become the committed position, the slot frees. */
  private commitSegment(): void {
    const e = this.exec!;
    const n = e.seg.nStep;
    for (let i = 0; i < 3; i++) {
      const s = this.stepsAfter(e, i, n);
      this.committed[i] = e.start[i]! + e.seg.block.direction[i]! * s;
      this.counters[i] = e.counters[i]! + n * e.inc[i]! - s * e.seg.block.stepEventCount;
    }
    if (!e.freed) this.ring.shift();
    this.exec = undefined;
    this.g.limits.positionChanged();
  }

  /** Stop the executing segment where it is now (st_go_idle from outside the ring running dry: reset, st_reset). */
  private commitNow(): void {
    const e = this.exec;
    if (!e) return;
    const k = this.ticksDone(e, this.g.cpu.now);
    for (let i = 0; i < 3; i++) {
      const s = this.stepsAfter(e, i, k);
      this.committed[i] = e.start[i]! + e.seg.block.direction[i]! * s;
      this.counters[i] = e.counters[i]! + k * e.inc[i]! - s * e.seg.block.stepEventCount;
    }
    this.exec = undefined;
    this.g.limits.positionChanged();
  }

  /** stepper.c ISR(TIMER1_COMPA_vect): load the next segment, or shut down when the ring is empty. */
  private isrPop(now: number): void {
    const seg = this.ring[0];
    if (!seg) {
      this.goIdleInIsr();
      return;
    }
    // Observer hook (not GRBL): a fault tied to this block's line may stop the machine first.
    if (this.execBlock !== seg.block && this.g.observer.blockStarting(seg.block.line)) return;
    if (this.execBlock !== seg.block) {
      this.execBlock = seg.block;
      const half = Math.floor(seg.block.stepEventCount / 2);
      this.counters = [half, half, half];
    }
    const inc: Vec3 = [seg.block.steps[0] >> seg.amassLevel, seg.block.steps[1] >> seg.amassLevel, seg.block.steps[2] >> seg.amassLevel];
    // The segment's PWM is applied as it is loaded, just before its first step.
    this.loading = seg.block;
    this.g.spindle.setSpeed(seg.spindlePwm);
    this.loading = undefined;
    const tick = seg.cyclesPerTick + 1;
    this.exec = { seg, t0: now, tick, counters: [...this.counters] as Vec3, inc, start: [...this.committed] as Vec3, freed: false };
    this.nextIsr = now + Math.max(1, seg.nStep) * tick;
    this.g.limits.positionChanged();
    this.g.observer.segmentStarted();
  }

  /**
   * st_go_idle called by the interrupt when the ring ran dry: the timer stops, and unless
   * $1=255 (or homing) the interrupt busy-waits $1 ms with the main program frozen before it
   * turns an M4 laser off and raises the cycle stop (stepper.c:392-401).
   */
  private goIdleInIsr(): void {
    this.timerOn = false;
    this.nextIsr = undefined;
    this.g.observer.motionStopped();
    const wait = this.idleLockCycles();
    if (wait > 0) {
      this.g.cpu.freeze(wait);
      this.idleDone = this.g.cpu.now + wait;
    } else this.finishGoIdle();
  }

  private finishGoIdle(): void {
    if (this.execBlock?.isPwmRateAdjusted) this.g.spindle.setSpeed(GRBL.pwmOff);
    this.g.sys.setExecState(EXEC.cycleStop);
  }

  /** The wait st_go_idle makes: $1 ms unless $1=255, always with an alarm pending or asleep, never while homing. */
  idleLockCycles(): number {
    const sys = this.g.sys;
    const lock = this.g.settings.value(1);
    if ((lock !== 255 || sys.execAlarm !== 0 || sys.state === STATE.sleep) && sys.state !== STATE.homing) return this.g.cpu.ms(lock);
    return 0;
  }

  /**
   * st_go_idle from a reset in motion (mc_reset in the serial interrupt): the timer stops at
   * once, the steps made so far stay, and the $1 wait freezes the main program.
   */
  killFromIsr(): void {
    this.commitNow();
    this.timerOn = false;
    this.nextIsr = undefined;
    this.g.observer.motionStopped();
    const wait = this.idleLockCycles();
    if (wait > 0) this.g.cpu.freeze(wait);
  }

  /** st_go_idle from the main program: the timer stops; returns the cycles of the $1 wait the caller must spend. */
  goIdle(): number {
    this.commitNow();
    if (this.timerOn) this.g.observer.motionStopped();
    this.timerOn = false;
    this.nextIsr = undefined;
    return this.idleLockCycles();
  }

  /** st_wake_up: enable the interrupt; its flag has long been pending, so the first tick is now. */
  wakeUp(): void {
    if (this.timerOn) return;
    this.timerOn = true;
    this.nextIsr = this.g.cpu.now;
  }

  /** st_reset's clearing (after its st_go_idle, whose wait the caller spends). */
  resetState(): void {
    this.plBlock = undefined;
    this.prepBlock = undefined;
    this.prep = { recalculateFlag: 0, dtRemainder: 0, stepsRemaining: 0, stepPerMm: 0, reqMmIncrement: 0, rampType: RAMP_ACCEL, mmComplete: 0, currentSpeed: 0, maximumSpeed: 0, exitSpeed: 0, accelerateUntil: 0, decelerateAfter: 0, invRate: 0, currentSpindlePwm: 0 };
    this.ring = [];
    this.exec = undefined;
    this.execBlock = undefined;
    this.idleDone = undefined;
  }

  /** Segments queued (the one executing included). */
  get segmentsQueued(): number {
    return this.ring.length;
  }

  /** The interrupt is running segments (or will at its next tick). */
  get running(): boolean {
    return this.timerOn;
  }

  // ------------------------------------------------------------ the segment generator

  /** st_update_plan_block_parameters: the planner changed the executing block; re-plan it from the current speed. */
  updatePlanBlockParameters(): void {
    if (!this.plBlock) return;
    this.prep.recalculateFlag |= PREP_FLAG_RECALCULATE;
    this.plBlock.entrySpeedSqr = f(this.prep.currentSpeed * this.prep.currentSpeed);
    this.plBlock = undefined;
  }

  /** st_get_realtime_rate: the speed at the end of the last prepared segment, mm/min (0 unless in motion states). */
  realtimeRate(): number {
    const s = this.g.sys.state;
    return s & (STATE.cycle | STATE.homing | STATE.hold | STATE.jog | STATE.safetyDoor) ? this.prep.currentSpeed : 0;
  }

  /** st_prep_buffer: fill the segment ring from the oldest planner block (or the system motion block). */
  prepBuffer(): void {
    const sys = this.g.sys;
    if (sys.stepControl & STEP_CONTROL.endMotion) return;
    const prep = this.prep;
    while (this.ring.length < this.maxSegments) {
      if (!this.plBlock) {
        this.plBlock = sys.stepControl & STEP_CONTROL.executeSysMotion ? this.g.planner.systemBlock : this.g.planner.currentBlock();
        if (!this.plBlock) return;
        const pl = this.plBlock;
        if (prep.recalculateFlag & PREP_FLAG_RECALCULATE) {
          prep.recalculateFlag = 0;
        } else {
          const scale = 1 << MAX_AMASS_LEVEL;
          this.prepBlock = {
            steps: [pl.steps[0] * scale, pl.steps[1] * scale, pl.steps[2] * scale],
            stepEventCount: pl.stepEventCount * scale,
            direction: pl.direction,
            isPwmRateAdjusted: this.g.settings.laserMode() && (pl.condition & PL_COND.spindleCcw) !== 0,
            line: pl.lineNumber,
            movesXY: pl.steps[0] > 0 || pl.steps[1] > 0,
          };
          prep.stepsRemaining = f(pl.stepEventCount);
          prep.stepPerMm = f(prep.stepsRemaining / pl.millimeters);
          prep.reqMmIncrement = f(REQ_MM_INCREMENT_SCALAR / prep.stepPerMm);
          prep.dtRemainder = 0;
          if (sys.stepControl & STEP_CONTROL.executeHold || prep.recalculateFlag & PREP_FLAG_DECEL_OVERRIDE) {
            // A block loaded mid-hold enters at the speed the deceleration has reached.
            prep.currentSpeed = prep.exitSpeed;
            pl.entrySpeedSqr = f(prep.exitSpeed * prep.exitSpeed);
            prep.recalculateFlag &= ~PREP_FLAG_DECEL_OVERRIDE;
          } else prep.currentSpeed = f(Math.sqrt(pl.entrySpeedSqr));
          if (this.prepBlock.isPwmRateAdjusted) prep.invRate = f(1 / pl.programmedRate);
        }
        this.computeProfile(pl);
        sys.stepControl |= STEP_CONTROL.updateSpindlePwm;
      }
      if (!this.prepSegment()) return;
    }
  }

  /** The ramp parameters of the block from its entry and exit speeds (or a forced stop for a hold), in GRBL's single precision. */
  private computeProfile(pl: PlannerBlock): void {
    const prep = this.prep;
    const sys = this.g.sys;
    prep.mmComplete = 0;
    const inv2a = f(0.5 / pl.acceleration);
    const twoA = f(2 * pl.acceleration);
    if (sys.stepControl & STEP_CONTROL.executeHold) {
      prep.rampType = RAMP_DECEL;
      const decelDist = f(pl.millimeters - f(inv2a * pl.entrySpeedSqr));
      if (decelDist < 0) prep.exitSpeed = f(Math.sqrt(f(pl.entrySpeedSqr - f(twoA * pl.millimeters))));
      else {
        prep.mmComplete = decelDist;
        prep.exitSpeed = 0;
      }
      return;
    }
    prep.rampType = RAMP_ACCEL;
    prep.accelerateUntil = pl.millimeters;
    let exitSpeedSqr: number;
    if (sys.stepControl & STEP_CONTROL.executeSysMotion) {
      prep.exitSpeed = exitSpeedSqr = 0;
    } else {
      exitSpeedSqr = this.g.planner.execBlockExitSpeedSqr();
      prep.exitSpeed = f(Math.sqrt(exitSpeedSqr));
    }
    const nominal = this.g.planner.nominalSpeed(pl);
    const nominalSqr = f(nominal * nominal);
    const intersect = f(0.5 * f(pl.millimeters + f(inv2a * f(pl.entrySpeedSqr - exitSpeedSqr))));
    if (pl.entrySpeedSqr > nominalSqr) {
      prep.accelerateUntil = f(pl.millimeters - f(inv2a * f(pl.entrySpeedSqr - nominalSqr)));
      if (prep.accelerateUntil <= 0) {
        prep.rampType = RAMP_DECEL;
        prep.exitSpeed = f(Math.sqrt(f(pl.entrySpeedSqr - f(twoA * pl.millimeters))));
        prep.recalculateFlag |= PREP_FLAG_DECEL_OVERRIDE;
      } else {
        prep.decelerateAfter = f(inv2a * f(nominalSqr - exitSpeedSqr));
        prep.maximumSpeed = nominal;
        prep.rampType = RAMP_DECEL_OVERRIDE;
      }
    } else if (intersect > 0) {
      if (intersect < pl.millimeters) {
        prep.decelerateAfter = f(inv2a * f(nominalSqr - exitSpeedSqr));
        if (prep.decelerateAfter < intersect) {
          prep.maximumSpeed = nominal;
          if (pl.entrySpeedSqr === nominalSqr) prep.rampType = RAMP_CRUISE;
          else prep.accelerateUntil = f(prep.accelerateUntil - f(inv2a * f(nominalSqr - pl.entrySpeedSqr)));
        } else {
          prep.accelerateUntil = intersect;
          prep.decelerateAfter = intersect;
          prep.maximumSpeed = f(Math.sqrt(2 * pl.acceleration * intersect + exitSpeedSqr));
        }
      } else prep.rampType = RAMP_DECEL;
    } else {
      prep.accelerateUntil = 0;
      prep.maximumSpeed = prep.exitSpeed;
    }
  }

  /** One segment of the block being prepared; false when preparation must stop (end of a hold or of a system motion). */
  private prepSegment(): boolean {
    const prep = this.prep;
    const pl = this.plBlock!;
    const sys = this.g.sys;
    const a = pl.acceleration;
    let dtMax = f(DT_SEGMENT);
    let dt = 0;
    let timeVar = dtMax;
    let mmRemaining = pl.millimeters;
    let minimumMm = f(mmRemaining - prep.reqMmIncrement);
    if (minimumMm < 0) minimumMm = 0;
    do {
      switch (prep.rampType) {
        case RAMP_DECEL_OVERRIDE: {
          const speedVar = f(a * timeVar);
          if (f(prep.currentSpeed - prep.maximumSpeed) <= speedVar) {
            mmRemaining = prep.accelerateUntil;
            timeVar = f((2 * f(pl.millimeters - mmRemaining)) / f(prep.currentSpeed + prep.maximumSpeed));
            prep.rampType = RAMP_CRUISE;
            prep.currentSpeed = prep.maximumSpeed;
          } else {
            mmRemaining = f(mmRemaining - timeVar * (prep.currentSpeed - 0.5 * speedVar));
            prep.currentSpeed = f(prep.currentSpeed - speedVar);
          }
          break;
        }
        case RAMP_ACCEL: {
          const speedVar = f(a * timeVar);
          mmRemaining = f(mmRemaining - timeVar * (prep.currentSpeed + 0.5 * speedVar));
          if (mmRemaining < prep.accelerateUntil) {
            mmRemaining = prep.accelerateUntil;
            timeVar = f((2 * f(pl.millimeters - mmRemaining)) / f(prep.currentSpeed + prep.maximumSpeed));
            prep.rampType = mmRemaining === prep.decelerateAfter ? RAMP_DECEL : RAMP_CRUISE;
            prep.currentSpeed = prep.maximumSpeed;
          } else prep.currentSpeed = f(prep.currentSpeed + speedVar);
          break;
        }
        case RAMP_CRUISE: {
          const mmVar = f(mmRemaining - f(prep.maximumSpeed * timeVar));
          if (mmVar < prep.decelerateAfter) {
            timeVar = f(f(mmRemaining - prep.decelerateAfter) / prep.maximumSpeed);
            mmRemaining = prep.decelerateAfter;
            prep.rampType = RAMP_DECEL;
          } else mmRemaining = mmVar;
          break;
        }
        default: {
          const speedVar = f(a * timeVar);
          let done = false;
          if (prep.currentSpeed > speedVar) {
            const mmVar = f(mmRemaining - timeVar * (prep.currentSpeed - 0.5 * speedVar));
            if (mmVar > prep.mmComplete) {
              mmRemaining = mmVar;
              prep.currentSpeed = f(prep.currentSpeed - speedVar);
              done = true;
            }
          }
          if (!done) {
            timeVar = f((2 * f(mmRemaining - prep.mmComplete)) / f(prep.currentSpeed + prep.exitSpeed));
            mmRemaining = prep.mmComplete;
            prep.currentSpeed = prep.exitSpeed;
          }
        }
      }
      dt = f(dt + timeVar);
      if (dt < dtMax) timeVar = f(dtMax - dt);
      else if (mmRemaining > minimumMm) {
        dtMax = f(dtMax + DT_SEGMENT);
        timeVar = f(dtMax - dt);
      } else break;
    } while (mmRemaining > prep.mmComplete);

    // Spindle PWM of this segment: once per block (M3), every segment ∝ speed in laser M4.
    const block = this.prepBlock!;
    if (block.isPwmRateAdjusted || sys.stepControl & STEP_CONTROL.updateSpindlePwm) {
      if (pl.condition & (PL_COND.spindleCw | PL_COND.spindleCcw)) {
        let rpm = pl.spindleSpeed;
        if (block.isPwmRateAdjusted) rpm = f(rpm * f(prep.currentSpeed * prep.invRate));
        prep.currentSpindlePwm = this.g.spindle.computePwmValue(rpm);
      } else {
        sys.spindleSpeed = 0;
        prep.currentSpindlePwm = GRBL.pwmOff;
      }
      sys.stepControl &= ~STEP_CONTROL.updateSpindlePwm;
    }

    const stepDistRemaining = f(prep.stepPerMm * mmRemaining);
    const nStepsRemaining = Math.ceil(stepDistRemaining);
    const lastNStepsRemaining = Math.ceil(prep.stepsRemaining);
    let nStep = lastNStepsRemaining - nStepsRemaining;
    if (nStep === 0 && sys.stepControl & STEP_CONTROL.executeHold) {
      // Less than a step left to decelerate in: the hold ends here.
      sys.stepControl |= STEP_CONTROL.endMotion;
      return false;
    }
    dt = f(dt + prep.dtRemainder);
    const invRate = f(dt / f(lastNStepsRemaining - stepDistRemaining));
    let cycles = Math.ceil(f(GRBL.fCpu * 60 * invRate));
    let amassLevel = 0;
    if (cycles >= AMASS_LEVEL1) {
      amassLevel = cycles < AMASS_LEVEL2 ? 1 : cycles < AMASS_LEVEL3 ? 2 : 3;
      cycles = Math.floor(cycles / (1 << amassLevel));
      nStep = nStep * (1 << amassLevel);
    }
    const cyclesPerTick = cycles < 65536 ? cycles : 0xffff;
    this.ring.push({ nStep, cyclesPerTick, amassLevel, block, spindlePwm: prep.currentSpindlePwm });

    pl.millimeters = mmRemaining;
    prep.stepsRemaining = nStepsRemaining;
    prep.dtRemainder = f(f(nStepsRemaining - stepDistRemaining) * invRate);

    if (mmRemaining === prep.mmComplete) {
      if (mmRemaining > 0) {
        // End of a forced deceleration: the rest of the block waits in the planner.
        sys.stepControl |= STEP_CONTROL.endMotion;
        return false;
      }
      if (sys.stepControl & STEP_CONTROL.executeSysMotion) {
        sys.stepControl |= STEP_CONTROL.endMotion;
        return false;
      }
      this.plBlock = undefined;
      this.g.planner.discardCurrentBlock();
    }
    return true;
  }
}
