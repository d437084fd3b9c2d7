/**
 * The service's side of the streaming worker: a WorkerController has the Controller's API
 * (connect, status events, settings check, work offset, home, unlock, jog, run → outcome,
 * pause / resume / abort, progress events, homed, handshake) and does every one of them by a
 * message to the worker (messages.ts), which owns the port. What the service reads without
 * asking (status, homed, link state, a job running) is the Mirror of the latest message.
 */
import { fork, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ControllerEvents, ControllerStatus, Handshake, RunOptions } from "../driver.ts";
import { BridgeError, type BridgeErrorCode } from "../errors.ts";
import type { LinkState } from "../link.ts";
import { buildFeatures, type BuildFeatures, type ExpectedSettings, type SettingMismatch, type XYZ } from "../settings-check.ts";
import type { JobOutcome, JobProgress } from "../streamer.ts";
import type { FromWorker, Mirror, Op, SimAction, SimSnapshot, WireError, WorkerInit, WorkerOps } from "./messages.ts";

/** What the station uses of a controller: the Controller itself, or a WorkerController in front of one. */
export interface ControllerLike extends EventEmitter<ControllerEvents> {
  readonly status: ControllerStatus;
  readonly homed: boolean;
  readonly handshake: Handshake | undefined;
  readonly features: BuildFeatures;
  readonly isHoming: boolean;
  readonly link: { readonly state: LinkState; readonly path: string; readonly baudRate: number };
  readonly streamer: { readonly bytesInFlight: number; readonly running: boolean };
  connect(): Promise<Handshake>;
  reconnect(): Promise<Handshake>;
  close(): Promise<void>;
  readSettings(): Promise<Map<number, number>>;
  checkSettings(expected: ExpectedSettings): Promise<SettingMismatch[]>;
  requireSettings(expected: ExpectedSettings): Promise<void>;
  ensureWorkOffset(): Promise<{ offset: XYZ; written: boolean }>;
  home(): Promise<void>;
  abortHoming(): Promise<boolean>;
  unlock(): Promise<string[]>;
  jog(move: { x?: number; y?: number; feed: number }): Promise<void>;
  refreshStatus(timeoutMs?: number): Promise<ControllerStatus>;
  run(lines: readonly string[], options?: RunOptions): Promise<JobOutcome>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  abort(): void;
  reset(): Promise<string>;
  adoptHomed(position: XYZ): boolean | Promise<boolean>;
}

/** The simulated head's state and faults, across the boundary or in this process. */
export interface SimAccess {
  snapshot(): Promise<SimSnapshot>;
  act(action: SimAction): Promise<void>;
}

const WORKER_JS = "head-worker.js";

/** The worker's entry: the bundle's head-worker.js next to this module, or the TypeScript source through tsx (boot.mjs). */
function workerEntry(): { url: URL; entry: string | undefined } {
  const here = import.meta.url;
  if (/\.ts$/.test(new URL(here).pathname)) return { url: new URL("./boot.mjs", here), entry: new URL("./head-worker.ts", here).href };
  return { url: new URL(`./${WORKER_JS}`, here), entry: undefined };
}

/** The channel to the worker: a thread's port or a child process's IPC (structured clone both ways). */
interface Channel {
  /** The child process's pid (undefined for a thread). */
  readonly pid: number | undefined;
  post(m: unknown): void;
  on(event: "message", f: (m: FromWorker) => void): void;
  on(event: "error", f: (e: Error) => void): void;
  on(event: "exit", f: (code: number | null) => void): void;
  stop(): Promise<void>;
}

function threadChannel(init: WorkerInit): Channel {
  const { url, entry } = workerEntry();
  const w = new Worker(url, { workerData: { ...init, ...(entry ? { entry } : {}) }, stdout: false, stderr: false });
  return {
    pid: undefined,
    post: (m) => w.postMessage(m),
    on: (event: string, f: (...a: any[]) => void) => void w.on(event, f), // eslint-disable-line @typescript-eslint/no-explicit-any
    stop: async () => void (await w.terminate().catch(() => undefined)),
  };
}

