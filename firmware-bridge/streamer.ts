import { EventEmitter } from "node:events";
import { minStatusPeriodMs, PLANNER_USABLE_BLOCKS, REALTIME, RX_BUFFER_SIZE, type IncomingLine, type StatusReport } from "./protocol.ts";
import { BridgeError } from "./errors.ts";
import { locate, programPath, restingPoint, type LinePath, type XYZ } from "./track.ts";

/**
 * Flow control to a GRBL controller: character counting (GRBL 1.1 doc/markdown/interface.md,
 * "Streaming Protocol: Character-Counting"). At most `rxBuffer` bytes of lines the controller
 * has not answered are in flight (GRBL 1.1's RX ring has 129 slots and holds 128 bytes,
 * serial.c serial_rx_buffer); every `ok` or `error:N` answers the oldest one. `$` commands go
 * send-and-wait (alone on the wire), because GRBL writes settings to EEPROM with interrupts
 * off and would drop bytes arriving meanwhile.
 *
 * A job's lines are tracked three ways: sent, acknowledged (ok: parsed and queued) and
 * executed, read off the head's reported position along the program's path (track.ts) and
 * from lines that sync. Line positions are 1-based indices into the program array the caller
 * gave (the header comment is line 1); 0 means none.
 *
 * Pause stops sending at the next safe point (never between a line that leaves the pin on and
 * the line that switches it off) and lets the controller run what it holds: the head comes to
 * rest after a whole strike, pin off, with no feed hold. A feed hold cannot be made safe in the
 * middle of a strike on GRBL (PROTOCOL.md, "Pause, resume, abort"); it is kept for stopping.
 */

/** Where bytes go: a Link, or anything with its write. Resolves when the bytes have left. */
export interface Wire {
  write(bytes: string | Buffer): Promise<void>;
}

export interface StreamerOptions {
  /** Controller receive buffer, bytes (128 on stock GRBL; one byte of it stays free); raised by `learnFromStatus`. */
  readonly rxBuffer?: number;
  /** How often to ask for a status report while a job waits for its last moves or a hold, ms. */
  readonly pollMs?: number;
  /** The link's baud rate: polling is never faster than the reports can leave (minStatusPeriodMs). */
  readonly baud?: number;
  /** Clock for `elapsed`, ms. The simulated head passes its virtual clock here. */
  readonly now?: () => number;
}

/** How the job's path is followed (track.ts): where the head starts and which G54 it runs under. */
export interface TrackOptions {
  /** Machine position when the job starts, mm. */
  readonly start: XYZ;
  /** The controller's G54 offset, mm. */
  readonly g54: XYZ;
  /**
   * How far the reported position may be from the program's path in X/Y, mm: the station's
   * position tolerance plus one step of the coarser axis (positions are whole steps).
   */
  readonly tolerance: number;
  /** The same in Z, mm: half a Z step, so that a strike's one-step move tells it apart. */
  readonly zTolerance?: number;
}

export interface JobOptions {
  /** Follow the path: execution is confirmed from positions, and a head off its path stops the job (E_POSITION). */
  readonly track?: TrackOptions;
  /** Which lines strike the part (dot-mode strike lines, scribe segments): 1-based positions, or a test on each line. */
  readonly strikes?: ReadonlySet<number> | ((text: string, position: number) => boolean);
  /** Estimated seconds of each line, aligned with the program (from the compiler's timeline). */
  readonly lineSeconds?: readonly number[];
  /** Or only the total estimate, s; spread evenly over lines. */
  readonly totalSeconds?: number;
  /** How long a stop waits for the feed hold to bring the head to rest before the reset, ms. */
  readonly holdTimeoutMs?: number;
  /** How long a stop waits for the controller's welcome line after the reset, ms. */
  readonly resetTimeoutMs?: number;
  /**
   * The silence watchdog: a controller that sends nothing at all (no `ok`, no status report)
   * for this long while lines are outstanding ends the job `interrupted` ("controller silent"),
   * ms; 0 or absent turns it off. Status is polled all the while, so a live controller is never
   * silent this long; GRBL's own silences (no reports during `$H`, 500 ms after an `ALARM:`
   * line) do not happen inside a job, and an alarm ends the job before its stall.
   */
  readonly silenceTimeoutMs?: number;
}

export type JobOutcomeKind = "completed" | "aborted" | "interrupted" | "failed";

