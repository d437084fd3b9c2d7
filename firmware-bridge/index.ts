/**
 * firmware-bridge: everything about the wire to the head's controller. What the service and
 * the CLI use:
 *
 * - `Controller` (driver.ts): connect (welcome line, `$I`, `$$`), `prepare(expected)` (settings
 *   check, homing), `run(lines, options)` → JobOutcome, pause / resume / abort, jog, home,
 *   unlock, status polling with events.
 * - `Streamer` (streamer.ts): character-counting flow control and line tracking, used by the
 *   Controller; usable alone over any `Wire`.
 * - `Link` (link.ts): the serial port behind any node-serialport binding (OS, mock, simulated head).
 * - `checkSettings` / `expectedSettings` (settings-check.ts): does a controller's `$$` fit the station.
 * - `measureStreaming` (measure.ts): marking time over a 115200-baud link in the simulated
 *   head's virtual time, for the bench's streaming-overhead figure.
 * - protocol vocabulary (protocol.ts, codes.ts), motion timing (kinematics.ts) and the
 *   simulated head (sim/: SimHead, SimBinding for `sim://` paths, startPtyHead, clocks).
 */
export * from "./protocol.ts";
export * from "./kinematics.ts";
export { BridgeError, isBridgeError, type BridgeErrorCode } from "./errors.ts";
export { Link, type LinkOptions, type LinkState, type LinkEvents, type BindingInterface } from "./link.ts";
export { Streamer, syncsOnAck, type Wire, type StreamerOptions, type JobOptions, type JobOutcome, type JobOutcomeKind, type JobProgress, type StreamerEvents } from "./streamer.ts";
export { Controller, type ControllerOptions, type ControllerStatus, type ControllerEvents, type Handshake } from "./driver.ts";
export { checkSettings, expectedSettings, type ExpectedSettings, type SettingMismatch, type StationMachineLike } from "./settings-check.ts";
export { measureStreaming, type MeasureOptions, type StreamingMeasurement } from "./measure.ts";
export * from "./sim/index.ts";
