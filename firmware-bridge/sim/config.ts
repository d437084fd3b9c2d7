/**
 * The build of the simulated firmware: GRBL 1.1h's compile-time options (config.h, with the
 * sizes they imply in planner.h, serial.h and stepper.h). A real controller is flashed with
 * one build; `$I` tells which ([OPT:…]), and the behaviour differs: line numbers cost a
 * planner block and add `Ln:` to reports, HOMING_FORCE_SET_ORIGIN moves machine zero to
 * where homing ends. The options modelled here are the ones that change what a host sees;
 * everything else is stock config.h (gnea/grbl bfb67f0, "1.1h.20190830").
 */

export interface BuildOptions {
  /** USE_LINE_NUMBERS (config.h, off in stock): `N` in [OPT:], one planner block fewer, `Ln:` in reports. */
  readonly lineNumbers?: boolean;
  /** HOMING_FORCE_SET_ORIGIN (off in stock): `Z` in [OPT:]; machine position 0 after homing, soft limits towards +. */
  readonly forceSetOrigin?: boolean;
  /** ENABLE_M7 (off in stock): `M` in [OPT:]; M7 mist coolant and the 0xA1 toggle. */
  readonly mistCoolant?: boolean;
  /** HOMING_INIT_LOCK (on in stock; `L` in [OPT:] when off): with homing enabled, power up in Alarm. */
  readonly homingInitLock?: boolean;
}

/** What peenmark's bench head is flashed with: GRBL 1.1h exactly as config.h ships (see PROTOCOL.md). */
export const STOCK_BUILD: BuildOptions = {};
export const ORIGIN_BUILD: BuildOptions = { forceSetOrigin: true };

/** The builds the differential tests and `peenmark sim --build` know by name (as grbl-host's binaries). */
export const NAMED_BUILDS = {
  stock: STOCK_BUILD,
  origin: ORIGIN_BUILD,
  "stock-ln": { lineNumbers: true },
  "origin-ln": { forceSetOrigin: true, lineNumbers: true },
} as const satisfies Record<string, BuildOptions>;

export type BuildName = keyof typeof NAMED_BUILDS;

/** The constants one build compiles to. */
export interface Build {
  readonly options: Required<BuildOptions>;
  /** grbl.h GRBL_VERSION, GRBL_VERSION_BUILD. */
  readonly version: string;
  readonly versionBuild: string;
  /** planner.h BLOCK_BUFFER_SIZE: 16, or 15 with line numbers; one slot is always kept free. */
  readonly blockBufferSize: number;
  /** serial.h RX_BUFFER_SIZE (bytes that fit; the ring has one slot more). */
  readonly rxBufferSize: number;
  /** serial.h TX_BUFFER_SIZE: 104, or 112 with line numbers. */
  readonly txBufferSize: number;
  /** The [OPT:] letters, in report.c report_build_info's order. */
  readonly optionLetters: string;
}

/** config.h / stepper.h / limits.c constants that no build option changes. */
export const GRBL = {
  fCpu: 16_000_000,
  /** config.h ACCELERATION_TICKS_PER_SECOND: segments of 1/100 s (stepper.c DT_SEGMENT, in minutes). */
  accelerationTicksPerSecond: 100,
  /** stepper.h SEGMENT_BUFFER_SIZE: a ring of 6, so 5 segments can be queued. */
  segmentBufferSize: 6,
  /** config.h DWELL_TIME_STEP, ms: G4 and other delays run in whole steps of this. */
  dwellTimeStepMs: 50,
  /** config.h MINIMUM_JUNCTION_SPEED, mm/min. */
  minimumJunctionSpeed: 0,
  /** config.h MINIMUM_FEED_RATE, mm/min. */
  minimumFeedRate: 1,
  /** config.h N_ARC_CORRECTION, ARC_ANGULAR_TRAVEL_EPSILON (radians). */
  nArcCorrection: 12,
  arcAngularTravelEpsilon: 5e-7,
  /** protocol.h LINE_BUFFER_SIZE: 79 significant characters fit. */
  lineBufferSize: 80,
  /** gcode.c MAX_LINE_NUMBER, MAX_TOOL_NUMBER. */
  maxLineNumber: 10_000_000,
  maxToolNumber: 255,
  /** config.h N_STARTUP_LINE. */
  nStartupLines: 2,
  /** settings.h N_COORDINATE_SYSTEM (G54–G59). */
  nCoordinateSystems: 6,
  /** config.h N_HOMING_LOCATE_CYCLE; limits.c HOMING_AXIS_SEARCH_SCALAR, HOMING_AXIS_LOCATE_SCALAR. */
  nHomingLocateCycle: 1,
  homingAxisSearchScalar: 1.5,
  homingAxisLocateScalar: 5,
  /** config.h HOMING_CYCLE_0 (Z) then HOMING_CYCLE_1 (X and Y together), as axis bit masks. */
  homingCycles: [0b100, 0b011] as readonly number[],
  /** config.h REPORT_*_REFRESH_*_COUNT. */
  reportOvrRefreshBusy: 20,
  reportOvrRefreshIdle: 10,
  reportWcoRefreshBusy: 30,
  reportWcoRefreshIdle: 10,
  /** config.h override limits and increments, percent. */
  feedOverride: { min: 10, max: 200, coarse: 10, fine: 1 },
  rapidOverride: { medium: 50, low: 25 },
  spindleOverride: { min: 10, max: 200, coarse: 10, fine: 1 },
  /** cpu_map.h (ATmega328p): 8-bit PWM, 1 is the least "on" value. */
  pwmMax: 255,
  pwmMin: 1,
  pwmOff: 0,
  /** Timer2 fast PWM with a /64 prescaler: the spindle output is a pulse train at this rate below PWM 255. */
  pwmFrequencyHz: 16_000_000 / 64 / 256,
  /** report.c ALARM:N is followed by delay_ms(500) so the message can leave the TX buffer. */
  alarmMessageDelayMs: 500,
} as const;

export function resolveBuild(opts: BuildOptions = STOCK_BUILD): Build {
  const o: Required<BuildOptions> = {
    lineNumbers: opts.lineNumbers ?? false,
    forceSetOrigin: opts.forceSetOrigin ?? false,
    mistCoolant: opts.mistCoolant ?? false,
    homingInitLock: opts.homingInitLock ?? true,
  };
  // report.c report_build_info: V N M C P Z H T A D 0 S R L + * $ # I E W 2 — stock has
  // VARIABLE_SPINDLE and every restore/build-info/sync option, so only V shows.
  const letters = ["V", o.lineNumbers ? "N" : "", o.mistCoolant ? "M" : "", o.forceSetOrigin ? "Z" : "", o.homingInitLock ? "" : "L"].join("");
  const blockBufferSize = o.lineNumbers ? 15 : 16;
  return { options: o, version: "1.1h", versionBuild: "20190830", blockBufferSize, rxBufferSize: 128, txBufferSize: o.lineNumbers ? 112 : 104, optionLetters: letters };
}

/** The build an `[OPT:letters,blocks,rx]` line describes, for the options this sim models. */
export function buildFromOptionLetters(letters: string): BuildOptions {
  return { lineNumbers: letters.includes("N"), forceSetOrigin: letters.includes("Z"), mistCoolant: letters.includes("M"), homingInitLock: !letters.includes("L") };
}
