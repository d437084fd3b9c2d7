/**
 * The one message protocol between the service and the streaming worker (STYLE.md: the
 * real-time boundary shows in the folders). The worker (head-worker.ts) owns the serial port,
 * the Controller and its Streamer — and, for the simulated head, the SimHead and its clock,
 * since the binding must live where the port is — on its own event loop, so that nothing the
 * service does (a journal waiting for a lock, a flood of previews, a slow page) can starve
 * the head. The service holds a WorkerController (client.ts) with the Controller's API.
 *
 * Every message is structured-clone data: no functions cross. Three kinds:
 *
 *   service → worker   Request  { type: "request", id, op, args }
 *   worker → service   Reply    { type: "reply", id, ok, value | error, mirror }
 *   worker → service   Event    { type: "event", name, args, mirror }
 *
 * Each reply and event carries the Mirror: what the service reads synchronously of the
 * controller (status, homed, link state, bytes in flight, a job running), as of that moment.
 */
import type { BridgeErrorCode } from "../errors.ts";
import type { ControllerStatus, Handshake, RunOptions } from "../driver.ts";
import type { ExpectedSettings, SettingMismatch, XYZ } from "../settings-check.ts";
import type { JobOutcome, JobProgress } from "../streamer.ts";
import type { LinkState } from "../link.ts";
import type { SimHeadOptions, Strike, PinInterval } from "../sim/head.ts";

/** How the worker is started (workerData). */
export interface WorkerInit {
  readonly link: { readonly path: string; readonly baudRate: number };
  readonly rxBuffer?: number;
  readonly statusHz?: number;
  readonly welcomeTimeoutMs?: number;
  /** The simulated head, in the worker: its options (faults as data, SimFaultSpec) and clock speed. */
  readonly sim?: { readonly options: Omit<SimHeadOptions, "faults">; readonly faults?: SimFaultSpec; readonly speed: number };
}

/**
 * Faults for a simulated head in the worker, as data (a function cannot cross the boundary):
 * the line faults of SimFaults, plus byte corruption described rather than coded.
 */
export interface SimFaultSpec {
  readonly alarmAtLine?: { readonly line: number; readonly alarm: number };
  readonly resetAtLine?: number;
  readonly unplugAtLine?: number;
  readonly parseDelay?: number;
  readonly silentAtLine?: number;
  /**
   * Corrupt digits on the wire: in `count` G0 lines (from the `skip`+1-th G0 line the host
   * sends, then every `every`-th), the first digit after `axis` (X by default) becomes
   * (digit + `add`) mod 10 — a rapid to the wrong place with a well-formed line, which GRBL accepts.
   */
  readonly corruptG0?: { readonly count: number; readonly skip?: number; readonly every?: number; readonly add?: number; readonly axis?: "X" | "Y" };
}

/** What the service reads of the controller without asking: sent with every reply and event. */
export interface Mirror {
  readonly status: ControllerStatus;
  readonly homed: boolean;
  readonly homing: boolean;
  readonly linkState: LinkState;
  readonly bytesInFlight: number;
  readonly running: boolean;
  readonly handshake: Handshake | undefined;
  /** Simulated head: strikes on its workpiece since power-up. */
  readonly simStrikes?: number;
}

/** The simulated head's state, for tests and the bench (read across the boundary, not shared). */
export interface SimSnapshot {
  readonly now: number;
  readonly strikes: readonly Strike[];
  readonly pinIntervals: readonly PinInterval[];
  readonly position: XYZ;
  readonly machineState: string;
  readonly lostBytes: number;
  /** Bytes the host wrote since power-up, less the status polls (`?`) the link sends by itself. */
  readonly inputBytes: number;
}

/** What can be done to the simulated head from outside (a switch hit, a cable pulled, the TX wire cut). */
export type SimAction = "hardLimit" | "unplug" | "softReset" | "eStop" | "silence";

/** The worker's operations: each takes `args` and answers `value` (or an error). */
export interface WorkerOps {
  connect: { args: []; value: Handshake };
  reconnect: { args: []; value: Handshake };
  close: { args: []; value: void };
  readSettings: { args: []; value: Map<number, number> };
  checkSettings: { args: [expected: ExpectedSettings]; value: SettingMismatch[] };
  requireSettings: { args: [expected: ExpectedSettings]; value: void };
  ensureWorkOffset: { args: []; value: { offset: XYZ; written: boolean } };
  home: { args: []; value: void };
  abortHoming: { args: []; value: boolean };
  unlock: { args: []; value: string[] };
  jog: { args: [move: { x?: number; y?: number; feed: number }]; value: void };
  jogCancel: { args: []; value: void };
  refreshStatus: { args: [timeoutMs?: number]; value: ControllerStatus };
  /** Stream a program; the reply is the outcome (progress comes as events meanwhile). */
  run: { args: [lines: readonly string[], options: RunOptions]; value: JobOutcome };
  pause: { args: []; value: void };
  resume: { args: []; value: void };
  abort: { args: []; value: void };
  reset: { args: []; value: string };
  adoptHomed: { args: [position: XYZ]; value: boolean };
  startPolling: { args: [hz?: number]; value: void };
  stopPolling: { args: []; value: void };
  simSnapshot: { args: []; value: SimSnapshot | undefined };
  simAct: { args: [action: SimAction, alarm?: number]; value: void };
  /** A no-op answered at once: how long the worker's loop takes to answer (bench, tests). */
  ping: { args: []; value: number };
}

export type Op = keyof WorkerOps;

export interface Request<K extends Op = Op> {
  readonly type: "request";
  readonly id: number;
  readonly op: K;
  readonly args: WorkerOps[K]["args"];
}

/** A BridgeError (or any error) as data. */
export interface WireError {
  readonly name: string;
  readonly code?: BridgeErrorCode;
  readonly message: string;
  readonly where?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type Reply =
  | { readonly type: "reply"; readonly id: number; readonly ok: true; readonly value: unknown; readonly mirror: Mirror }
  | { readonly type: "reply"; readonly id: number; readonly ok: false; readonly error: WireError; readonly mirror: Mirror };

/** The Controller's events that cross (not "line": every line would cross for nobody). */
export interface WorkerEvents {
  status: [status: ControllerStatus];
  state: [state: ControllerStatus["state"]];
  alarm: [alarm: { code: number; name: string; meaning: string }];
  welcome: [version: string];
  message: [text: string];
  disconnected: [error: WireError];
  progress: [progress: JobProgress];
}

export type EventName = keyof WorkerEvents;

export interface Event<K extends EventName = EventName> {
  readonly type: "event";
  readonly name: K;
  readonly args: WorkerEvents[K];
  readonly mirror: Mirror;
}

export type FromWorker = Reply | Event;
