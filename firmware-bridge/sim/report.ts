/**
 * What the controller prints (report.c, print.c): the status report with GRBL's fields,
 * counters and number formatting, `$$`, `$G`, `$#`, `$I`, `$N`, the help line, feedback
 * messages, ok/error and ALARM lines, and the welcome. Every text ends in "\r\n".
 */
import { WELCOME, grblSetting, GRBL_SETTINGS } from "../protocol.ts";
import type { Vec3 } from "../kinematics.ts";
import { GRBL } from "./config.ts";
import type { Grbl } from "./grbl.ts";
import { f32 } from "./nuts-bolts.ts";
import { COORD_G28, COORD_G30 } from "./settings.ts";
import { COOLANT, SPINDLE } from "./spindle.ts";
import { STATE, SUSPEND } from "./system.ts";

const EOL = "\r\n";
/** nuts_bolts.h INCH_PER_MM */
const INCH_PER_MM = 0.0393701;

/**
 * print.c printFloat: the sign is written before rounding (a tiny negative prints "-0.000"),
 * then the value is scaled, 0.5 added and truncated, all in single precision.
 */
export function printFloat(value: number, decimals: number): string {
  let n = f32(value);
  let sign = "";
  if (n < 0) {
    sign = "-";
    n = -n;
  }
  let d = decimals;
  while (d >= 2) {
    n = f32(n * 100);
    d -= 2;
  }
  if (d) n = f32(n * 10);
  n = f32(n + 0.5);
  const digits = String(Math.trunc(n)).padStart(decimals + 1, "0");
  const int = digits.slice(0, digits.length - decimals);
  return decimals ? `${sign}${int}.${digits.slice(digits.length - decimals)}` : `${sign}${int}`;
}

export class Report {
  constructor(private readonly g: Grbl) {}

  private get inches(): boolean {
    return this.g.settings.value(13) !== 0;
  }

  /** printFloat_CoordValue */
  coord(v: number): string {
    return this.inches ? printFloat(v * INCH_PER_MM, 4) : printFloat(v, 3);
  }

  /** printFloat_RateValue */
  rate(v: number): string {
    return this.inches ? printFloat(v * INCH_PER_MM, 1) : printFloat(v, 0);
  }

  private axes(v: Vec3): string {
    return `${this.coord(v[0])},${this.coord(v[1])},${this.coord(v[2])}`;
  }

  /** report_status_message */
  status(code: number): string {
    return code === 0 ? `ok${EOL}` : `error:${code}${EOL}`;
  }

  /** report_alarm_message (the 500 ms that follow are the caller's). */
  alarm(code: number): string {
    return `ALARM:${code}${EOL}`;
  }

  /** report_feedback_message */
  feedback(text: string): string {
    return `[MSG:${text}]${EOL}`;
  }

  /** report_init_message */
  welcome(): string {
    return `${EOL}${WELCOME}${EOL}`;
  }

  /** report_grbl_help */
  help(): string {
    return `[HLP:$$ $# $G $I $N $x=val $Nx=line $J=line $SLP $C $X $H ~ ! ? ctrl-x]${EOL}`;
  }

  /** report_grbl_settings: integers bare, floats with 3 decimals, $30/$31 with none. */
  settings(): string {
    const s = this.g.settings;
    let out = "";
    for (const entry of GRBL_SETTINGS) {
      const v = s.value(entry.id);
      const text = entry.id === 30 || entry.id === 31 ? printFloat(v, 0) : grblSetting(entry.id)!.format === "int" ? String(v) : printFloat(v, 3);
      out += `$${entry.id}=${text}${EOL}`;
    }
    return out;
  }

  /** report_ngc_parameters: G54–G59, G28, G30 (as read from EEPROM), then G92, TLO and the probe. */
  ngcParameters(coords: readonly Vec3[]): string {
    const gc = this.g.gc.state;
    let out = "";
    for (let i = 0; i <= COORD_G30; i++) {
      const name = i === COORD_G28 ? "28" : i === COORD_G30 ? "30" : String(54 + i);
      out += `[G${name}:${this.axes(coords[i]!)}]${EOL}`;
    }
    out += `[G92:${this.axes(gc.coordOffset)}]${EOL}`;
    out += `[TLO:${this.coord(gc.toolLengthOffset)}]${EOL}`;
    out += this.probe();
    return out;
  }

  /** report_probe_parameters */
  probe(): string {
    const p = this.g.mc.probePosition;
    const spm = this.g.settings.stepsPerMm();
    return `[PRB:${this.axes([p[0] / spm[0], p[1] / spm[1], p[2] / spm[2]])}:${this.g.sys.probeSucceeded ? 1 : 0}]${EOL}`;
  }

