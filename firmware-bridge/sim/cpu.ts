/**
 * The microcontroller the firmware runs on, in virtual time: a 16 MHz clock counted in CPU
 * cycles, the interrupt sources (serial receive, the stepper timer, the limit-pin change,
 * the serial transmitter) as peripherals that say when they next fire, and the main program
 * as a coroutine.
 *
 * GRBL's main program is sequential code with busy loops (wait for planner room, wait for
 * the buffer to empty, dwell in 50 ms steps, the suspend loop). Here each such loop is a
 * generator that yields: a cycle number for a delay (`_delay_ms`), or POLL when it has done
 * what it can and must wait for an interrupt to change something. The main program takes no
 * time between yields; an interrupt that busy-waits (st_go_idle's $1 in the stepper
 * interrupt) freezes it.
 */

/** The main program yields POLL to wait for the next interrupt, or a cycle to resume at. */
export const POLL = undefined;
export type Wait = number | undefined;
/** A piece of the main program that may block: run it with `yield*`. */
export type Busy<T = void> = Generator<Wait, T, void>;

/** Something that raises interrupts: when it next fires, and what it does then. */
export interface Peripheral {
  nextEventTime(): number | undefined;
  runEvent(): void;
}

export const F_CPU = 16_000_000;

export class Cpu {
  /** Cycles since power-up. */
  now = 0;
  private readonly peripherals: Peripheral[] = [];
  private main: Busy | undefined;
  /** When the main program runs next: at the next interrupt ("poll"), or at a cycle (a delay). */
  private wake: number | "poll" = "poll";
  /** An interrupt busy-waits until this cycle; the main program is frozen until then. */
  private frozenUntil = 0;
  /** Power is gone (the board was unplugged): nothing runs any more. */
  private halted = false;

  halt(): void {
    this.halted = true;
  }

  ms(n: number): number {
    return n * (F_CPU / 1000);
  }

  seconds(cycles: number): number {
    return cycles / F_CPU;
  }

  cyclesOf(seconds: number): number {
    return seconds * F_CPU;
  }

  /** Interrupt sources, in the order they are served when they fire at the same cycle. */
  attach(p: Peripheral): void {
    this.peripherals.push(p);
  }

  /** Start (or restart, after a power cycle) the main program. */
  start(main: Busy): void {
    this.main = main;
    this.wake = "poll";
    this.runMain();
  }

  /** An interrupt busy-waits `cycles` from now: the main program, and any delay it is in, stand still meanwhile. */
  freeze(cycles: number): void {
    if (typeof this.wake === "number" && this.wake > this.now) this.wake += cycles;
    this.frozenUntil = Math.max(this.frozenUntil, this.now) + cycles;
  }

  get frozen(): boolean {
    return this.now < this.frozenUntil;
  }

  /** The main program waits at a POLL (for an interrupt), not in a delay or frozen. */
  get mainPolling(): boolean {
    return this.wake === "poll" && !this.frozen;
  }

  /** The next cycle at which anything happens, or undefined when everything waits for the host. */
  nextEventTime(skip?: Peripheral): number | undefined {
    if (this.halted) return undefined;
    let t: number | undefined;
    for (const p of this.peripherals) {
      if (p === skip) continue;
      const n = p.nextEventTime();
      if (n !== undefined && (t === undefined || n < t)) t = n;
    }
    const m = this.mainTime();
    if (m !== undefined && (t === undefined || m < t)) t = m;
    return t;
  }

  private mainTime(): number | undefined {
    if (!this.main) return undefined;
    if (this.wake === "poll") return this.frozenUntil > this.now ? this.frozenUntil : undefined;
    return Math.max(this.wake, this.frozenUntil);
  }

  /** Serve every interrupt due at `now`, then let the main program run. */
  private serve(): void {
    for (let guard = 0; guard < 1_000_000 && !this.halted; guard++) {
      let fired = false;
      for (const p of this.peripherals) {
        const t = p.nextEventTime();
        if (t !== undefined && t <= this.now) {
          p.runEvent();
          fired = true;
          break; // re-check from the first: one interrupt may schedule another at the same cycle
        }
      }
      if (!fired) break;
    }
    this.runMain();
  }

  /** Run the main program from where it waits until it waits again. */
  runMain(): void {
    if (!this.main || this.frozen || this.halted) return;
    if (typeof this.wake === "number" && this.wake > this.now) return;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const r = this.main.next();
      if (r.done) {
        this.main = undefined;
        return;
      }
      if (r.value === POLL) {
        this.wake = "poll";
        return;
      }
      this.wake = r.value;
      if (r.value > this.now) return;
    }
    throw new Error("simulated firmware: the main program does not wait (endless loop)");
  }

  /** Advance to `end` (cycles), serving every event on the way. */
  runTo(end: number): void {
    this.serve();
    for (;;) {
      const t = this.nextEventTime();
      if (t === undefined || t > end) break;
      this.now = Math.max(this.now, t);
      this.serve();
    }
    if (end > this.now) this.now = end;
    this.serve();
  }

  /** Advance to the next event; false when nothing is scheduled. */
  step(): boolean {
    this.serve();
    const t = this.nextEventTime();
    if (t === undefined) return false;
    this.now = Math.max(this.now, t);
    this.serve();
    return true;
  }
}
