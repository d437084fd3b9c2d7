import { EventEmitter } from "node:events";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Controller, isBridgeError, type ControllerStatus, type Handshake } from "../../firmware-bridge/index.ts";
import { SimBinding, registerSimHead } from "../../firmware-bridge/sim/binding.ts";
import { RealtimeClock, type HeadClock } from "../../firmware-bridge/sim/clock.ts";
import { SimHead, type SimFaults, type SimHeadOptions } from "../../firmware-bridge/sim/head.ts";
import { WorkerController, type ControllerLike, type SimAccess } from "../../firmware-bridge/worker/client.ts";
import type { SimFaultSpec } from "../../firmware-bridge/worker/messages.ts";
import { PeenmarkError } from "../errors.ts";
import type { Station } from "../profile/station.ts";

/**
 * The one head this station drives: a controller on a serial port (a real board, or the
 * simulated head on a pseudo-terminal), or the simulated head behind the sim's serialport
 * binding. Either way the port, the Controller and its Streamer (and the simulated head) live
 * in the streaming worker (firmware-bridge/worker/), on an event loop of their own that
 * nothing in the service can block; `controller` is its client. Nothing above this file knows
 * which head it is; it only adds what the station needs to know of a head and the bridge does
 * not keep: whether it is homed.
 */
export interface ControllerView {
  readonly connected: boolean;
  readonly kind: "sim" | "serial";
  readonly port?: string;
  /** GRBL's state (Idle, Run, Hold, Alarm, Home, Jog, …), or Disconnected. */
  readonly state: string;
  /** Machine position, mm. */
  readonly position: { readonly x: number; readonly y: number };
  /** Work position, mm (the program's coordinates, the preview's grid), once the controller has reported its work offset. */
  readonly workPosition?: { readonly x: number; readonly y: number };
  /** Homed since the link came up, and no alarm or disconnect since. */
  readonly homed: boolean;
  /** The last thing the controller said that a person should read (alarm, [MSG:…], link error). */
  readonly message?: string;
  /** Simulated head only: strikes on the simulated workpiece since it powered up. */
  readonly simStrikes?: number;
}

export interface HeadOptions {
  readonly station: Station;
  /** A serial device (/dev/ttyUSB0, a pty link); absent: the simulated head in this process. */
  readonly serial?: string;
  /**
   * Virtual seconds per real second for the in-process simulated head: 1 (the default) is
   * the station's real time; tests run it faster. The head is driven by the sim's
   * RealtimeClock either way, so the host sees the same protocol at any speed.
   */
  readonly simSpeed?: number;
  /** Simulated-head settings that differ from what the station implies (a mis-set controller, for tests). */
  readonly simSettings?: Readonly<Record<number, number>>;
  /**
   * Faults for the simulated head (tests), as data: alarms, resets, unplugs or silence at a
   * line, corrupted digits (SimFaultSpec). They go to the head in the streaming worker.
   */
  readonly simFaults?: SimFaultSpec;
  /**
   * Tests only: run the Controller and the simulated head in this process instead of the
   * streaming worker, for faults written as functions (a look at every byte as it arrives).
   * The station never does this: here a blocked event loop starves the head.
   */
  readonly inProcess?: { readonly simFaults?: SimFaults };
  /**
   * A serial head only: a file where the station notes, when it lets go of the head, that it
   * was homed and where it stood — so that the next command (`peenmark mark` after
   * `peenmark home`) does not home again if the controller still reports Idle exactly there.
   * Read once and removed at connect: a session that dies leaves nothing to trust.
   */
  readonly homedStatePath?: string;
}

interface HomedNote {
  readonly port: string;
  readonly position: { readonly x: number; readonly y: number; readonly z: number };
}

let simCount = 0;

/**
 * Settings the simulated head gets on top of what its machine implies, as a technician sets
 * up a head for the station (PROTOCOL.md "Settings a head needs").
 */
const SIM_STATION_SETTINGS: Readonly<Record<number, number>> = { 1: 255 };

/** The simulated head a station file describes: its machine, Z axis, pin driver and wire. */
export function simHeadOf(station: Station): Pick<SimHeadOptions, "machine" | "pin" | "baud" | "settings"> {
  const m = station.machine;
  return {
    machine: {
      workArea: m.workArea,
      rapidRate: m.rapidRate,
      acceleration: m.acceleration,
      junctionDeviation: m.junctionDeviation,
      homing: m.homing,
      z: { rapidRate: m.strike.zRate, acceleration: m.strike.zAcceleration, stepsPerMm: m.stepsPerMm.z, travel: 10 },
    },
    pin: { strikeFrequency: m.strikeFrequency, strikeTime: m.strikeTime },
    baud: station.controller.baud,
    settings: { ...SIM_STATION_SETTINGS, 100: m.stepsPerMm.x, 101: m.stepsPerMm.y },
  };
}

