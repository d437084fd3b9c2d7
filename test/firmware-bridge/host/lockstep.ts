import type { HeadClock, SimHead } from "../../../firmware-bridge/sim/index.ts";

/**
 * A clock for tests that moves the simulated head one event at a time and gives the host a
 * full turn of the event loop (its promise chains through serialport, the streamer's answers)
 * between events. Virtual time then never runs ahead of a host that is merely slow, so the
 * strikes are exactly what the program asks for, however loaded the machine is; and a long
 * job takes as long as its events, not its virtual seconds.
 */
export class LockstepClock implements HeadClock {
  private timer: NodeJS.Immediate | undefined;
  private running = false;
  private readonly wake = () => this.schedule();

  constructor(private readonly head: SimHead) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.head.on("input", this.wake);
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.head.off("input", this.wake);
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.running || this.timer) return;
    this.timer = setImmediate(() => {
      this.timer = undefined;
      if (!this.running) return;
      // Nothing scheduled: sleep until the host writes (the 'input' event wakes us).
      if (this.head.step()) this.schedule();
    });
  }
}