export interface JobOutcome {
  readonly outcome: JobOutcomeKind;
  readonly totalLines: number;
  readonly lastSentLine: number;
  readonly lastAckedLine: number;
  /** Every line up to this one is confirmed executed by the controller. */
  readonly lastExecutedLine: number;
  readonly strikesDone: number;
  readonly strikesTotal: number;
  /** Lines the controller accepted but never confirmed executing: they may or may not have run. */
  readonly unconfirmed?: { readonly from: number; readonly to: number };
  /** The line the controller rejected (outcome "failed"). */
  readonly error?: { readonly code: number; readonly name: string; readonly meaning: string; readonly line: number; readonly text: string };
  /** The alarm that interrupted the job. */
  readonly alarm?: { readonly code: number; readonly name: string; readonly meaning: string };
  /** The head was found off the program's path (outcome "failed"): which line, where it should be and where it is, mm. */
  readonly position?: { readonly line: number; readonly expected: XYZ; readonly reported: XYZ; readonly off: number };
  /** The silence watchdog ended the job: the controller sent nothing while lines were outstanding. */
  readonly silent?: boolean;
  /** One sentence for the technician. */
  readonly reason: string;
  /** Seconds from the first byte to the end. */
  readonly elapsed: number;
}

export interface JobProgress {
  readonly totalLines: number;
  readonly sent: number;
  readonly acked: number;
  readonly executed: number;
  readonly strikesDone: number;
  readonly strikesTotal: number;
  /** Estimated seconds left, when the caller gave estimates. */
  readonly secondsLeft?: number;
  /** Pause asked: nothing more is sent. */
  readonly paused: boolean;
  /** Paused and the head has run everything it was sent: at rest, pin off. */
  readonly drained: boolean;
}

export interface StreamerEvents {
  progress: [progress: JobProgress];
  /** A line left for the controller (job line or command). */
  sent: [text: string];
  /** `ok`/`error` with nobody waiting for it (after a reset, or a stray reply). */
  stray: [line: IncomingLine];
}

interface InFlight {
  readonly bytes: number;
  readonly text: string;
  /** Position in the running job, or undefined for a command or a dead job's line. */
  position: number | undefined;
  command?: { info: string[]; resolve: (info: string[]) => void; reject: (e: Error) => void; settled: boolean };
}

interface RunningJob {
  readonly lines: readonly string[];
  readonly options: JobOptions;
  readonly strikePositions: readonly number[];
  /** sendWithNext[i]: line i+1 must go out in the same write as line i+2 (see pinOffPairs). */
  readonly sendWithNext: readonly boolean[];
  /** The machine path of every line, when tracked. */
  readonly path: readonly LinePath[] | undefined;
  readonly track: TrackOptions | undefined;
  /** Suffix sums of lineSeconds: secondsFrom[i] = seconds of lines i+1… (index by position). */
  readonly secondsFrom: readonly number[] | undefined;
  readonly started: number;
  next: number; // next position to send (1-based)
  acked: number;
  executed: number;
  strikesDone: number;
  /** Index into strikePositions of the first strike not yet executed. */
  strikeIndex: number;
  /** Positions the controller answered error:N to: they did not run, even once later lines have. */
  readonly rejected: Set<number>;
  paused: boolean;
  /** Set once the job must send nothing more; holds the reason it is ending. */
  stopping: { kind: JobOutcomeKind; reason: string; error?: JobOutcome["error"]; alarm?: JobOutcome["alarm"]; position?: JobOutcome["position"]; silent?: boolean } | undefined;
  /** The head was last reported at rest (Idle, or a completed hold). */
  atRest: boolean;
  heldAtRest: boolean;
  resetSeen: boolean;
  /** The host sent its soft reset: answers from now on may be for lines the reset cut short. */
  resetSent: boolean;
  resolve: (o: JobOutcome) => void;
  poll: NodeJS.Timeout | undefined;
  /** The silence watchdog's timer. */
  watchdog: NodeJS.Timeout | undefined;
}

/** Words of a G-code line: letter and number pairs ("N5G1S700G4P0.01" → N5 G1 S700 G4 P0.01). */
function words(text: string): { letter: string; value: number }[] {
  const out: { letter: string; value: number }[] = [];
  const clean = text.replace(/\([^)]*\)|;.*$/g, "").toUpperCase();
  for (const m of clean.matchAll(/([A-Z])\s*([-+]?[0-9]*\.?[0-9]+)/g)) out.push({ letter: m[1]!, value: Number(m[2]) });
  return out;
}

