/**
 * The pin on the spindle output, and the workpiece it marks. Not GRBL: a property of the
 * solenoid and its driver board (machine.ts PinDriver), driven by GRBL's PWM output.
 *
 * - Pin events: every change of the output, with the machine position (step counts ÷
 *   steps/mm) at that instant — the shape grbl-host's events log gives (`pin <t> <pwm> x y z`).
 * - Pin intervals: each time the output was on, with the position at on and at off, and how
 *   far the head moved in X/Y meanwhile (a comet when it did).
 * - Strikes: the driver fires as the output comes on (once it has been on for the driver's
 *   minimum on-time); while it stays on and the head moves in X/Y it fires at the strike
 *   frequency (a scribe train); at rest it fires once more for each further full strike-time
 *   gate the output stays on. Force is the output's duty cycle, PWM/255.
 */
import type { Peripheral } from "./cpu.ts";
import type { Grbl } from "./grbl.ts";
import type { PinDriver } from "./machine.ts";

/** One change of the spindle output. */
export interface PinEvent {
  /** s since power-up */
  readonly t: number;
  /** 0 off, 1–255 (255 a steady level; below, a ~976 Hz pulse train) */
  readonly pwm: number;
  /** mm, machine coordinates (step counts ÷ steps/mm) */
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export interface Position3 {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** One time the output was on. */
export interface PinInterval {
  readonly on: number;
  /** Undefined while the output is still on. */
  off: number | undefined;
  /** PWM values it took, in order. */
  readonly pwms: number[];
  readonly at: Position3;
  offAt: Position3 | undefined;
  /** mm the head moved in X/Y while the output was on (0: the pin stayed on one spot). */
  distance: number;
  /** N of the block executing when it came on, or of the line that switched it on at rest (0 when none). */
  readonly line: number;
}

/** One strike of the pin on the workpiece. */
export interface Strike {
  /** mm, machine coordinates. */
  readonly x: number;
  readonly y: number;
  /** Percent of full pin power (the output's duty cycle). */
  readonly force: number;
  /** s since power-up. */
  readonly t: number;
  /** N of the block (or line) the output came on with; 0 when none. */
  readonly line: number;
}

export interface PinSink {
  pin(e: PinEvent): void;
  strike(s: Strike): void;
}

export class PinModel implements Peripheral {
  readonly events: PinEvent[] = [];
  readonly intervals: PinInterval[] = [];
  readonly strikes: Strike[] = [];
  private pwm = 0;
  private current: PinInterval | undefined;
  private lastXY: { x: number; y: number } | undefined;
  /** The next moment the driver decides to fire (cycles), and what it then checks. */
  private next: { at: number; kind: "first" | "moving" | "gate" | "confirm"; gateStart: number; pos: Position3 | undefined } | undefined;
  private stopped = false;

  constructor(
    private readonly g: Grbl,
    private readonly driver: PinDriver,
    private readonly sink: PinSink,
  ) {}

  private positionMm(): Position3 {
    const s = this.g.stepper.position();
    const spm = this.g.settings.stepsPerMm();
    return { x: s[0] / spm[0], y: s[1] / spm[1], z: s[2] / spm[2] };
  }

  get on(): boolean {
    return this.pwm > 0;
  }

  /** Nothing more happens (the head was unplugged). */
  stop(): void {
    this.stopped = true;
    this.next = undefined;
  }

  pwmChanged(pwm: number): void {
    if (this.stopped) return;
    const now = this.g.cpu.now;
    const t = this.g.cpu.seconds(now);
    const p = this.positionMm();
    const e: PinEvent = { t, pwm, ...p };
    this.events.push(e);
    this.sink.pin(e);
    const was = this.pwm;
    this.pwm = pwm;
    if (was === 0 && pwm > 0) {
      const line = this.g.stepper.executingLine() || this.g.gc.state.lineNumber;
      this.current = { on: t, off: undefined, pwms: [pwm], at: p, offAt: undefined, distance: 0, line };
      this.intervals.push(this.current);
      this.lastXY = { x: p.x, y: p.y };
      const min = this.g.cpu.cyclesOf(this.driver.minOnTime ?? 0);
      this.next = { at: now + min, kind: "first", gateStart: now, pos: p };
      if (min === 0) this.runEvent();
    } else if (was > 0 && pwm === 0) {
      this.track(p);
      if (this.current) {
        this.current.off = t;
        this.current.offAt = p;
      }
      this.current = undefined;
      this.next = undefined;
    } else if (pwm > 0) this.current?.pwms.push(pwm);
  }

  /** The head moved along a straight segment since the last sample: add it to the interval's X/Y path. */
  track(p: Position3 = this.positionMm()): void {
    if (!this.current || !this.lastXY) return;
    this.current.distance += Math.hypot(p.x - this.lastXY.x, p.y - this.lastXY.y);
    this.lastXY = { x: p.x, y: p.y };
  }

  nextEventTime(): number | undefined {
    return this.next?.at;
  }

  runEvent(): void {
    const n = this.next;
    if (!n || this.stopped) return;
    const now = this.g.cpu.now;
    if (!this.on) {
      this.next = undefined;
      return;
    }
    const period = this.g.cpu.cyclesOf(1 / this.driver.strikeFrequency);
    const gate = this.g.cpu.cyclesOf(this.driver.strikeTime);
    let last = now;
    switch (n.kind) {
      case "first":
      case "confirm":
        this.fire(n.gateStart, n.pos!);
        last = n.gateStart;
        break;
      case "moving":
        this.fire(now, this.positionMm());
        break;
      case "gate":
        // A new gate begins: while moving the driver fires at once; at rest it needs the whole gate on.
        if (this.g.stepper.movingXY()) {
          this.fire(now, this.positionMm());
          break;
        }
        this.next = { at: now + gate, kind: "confirm", gateStart: now, pos: this.positionMm() };
        return;
    }
    if (this.stopped || !this.on) return;
    this.next = this.g.stepper.movingXY() ? { at: Math.max(now, last + period), kind: "moving", gateStart: 0, pos: undefined } : { at: Math.max(now, last + gate), kind: "gate", gateStart: 0, pos: undefined };
  }

  /** One strike, where the head was at `at` (cycles). */
  private fire(at: number, p: Position3): void {
    const s: Strike = { x: p.x, y: p.y, force: Math.round((this.pwm / 255) * 1000) / 10, t: this.g.cpu.seconds(at), line: this.current?.line ?? 0 };
    this.strikes.push(s);
    this.sink.strike(s);
  }

}