/** A SimHead in this process, read the way one in the worker is. */
function localSim(sim: SimHead): SimAccess {
  return {
    snapshot: async () => ({ now: sim.now, strikes: [...sim.strikes], pinIntervals: [...sim.pinIntervals], position: sim.position, machineState: sim.machineState, lostBytes: sim.lostBytes, inputBytes: 0 }),
    act: async (action) => {
      if (action === "hardLimit") sim.hardLimit();
      else if (action === "unplug") sim.unplug();
      else if (action === "softReset") sim.softReset();
      else if (action === "eStop") sim.eStop();
      else sim.silence();
    },
  };
}

export class Head extends EventEmitter<{ controller: [view: ControllerView] }> {
  readonly kind: "sim" | "serial";
  readonly port: string;
  readonly controller: ControllerLike;
  /** The simulated head (its strike log is the simulated workpiece), read across the worker boundary; undefined on a serial port. */
  readonly sim: SimAccess | undefined;
  /** Tests only (`inProcess`): the SimHead itself. */
  readonly localSim: SimHead | undefined;
  readonly station: Station;
  #message: string | undefined;
  #unregister: (() => void) | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;
  /** The handshake (welcome, $I, $$) has completed on the open link. */
  #ready = false;
  #homedStatePath: string | undefined;

