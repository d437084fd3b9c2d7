/**
 * The G-code parser and executor (gcode.c gc_execute_line): every word of a line is read
 * and checked first, with GRBL's error codes, so a rejected line changes nothing; then the
 * line runs in GRBL's order of execution (feed mode, feed, spindle speed, tool, spindle,
 * coolant, dwell, plane, units, tool length offset, coordinate system, distance mode, G10/
 * G28/G30/G92, motion, program flow), with laser mode's rules for when an S word or a motion
 * mode change syncs the planner. Everything GRBL 1.1h accepts is accepted here.
 */
import { PL_COND, type Vec3 } from "../kinematics.ts";
import { GRBL } from "./config.ts";
import type { Busy } from "./cpu.ts";
import type { Grbl } from "./grbl.ts";
import { f32, readFloat } from "./nuts-bolts.ts";
import { COORD_G28, COORD_G30 } from "./settings.ts";
import { COOLANT, SPINDLE } from "./spindle.ts";
import { EXEC, STATE, STATUS } from "./system.ts";

/** report.h STATUS_GCODE_* */
export const GCODE_STATUS = {
  unsupportedCommand: 20,
  modalGroupViolation: 21,
  undefinedFeedRate: 22,
  commandValueNotInteger: 23,
  axisCommandConflict: 24,
  wordRepeated: 25,
  noAxisWords: 26,
  invalidLineNumber: 27,
  valueWordMissing: 28,
  unsupportedCoordSys: 29,
  g53InvalidMotionMode: 30,
  axisWordsExist: 31,
  noAxisWordsInPlane: 32,
  invalidTarget: 33,
  arcRadiusError: 34,
  noOffsetsInPlane: 35,
  unusedWords: 36,
  g43DynamicAxisError: 37,
  maxValueExceeded: 38,
} as const;

/** gcode.h MOTION_MODE_* */
export const MOTION = { seek: 0, linear: 1, cwArc: 2, ccwArc: 3, probeToward: 140, probeTowardNoError: 141, probeAway: 142, probeAwayNoError: 143, none: 80 } as const;
/** gcode.h NON_MODAL_* */
const NON_MODAL = { none: 0, dwell: 4, setCoordinateData: 10, goHome0: 28, setHome0: 38, goHome1: 30, setHome1: 40, absoluteOverride: 53, setCoordinateOffset: 92, resetCoordinateOffset: 102 } as const;
const MODAL_GROUP = { g0: 0, g1: 1, g2: 2, g3: 3, g4: 4, g5: 5, g6: 6, g7: 7, g8: 8, g12: 9, g13: 10, m4: 11, m7: 12, m8: 13 } as const;
const WORD = { F: 0, I: 1, J: 2, K: 3, L: 4, N: 5, P: 6, R: 7, S: 8, T: 9, X: 10, Y: 11, Z: 12 } as const;
const AXIS_COMMAND = { none: 0, nonModal: 1, motionMode: 2, toolLengthOffset: 3 } as const;
const PROGRAM_FLOW = { running: 0, paused: 3, completedM2: 2, completedM30: 30 } as const;
const MM_PER_INCH = 25.4;
/** config.h TOOL_LENGTH_OFFSET_AXIS: Z */
const TLO_AXIS = 2;

export interface GcModal {
  motion: number;
  /** 0 G94, 1 G93 */
  feedRate: number;
  /** 0 G21, 1 G20 */
  units: number;
  /** 0 G90, 1 G91 */
  distance: number;
  /** 0 G17, 1 G18, 2 G19 */
  planeSelect: number;
  /** 0 G49, 1 G43.1 */
  toolLength: number;
  /** 0–5: G54–G59 */
  coordSelect: number;
  programFlow: number;
  coolant: number;
  spindle: number;
}

/** parser_state_t */
export interface GcState {
  modal: GcModal;
  spindleSpeed: number;
  feedRate: number;
  tool: number;
  lineNumber: number;
  position: Vec3;
  coordSystem: Vec3;
  coordOffset: Vec3;
  toolLengthOffset: number;
}