/**
 * Lines whose `ok` comes only after they have run, because GRBL empties the planner before
 * executing them: a dwell (G4: buffer sync, then wait), a spindle/laser change without motion
 * in M3 mode (spindle_sync), M3/M4/M5. So a dot-mode strike `G1S700G4P0.01` is done once acked.
 */
export function syncsOnAck(text: string): boolean {
  const w = words(text);
  if (w.some((x) => x.letter === "G" && x.value === 4)) return true;
  if (w.some((x) => x.letter === "M" && (x.value === 3 || x.value === 4 || x.value === 5))) return true;
  const moves = w.some((x) => x.letter === "X" || x.letter === "Y" || x.letter === "Z");
  return !moves && w.some((x) => x.letter === "S");
}

export class Streamer extends EventEmitter<StreamerEvents> {
  private readonly wire: Wire;
  private _rxBuffer: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private inflight: InFlight[] = [];
  /** The last work offset a status report carried (WCO:), to read WPos reports. */
  private wco: readonly number[] | undefined;
  private inflightBytes = 0;
  private job: RunningJob | undefined;
  /** Most free planner blocks ever reported: the planner's size as this controller sees it. */
  private plannerBlocks = PLANNER_USABLE_BLOCKS;
  private idleWaiters: (() => void)[] = [];
  private holdWaiters: (() => void)[] = [];
  private welcomeWaiters: (() => void)[] = [];
  /** When the controller last said anything (this streamer's clock is real time: performance.now). */
  private lastHeard = performance.now();

  constructor(wire: Wire, options: StreamerOptions = {}) {
    super();
    this.wire = wire;
    this._rxBuffer = options.rxBuffer ?? RX_BUFFER_SIZE;
    this.pollMs = Math.max(options.pollMs ?? 100, options.baud ? minStatusPeriodMs(options.baud) : 0);
    this.now = options.now ?? (() => performance.now());
  }

  get rxBuffer(): number {
    return this._rxBuffer;
  }

  /** Bytes of unanswered lines the controller can hold. */
  get budget(): number {
    return this._rxBuffer;
  }

  /** Usable planner blocks as the controller's `$I` says (14 on builds with line numbers, 15 without). */
  get planner(): number {
    return this.plannerBlocks;
  }

  /** Bytes sent and not yet answered. */
  get bytesInFlight(): number {
    return this.inflightBytes;
  }

  get running(): boolean {
    return this.job !== undefined;
  }

  /** Raise the RX budget from a status report's `Bf:` taken with nothing in flight (grblHAL reports more than 128). */
  learnFromStatus(report: StatusReport): void {
    // Only a report taken at rest with nothing in flight shows the whole buffers free.
    if (!report.bf || report.state !== "Idle" || this.inflight.length > 0 || this.job) return;
    if (report.bf.bytes > this._rxBuffer) this._rxBuffer = report.bf.bytes;
  }

  /** Raise the RX budget to what the controller's `$I` `[OPT:…,rx]` says it has. */
  learnRxBuffer(bytes: number): void {
    if (bytes > this._rxBuffer) this._rxBuffer = bytes;
  }

  /** The planner size from `$I` `[OPT:…,blocks,…]`: 14 or 15 on GRBL 1.1 (planner.h BLOCK_BUFFER_SIZE − 1). */
  learnPlannerBlocks(blocks: number): void {
    if (blocks > 0) this.plannerBlocks = blocks;
  }

  /** A real-time byte: straight to the wire, no queue, no answer. */
  async realtime(byte: number): Promise<void> {
    await this.wire.write(Buffer.from([byte]));
  }

  /**
   * Send one line alone and wait for its `ok`; resolves with the lines the controller printed
   * before it (`$$` settings, `[VER:…]`, `[MSG:…]`). Rejects on `error:N`, alarm, reset,
   * disconnect or timeout.
   */
  async command(text: string, timeoutMs = 5000): Promise<string[]> {
    if (this.job) throw new BridgeError("E_CONTROLLER_BUSY", `cannot send "${text}" while a job is running: wait for it to end or abort it`, { where: text });
    await this.waitEmpty(timeoutMs, text);
    if (this.job) throw new BridgeError("E_CONTROLLER_BUSY", `cannot send "${text}" while a job is running: wait for it to end or abort it`, { where: text });
    return new Promise<string[]>((resolve, reject) => {
      const entry: InFlight = { bytes: text.length + 1, text, position: undefined };
      const timer = setTimeout(() => {
        if (entry.command && !entry.command.settled) {
          entry.command.settled = true;
          reject(new BridgeError("E_CONTROLLER_SILENT", `the controller did not answer "${text}" within ${timeoutMs} ms: check the link and the controller`, { where: text }));
        }
      }, timeoutMs);
      const done = <T>(f: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        if (entry.command!.settled) return;
        entry.command!.settled = true;
        f(v);
      };
      entry.command = { info: [], resolve: done(resolve), reject: done(reject), settled: false };
      this.push(entry);
    });
  }

