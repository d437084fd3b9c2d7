/**
 * The simulated GRBL 1.1h marking head: what tests, the station and newcomers run against.
 * See PROTOCOL.md ("The simulated head") for how to drive it and which GRBL file each part
 * of firmware-bridge/sim/ mirrors.
 */
export { SimHead, type SimFaults, type SimHeadOptions, type Strike, type PinEvent, type PinInterval } from "./head.ts";
export { BENCH_MACHINE, BENCH_PIN, BENCH_Z, BENCH_XY_STEPS_PER_MM, SWITCH_MARGIN, headSettings, type HeadMachine, type HeadMechanics, type HeadZAxis, type PinDriver } from "./machine.ts";
export { NAMED_BUILDS, STOCK_BUILD, ORIGIN_BUILD, resolveBuild, buildFromOptionLetters, type Build, type BuildName, type BuildOptions as GrblBuildOptions } from "./config.ts";
export { FastClock, RealtimeClock, type HeadClock } from "./clock.ts";
export { SimBinding, SimPort, SIM_PREFIX, registerSimHead, simHeadAt } from "./binding.ts";
export { startPtyHead, type PtyHead, type PtyHeadOptions } from "./pty.ts";
export { linePortOf, streamLines, type LinePort, type StreamResult } from "./stream-client.ts";
export { dotDiameter, strikesToPng, strikesToSvg, type RenderOptions } from "./render.ts";
