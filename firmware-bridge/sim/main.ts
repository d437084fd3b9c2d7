/**
 * main.c: power-up, and the re-initialisation after every reset. A reset keeps the state
 * it happened in (Alarm stays Alarm; an alarm in motion has already made it Alarm), clears
 * everything else, drops what the serial ring holds, waits st_reset's $1 and greets.
 */
import type { Busy } from "./cpu.ts";
import type { Grbl } from "./grbl.ts";
import { STATE } from "./system.ts";

export function* grblMain(g: Grbl): Busy<void> {
  g.sys.state = STATE.idle;
  // HOMING_INIT_LOCK: with homing enabled, power up locked until $H or $X.
  if (g.build.options.homingInitLock && g.settings.value(22)) g.sys.state = STATE.alarm;
  for (;;) {
    g.sys.clearForReset();
    g.serial.resetReadBuffer();
    yield* g.gc.init();
    g.spindle.init();
    g.limits.init();
    g.planner.reset();
    yield* g.protocol.stReset();
    g.planner.syncPosition();
    g.gc.syncPosition();
    yield* g.serial.print(g.report.welcome());
    g.observer.greeted();
    yield* g.protocol.mainLoop();
  }
}