  private constructor(station: Station, kind: "sim" | "serial", port: string, controller: ControllerLike, sim: SimAccess | undefined, localSim?: SimHead, unregister?: () => void) {
    super();
    this.station = station;
    this.kind = kind;
    this.port = port;
    this.controller = controller;
    this.sim = sim;
    this.localSim = localSim;
    this.#unregister = unregister;
    controller.on("status", () => this.#changed());
    controller.on("alarm", (a) => {
      this.#message = `ALARM:${a.code} (${a.name}): ${a.meaning}`;
      this.#changed();
    });
    controller.on("message", (text) => {
      this.#message = text;
      this.#changed();
    });
    controller.on("disconnected", (e) => {
      this.#ready = false;
      this.#message = e.message;
      this.#changed();
    });
  }

  /** Open the link and do the handshake (welcome, $I, $$); status polling starts at the station's rate. */
  static async open(opts: HeadOptions): Promise<Head> {
    const head = Head.create(opts);
    try {
      await head.connect();
    } catch (e) {
      await head.close();
      throw e;
    }
    return head;
  }

  /** The head, not yet connected (`connect`, or `keepConnected` for a station that must start without its controller). */
  static create(opts: HeadOptions): Head {
    const { station } = opts;
    const common = { rxBuffer: station.controller.rxBuffer, statusHz: station.controller.statusHz };
    let head: Head;
    if (opts.serial) {
      const link = { path: opts.serial, baudRate: station.controller.baud };
      const controller = opts.inProcess ? new Controller({ link, ...common }) : new WorkerController({ link, ...common });
      head = new Head(station, "serial", opts.serial, controller, undefined);
    } else {
      const base = simHeadOf(station);
      const options = { ...base, settings: { ...base.settings, ...opts.simSettings } };
      // One path per head: tests open several stations in one process.
      const path = `sim://${station.id}-${process.pid}-${++simCount}`;
      const link = { path, baudRate: station.controller.baud };
      if (opts.inProcess) {
        const faults = { ...opts.simFaults, ...opts.inProcess.simFaults } as SimFaults;
        const sim = new SimHead({ ...options, faults });
        const clock: HeadClock = new RealtimeClock(sim, { speed: opts.simSpeed ?? 1 });
        const unregister = registerSimHead(path, sim, clock);
        head = new Head(station, "sim", path, new Controller({ link: { ...link, binding: SimBinding as never }, ...common }), localSim(sim), sim, unregister);
      } else {
        const controller = new WorkerController({ link, ...common, sim: { options, ...(opts.simFaults ? { faults: opts.simFaults } : {}), speed: opts.simSpeed ?? 1 } });
        head = new Head(station, "sim", path, controller, controller.sim);
      }
    }
    if (opts.serial && opts.homedStatePath) head.#homedStatePath = opts.homedStatePath;
    return head;
  }

  async connect(): Promise<Handshake> {
    this.#ready = false;
    const hs = await bridged(() => this.controller.connect(), `connecting to the head on ${this.port}`);
    await this.#adoptHomedNote();
    this.#ready = true;
    this.#message = undefined;
    this.#changed();
    return hs;
  }

  /**
   * Connect, and reconnect after the port vanishes (cable pulled, controller switched off),
   * trying every `retryMs`; each failure goes to `onError`. Stopped by close().
   */
  keepConnected(onError: (e: unknown) => void, retryMs = 5000): void {
    const attempt = async () => {
      this.#retry = undefined;
      if (this.#closed) return;
      try {
        if (this.controller.link.state === "disconnected") await bridged(() => this.controller.reconnect(), `reconnecting to the head on ${this.port}`);
        else await this.connect();
      } catch (e) {
        this.#message = e instanceof Error ? e.message : String(e);
        this.#changed();
        onError(e);
        if (!this.#closed) this.#retry = setTimeout(() => void attempt(), retryMs);
      }
    };
    this.controller.on("disconnected", () => {
      if (!this.#closed && !this.#retry) this.#retry = setTimeout(() => void attempt(), retryMs);
    });
    void attempt();
  }

  /** Homed, and no alarm, unplug or position-losing reset since (the controller keeps this, driver.ts). */
  get homed(): boolean {
    return this.controller.homed;
  }

  /**
   * After a critical alarm (hard limit, abort while moving) GRBL answers nothing but a reset,
   * and lines sent before the alarm stay unanswered: nothing but a reset helps.
   */
  get needsReset(): boolean {
    return this.controller.streamer.bytesInFlight > 0 && !this.controller.streamer.running;
  }

  /** Home ($H), after a reset when the controller waits for one; the head knows where it is afterwards. */
  async home(): Promise<ControllerView> {
    if (this.needsReset) await bridged(() => this.controller.reset(), "resetting the controller before homing");
    await bridged(() => this.controller.home(), "homing");
    this.#message = undefined;
    this.#changed();
    return this.view();
  }

  /**
   * Ready for a job: home when the station homes and the head is not homed (or alarmed), then
   * make G54 the work area's origin (written to the controller only when it differs).
   */
  async prepareJob(): Promise<void> {
    if (this.station.machine.homing && (!this.homed || this.view().state === "Alarm")) await this.home();
    await bridged(() => this.controller.ensureWorkOffset(), "setting the work offset");
  }

  /** Stop a homing cycle under way at once (soft reset); false when none is. */
  async abortHoming(): Promise<boolean> {
    return bridged(() => this.controller.abortHoming(), "stopping the homing cycle");
  }

  /** Clear an alarm lock without homing ($X): the position is taken on trust, so the head counts as not homed. */
  async unlock(): Promise<ControllerView> {
    await bridged(() => this.controller.unlock(), "unlocking");
    this.#message = undefined;
    this.#changed();
    return this.view();
  }

  async jog(move: { x?: number; y?: number; feed: number }): Promise<void> {
    await bridged(() => this.controller.jog(move), "jogging");
  }

  async refresh(): Promise<ControllerView> {
    await bridged(() => this.controller.refreshStatus(), "asking for a status report");
    return this.view();
  }

  view(): ControllerView {
    const s: ControllerStatus = this.controller.status;
    const connected = this.#ready && this.controller.link.state === "open";
    const state = !connected || s.state === "disconnected" ? "Disconnected" : s.state === "unknown" ? "Unknown" : s.state;
    return {
      connected,
      kind: this.kind,
      port: this.port,
      state,
      position: { x: s.position?.x ?? 0, y: s.position?.y ?? 0 },
      ...(s.workPosition ? { workPosition: { x: s.workPosition.x, y: s.workPosition.y } } : {}),
      homed: this.homed,
      ...(this.#message === undefined ? {} : { message: this.#message }),
      ...(this.kind === "sim" ? { simStrikes: this.localSim ? this.localSim.strikes.length : ((this.controller as WorkerController).simStrikes ?? 0) } : {}),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#writeHomedNote();
    this.#ready = false;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    await this.controller.close().catch(() => undefined);
    this.#unregister?.();
    this.#unregister = undefined;
  }

  async #adoptHomedNote(): Promise<void> {
    const path = this.#homedStatePath;
    if (!path) return;
    let note: HomedNote | undefined;
    try {
      note = JSON.parse(readFileSync(path, "utf8")) as HomedNote;
    } catch {
      return;
    }
    rmSync(path, { force: true });
    if (note.port === this.port && note.position) await this.controller.adoptHomed(note.position);
  }

  #writeHomedNote(): void {
    const path = this.#homedStatePath;
    const position = this.controller.status.position;
    if (!path || !this.homed || !position || this.controller.streamer.running) return;
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, JSON.stringify({ port: this.port, position } satisfies HomedNote));
      renameSync(`${path}.tmp`, path);
    } catch {
      // Not noting it only costs a homing cycle next time.
    }
  }

  #changed(): void {
    this.emit("controller", this.view());
  }
}

/** The bridge's errors as the service's: E_CONTROLLER with the bridge's code in details. */
export function fromBridge(e: unknown, doing: string): unknown {
  if (!isBridgeError(e)) return e;
  return new PeenmarkError("E_CONTROLLER", `${doing}: ${e.message}`, { ...(e.where === undefined ? {} : { where: e.where }), details: { code: e.code, ...e.details }, cause: e });
}

export async function bridged<T>(fn: () => Promise<T>, doing: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fromBridge(e, doing);
  }
}
