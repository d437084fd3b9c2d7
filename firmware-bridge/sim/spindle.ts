/**
 * The spindle (laser) output and coolant (spindle_control.c, coolant_control.c): the PWM
 * value for an S word from $30/$31 and the spindle override, M3/M4/M5 with laser mode's
 * "M4 is off at rest", the buffer-synced changes the G-code parser makes, and the coolant
 * pins. The output is what the pin driver sees (pin.ts): 8-bit PWM on Timer2, a ~976 Hz
 * pulse train below 255 and a steady level at 255.
 */
import { PL_COND } from "../kinematics.ts";
import { GRBL } from "./config.ts";
import { f32 } from "./nuts-bolts.ts";
import type { Busy } from "./cpu.ts";
import type { Grbl } from "./grbl.ts";
import { STATE } from "./system.ts";

/** gcode.h SPINDLE_*: the modal spindle state is the planner condition bit. */
export const SPINDLE = { disable: 0, cw: PL_COND.spindleCw, ccw: PL_COND.spindleCcw } as const;
/** gcode.h COOLANT_* */
export const COOLANT = { disable: 0, flood: PL_COND.coolantFlood, mist: PL_COND.coolantMist } as const;

export class Spindle {
  /** OCR2A and whether the PWM drives the pin (COM2A enabled). */
  private ocr = 0;
  private enabled = false;
  /** Spindle direction pin: true for M4. */
  private ccw = false;
  /** Coolant pins (flood, mist). */
  coolant = 0;

  constructor(private readonly g: Grbl) {}

  /** The output as the pin sees it: 0 off, 1–255 PWM. */
  get pwm(): number {
    return this.enabled ? this.ocr : 0;
  }

  /** spindle_get_state, for the status report's A: field: CW, CCW or off, from the hardware. */
  state(): number {
    if (!this.enabled) return SPINDLE.disable;
    return this.ccw ? SPINDLE.ccw : SPINDLE.cw;
  }

  /** spindle_compute_pwm_value: S (rpm) × override → PWM, and sys.spindle_speed as the report shows it. */
  computePwmValue(rpm: number): number {
    const s = this.g.settings;
    const sys = this.g.sys;
    const max = s.value(30);
    const min = s.value(31);
    rpm = f32(rpm * f32(0.01 * sys.spindleSpeedOvr));
    if (min >= max || rpm >= max) {
      sys.spindleSpeed = max;
      return GRBL.pwmMax;
    }
    if (rpm <= min) {
      if (rpm === 0) {
        sys.spindleSpeed = 0;
        return GRBL.pwmOff;
      }
      sys.spindleSpeed = min;
      return GRBL.pwmMin;
    }
    sys.spindleSpeed = rpm;
    const gradient = f32((GRBL.pwmMax - GRBL.pwmMin) / (max - min));
    return Math.floor(f32(f32(rpm - min) * gradient)) + GRBL.pwmMin;
  }

  /** spindle_set_speed: OCR2A, and the output enabled unless the value is the off value. */
  setSpeed(pwm: number): void {
    const before = this.pwm;
    this.ocr = pwm;
    this.enabled = pwm !== GRBL.pwmOff;
    if (this.pwm !== before) this.g.observer.pwmChanged(this.pwm);
  }

  /** spindle_stop: the PWM is disconnected (the output goes low). Safe from an interrupt. */
  stop(): void {
    const before = this.pwm;
    this.enabled = false;
    if (this.pwm !== before) this.g.observer.pwmChanged(0);
  }

  /** spindle_set_state: M5 stops; M3/M4 set the direction and the PWM (laser M4 at rest: 0). */
  setState(state: number, rpm: number): void {
    const sys = this.g.sys;
    if (sys.abort) return;
    if (state === SPINDLE.disable) {
      sys.spindleSpeed = 0;
      this.stop();
    } else {
      this.ccw = state === SPINDLE.ccw;
      if (this.g.settings.laserMode() && state === SPINDLE.ccw) rpm = 0;
      this.setSpeed(this.computePwmValue(rpm));
    }
    sys.reportOvrCounter = 0;
  }

  /** spindle_sync: the G-code parser's change — wait until the planner is empty and the head stopped, then set. */
  *sync(state: number, rpm: number): Busy<void> {
    if (this.g.sys.state === STATE.checkMode) return;
    yield* this.g.protocol.bufferSynchronize();
    this.setState(state, rpm);
  }

  /** coolant_set_state */
  setCoolant(mode: number): void {
    if (this.g.sys.abort) return;
    this.coolant = mode & (COOLANT.flood | (this.g.build.options.mistCoolant ? COOLANT.mist : 0));
    this.g.sys.reportOvrCounter = 0;
  }

  /** coolant_stop (safe from an interrupt) */
  stopCoolant(): void {
    this.coolant = 0;
  }

  /** coolant_sync */
  *syncCoolant(mode: number): Busy<void> {
    if (this.g.sys.state === STATE.checkMode) return;
    yield* this.g.protocol.bufferSynchronize();
    this.setCoolant(mode);
  }

  /** Power-up / reset: spindle_init, coolant_init. */
  init(): void {
    this.stop();
    this.stopCoolant();
  }
}