  /** Stream a program. Resolves with the outcome; never rejects for what the controller does. */
  run(lines: readonly string[], options: JobOptions = {}): Promise<JobOutcome> {
    if (this.job) throw new BridgeError("E_CONTROLLER_BUSY", "a job is already running: wait for it to end or abort it");
    const tooLong = lines.findIndex((l) => l.length + 1 > this.budget);
    if (tooLong >= 0) throw new BridgeError("E_CONTROLLER_REJECTED", `line ${tooLong + 1} is ${lines[tooLong]!.length} bytes; the controller's receive buffer holds ${this.budget} with its line end`, { where: `line ${tooLong + 1}` });
    const strikePositions: number[] = [];
    lines.forEach((text, i) => {
      const pos = i + 1;
      const s = options.strikes;
      if (s && (typeof s === "function" ? s(text, pos) : s.has(pos))) strikePositions.push(pos);
    });
    const path = options.track ? programPath(lines, options.track) : undefined;
    let secondsFrom: number[] | undefined;
    if (options.lineSeconds) {
      secondsFrom = new Array<number>(lines.length + 2).fill(0);
      for (let p = lines.length; p >= 1; p--) secondsFrom[p] = secondsFrom[p + 1]! + (options.lineSeconds[p - 1] ?? 0);
    }
    return new Promise<JobOutcome>((resolve) => {
      this.job = {
        lines,
        options,
        strikePositions,
        sendWithNext: pinOffPairs(lines),
        path,
        track: options.track,
        secondsFrom,
        started: this.now(),
        next: 1,
        acked: 0,
        executed: 0,
        strikesDone: 0,
        strikeIndex: 0,
        rejected: new Set(),
        paused: false,
        stopping: undefined,
        atRest: false,
        heldAtRest: false,
        resetSeen: false,
        resetSent: false,
        resolve,
        poll: undefined,
        watchdog: undefined,
      };
      this.lastHeard = performance.now();
      this.startWatchdog(this.job);
      this.emitProgress();
      this.pump();
      this.checkDone();
    });
  }

  /**
   * Pause at the next safe point: nothing more is sent (a line that leaves the pin on goes out
   * only with its pin-off), the controller runs what it holds and the head stops at rest, pin
   * off, after a whole strike. Progress says `drained` once it stands.
   */
  async pause(): Promise<void> {
    const job = this.job;
    if (!job || job.stopping || job.paused) return;
    job.paused = true;
    this.emitProgress();
    this.startPolling(job);
  }

  /** Go on sending where the pause stopped. */
  async resume(): Promise<void> {
    const job = this.job;
    if (!job || job.stopping || !job.paused) return;
    job.paused = false;
    this.emitProgress();
    this.pump();
  }

  /** Stop the job: feed hold, wait for rest, soft reset (which switches the pin output off). */
  abort(): void {
    const job = this.job;
    if (!job || job.stopping) return;
    this.stop(job, { kind: "aborted", reason: "" });
  }

  /** Feed every classified line from the controller here, in the order it arrived. */
  handle(msg: IncomingLine): void {
    this.lastHeard = performance.now();
    switch (msg.kind) {
      case "ok":
      case "error":
        return this.answer(msg);
      case "alarm":
        return this.onAlarm(msg);
      case "welcome":
        return this.onReset();
      case "status":
        return this.noteStatus(msg.report);
      case "feedback":
        return this.info(`[${msg.tag}:${msg.text}]`);
      case "setting":
        return this.info(`$${msg.id}=${msg.value}`);
      case "other":
        return this.info(msg.text);
    }
  }

  /** The link went away: nothing in flight will be answered. */
  handleDisconnect(error: BridgeError): void {
    const dropped = this.inflight;
    this.clearInflight();
    for (const e of dropped) e.command?.reject(error);
    const job = this.job;
    if (job) {
      const reason = `the link to the controller was lost (${error.message})`;
      if (job.stopping) job.stopping.reason ||= reason;
      this.finish(job, job.stopping && job.stopping.kind !== "aborted" ? job.stopping : { kind: "interrupted", reason });
    }
  }

