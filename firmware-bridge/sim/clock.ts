/**
 * What moves a SimHead's virtual time when something other than a test drives it.
 * - RealtimeClock: virtual time follows the wall clock (the station, demos, the pty head).
 * - FastClock: as fast as possible while the host keeps the head fed. Each time the head has
 *   said something, it waits until the host writes again (or a short grace of real time
 *   passes) before running on, so that virtual time never outruns a host that answers
 *   promptly: no starved planner, no pin left on because the next line was still in the host.
 */
import type { SimHead } from "./head.ts";

export interface HeadClock {
  start(): void;
  stop(): void;
}

export class RealtimeClock implements HeadClock {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  /** `tickMs`: how often time is moved on; `speed`: virtual seconds per real second. */
  constructor(
    private readonly head: SimHead,
    private readonly opts: { tickMs?: number; speed?: number } = {},
  ) {}

  start(): void {
    if (this.timer) return;
    this.last = performance.now();
    this.timer = setInterval(() => {
      const t = performance.now();
      this.head.advance(((t - this.last) / 1000) * (this.opts.speed ?? 1));
      this.last = t;
    }, this.opts.tickMs ?? 2);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export class FastClock implements HeadClock {
  private scheduled: { kind: "immediate"; handle: NodeJS.Immediate } | { kind: "timeout"; handle: NodeJS.Timeout } | undefined;
  private running = false;
  private lastInput = 0;
  /** Real time of the head's last output that the host has not yet answered with a write. */
  private unanswered: number | undefined;
  private readonly onInput = () => {
    this.lastInput = performance.now();
    this.unanswered = undefined;
    this.kick();
  };
  private readonly onOutput = () => {
    this.unanswered ??= performance.now();
  };

  /** `graceMs`: real time to wait for the host once it has nothing in flight. */
  constructor(
    private readonly head: SimHead,
    private readonly opts: { graceMs?: number; eventsPerTurn?: number } = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.head.on("input", this.onInput);
    this.head.on("output", this.onOutput);
    this.kick();
  }

  stop(): void {
    this.running = false;
    this.head.off("input", this.onInput);
    this.head.off("output", this.onOutput);
    // Clear a handle with its own kind: clearImmediate on a timer handle corrupts Node's
    // immediate queue, and the next head's setImmediate callbacks never run.
    if (this.scheduled?.kind === "immediate") clearImmediate(this.scheduled.handle);
    else if (this.scheduled?.kind === "timeout") clearTimeout(this.scheduled.handle);
    this.scheduled = undefined;
  }

  private kick(): void {
    if (!this.running || this.scheduled) return;
    this.scheduled = { kind: "immediate", handle: setImmediate(() => this.turn()) };
  }

  private turn(): void {
    this.scheduled = undefined;
    if (!this.running) return;
    const grace = this.opts.graceMs ?? 5;
    for (let i = 0; i < (this.opts.eventsPerTurn ?? 200); i++) {
      // Idle (a pin left on at rest would strike forever): wait for the next write.
      if (this.head.nextWorkTime() === undefined) return;
      const since = this.unanswered ?? (this.head.waitingForHost ? this.lastInput : undefined);
      if (since !== undefined) {
        const waited = performance.now() - since;
        if (waited < grace) {
          this.scheduled = { kind: "timeout", handle: setTimeout(() => this.turn(), grace - waited) };
          return;
        }
        this.unanswered = undefined;
      }
      if (!this.head.step()) return;
    }
    this.kick();
  }
}
