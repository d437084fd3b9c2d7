/**
 * Jogging (jog.c): a `$J=` line, already checked by the parser, becomes one line motion
 * outside the G-code state. Soft limits answer error:15 instead of an alarm, and a jog
 * starts at once: its own state, no cycle start.
 */
import { PL_COND, type Vec3 } from "../kinematics.ts";
import type { Busy } from "./cpu.ts";
import type { PlanData } from "./gcode.ts";
import type { Grbl } from "./grbl.ts";
import { STATE, STATUS } from "./system.ts";

export class Jog {
  constructor(private readonly g: Grbl) {}

  /** jog_execute: `feed` mm/min, `target` mm (machine coordinates). */
  *execute(pl: PlanData, feed: number, lineNumber: number, target: Vec3): Busy<number> {
    const g = this.g;
    pl.feedRate = feed;
    pl.condition |= PL_COND.noFeedOverride;
    pl.lineNumber = lineNumber;
    if (g.settings.value(20) && g.system.travelExceeded(target)) return STATUS.travelExceeded;
    yield* g.mc.line(target, pl);
    if (g.sys.state === STATE.idle && g.planner.currentBlock()) {
      g.sys.state = STATE.jog;
      g.stepper.prepBuffer();
      g.stepper.wakeUp();
    }
    return STATUS.ok;
  }
}