function powerUpModal(): GcModal {
  return { motion: 0, feedRate: 0, units: 0, distance: 0, planeSelect: 0, toolLength: 0, coordSelect: 0, programFlow: 0, coolant: 0, spindle: 0 };
}

interface Values {
  f: number;
  ijk: Vec3;
  l: number;
  n: number;
  p: number;
  r: number;
  s: number;
  t: number;
  xyz: Vec3;
}

/** What a line asks of the planner (plan_line_data_t), with the line number the sim keeps whatever the build. */
export interface PlanData {
  feedRate: number;
  spindleSpeed: number;
  condition: number;
  lineNumber: number;
}

const bit = (n: number) => 1 << n;

export class GcodeParser {
  state: GcState = { modal: powerUpModal(), spindleSpeed: 0, feedRate: 0, tool: 0, lineNumber: 0, position: [0, 0, 0], coordSystem: [0, 0, 0], coordOffset: [0, 0, 0], toolLengthOffset: 0 };

  constructor(private readonly g: Grbl) {}

  /** gc_init: power-up modes, G54's offset from EEPROM (error:7 if its checksum is bad). */
  *init(): Busy<void> {
    this.state = { modal: powerUpModal(), spindleSpeed: 0, feedRate: 0, tool: 0, lineNumber: 0, position: [0, 0, 0], coordSystem: [0, 0, 0], coordOffset: [0, 0, 0], toolLengthOffset: 0 };
    const g54 = yield* this.g.settings.readCoordData(0);
    this.state.coordSystem = g54.data;
    if (!g54.ok) yield* this.g.serial.print(this.g.report.status(STATUS.settingReadFail));
  }

  /** gc_sync_position: the parser position becomes the machine position. */
  syncPosition(): void {
    const steps = this.g.stepper.position();
    const spm = this.g.settings.stepsPerMm();
    this.state.position = [f32(steps[0] / spm[0]), f32(steps[1] / spm[1]), f32(steps[2] / spm[2])];
  }