  // ------------------------------------------------------------------ internals

  /** Send entries in one write, so that they reach the controller together or not at all. */
  private push(...entries: InFlight[]): void {
    for (const entry of entries) {
      this.inflight.push(entry);
      this.inflightBytes += entry.bytes;
      this.emit("sent", entry.text);
    }
    this.wire.write(entries.map((e) => `${e.text}\n`).join("")).catch((e: unknown) => {
      // A failed write means the port is gone; the link's 'disconnected' event ends the job.
      for (const entry of entries) if (entry.command && !entry.command.settled) entry.command.reject(e instanceof Error ? e : new Error(String(e)));
    });
  }

  private pump(): void {
    const job = this.job;
    if (!job || job.stopping) return;
    while (!job.paused && job.next <= job.lines.length) {
      // A line after which the pin is on, followed by the line that switches it off (an M3
      // strike block and the rapid or sync after it), go out in one write: the controller always
      // holds the pin-off before the pin-on block ends, so a host that stalls or dies between
      // them cannot leave the pin hammering at rest.
      const n = job.sendWithNext[job.next - 1] ? 2 : 1;
      const unit = job.lines.slice(job.next - 1, job.next - 1 + n);
      const bytes = unit.reduce((sum, text) => sum + text.length + 1, 0);
      if (this.inflightBytes + bytes > this.budget) break;
      this.push(...unit.map((text, i) => ({ bytes: text.length + 1, text, position: job.next + i })));
      job.next += n;
    }
    this.emitProgress();
    if (job.next > job.lines.length) this.startPolling(job);
  }

  private answer(msg: Extract<IncomingLine, { kind: "ok" | "error" }>): void {
    const entry = this.inflight.shift();
    if (!entry) {
      this.emit("stray", msg);
      return;
    }
    this.inflightBytes -= entry.bytes;
    if (this.inflight.length === 0) this.wakeIdle();
    if (entry.command) {
      if (msg.kind === "ok") entry.command.resolve(entry.command.info);
      else entry.command.reject(new BridgeError("E_CONTROLLER_REJECTED", `the controller rejected "${entry.text}": error:${msg.code} (${msg.entry.name}): ${msg.entry.meaning}`, { where: entry.text, details: { code: msg.code, info: entry.command.info } }));
      return;
    }
    const job = this.job;
    if (!job || entry.position === undefined) return;
    if (msg.kind === "error") {
      // Lines before it were all answered ok (answers come in order), so `acked` stands.
      job.rejected.add(entry.position);
      if (!job.stopping) {
        const error = { code: msg.code, name: msg.entry.name, meaning: msg.entry.meaning, line: entry.position, text: entry.text };
        const reason = `line ${entry.position} "${entry.text}" was rejected: error:${msg.code} (${msg.entry.name}): ${msg.entry.meaning} The job was stopped (feed hold, reset) and nothing more was sent; lines already in the controller's buffer may have run before the hold took effect.`;
        this.stop(job, { kind: "failed", reason, error });
      }
      return;
    }
    // Lines after a rejected one may still be answered (they were in the controller's buffer).
    job.acked = Math.max(job.acked, entry.position);
    // A line that syncs is answered once the planner has run dry and it has run: everything up
    // to it has executed — unless a reset cut the sync short: GRBL then still answers the line
    // (protocol.c protocol_main_loop reports gc_execute_line's status after the abort). So on a
    // tracked path the position confirms it instead (followPath), and untracked only a sync
    // answered before any reset counts.
    if (!job.path && !job.resetSent && syncsOnAck(entry.text)) this.markExecuted(job, entry.position);
    this.pump();
    this.checkDone();
  }

  private info(text: string): void {
    const head = this.inflight[0];
    if (head?.command) head.command.info.push(text);
  }