  /** report_gcode_modes: `[GC:G0 G54 G17 G21 G90 G94 M5 M9 T0 F0 S0]` */
  gcodeModes(): string {
    const gc = this.g.gc.state;
    const m = gc.modal;
    const parts: string[] = [];
    parts.push(m.motion >= 140 ? `G38.${m.motion - 138}` : `G${m.motion}`);
    parts.push(`G${m.coordSelect + 54}`, `G${m.planeSelect + 17}`, `G${21 - m.units}`, `G${m.distance + 90}`, `G${94 - m.feedRate}`);
    if (m.programFlow) parts.push(`M${m.programFlow === 3 ? 0 : m.programFlow}`);
    parts.push(m.spindle === SPINDLE.cw ? "M3" : m.spindle === SPINDLE.ccw ? "M4" : "M5");
    if (this.g.build.options.mistCoolant) {
      if (m.coolant) {
        if (m.coolant & COOLANT.mist) parts.push("M7");
        if (m.coolant & COOLANT.flood) parts.push("M8");
      } else parts.push("M9");
    } else parts.push(m.coolant ? "M8" : "M9");
    parts.push(`T${gc.tool}`, `F${this.rate(gc.feedRate)}`, `S${printFloat(gc.spindleSpeed, 0)}`);
    return `[GC:${parts.join(" ")}]${EOL}`;
  }

  /** report_startup_line */
  startupLine(n: number, line: string): string {
    return `$N${n}=${line}${EOL}`;
  }

  /** report_build_info */
  buildInfo(text: string): string {
    const b = this.g.build;
    return `[VER:${b.version}.${b.versionBuild}:${text}]${EOL}[OPT:${b.optionLetters},${b.blockBufferSize - 1},${b.rxBufferSize}]${EOL}`;
  }

  /** report_realtime_status: `<State|MPos|Bf|Ln|FS|Pn|WCO|Ov|A>` with GRBL's refresh counters. */
  realtimeStatus(): string {
    const g = this.g;
    const sys = g.sys;
    const gc = g.gc.state;
    const spm = g.settings.stepsPerMm();
    const steps = g.stepper.position();
    const pos: Vec3 = [f32(steps[0] / spm[0]), f32(steps[1] / spm[1]), f32(steps[2] / spm[2])];
    let out = `<${this.stateName()}`;
    const mask = g.settings.value(10);
    const mpos = (mask & 1) !== 0;
    const wco: Vec3 = [0, 0, 0];
    if (!mpos || sys.reportWcoCounter === 0) {
      for (let i = 0; i < 3; i++) {
        wco[i] = f32(gc.coordSystem[i]! + gc.coordOffset[i]!);
        if (i === 2) wco[i] = f32(wco[i]! + gc.toolLengthOffset);
        if (!mpos) pos[i] = f32(pos[i]! - wco[i]!);
      }
    }
    out += `${mpos ? "|MPos:" : "|WPos:"}${this.axes(pos)}`;
    if (mask & 2) out += `|Bf:${g.planner.available()},${g.serial.rxAvailable()}`;
    if (g.build.options.lineNumbers) {
      const block = g.planner.currentBlock();
      if (block && block.lineNumber > 0) out += `|Ln:${block.lineNumber}`;
    }
    out += `|FS:${this.rate(g.stepper.realtimeRate())},${printFloat(sys.spindleSpeed, 0)}`;
    const limits = g.limits.state();
    if (limits) out += `|Pn:${limits & 1 ? "X" : ""}${limits & 2 ? "Y" : ""}${limits & 4 ? "Z" : ""}`;
    const busy = (sys.state & (STATE.homing | STATE.cycle | STATE.hold | STATE.jog | STATE.safetyDoor)) !== 0;
    if (sys.reportWcoCounter > 0) sys.reportWcoCounter--;
    else {
      sys.reportWcoCounter = (busy ? GRBL.reportWcoRefreshBusy : GRBL.reportWcoRefreshIdle) - 1;
      if (sys.reportOvrCounter === 0) sys.reportOvrCounter = 1;
      out += `|WCO:${this.axes(wco)}`;
    }
    if (sys.reportOvrCounter > 0) sys.reportOvrCounter--;
    else {
      sys.reportOvrCounter = (busy ? GRBL.reportOvrRefreshBusy : GRBL.reportOvrRefreshIdle) - 1;
      out += `|Ov:${sys.fOverride},${sys.rOverride},${sys.spindleSpeedOvr}`;
      const sp = g.spindle.state();
      const cl = g.spindle.coolant;
      if (sp || cl) out += `|A:${sp ? (sp === SPINDLE.cw ? "S" : "C") : ""}${cl & COOLANT.flood ? "F" : ""}${g.build.options.mistCoolant && cl & COOLANT.mist ? "M" : ""}`;
    }
    return `${out}>${EOL}`;
  }

  private stateName(): string {
    const sys = this.g.sys;
    switch (sys.state) {
      case STATE.idle:
        return "Idle";
      case STATE.cycle:
        return "Run";
      case STATE.hold:
        if (!(sys.suspend & SUSPEND.jogCancel)) return sys.suspend & SUSPEND.holdComplete ? "Hold:0" : "Hold:1";
        return "Jog";
      case STATE.jog:
        return "Jog";
      case STATE.homing:
        return "Home";
      case STATE.alarm:
        return "Alarm";
      case STATE.checkMode:
        return "Check";
      case STATE.safetyDoor:
        if (sys.suspend & SUSPEND.initiateRestore) return "Door:3";
        if (sys.suspend & SUSPEND.retractComplete) return sys.suspend & SUSPEND.safetyDoorAjar ? "Door:1" : "Door:0";
        return "Door:2";
      case STATE.sleep:
        return "Sleep";
    }
    return "Idle";
  }
}
