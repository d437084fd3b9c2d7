import { EventEmitter } from "node:events";
import { classifyLine, minStatusPeriodMs, parseOptions, parseSetting, REALTIME, type BuildOptions, type IncomingLine, type MachineState, type StatusReport } from "./protocol.ts";
import { BridgeError } from "./errors.ts";
import { Link, type LinkOptions } from "./link.ts";
import { Streamer, type JobOptions, type JobOutcome, type JobProgress } from "./streamer.ts";
import { buildFeatures, checkSettings, workOrigin, type BuildFeatures, type ExpectedSettings, type SettingMismatch, type XYZ } from "./settings-check.ts";

/**
 * The controller as the station sees it: handshake (welcome line, `$I`, `$$`), settings
 * check, homing, unlock, jog, status polling and jobs. It owns one Link and one Streamer and
 * is the single reader of the controller's lines: each is classified once (protocol.ts),
 * folded into the status, then handed to the streamer.
 */

export interface ControllerOptions {
  /** An open or closed Link, or the options to make one. */
  readonly link: Link | LinkOptions;
  /** Receive buffer to assume until `$I` or a status report says more (128 on stock GRBL). */
  readonly rxBuffer?: number;
  /** Status reports asked for per second (`?`); 0 turns polling off. */
  readonly statusHz?: number;
  /** How long to wait for the welcome line before provoking one with a soft reset, ms (an Arduino's bootloader takes 1–2 s after the port opens). */
  readonly welcomeTimeoutMs?: number;
  /** How long a `$` command may take before the controller counts as silent, ms. */
  readonly commandTimeoutMs?: number;
  /** How long homing may take, ms. */
  readonly homingTimeoutMs?: number;
  /** Clock for job times, ms (the simulated head's virtual clock in measurements). */
  readonly now?: () => number;
}

/** The controller's state as last reported, in plain terms. */
export interface ControllerStatus {
  readonly state: MachineState | "unknown" | "disconnected";
  /** Hold:0 complete, Hold:1 decelerating; Door sub-states. */
  readonly subState?: number;
  /** Machine position, mm (from MPos, or WPos + WCO). */
  readonly position?: { readonly x: number; readonly y: number; readonly z: number };
  /**
   * Work position, mm: the machine position less the work offset GRBL last reported (WCO: the
   * G54 offset plus G92), in the program's coordinates; absent until a report has carried a WCO.
   */
  readonly workPosition?: { readonly x: number; readonly y: number; readonly z: number };
  /** Free planner blocks and free RX bytes. */
  readonly buffer?: { readonly blocks: number; readonly bytes: number };
  /** mm/min and S (pin power). */
  readonly feed?: number;
  readonly spindle?: number;
  /** N of the block executing now. */
  readonly line?: number;
  /** Active input pins (X Y Z limit, P probe, D door, H hold, R reset, S start). */
  readonly pins: string;
}

export interface Handshake {
  /** From the welcome line, e.g. "1.1h". */
  readonly version: string;
  /** `[VER:…]` text. */
  readonly build?: string;
  readonly options?: BuildOptions;
  /** What the `[OPT:]` letters decide (stock GRBL when the controller printed none). */
  readonly features: BuildFeatures;
  readonly settings: ReadonlyMap<number, number>;
}

/** Run options the controller fills in itself: where the job starts and under which offset. */
export interface RunOptions extends Omit<JobOptions, "track"> {
  /**
   * Follow the job on its path with this tolerance, mm (the station's position tolerance);
   * one step of the coarsest axis is added, as positions are whole steps.
   */
  readonly positionTolerance?: number;
}

export interface ControllerEvents {
  status: [status: ControllerStatus];
  /** The machine state changed (Idle → Run, → Alarm, → disconnected …). */
  state: [state: ControllerStatus["state"]];
  /** Every classified line from the controller. */
  line: [line: IncomingLine];
  alarm: [alarm: { code: number; name: string; meaning: string }];
  welcome: [version: string];
  /** A message the controller printed: `[MSG:…]`. */
  message: [text: string];
  disconnected: [error: BridgeError];
  progress: [progress: JobProgress];
}