  /** Confirm execution from a status report; also learn buffer sizes and watch holds. */
  private noteStatus(r: StatusReport): void {
    this.learnFromStatus(r);
    if (r.wco) this.wco = r.wco;
    const rest = (r.state === "Hold" && r.subState === 0) || r.state === "Idle";
    const job = this.job;
    if (job) {
      job.atRest = rest;
      if (job.path && job.track) this.followPath(job, r, rest);
      else if (r.state === "Idle" && this.inflight.length === 0 && r.bf !== undefined && r.bf.blocks >= this.plannerBlocks) {
        // Untracked: only a controller at rest with every line answered and its planner empty
        // has run everything. (Idle alone is not enough: GRBL reports Idle after it acknowledged
        // a motion line and before that line's cycle starts, protocol.c protocol_auto_cycle_start.)
        this.markExecuted(job, job.acked);
      }
      if (job.stopping && (rest || r.state === "Alarm")) job.heldAtRest = true;
      this.emitProgress();
      this.checkDone();
    }
    if (rest || r.state === "Alarm") this.wake(this.holdWaiters);
  }

  /** Machine position from a report: MPos, or WPos plus the last work offset seen. */
  private machinePosition(r: StatusReport): XYZ | undefined {
    const v = r.mpos ?? (r.wpos && this.wco ? r.wpos.map((n, i) => n + (this.wco![i] ?? 0)) : undefined);
    if (!v) return undefined;
    return { x: v[0] ?? 0, y: v[1] ?? 0, z: v[2] ?? 0 };
  }

  /**
   * Read execution off the path: the head is on the stretch of the earliest unconfirmed line
   * it can be on; every line before it has run, and that line too once the head rests at its
   * end (while moving, its last segment may still be running — a strike's pin is on after its
   * only step). Off every stretch of the window: the job stops (E_POSITION).
   */
  private followPath(job: RunningJob, r: StatusReport, rest: boolean): void {
    if (r.state === "Alarm" || r.state === "Home" || job.stopping?.position) return;
    const pos = this.machinePosition(r);
    if (!pos) return;
    const found = locate(job.path!, job.track!.start, pos, job.executed, job.acked, job.track!.tolerance, job.track!.zTolerance);
    if ("fix" in found) {
      let done = found.fix.atEnd && rest ? found.fix.line : found.fix.line - 1;
      // At rest with every line answered and no reset: the lines without motion after it (syncs) have run too.
      if (rest && found.fix.atEnd && this.inflight.length === 0 && !job.resetSent) while (done < job.acked && !job.path![done]!.motion) done++;
      this.markExecuted(job, Math.min(done, job.acked));
      return;
    }
    const expected = restingPoint(job.path!, job.executed, job.track!.start);
    // The line the head should be on: the first unconfirmed one that moves it.
    let line = job.executed + 1;
    while (line < job.lines.length && !job.path![line - 1]!.motion) line++;
    const position = { line, expected, reported: pos, off: found.nearest };
    const at = (p: XYZ) => `X${p.x.toFixed(3)} Y${p.y.toFixed(3)} Z${p.z.toFixed(3)}`;
    const reason = `the head is at ${at(pos)}, ${found.nearest.toFixed(3)} mm from where the program puts it after line ${job.executed} (${at(expected)}, machine coordinates), beyond the ${job.track!.tolerance.toFixed(3)} mm tolerance: a corrupted line, lost steps or a bumped head. The job was stopped (feed hold, reset)`;
    if (job.stopping) return;
    this.stop(job, { kind: "failed", reason, position });
  }

  private markExecuted(job: RunningJob, position: number): void {
    if (position <= job.executed) return;
    job.executed = position;
    // A line is rejected before anything after it can be confirmed (answers come in order).
    while (job.strikeIndex < job.strikePositions.length && job.strikePositions[job.strikeIndex]! <= position) {
      if (!job.rejected.has(job.strikePositions[job.strikeIndex]!)) job.strikesDone++;
      job.strikeIndex++;
    }
    this.emitProgress();
  }

  private onAlarm(msg: Extract<IncomingLine, { kind: "alarm" }>): void {
    const alarm = { code: msg.code, name: msg.entry.name, meaning: msg.entry.meaning };
    for (const e of this.inflight) {
      if (e.command && !e.command.settled) e.command.reject(new BridgeError("E_CONTROLLER_ALARM", `the controller raised ALARM:${msg.code} (${msg.entry.name}) during "${e.text}": ${msg.entry.meaning}`, { where: e.text, details: { code: msg.code } }));
    }
    const job = this.job;
    if (!job) return;
    if (job.stopping) return; // an alarm after our own reset (reset while moving) ends nothing new
    // The controller has halted; what it still answers from its buffer is error:9 (locked).
    // Those lines stay in flight, detached from the job, so their answers are consumed.
    for (const e of this.inflight) e.position = undefined;
    this.finish(job, { kind: "interrupted", reason: `the controller raised ALARM:${msg.code} (${msg.entry.name}): ${msg.entry.meaning}`, alarm });
  }