  /** gc_execute_line: the status code for one line (upper case, no spaces, no comments; `$J=…` for a jog). */
  *executeLine(line: string): Busy<number> {
    const g = this.g;
    const gc = this.state;
    const modal: GcModal = { ...gc.modal };
    const values: Values = { f: 0, ijk: [0, 0, 0], l: 0, n: 0, p: 0, r: 0, s: 0, t: 0, xyz: [0, 0, 0] };
    let nonModal: number = NON_MODAL.none;
    let axisCommand: number = AXIS_COMMAND.none;
    let coordSelect = 0;
    let axisWords = 0;
    let ijkWords = 0;
    let commandWords = 0;
    let valueWords = 0;
    const jog = line[0] === "$";
    let arcClockwise = false;
    let laserDisable = false;
    let laserIsMotion = false;
    let laserForceSync = false;
    if (jog) {
      modal.motion = MOTION.linear;
      modal.feedRate = 0;
    }

    // ---- STEP 2: import every word, checking modal groups, repeats and negative values.
    let i = jog ? 3 : 0;
    while (i < line.length) {
      const letter = line[i]!;
      if (letter < "A" || letter > "Z") return STATUS.expectedCommandLetter;
      const num = readFloat(line, i + 1);
      if (!num) return STATUS.badNumberFormat;
      i = num.next;
      const value = num.value;
      const intValue = Math.trunc(value) & 0xff;
      // uint16 in GRBL, so the mantissa of a negative command number wraps to a large positive one
      let mantissa = (((Math.round(f32(100 * f32(value - intValue))) % 65536) + 65536) % 65536);
      let wordBit = 0;
      if (letter === "G") {
        switch (intValue) {
          case 10:
          case 28:
          case 30:
          case 92:
          case 4:
          case 53:
            if (intValue === 10 || intValue === 28 || intValue === 30 || intValue === 92) {
              if (mantissa === 0) {
                if (axisCommand) return GCODE_STATUS.axisCommandConflict;
                axisCommand = AXIS_COMMAND.nonModal;
              }
            }
            wordBit = MODAL_GROUP.g0;
            nonModal = intValue;
            if (intValue === 28 || intValue === 30 || intValue === 92) {
              if (!(mantissa === 0 || mantissa === 10)) return GCODE_STATUS.unsupportedCommand;
              nonModal += mantissa;
              mantissa = 0;
            }
            break;
          case 0:
          case 1:
          case 2:
          case 3:
          case 38:
          case 80:
            if (intValue !== 80) {
              if (axisCommand) return GCODE_STATUS.axisCommandConflict;
              axisCommand = AXIS_COMMAND.motionMode;
            }
            wordBit = MODAL_GROUP.g1;
            modal.motion = intValue;
            if (intValue === 38) {
              if (!(mantissa === 20 || mantissa === 30 || mantissa === 40 || mantissa === 50)) return GCODE_STATUS.unsupportedCommand;
              modal.motion += mantissa / 10 + 100;
              mantissa = 0;
            }
            break;
          case 17:
          case 18:
          case 19:
            wordBit = MODAL_GROUP.g2;
            modal.planeSelect = intValue - 17;
            break;
          case 90:
          case 91:
            if (mantissa === 0) {
              wordBit = MODAL_GROUP.g3;
              modal.distance = intValue - 90;
            } else {
              wordBit = MODAL_GROUP.g4;
              if (mantissa !== 10 || intValue === 90) return GCODE_STATUS.unsupportedCommand; // only G91.1, which changes nothing
              mantissa = 0;
            }
            break;
          case 93:
          case 94:
            wordBit = MODAL_GROUP.g5;
            modal.feedRate = 94 - intValue;
            break;
          case 20:
          case 21:
            wordBit = MODAL_GROUP.g6;
            modal.units = 21 - intValue;
            break;
          case 40:
            wordBit = MODAL_GROUP.g7; // cutter compensation is never on; accepted for program headers
            break;
          case 43:
          case 49:
            wordBit = MODAL_GROUP.g8;
            if (axisCommand) return GCODE_STATUS.axisCommandConflict;
            axisCommand = AXIS_COMMAND.toolLengthOffset;
            if (intValue === 49) modal.toolLength = 0;
            else if (mantissa === 10) modal.toolLength = 1;
            else return GCODE_STATUS.unsupportedCommand; // G43 without .1
            mantissa = 0;
            break;
          case 54:
          case 55:
          case 56:
          case 57:
          case 58:
          case 59:
            wordBit = MODAL_GROUP.g12;
            modal.coordSelect = intValue - 54;
            break;
          case 61:
            wordBit = MODAL_GROUP.g13;
            if (mantissa !== 0) return GCODE_STATUS.unsupportedCommand; // G61.1
            break;
          default:
            return GCODE_STATUS.unsupportedCommand;
        }
        if (mantissa > 0) return GCODE_STATUS.commandValueNotInteger;
        if (commandWords & bit(wordBit)) return GCODE_STATUS.modalGroupViolation;
        commandWords |= bit(wordBit);
      } else if (letter === "M") {
        if (mantissa > 0) return GCODE_STATUS.commandValueNotInteger;
        switch (intValue) {
          case 0:
          case 1:
          case 2:
          case 30:
            wordBit = MODAL_GROUP.m4;
            if (intValue === 0) modal.programFlow = PROGRAM_FLOW.paused;
            else if (intValue !== 1) modal.programFlow = intValue; // M1 (optional stop) is ignored
            break;
          case 3:
          case 4:
          case 5:
            wordBit = MODAL_GROUP.m7;
            modal.spindle = intValue === 3 ? SPINDLE.cw : intValue === 4 ? SPINDLE.ccw : SPINDLE.disable;
            break;
          case 7:
          case 8:
          case 9:
            if (intValue === 7 && !g.build.options.mistCoolant) return GCODE_STATUS.unsupportedCommand;
            wordBit = MODAL_GROUP.m8;
            if (intValue === 7) modal.coolant |= COOLANT.mist;
            else if (intValue === 8) modal.coolant |= COOLANT.flood;
            else modal.coolant = COOLANT.disable;
            break;
          default:
            return GCODE_STATUS.unsupportedCommand;
        }
        if (commandWords & bit(wordBit)) return GCODE_STATUS.modalGroupViolation;
        commandWords |= bit(wordBit);
      } else {
        switch (letter) {
          case "F":
            wordBit = WORD.F;
            values.f = value;
            break;
          case "I":
          case "J":
          case "K": {
            const a = letter === "I" ? 0 : letter === "J" ? 1 : 2;
            wordBit = WORD[letter];
            values.ijk[a] = value;
            ijkWords |= bit(a);
            break;
          }
          case "L":
            wordBit = WORD.L;
            values.l = intValue;
            break;
          case "N":
            wordBit = WORD.N;
            values.n = Math.trunc(value);
            break;
          case "P":
            wordBit = WORD.P;
            values.p = value;
            break;
          case "R":
            wordBit = WORD.R;
            values.r = value;
            break;
          case "S":
            wordBit = WORD.S;
            values.s = value;
            break;
          case "T":
            wordBit = WORD.T;
            if (value > GRBL.maxToolNumber) return GCODE_STATUS.maxValueExceeded;
            values.t = intValue;
            break;
          case "X":
          case "Y":
          case "Z": {
            const a = letter === "X" ? 0 : letter === "Y" ? 1 : 2;
            wordBit = WORD[letter];
            values.xyz[a] = value;
            axisWords |= bit(a);
            break;
          }
          default:
            return GCODE_STATUS.unsupportedCommand;
        }
        if (valueWords & bit(wordBit)) return GCODE_STATUS.wordRepeated;
        if (bit(wordBit) & (bit(WORD.F) | bit(WORD.N) | bit(WORD.P) | bit(WORD.T) | bit(WORD.S))) {
          if (value < 0) return STATUS.negativeValue;
        }
        valueWords |= bit(wordBit);
      }
    }

    // ---- STEP 3: check the commands and values, and convert them to mm and machine coordinates.
    if (axisWords && !axisCommand) axisCommand = AXIS_COMMAND.motionMode;
    if (valueWords & bit(WORD.N) && values.n > GRBL.maxLineNumber) return GCODE_STATUS.invalidLineNumber;

    if (jog) {
      if (!(valueWords & bit(WORD.F))) return GCODE_STATUS.undefinedFeedRate;
      if (modal.units === 1) values.f = f32(values.f * MM_PER_INCH);
    } else if (modal.feedRate === 1) {
      if (axisCommand === AXIS_COMMAND.motionMode && modal.motion !== MOTION.none && modal.motion !== MOTION.seek) {
        if (!(valueWords & bit(WORD.F))) return GCODE_STATUS.undefinedFeedRate;
      }
    } else if (gc.modal.feedRate === 0) {
      if (valueWords & bit(WORD.F)) {
        if (modal.units === 1) values.f = f32(values.f * MM_PER_INCH);
      } else values.f = gc.feedRate;
    }
    if (!(valueWords & bit(WORD.S))) values.s = gc.spindleSpeed;
    if (nonModal === NON_MODAL.dwell) {
      if (!(valueWords & bit(WORD.P))) return GCODE_STATUS.valueWordMissing;
      valueWords &= ~bit(WORD.P);
    }
    const [axis0, axis1, axisLinear] = modal.planeSelect === 0 ? [0, 1, 2] : modal.planeSelect === 1 ? [2, 0, 1] : [1, 2, 0];
    if (modal.units === 1) for (let a = 0; a < 3; a++) if (axisWords & bit(a)) values.xyz[a] = f32(values.xyz[a]! * MM_PER_INCH);
    if (axisCommand === AXIS_COMMAND.toolLengthOffset && modal.toolLength === 1) {
      if (axisWords ^ bit(TLO_AXIS)) return GCODE_STATUS.g43DynamicAxisError;
    }
    let blockCoordSystem: Vec3 = [...gc.coordSystem] as Vec3;
    if (commandWords & bit(MODAL_GROUP.g12)) {
      if (modal.coordSelect > GRBL.nCoordinateSystems) return GCODE_STATUS.unsupportedCoordSys;
      if (gc.modal.coordSelect !== modal.coordSelect) {
        const r = yield* g.settings.readCoordData(modal.coordSelect);
        if (!r.ok) return STATUS.settingReadFail;
        blockCoordSystem = r.data;
      }
    }

    switch (nonModal) {
      case NON_MODAL.setCoordinateData: {
        if (!axisWords) return GCODE_STATUS.noAxisWords;
        if (!(valueWords & (bit(WORD.P) | bit(WORD.L)))) return GCODE_STATUS.valueWordMissing;
        coordSelect = Math.trunc(values.p) & 0xff;
        if (coordSelect > GRBL.nCoordinateSystems) return GCODE_STATUS.unsupportedCoordSys;
        if (values.l !== 20) {
          if (values.l === 2) {
            if (valueWords & bit(WORD.R)) return GCODE_STATUS.unsupportedCommand;
          } else return GCODE_STATUS.unsupportedCommand;
        }
        valueWords &= ~(bit(WORD.L) | bit(WORD.P));
        if (coordSelect > 0) coordSelect--;
        else coordSelect = modal.coordSelect;
        const stored = yield* g.settings.readCoordData(coordSelect);
        if (!stored.ok) return STATUS.settingReadFail;
        values.ijk = stored.data;
        for (let a = 0; a < 3; a++) {
          if (!(axisWords & bit(a))) continue;
          if (values.l === 20) {
            values.ijk[a] = f32(gc.position[a]! - gc.coordOffset[a]! - values.xyz[a]!);
            if (a === TLO_AXIS) values.ijk[a] = f32(values.ijk[a]! - gc.toolLengthOffset);
          } else values.ijk[a] = values.xyz[a]!;
        }
        break;
      }
      case NON_MODAL.setCoordinateOffset:
        if (!axisWords) return GCODE_STATUS.noAxisWords;
        for (let a = 0; a < 3; a++) {
          if (axisWords & bit(a)) {
            values.xyz[a] = f32(gc.position[a]! - blockCoordSystem[a]! - values.xyz[a]!);
            if (a === TLO_AXIS) values.xyz[a] = f32(values.xyz[a]! - gc.toolLengthOffset);
          } else values.xyz[a] = gc.coordOffset[a]!;
        }
        break;
      default:
        if (axisCommand !== AXIS_COMMAND.toolLengthOffset && axisWords) {
          for (let a = 0; a < 3; a++) {
            if (!(axisWords & bit(a))) values.xyz[a] = gc.position[a]!;
            else if (nonModal !== NON_MODAL.absoluteOverride) {
              if (modal.distance === 0) {
                values.xyz[a] = f32(values.xyz[a]! + f32(blockCoordSystem[a]! + gc.coordOffset[a]!));
                if (a === TLO_AXIS) values.xyz[a] = f32(values.xyz[a]! + gc.toolLengthOffset);
              } else values.xyz[a] = f32(values.xyz[a]! + gc.position[a]!);
            }
          }
        }
        switch (nonModal) {
          case NON_MODAL.goHome0:
          case NON_MODAL.goHome1:
            {
              const home = yield* g.settings.readCoordData(nonModal === NON_MODAL.goHome0 ? COORD_G28 : COORD_G30);
              if (!home.ok) return STATUS.settingReadFail;
              values.ijk = home.data;
            }
            if (axisWords) {
              for (let a = 0; a < 3; a++) if (!(axisWords & bit(a))) values.ijk[a] = gc.position[a]!;
            } else axisCommand = AXIS_COMMAND.none;
            break;
          case NON_MODAL.absoluteOverride:
            if (!(modal.motion === MOTION.seek || modal.motion === MOTION.linear)) return GCODE_STATUS.g53InvalidMotionMode;
            break;
        }
    }

    if (modal.motion === MOTION.none) {
      if (axisWords) return GCODE_STATUS.axisWordsExist;
    } else if (axisCommand === AXIS_COMMAND.motionMode) {
      if (modal.motion === MOTION.seek) {
        if (!axisWords) axisCommand = AXIS_COMMAND.none;
      } else {
        if (values.f === 0) return GCODE_STATUS.undefinedFeedRate;
        switch (modal.motion) {
          case MOTION.linear:
            if (!axisWords) axisCommand = AXIS_COMMAND.none;
            break;
          case MOTION.cwArc:
          case MOTION.ccwArc: {
            arcClockwise = modal.motion === MOTION.cwArc;
            if (!axisWords) return GCODE_STATUS.noAxisWords;
            if (!(axisWords & (bit(axis0) | bit(axis1)))) return GCODE_STATUS.noAxisWordsInPlane;
            let x = f32(values.xyz[axis0]! - gc.position[axis0]!);
            let y = f32(values.xyz[axis1]! - gc.position[axis1]!);
            if (valueWords & bit(WORD.R)) {
              valueWords &= ~bit(WORD.R);
              if (values.xyz[0] === gc.position[0] && values.xyz[1] === gc.position[1] && values.xyz[2] === gc.position[2]) return GCODE_STATUS.invalidTarget;
              if (modal.units === 1) values.r = f32(values.r * MM_PER_INCH);
              let h = 4 * values.r * values.r - x * x - y * y;
              if (h < 0) return GCODE_STATUS.arcRadiusError;
              h = -Math.sqrt(h) / Math.hypot(x, y);
              if (modal.motion === MOTION.ccwArc) h = -h;
              if (values.r < 0) {
                h = -h;
                values.r = -values.r;
              }
              values.ijk[axis0] = f32(0.5 * (x - y * h));
              values.ijk[axis1] = f32(0.5 * (y + x * h));
            } else {
              if (!(ijkWords & (bit(axis0) | bit(axis1)))) return GCODE_STATUS.noOffsetsInPlane;
              valueWords &= ~(bit(WORD.I) | bit(WORD.J) | bit(WORD.K));
              if (modal.units === 1) for (let a = 0; a < 3; a++) if (ijkWords & bit(a)) values.ijk[a] = f32(values.ijk[a]! * MM_PER_INCH);
              x -= values.ijk[axis0]!;
              y -= values.ijk[axis1]!;
              const targetR = Math.hypot(x, y);
              values.r = f32(Math.hypot(values.ijk[axis0]!, values.ijk[axis1]!));
              const deltaR = Math.abs(targetR - values.r);
              if (deltaR > 0.005) {
                if (deltaR > 0.5) return GCODE_STATUS.invalidTarget;
                if (deltaR > 0.001 * values.r) return GCODE_STATUS.invalidTarget;
              }
            }
            break;
          }
          case MOTION.probeToward:
          case MOTION.probeTowardNoError:
          case MOTION.probeAway:
          case MOTION.probeAwayNoError:
            if (!axisWords) return GCODE_STATUS.noAxisWords;
            if (values.xyz[0] === gc.position[0] && values.xyz[1] === gc.position[1] && values.xyz[2] === gc.position[2]) return GCODE_STATUS.invalidTarget;
            break;
        }
      }
    }

    if (jog) valueWords &= ~(bit(WORD.N) | bit(WORD.F));
    else valueWords &= ~(bit(WORD.N) | bit(WORD.F) | bit(WORD.S) | bit(WORD.T));
    if (axisCommand) valueWords &= ~(bit(WORD.X) | bit(WORD.Y) | bit(WORD.Z));
    if (valueWords) return GCODE_STATUS.unusedWords;

    // ---- STEP 4: execute.
    const pl: PlanData = { feedRate: 0, spindleSpeed: 0, condition: 0, lineNumber: 0 };

    if (jog) {
      if (commandWords & ~(bit(MODAL_GROUP.g3) | bit(MODAL_GROUP.g6) | bit(MODAL_GROUP.g0))) return STATUS.invalidJogCommand;
      if (!(nonModal === NON_MODAL.absoluteOverride || nonModal === NON_MODAL.none)) return STATUS.invalidJogCommand;
      pl.spindleSpeed = gc.spindleSpeed;
      pl.condition = gc.modal.spindle | gc.modal.coolant;
      const status = yield* g.jog.execute(pl, values.f, values.n, values.xyz);
      if (status === STATUS.ok) gc.position = [...values.xyz] as Vec3;
      return status;
    }

    if (g.settings.laserMode()) {
      const isFeedMotion = (m: number) => m === MOTION.linear || m === MOTION.cwArc || m === MOTION.ccwArc;
      if (!isFeedMotion(modal.motion)) laserDisable = true;
      if (axisWords && axisCommand === AXIS_COMMAND.motionMode) laserIsMotion = true;
      else if (gc.modal.spindle === SPINDLE.cw) {
        // M3 constant power: switching between G1/2/3 and the other motion modes with no motion in the line syncs.
        if (isFeedMotion(gc.modal.motion)) {
          if (laserDisable) laserForceSync = true;
        } else if (!laserDisable) laserForceSync = true;
      }
    }

    gc.lineNumber = values.n;
    pl.lineNumber = gc.lineNumber;
    gc.modal.feedRate = modal.feedRate;
    if (gc.modal.feedRate) pl.condition |= PL_COND.inverseTime;
    gc.feedRate = values.f;
    pl.feedRate = gc.feedRate;
    if (gc.spindleSpeed !== values.s || laserForceSync) {
      if (gc.modal.spindle !== SPINDLE.disable && !laserIsMotion) yield* g.spindle.sync(gc.modal.spindle, laserDisable ? 0 : values.s);
      gc.spindleSpeed = values.s;
    }
    if (!laserDisable) pl.spindleSpeed = gc.spindleSpeed;
    gc.tool = values.t;
    if (gc.modal.spindle !== modal.spindle) {
      yield* g.spindle.sync(modal.spindle, pl.spindleSpeed);
      gc.modal.spindle = modal.spindle;
    }
    pl.condition |= gc.modal.spindle;
    if (gc.modal.coolant !== modal.coolant) {
      yield* g.spindle.syncCoolant(modal.coolant);
      gc.modal.coolant = modal.coolant;
    }
    pl.condition |= gc.modal.coolant;
    if (nonModal === NON_MODAL.dwell) yield* g.mc.dwell(values.p);
    gc.modal.planeSelect = modal.planeSelect;
    gc.modal.units = modal.units;
    if (axisCommand === AXIS_COMMAND.toolLengthOffset) {
      gc.modal.toolLength = modal.toolLength;
      if (gc.modal.toolLength === 0) values.xyz[TLO_AXIS] = 0;
      if (gc.toolLengthOffset !== values.xyz[TLO_AXIS]) {
        gc.toolLengthOffset = values.xyz[TLO_AXIS]!;
        yield* g.system.flagWcoChange();
      }
    }
    if (gc.modal.coordSelect !== modal.coordSelect) {
      gc.modal.coordSelect = modal.coordSelect;
      gc.coordSystem = blockCoordSystem;
      yield* g.system.flagWcoChange();
    }
    gc.modal.distance = modal.distance;
    switch (nonModal) {
      case NON_MODAL.setCoordinateData:
        yield* g.settings.writeCoordData(coordSelect, values.ijk);
        if (gc.modal.coordSelect === coordSelect) {
          gc.coordSystem = [...values.ijk] as Vec3;
          yield* g.system.flagWcoChange();
        }
        break;
      case NON_MODAL.goHome0:
      case NON_MODAL.goHome1:
        pl.condition |= PL_COND.rapid;
        if (axisCommand) yield* g.mc.line(values.xyz, pl);
        yield* g.mc.line(values.ijk, pl);
        gc.position = [...values.ijk] as Vec3;
        break;
      case NON_MODAL.setHome0:
      case NON_MODAL.setHome1:
        yield* g.settings.writeCoordData(nonModal === NON_MODAL.setHome0 ? COORD_G28 : COORD_G30, gc.position);
        break;
      case NON_MODAL.setCoordinateOffset:
        gc.coordOffset = [...values.xyz] as Vec3;
        yield* g.system.flagWcoChange();
        break;
      case NON_MODAL.resetCoordinateOffset:
        gc.coordOffset = [0, 0, 0];
        yield* g.system.flagWcoChange();
        break;
    }

    gc.modal.motion = modal.motion;
    if (gc.modal.motion !== MOTION.none && axisCommand === AXIS_COMMAND.motionMode) {
      let update: "target" | "system" | "none" = "target";
      if (gc.modal.motion === MOTION.linear) yield* g.mc.line(values.xyz, pl);
      else if (gc.modal.motion === MOTION.seek) {
        pl.condition |= PL_COND.rapid;
        yield* g.mc.line(values.xyz, pl);
      } else if (gc.modal.motion === MOTION.cwArc || gc.modal.motion === MOTION.ccwArc) {
        yield* g.mc.arc(values.xyz, pl, [...gc.position] as Vec3, values.ijk, values.r, axis0, axis1, axisLinear, arcClockwise);
      } else {
        pl.condition |= PL_COND.noFeedOverride;
        update = yield* g.mc.probeCycle(values.xyz, pl, modal.motion === MOTION.probeAway || modal.motion === MOTION.probeAwayNoError, modal.motion === MOTION.probeTowardNoError || modal.motion === MOTION.probeAwayNoError);
      }
      if (update === "target") gc.position = [...values.xyz] as Vec3;
      else if (update === "system") this.syncPosition();
    }

    gc.modal.programFlow = modal.programFlow;
    if (gc.modal.programFlow) {
      yield* g.protocol.bufferSynchronize();
      if (gc.modal.programFlow === PROGRAM_FLOW.paused) {
        if (g.sys.state !== STATE.checkMode) {
          g.sys.setExecState(EXEC.feedHold);
          yield* g.protocol.executeRealtime();
        }
      } else {
        // M2/M30: the program-end subset of modes is reset (gcode.c, as LinuxCNC does).
        const m = gc.modal;
        m.motion = MOTION.linear;
        m.planeSelect = 0;
        m.distance = 0;
        m.feedRate = 0;
        m.coordSelect = 0;
        m.spindle = SPINDLE.disable;
        m.coolant = COOLANT.disable;
        g.sys.fOverride = 100; // RESTORE_OVERRIDES_AFTER_PROGRAM_END
        g.sys.rOverride = 100;
        g.sys.spindleSpeedOvr = 100;
        if (g.sys.state !== STATE.checkMode) {
          const g54 = yield* g.settings.readCoordData(gc.modal.coordSelect);
          if (!g54.ok) return STATUS.settingReadFail;
          gc.coordSystem = g54.data;
          yield* g.system.flagWcoChange();
          g.spindle.setState(SPINDLE.disable, 0);
          g.spindle.setCoolant(COOLANT.disable);
        }
        yield* g.serial.print(g.report.feedback("Pgm End"));
      }
      gc.modal.programFlow = PROGRAM_FLOW.running;
    }
    return STATUS.ok;
  }
}