/** After a welcome, how long the driver waits for a second one (a board that greets as the port opens and again for the reset), ms. */
const WELCOME_SETTLE_MS = 150;

function num(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}

export class Controller extends EventEmitter<ControllerEvents> {
  readonly link: Link;
  readonly streamer: Streamer;
  private readonly opts: ControllerOptions;
  private _status: ControllerStatus = { state: "unknown", pins: "" };
  private wco: readonly number[] | undefined;
  private poll: NodeJS.Timeout | undefined;
  private _handshake: Handshake | undefined;
  private welcomeWaiters: ((version: string) => void)[] = [];
  private statusWaiters: ((s: ControllerStatus) => void)[] = [];
  /** The controller said "Reset to continue" (hard or soft limit) and has not reset since. */
  private needsReset = false;
  private _homed = false;
  private homing = false;
  /** After a welcome: the position before it, to tell a soft reset at rest (position kept) from a power-up. */
  private positionBeforeWelcome: { readonly x: number; readonly y: number; readonly z: number } | undefined | null = null;
  /** G54 as last read or written ($#). */
  private g54: XYZ | undefined;

  constructor(options: ControllerOptions) {
    super();
    this.opts = options;
    this.link = options.link instanceof Link ? options.link : new Link(options.link);
    this.streamer = new Streamer(this.link, { baud: this.link.baudRate, ...(options.rxBuffer === undefined ? {} : { rxBuffer: options.rxBuffer }), ...(options.now ? { now: options.now } : {}) });
    this.streamer.on("progress", (p) => this.emit("progress", p));
    this.link.on("line", (raw) => this.onLine(raw));
    this.link.on("disconnected", (e) => this.onDisconnected(e));
  }

  get status(): ControllerStatus {
    return this._status;
  }

  get handshake(): Handshake | undefined {
    return this._handshake;
  }

  /**
   * Open the link (if needed), wait for the welcome line — a soft reset provokes one when the
   * controller was already running — then read `$I` and `$$` and start polling status.
   */
  async connect(): Promise<Handshake> {
    if (this.link.state !== "open") {
      // Reset at once, without waiting for a greeting: a controller left running by a host
      // that died (a pin train, a half-streamed job) stops now, and a soft reset at rest keeps
      // the position (main.c). A board that resets itself as the port opens greets anyway;
      // the reset byte may be lost in its bootloader, so a second one follows a silence.
      const first = this.nextWelcome(this.opts.welcomeTimeoutMs ?? 2500);
      await this.link.open();
      await this.streamer.realtime(REALTIME.softReset);
      let version = await first;
      if (version === undefined) version = await this.provokeWelcome();
      // A board that greeted as the port opened greets again for the reset: let that pass
      // before the handshake, whose first answer it would flush.
      while ((await this.nextWelcome(WELCOME_SETTLE_MS)) !== undefined);
      return this.handshakeAfter(version);
    }
    return this.handshakeAfter(await this.provokeWelcome());
  }

  /**
   * The head has homed and since then has not alarmed, lost the link, or come back from a
   * reset anywhere but where it was (a power-up zeroes the position; a soft reset at rest
   * keeps it, main.c): its machine position is the homed one.
   */
  get homed(): boolean {
    return this._homed;
  }

  /**
   * Carry a homed state over from an earlier session: the station recorded where the head
   * stood when it let go of it; if the controller reports Idle exactly there, nothing reset
   * or moved it since (a power-up would have zeroed the position or locked it).
   */
  adoptHomed(position: { readonly x: number; readonly y: number; readonly z: number }): boolean {
    const p = this._status.position;
    const step = 0.002;
    if (this._status.state !== "Idle" || !p || Math.abs(p.x - position.x) > step || Math.abs(p.y - position.y) > step || Math.abs(p.z - position.z) > step) return false;
    this._homed = true;
    return true;
  }

  get features(): BuildFeatures {
    return this._handshake?.features ?? buildFeatures(undefined);
  }

