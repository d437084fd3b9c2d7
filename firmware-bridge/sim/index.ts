/**
 * The simulated GRBL 1.1 marking head: what tests, the station and newcomers run against.
 * See PROTOCOL.md ("The simulated head") for how to drive it.
 */
export { SimHead, type SimFaults, type SimHeadOptions, type Strike } from "./head.ts";
export { BENCH_MACHINE, BENCH_PIN, headSettings, type HeadMachine, type PinDriver } from "./settings.ts";
export { FastClock, RealtimeClock, type HeadClock } from "./clock.ts";
export { SimBinding, SimPort, SIM_PREFIX, registerSimHead, simHeadAt } from "./binding.ts";
export { startPtyHead, type PtyHead, type PtyHeadOptions } from "./pty.ts";
export { linePortOf, streamLines, type LinePort, type StreamResult } from "./stream-client.ts";
export { dotDiameter, strikesToPng, strikesToSvg, type RenderOptions } from "./render.ts";