  private onReset(): void {
    // A reset flushes the controller's buffers: nothing in flight will be answered.
    const dropped = this.inflight;
    this.clearInflight();
    for (const e of dropped) e.command?.reject(new BridgeError("E_CONTROLLER_RESET", `the controller reset while "${e.text}" was waiting for its answer`, { where: e.text }));
    this.wake(this.welcomeWaiters);
    const job = this.job;
    if (!job) return;
    job.resetSeen = true;
    if (job.stopping) {
      this.finish(job, job.stopping);
      return;
    }
    this.finish(job, { kind: "interrupted", reason: "the controller reset itself during the job (power dip, watchdog or someone pressed reset)" });
  }

  private stop(job: RunningJob, why: NonNullable<RunningJob["stopping"]>): void {
    job.stopping = why;
    this.emitProgress();
    void this.haltSequence(job);
  }

  /** Feed hold, wait until the head is at rest (or a short timeout), soft reset, wait for the welcome line. */
  private async haltSequence(job: RunningJob): Promise<void> {
    const holdTimeout = job.options.holdTimeoutMs ?? 2000;
    const resetTimeout = job.options.resetTimeoutMs ?? 3000;
    try {
      job.heldAtRest = false;
      await this.realtime(REALTIME.feedHold);
      this.startPolling(job);
      if (!job.heldAtRest) await this.waitFor(this.holdWaiters, holdTimeout);
      if (this.job !== job) return;
      job.resetSent = true;
      await this.realtime(REALTIME.softReset);
      if (!job.resetSeen) await this.waitFor(this.welcomeWaiters, resetTimeout);
    } catch {
      // The link failed under us: handleDisconnect ends the job.
      return;
    }
    if (this.job === job) {
      // No welcome line came back: the reset's effect is unconfirmed.
      const s = job.stopping!;
      this.clearInflight();
      const before = (s.reason || "aborted on request (feed hold, reset)").replace(/\.$/, "");
      this.finish(job, { ...s, reason: `${before}; the controller did not confirm the reset within ${resetTimeout} ms, check it before the next job` });
    }
  }

  private checkDone(): void {
    const job = this.job;
    if (!job || job.stopping) return;
    const total = job.lines.length;
    if (job.acked === total && job.executed === total) this.finish(job, { kind: "completed", reason: "every line of the program executed" });
  }

  private finish(job: RunningJob, end: NonNullable<RunningJob["stopping"]>): void {
    if (this.job !== job) return;
    this.job = undefined;
    if (job.poll) clearInterval(job.poll);
    if (job.watchdog) clearInterval(job.watchdog);
    const lastSentLine = job.next - 1;
    const strikesTotal = job.strikePositions.length;
    let reason = end.reason;
    if (end.kind !== "completed") {
      const base = end.kind === "aborted" && !reason ? "aborted on request (feed hold, reset)" : reason.replace(/\.$/, "");
      const where = job.executed === 0 ? "no line was confirmed executed" : `the last line confirmed executed is ${job.executed} "${job.lines[job.executed - 1]}"`;
      const strikes = strikesTotal ? ` (${job.strikesDone} of ${strikesTotal} strikes done)` : "";
      const unsure = job.acked > job.executed + 1 ? `; lines ${job.executed + 1}–${job.acked} were accepted and may have run` : job.acked > job.executed ? `; line ${job.acked} was accepted and may have run` : "";
      reason = `${base}. ${where[0]!.toUpperCase()}${where.slice(1)}${strikes}${unsure}.`;
    }
    const outcome: JobOutcome = {
      outcome: end.kind,
      totalLines: job.lines.length,
      lastSentLine,
      lastAckedLine: job.acked,
      lastExecutedLine: job.executed,
      strikesDone: job.strikesDone,
      strikesTotal,
      ...(end.kind !== "completed" && job.acked > job.executed ? { unconfirmed: { from: job.executed + 1, to: job.acked } } : {}),
      ...(end.error ? { error: end.error } : {}),
      ...(end.alarm ? { alarm: end.alarm } : {}),
      ...(end.position ? { position: end.position } : {}),
      ...(end.silent ? { silent: true } : {}),
      reason,
      elapsed: (this.now() - job.started) / 1000,
    };
    job.resolve(outcome);
  }