  /**
   * `$I`, `$$`, first status. A board that was still booting when we provoked it greets
   * twice; the second greeting flushes the first `$I`, so the handshake starts over once.
   */
  private async handshakeAfter(version: string): Promise<Handshake> {
    try {
      return await this.afterWelcome(version);
    } catch (e) {
      if (!(e instanceof BridgeError) || e.code !== "E_CONTROLLER_RESET") throw e;
      return this.afterWelcome(version);
    }
  }

  /** Close and reopen the link (after an unplug), then the same handshake as `connect`. */
  async reconnect(): Promise<Handshake> {
    this.stopPolling();
    await this.link.close();
    return this.connect();
  }

  /** Close the link; a job still running ends `interrupted` (the controller may go on with what it holds). */
  async close(): Promise<void> {
    this.stopPolling();
    if (this.streamer.running) this.streamer.handleDisconnect(new BridgeError("E_LINK_CLOSED", `the link to ${this.link.path} was closed by this station during the job`, { where: this.link.path }));
    await this.link.close();
  }

  /** `$$` as a map id → value. */
  async readSettings(): Promise<Map<number, number>> {
    const info = await this.streamer.command("$$", this.opts.commandTimeoutMs ?? 5000);
    const out = new Map<number, number>();
    for (const l of info) {
      const s = parseSetting(l);
      if (s) out.set(s.id, s.value);
    }
    return out;
  }

  /** Every way the controller's settings do not fit the station (empty: it fits). */
  async checkSettings(expected: ExpectedSettings): Promise<SettingMismatch[]> {
    return checkSettings(await this.readSettings(), expected, this._handshake?.options);
  }