function processChannel(init: WorkerInit): Channel {
  const { url, entry } = workerEntry();
  const child: ChildProcess = fork(fileURLToPath(url), entry ? [entry] : [], { serialization: "advanced", stdio: ["ignore", "ignore", "inherit", "ipc"] });
  // A child hears messages only once its module listens: it says "ready", then gets its init
  // and whatever was asked meanwhile.
  let queue: unknown[] | undefined = [];
  const send = (m: unknown) => {
    if (child.connected) child.send(m as never);
  };
  child.on("message", (m: { type?: string }) => {
    if (m?.type !== "ready" || !queue) return;
    send({ type: "init", init });
    for (const q of queue) send(q);
    queue = undefined;
  });
  return {
    pid: child.pid,
    post: (m) => {
      if (queue) queue.push(m);
      else send(m);
    },
    on: (event: string, f: (...a: any[]) => void) => void child.on(event, f), // eslint-disable-line @typescript-eslint/no-explicit-any
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      const t = setTimeout(() => child.kill("SIGKILL"), 2000);
      child.disconnect?.();
      await gone;
      clearTimeout(t);
    },
  };
}

function fromWire(e: WireError): Error {
  if (e.code) return new BridgeError(e.code as BridgeErrorCode, e.message, { ...(e.where === undefined ? {} : { where: e.where }), details: { ...e.details } });
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

const INITIAL: Mirror = { status: { state: "unknown", pins: "" }, homed: false, homing: false, linkState: "closed", bytesInFlight: 0, running: false, handshake: undefined };

/**
 * A worker that died on its own (a crash, an out-of-memory kill, kill -9 of the child) is
 * started again after this long, doubling with each death in the last minute up to
 * RESTART_MAX_MS: the station reconnects to a fresh worker instead of staying "disconnected"
 * until someone restarts the service.
 */
const RESTART_MS = 500;
const RESTART_MAX_MS = 30_000;

export class WorkerController extends EventEmitter<ControllerEvents> implements ControllerLike {
  #worker: Channel;
  readonly #open: () => Channel;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 0;
  #mirror: Mirror = INITIAL;
  #exited: Error | undefined;
  /** close() was called: a worker that exits now is not started again. */
  #closing = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #deaths: number[] = [];
  /** The job being streamed: its request, what it was given, and the latest progress the worker reported. */
  #run: { id: number; lines: number; strikes: number; started: number; progress: JobProgress | undefined } | undefined;
  readonly link: { readonly state: LinkState; readonly path: string; readonly baudRate: number };
  readonly streamer: { readonly bytesInFlight: number; readonly running: boolean };
  /** The simulated head in the worker, when there is one. */
  readonly sim: SimAccess | undefined;

  /**
   * `transport`: a worker thread, or a child process — which a serial port needs: serialport's
   * native binding cannot run in a worker thread (serialport/bindings-cpp#176). Default: a
   * thread for the simulated head, a process for a port.
   */
  constructor(init: WorkerInit, transport: "thread" | "process" = init.sim ? "thread" : "process") {
    super();
    this.#open = () => this.#attach(transport === "thread" ? threadChannel(init) : processChannel(init));
    this.#worker = this.#open();
    const self = this;
    this.link = {
      get state() {
        return self.#exited ? "disconnected" : self.#mirror.linkState;
      },
      path: init.link.path,
      baudRate: init.link.baudRate,
    };
    this.streamer = {
      get bytesInFlight() {
        return self.#mirror.bytesInFlight;
      },
      get running() {
        return self.#mirror.running;
      },
    };
    this.sim = init.sim
      ? {
          snapshot: async () => (await this.#call("simSnapshot"))!,
          act: (action) => this.#call("simAct", action),
        }
      : undefined;
  }

  /** The worker's events, for as long as it is the current one (an old worker's late exit is not this one's). */
  #attach(ch: Channel): Channel {
    ch.on("message", (m: FromWorker) => {
      if (ch === this.#worker) this.#onMessage(m);
    });
    ch.on("error", (e) => {
      if (ch === this.#worker) this.#died(e);
    });
    ch.on("exit", (code) => {
      if (ch === this.#worker) this.#died(new Error(`the streaming worker exited (${code === null ? "killed" : `code ${code}`})`));
    });
    return ch;
  }

  /** The streaming worker's process id (a child process: a serial port), for operations and tests. */
  get workerPid(): number | undefined {
    return this.#exited ? undefined : this.#worker.pid;
  }

  get status(): ControllerStatus {
    return this.#mirror.status;
  }

  get homed(): boolean {
    return this.#mirror.homed;
  }

  get isHoming(): boolean {
    return this.#mirror.homing;
  }

  get handshake(): Handshake | undefined {
    return this.#mirror.handshake;
  }

  get features(): BuildFeatures {
    return this.#mirror.handshake?.features ?? buildFeatures(undefined);
  }

  /** Strikes on the simulated head's workpiece as of the last message (undefined: a real head). */
  get simStrikes(): number | undefined {
    return this.#mirror.simStrikes;
  }

  connect(): Promise<Handshake> {
    return this.#call("connect");
  }
  reconnect(): Promise<Handshake> {
    return this.#call("reconnect");
  }
  readSettings(): Promise<Map<number, number>> {
    return this.#call("readSettings");
  }
  checkSettings(expected: ExpectedSettings): Promise<SettingMismatch[]> {
    return this.#call("checkSettings", expected);
  }
  requireSettings(expected: ExpectedSettings): Promise<void> {
    return this.#call("requireSettings", expected);
  }
  ensureWorkOffset(): Promise<{ offset: XYZ; written: boolean }> {
    return this.#call("ensureWorkOffset");
  }
  home(): Promise<void> {
    return this.#call("home");
  }
  abortHoming(): Promise<boolean> {
    return this.#call("abortHoming");
  }
  unlock(): Promise<string[]> {
    return this.#call("unlock");
  }
  jog(move: { x?: number; y?: number; feed: number }): Promise<void> {
    return this.#call("jog", move);
  }
  jogCancel(): Promise<void> {
    return this.#call("jogCancel");
  }
  refreshStatus(timeoutMs?: number): Promise<ControllerStatus> {
    return timeoutMs === undefined ? this.#call("refreshStatus") : this.#call("refreshStatus", timeoutMs);
  }
  /** The whole program goes to the worker in one message; the worker streams it on its own loop. */
  run(lines: readonly string[], options: RunOptions = {}): Promise<JobOutcome> {
    const p = this.#call("run", lines, options);
    const id = this.#nextId;
    this.#run = { id, lines: lines.length, strikes: typeof options.strikes === "object" ? options.strikes.size : 0, started: performance.now(), progress: undefined };
    return p.finally(() => {
      if (this.#run?.id === id) this.#run = undefined;
    });
  }
  pause(): Promise<void> {
    return this.#call("pause");
  }
  resume(): Promise<void> {
    return this.#call("resume");
  }
  abort(): void {
    void this.#call("abort").catch(() => undefined);
  }
  reset(): Promise<string> {
    return this.#call("reset");
  }
  adoptHomed(position: XYZ): Promise<boolean> {
    return this.#call("adoptHomed", position);
  }
  startPolling(hz?: number): Promise<void> {
    return hz === undefined ? this.#call("startPolling") : this.#call("startPolling", hz);
  }
  stopPolling(): Promise<void> {
    return this.#call("stopPolling");
  }
  /** Round trip to the worker's loop, ms. */
  async ping(): Promise<number> {
    const t = performance.now();
    await this.#call("ping");
    return performance.now() - t;
  }

  /** Close the port (a job still running ends interrupted) and stop the worker. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    if (!this.#exited) await this.#call("close").catch(() => undefined);
    this.#exited ??= new Error("the streaming worker was stopped");
    await this.#worker.stop();
  }

  #call<K extends Op>(op: K, ...args: WorkerOps[K]["args"]): Promise<WorkerOps[K]["value"]> {
    if (this.#exited) return Promise.reject(new BridgeError("E_LINK_CLOSED", `the link to ${this.link.path} is closed (${this.#exited.message})`, { where: this.link.path }));
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.post({ type: "request", id, op, args });
    });
  }

  #onMessage(m: FromWorker | { type: "ready" }): void {
    if (m.type === "ready") return;
    this.#mirror = m.mirror;
    if (m.type === "reply") {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(fromWire(m.error));
      return;
    }
    if (m.name === "progress" && this.#run) this.#run.progress = (m.args as [JobProgress])[0];
    if (m.name === "disconnected") {
      this.emit("disconnected", fromWire((m.args as [WireError])[0]) as BridgeError);
      return;
    }
    (this.emit as (name: string, ...a: unknown[]) => boolean)(m.name, ...m.args);
  }

  /**
   * The worker is gone. A job it was streaming ends interrupted, naming the lines the
   * controller may have run after the last confirmed one (it runs what it holds, then stops,
   * pin off); every other request fails with E_LINK_CLOSED. Unless the station is closing,
   * a fresh worker is started, and the station's reconnect (Head.keepConnected) connects it,
   * which resets the controller at once.
   */
  #died(e: Error): void {
    if (this.#exited) return;
    this.#exited = e;
    const pending = [...this.#pending.entries()];
    this.#pending.clear();
    const err = new BridgeError("E_LINK_CLOSED", `the streaming worker stopped: ${e.message}`, { where: this.link.path });
    const run = this.#run;
    this.#run = undefined;
    for (const [id, p] of pending) {
      if (run && id === run.id) p.resolve(workerLostOutcome(run, e.message));
      else p.reject(err);
    }
    this.#mirror = { ...this.#mirror, linkState: "disconnected", running: false, status: { state: "disconnected", pins: "" } };
    this.emit("disconnected", err);
    if (!this.#closing) this.#restartLater();
  }

  #restartLater(): void {
    const now = Date.now();
    this.#deaths = [...this.#deaths.filter((t) => now - t < 60_000), now];
    const delay = Math.min(RESTART_MAX_MS, RESTART_MS * 2 ** (this.#deaths.length - 1));
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#closing) return;
      this.#mirror = INITIAL;
      this.#worker = this.#open();
      this.#exited = undefined;
    }, delay);
    this.#restartTimer.unref();
  }
}

/** A job whose streaming worker died under it: interrupted, the unconfirmed lines named. */
function workerLostOutcome(run: { lines: number; strikes: number; started: number; progress: JobProgress | undefined }, why: string): JobOutcome {
  const p = run.progress;
  const executed = p?.executed ?? 0;
  const sent = p?.sent ?? 0;
  const range = sent <= executed ? "no line was" : sent === executed + 1 ? `line ${sent} was` : `lines ${executed + 1}–${sent} were`;
  return {
    outcome: "interrupted",
    totalLines: p?.totalLines ?? run.lines,
    lastSentLine: sent,
    lastAckedLine: p?.acked ?? 0,
    lastExecutedLine: executed,
    strikesDone: p?.strikesDone ?? 0,
    strikesTotal: p?.strikesTotal ?? run.strikes,
    ...(sent > executed ? { unconfirmed: { from: executed + 1, to: sent } } : {}),
    reason: `the streaming worker stopped while marking (${why}); ${range} sent to the controller after the last confirmed line (${executed}) and may have run; position unknown: re-home before re-marking`,
    elapsed: (performance.now() - run.started) / 1000,
  };
}