  /**
   * Watch for a controller gone silent with the port open (a hung board, a broken TX wire):
   * lines outstanding and nothing heard for `silenceTimeoutMs` ends the job, serial held by the
   * caller ("interrupted"). The halt still sends feed hold and reset: if the controller hears
   * but cannot speak, the reset switches the pin off.
   */
  private startWatchdog(job: RunningJob): void {
    const limit = job.options.silenceTimeoutMs ?? 0;
    if (!(limit > 0)) return;
    job.watchdog = setInterval(() => {
      if (this.job !== job || job.stopping) return;
      const outstanding = this.inflight.length > 0 || job.executed < job.next - 1;
      if (!outstanding) {
        this.lastHeard = performance.now();
        return;
      }
      const quiet = performance.now() - this.lastHeard;
      if (quiet < limit) return;
      this.stop(job, {
        kind: "interrupted",
        reason: `controller silent: nothing (no ok, no status report) came from the controller for ${(quiet / 1000).toFixed(1)} s with ${this.inflight.length} line(s) unanswered; it may have run what it held. The job was stopped (feed hold, reset)`,
        silent: true,
      });
    }, Math.max(20, Math.min(250, limit / 4)));
    job.watchdog.unref?.();
  }

  private startPolling(job: RunningJob): void {
    if (job.poll || this.job !== job) return;
    void this.realtime(REALTIME.statusReport).catch(() => undefined);
    job.poll = setInterval(() => void this.realtime(REALTIME.statusReport).catch(() => undefined), this.pollMs);
  }

  private emitProgress(): void {
    const job = this.job;
    if (!job) return;
    const total = job.lines.length;
    let secondsLeft: number | undefined;
    if (job.secondsFrom) secondsLeft = job.secondsFrom[job.executed + 1];
    else if (job.options.totalSeconds !== undefined && total > 0) secondsLeft = job.options.totalSeconds * (1 - job.executed / total);
    this.emit("progress", {
      totalLines: total,
      sent: job.next - 1,
      acked: job.acked,
      executed: job.executed,
      strikesDone: job.strikesDone,
      strikesTotal: job.strikePositions.length,
      ...(secondsLeft === undefined ? {} : { secondsLeft }),
      paused: job.paused,
      drained: job.paused && job.atRest && this.inflight.length === 0 && job.executed >= job.next - 1,
    });
  }

  private clearInflight(): void {
    this.inflight = [];
    this.inflightBytes = 0;
    this.wakeIdle();
  }

  private wakeIdle(): void {
    this.wake(this.idleWaiters);
  }

  private wake(list: (() => void)[]): void {
    const waiters = list.splice(0);
    for (const w of waiters) w();
  }

  private waitFor(list: (() => void)[], timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        const i = list.indexOf(wake);
        if (i >= 0) list.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      list.push(wake);
    });
  }

  private async waitEmpty(timeoutMs: number, text: string): Promise<void> {
    if (this.inflight.length === 0) return;
    const ok = await this.waitFor(this.idleWaiters, timeoutMs);
    if (!ok && this.inflight.length > 0) {
      throw new BridgeError("E_CONTROLLER_SILENT", `cannot send "${text}": ${this.inflight.length} earlier line(s) are still unanswered after ${timeoutMs} ms; reset the controller`, { where: text });
    }
  }
}

/**
 * Which lines must be sent together with the next one: those after which the pin output is
 * on and after whose successor it is off. The pin follows GRBL's laser mode (PROTOCOL.md):
 * on only with M3, a G1/G2/G3 motion mode and S above 0; G0 and M5 switch it off; M4 (power
 * scaled by speed) is off at rest. State starts as after a reset: M5, G0, S0.
 */
export function pinOffPairs(lines: readonly string[]): boolean[] {
  let spindle = 5;
  let motion = 0;
  let power = 0;
  const onAfter = lines.map((text) => {
    const words = text.toUpperCase().replace(/\(.*?\)|;.*$/g, "").replace(/\s+/g, "");
    for (const [, letter, value] of words.matchAll(/([A-Z])(-?\d*\.?\d+)/g)) {
      const v = Number(value);
      if (letter === "G" && [0, 1, 2, 3].includes(v)) motion = v;
      else if (letter === "M" && [3, 4, 5].includes(v)) spindle = v;
      else if (letter === "S") power = v;
    }
    return spindle === 3 && motion !== 0 && power > 0;
  });
  return onAfter.map((on, i) => on && i + 1 < lines.length && !onAfter[i + 1]);
}