  /** The G54 offset the controller holds ($#). */
  async readWorkOffset(): Promise<XYZ> {
    const info = await this.streamer.command("$#", this.opts.commandTimeoutMs ?? 5000);
    const g54 = info.map((l) => /^\[G54:(-?[\d.]+),(-?[\d.]+),(-?[\d.]+)/.exec(l)).find((m) => m !== null);
    if (!g54) throw new BridgeError("E_SETTINGS_MISMATCH", "the controller did not report its G54 work offset ($#): cannot tell where the program's zero is", { where: this.link.path });
    this.g54 = { x: Number(g54[1]), y: Number(g54[2]), z: Number(g54[3]) };
    return this.g54;
  }

  /**
   * Make G54 the work area's origin: where homing leaves the head (0 with
   * HOMING_FORCE_SET_ORIGIN, −travel + pull-off on a stock build; settings-check.ts
   * workOrigin), so that program coordinates are work-area coordinates on every build. Every
   * program's header selects G54 and clears G92. G54 lives in EEPROM: it is written only when
   * it differs (once per controller, or after another sender changed it), never per job.
   */
  async ensureWorkOffset(): Promise<{ offset: XYZ; written: boolean }> {
    const want = workOrigin(this._handshake?.settings ?? (await this.readSettings()), this.features);
    const close = (a: XYZ) => Math.abs(a.x - want.x) < 0.0005 && Math.abs(a.y - want.y) < 0.0005 && Math.abs(a.z - want.z) < 0.0005;
    const have = await this.readWorkOffset();
    if (close(have)) return { offset: have, written: false };
    const line = `G10L2P1X${num(want.x)}Y${num(want.y)}Z${num(want.z)}`;
    await this.streamer.command(line, this.opts.commandTimeoutMs ?? 5000);
    const now = await this.readWorkOffset();
    if (!close(now)) throw new BridgeError("E_SETTINGS_MISMATCH", `the controller kept G54 at X${now.x} Y${now.y} Z${now.z} after ${line}: check its EEPROM`, { where: this.link.path });
    this.emit("message", `G54 set to the homed origin X${num(want.x)} Y${num(want.y)} (${line}, stored in the controller)`);
    return { offset: now, written: true };
  }

  /** Refuse to mark on a controller that does not fit: one error listing every mismatch. */
  async requireSettings(expected: ExpectedSettings): Promise<void> {
    const mismatches = await this.checkSettings(expected);
    if (mismatches.length === 0) return;
    throw new BridgeError("E_SETTINGS_MISMATCH", `the controller's settings do not fit the station (${mismatches.length}):\n${mismatches.map((m) => `  ${m.message}`).join("\n")}`, { where: this.link.path, details: { mismatches } });
  }

  /**
   * Home ($H). The answer comes once the head has found its switches; GRBL answers no status
   * report meanwhile (limits.c limits_go_home polls nothing), so none is waited for.
   */
  async home(): Promise<void> {
    await this.resetIfLocked();
    this._homed = false;
    this.homing = true;
    try {
      await this.streamer.command("$H", this.opts.homingTimeoutMs ?? 60_000);
    } finally {
      this.homing = false;
    }
    this._homed = true;
    await this.refreshStatus();
  }

  /** Stop a homing cycle at once: a soft reset, which GRBL acts on even while homing (ALARM:6, the head then needs homing). */
  async abortHoming(): Promise<boolean> {
    if (!this.homing) return false;
    await this.streamer.realtime(REALTIME.softReset);
    return true;
  }

  get isHoming(): boolean {
    return this.homing;
  }


  /** Clear an alarm lock without homing ($X): only when a person asks for it. */
  async unlock(): Promise<string[]> {
    await this.resetIfLocked();
    const info = await this.streamer.command("$X", this.opts.commandTimeoutMs ?? 5000);
    await this.refreshStatus();
    return info;
  }

  /**
   * Check the settings, home when the station needs it (or `home` is true), and leave the
   * controller Idle, ready for a job.
   */
  async prepare(expected: ExpectedSettings, options: { home?: boolean } = {}): Promise<ControllerStatus> {
    await this.requireSettings(expected);
    if (options.home ?? (expected.homing && !this._homed)) await this.home();
    await this.ensureWorkOffset();
    const s = await this.refreshStatus();
    if (s.state !== "Idle") throw new BridgeError("E_CONTROLLER_ALARM", `the controller is ${s.state}, not Idle, after preparing: ${s.state === "Alarm" ? "home the head ($H) or, if you know the position is right, unlock it ($X)" : "wait for it to finish"}`, { where: this.link.path });
    return s;
  }

  /** Relative jog ($J=G91 …), mm and mm/min. The answer comes when the jog is queued. */
  async jog(move: { x?: number; y?: number; feed: number }): Promise<void> {
    if (!(move.feed > 0)) throw new BridgeError("E_CONTROLLER_REJECTED", `a jog needs a feed above 0 mm/min, got ${move.feed}`);
    const axes = `${move.x ? `X${num(move.x)}` : ""}${move.y ? `Y${num(move.y)}` : ""}`;
    if (!axes) return;
    await this.streamer.command(`$J=G21G91${axes}F${num(move.feed)}`, this.opts.commandTimeoutMs ?? 5000);
  }

  /** Stop a jog at once (real-time 0x85); the planner is flushed. */
  async jogCancel(): Promise<void> {
    await this.streamer.realtime(REALTIME.jogCancel);
  }

  /** Ask for a status report now and wait for it. */
  async refreshStatus(timeoutMs = 2000): Promise<ControllerStatus> {
    const next = new Promise<ControllerStatus | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.statusWaiters = this.statusWaiters.filter((w) => w !== wake);
        resolve(undefined);
      }, timeoutMs);
      const wake = (s: ControllerStatus) => {
        clearTimeout(timer);
        resolve(s);
      };
      this.statusWaiters.push(wake);
    });
    await this.streamer.realtime(REALTIME.statusReport);
    const s = await next;
    if (!s) throw new BridgeError("E_CONTROLLER_SILENT", `no status report from the controller on ${this.link.path} within ${timeoutMs} ms`, { where: this.link.path });
    return s;
  }

  /**
   * Stream a program (see Streamer.run); the controller must be Idle. With a position
   * tolerance the job is followed on its path from where the head stands, under the
   * controller's G54.
   */
  async run(lines: readonly string[], options: RunOptions = {}): Promise<JobOutcome> {
    const s = await this.refreshStatus();
    if (s.state !== "Idle") {
      throw new BridgeError("E_CONTROLLER_BUSY", `the controller is ${s.state}${s.state === "Alarm" ? ": home the head ($H) or unlock it ($X) first" : ", not Idle: wait for it or reset it"}`, { where: this.link.path });
    }
    const { positionTolerance, ...rest } = options;
    const outcome = await this.runTracked(lines, rest, positionTolerance, s);
    if (outcome.silent) {
      // Whatever it last reported is stale: the controller is not "Run", it is silent.
      this.setStatus({ state: "unknown", pins: "" });
      this.emit("message", outcome.reason.split(". ")[0]!);
    }
    return outcome;
  }

  private async runTracked(lines: readonly string[], rest: Omit<RunOptions, "positionTolerance">, positionTolerance: number | undefined, s: ControllerStatus): Promise<JobOutcome> {
    if (positionTolerance === undefined || !s.position) return this.streamer.run(lines, rest);
    const g54 = this.g54 ?? (await this.readWorkOffset());
    const set = this._handshake?.settings;
    const step = Math.max(...[100, 101].map((id) => 1 / (set?.get(id) || 1000)));
    // Positions are printed with 3 decimals: half a Z step, and the rounding.
    const zStep = 1 / (set?.get(102) || 1000);
    return this.streamer.run(lines, { ...rest, track: { start: s.position, g54, tolerance: positionTolerance + step, zTolerance: zStep / 2 + 0.0005 } });
  }

  pause(): Promise<void> {
    return this.streamer.pause();
  }

  resume(): Promise<void> {
    return this.streamer.resume();
  }

  abort(): void {
    this.streamer.abort();
  }

  /** Soft reset (0x18) outside a job: stops everything, pin off; resolves on the welcome line. */
  async reset(): Promise<string> {
    return this.provokeWelcome();
  }

  /** Poll status at `hz` (the station file's statusHz), never faster than the link carries the reports (minStatusPeriodMs); 0 stops. */
  startPolling(hz = this.opts.statusHz ?? 5): void {
    this.stopPolling();
    if (!(hz > 0)) return;
    this.poll = setInterval(() => {
      if (this.link.state === "open") void this.streamer.realtime(REALTIME.statusReport).catch(() => undefined);
    }, Math.max(1000 / hz, minStatusPeriodMs(this.link.baudRate)));
  }

  stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  // ------------------------------------------------------------------ internals

  /**
   * After a limit alarm GRBL ignores everything but a reset ("[MSG:Reset to continue]"), and
   * lines of a job that ended under an alarm are never answered. Homing or unlocking is the
   * technician asking to go on, so reset first in those cases.
   */
  private async resetIfLocked(): Promise<void> {
    if (this.needsReset || (!this.streamer.running && this.streamer.bytesInFlight > 0)) await this.reset();
  }

  private async afterWelcome(version: string): Promise<Handshake> {
    const info = await this.streamer.command("$I", this.opts.commandTimeoutMs ?? 5000);
    const build = info.map((l) => /^\[VER:(.*)\]$/.exec(l)?.[1]).find((v) => v !== undefined);
    const options = info.map((l) => parseOptions(l)).find((o) => o !== undefined);
    if (options) {
      this.streamer.learnRxBuffer(options.rxBuffer);
      this.streamer.learnPlannerBlocks(options.blocks);
    }
    const settings = await this.readSettings();
    this._handshake = { version, ...(build === undefined ? {} : { build }), ...(options ? { options } : {}), features: buildFeatures(options), settings };
    await this.refreshStatus();
    this.startPolling();
    return this._handshake;
  }

  /**
   * Soft reset and wait for the welcome line, resetting again after a silence: GRBL drops a
   * reset that arrives while it prints an alarm (the 500 ms stall after `ALARM:N`; entering
   * the critical-event loop clears the reset flag, protocol.c protocol_exec_rt_system), and a
   * board in its bootloader drops it too.
   */
  private async provokeWelcome(attempts = 3): Promise<string> {
    const each = Math.max(200, Math.round((this.opts.welcomeTimeoutMs ?? 1500) / attempts) + 200);
    for (let i = 0; i < attempts; i++) {
      const welcome = this.nextWelcome(each);
      await this.streamer.realtime(REALTIME.softReset);
      const version = await welcome;
      if (version !== undefined) return version;
    }
    throw new BridgeError("E_CONTROLLER_SILENT", `no welcome line ("Grbl 1.1… ['$' for help]") from ${this.link.path}, even after ${attempts} soft resets: check the port, the baud rate (${this.link.baudRate}) and that the controller is powered`, { where: this.link.path });
  }

  private nextWelcome(timeoutMs: number): Promise<string | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.welcomeWaiters = this.welcomeWaiters.filter((w) => w !== wake);
        resolve(undefined);
      }, timeoutMs);
      // If the port never opens, this wait must not keep the process alive.
      timer.unref();
      const wake = (v: string) => {
        clearTimeout(timer);
        resolve(v);
      };
      this.welcomeWaiters.push(wake);
    });
  }

  private onLine(raw: string): void {
    const msg = classifyLine(raw);
    if (msg.kind === "status") this.foldStatus(msg.report);
    else if (msg.kind === "alarm") {
      this._homed = false;
      this.setStatus({ ...this._status, state: "Alarm" });
      this.emit("alarm", { code: msg.code, name: msg.entry.name, meaning: msg.entry.meaning });
    } else if (msg.kind === "feedback" && msg.tag === "MSG") {
      if (/^Reset to continue/i.test(msg.text)) this.needsReset = true;
      this.emit("message", msg.text);
    }
    this.streamer.handle(msg);
    this.emit("line", msg);
    if (msg.kind === "welcome") {
      // Homed survives only a reset that left the head where it was (checked at the next report).
      if (this._homed) this.positionBeforeWelcome = this._status.position;
      this.needsReset = false;
      this.emit("welcome", msg.version);
      for (const w of this.welcomeWaiters.splice(0)) w(msg.version);
    }
  }

  private foldStatus(r: StatusReport): void {
    if (r.wco) this.wco = r.wco;
    let pos: readonly number[] | undefined = r.mpos;
    if (!pos && r.wpos) pos = this.wco ? r.wpos.map((v, i) => v + (this.wco![i] ?? 0)) : r.wpos;
    if (this.positionBeforeWelcome !== null) {
      const before = this.positionBeforeWelcome;
      this.positionBeforeWelcome = null;
      const moved = !before || !pos || Math.abs((pos[0] ?? 0) - before.x) > 0.002 || Math.abs((pos[1] ?? 0) - before.y) > 0.002 || Math.abs((pos[2] ?? 0) - before.z) > 0.002;
      if (moved || r.state === "Alarm") this._homed = false;
    }
    const position = pos ? { x: pos[0] ?? 0, y: pos[1] ?? 0, z: pos[2] ?? 0 } : this._status.position;
    const wco = this.wco;
    const s: ControllerStatus = {
      state: r.state,
      ...(r.subState === undefined ? {} : { subState: r.subState }),
      ...(position ? { position } : {}),
      ...(position && wco ? { workPosition: { x: round3(position.x - (wco[0] ?? 0)), y: round3(position.y - (wco[1] ?? 0)), z: round3(position.z - (wco[2] ?? 0)) } } : {}),
      ...(r.bf ? { buffer: r.bf } : {}),
      ...(r.fs ? { feed: r.fs.feed, spindle: r.fs.spindle } : r.f !== undefined ? { feed: r.f } : {}),
      ...(r.ln === undefined ? {} : { line: r.ln }),
      pins: r.pins ?? "",
    };
    this.setStatus(s);
    for (const w of this.statusWaiters.splice(0)) w(s);
  }

  private setStatus(s: ControllerStatus): void {
    const before = this._status;
    this._status = s;
    if (JSON.stringify(before) !== JSON.stringify(s)) this.emit("status", s);
    if (before.state !== s.state) this.emit("state", s.state);
  }

  private onDisconnected(e: BridgeError): void {
    this._homed = false;
    this.stopPolling();
    this.streamer.handleDisconnect(e);
    this.setStatus({ state: "disconnected", pins: "" });
    this.emit("disconnected", e);
  }
}

/** GRBL reports positions to 0.001 mm: a difference of two is shown to the same (no -0.0000001). */
function round3(v: number): number {
  const r = Math.round(v * 1000) / 1000;
  return r === 0 ? 0 : r;
}
