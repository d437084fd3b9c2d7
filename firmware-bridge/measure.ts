import { classifyLine, minStatusPeriodMs } from "./protocol.ts";
import { SimHead, type SimHeadOptions, type Strike } from "./sim/head.ts";
import { Streamer, type JobOptions, type JobOutcome } from "./streamer.ts";
import { buildFeatures, workOrigin } from "./settings-check.ts";

/**
 * How long a program takes to mark when streamed over the serial link, in the simulated
 * head's virtual time: bytes take their time on the wire at the baud rate (10 bits a byte),
 * the head's 128-byte RX buffer and 16-block planner fill and drain as on GRBL, and the host
 * (this process's Streamer, character counting) answers the instant a line arrives. Divide
 * by the planner-limited time (kinematics.timeline with GRBL_LOOKAHEAD) to get the streaming
 * overhead; the difference is what the link and the ok round trips cost.
 *
 * Homing (when the head needs it) and the move to `from` happen first and are not counted.
 * No wall clock is read for the result.
 */
export interface StreamingMeasurement {
  /** Virtual seconds from the first byte of the program to the head at rest after the last line. */
  readonly seconds: number;
  /** The job outcome as the host saw it (`elapsed` is virtual time too). */
  readonly outcome: JobOutcome;
  /** What the pin struck, in order, in the program's (work) coordinates. */
  readonly strikes: readonly Strike[];
  /** Bytes the head's RX buffer had to drop (0 unless flow control is broken). */
  readonly lostBytes: number;
  /** Bytes the host wrote for the job (lines, line ends and status queries). */
  readonly bytesSent: number;
}

export interface MeasureOptions {
  /** The simulated head: machine, settings, baud (default 115200), faults. */
  readonly head?: SimHeadOptions;
  /** Strike lines, for `outcome.strikesDone` (see JobOptions.strikes). */
  readonly strikes?: JobOptions["strikes"];
  /** Receive buffer the host assumes, bytes (default 128). */
  readonly rxBuffer?: number;
  /** Status reports the host asks for per second of virtual time, as the driver polls (default 5). */
  readonly statusHz?: number;
  /**
   * Where the head waits when the job starts, mm (e.g. the station's park position, where
   * the compiler's estimate starts). Default: where homing leaves it, machine zero.
   */
  readonly from?: { readonly x: number; readonly y: number };
  /** Give up after this much virtual time, s. */
  readonly maxSeconds?: number;
}

export async function measureStreaming(lines: readonly string[], options: MeasureOptions = {}): Promise<StreamingMeasurement> {
  const head = new SimHead(options.head ?? {});
  let bytesSent = 0;
  let counting = false;
  const streamer = new Streamer(
    {
      write: async (bytes) => {
        if (counting) bytesSent += bytes.length;
        head.write(bytes);
      },
    },
    // The host's own end-of-job poll runs on the wall clock; here the loop below asks instead.
    { now: () => head.now * 1000, pollMs: 3_600_000, ...(options.rxBuffer === undefined ? {} : { rxBuffer: options.rxBuffer }) },
  );
  let partial = "";
  head.on("output", (buf) => {
    partial += buf.toString("latin1");
    let nl: number;
    while ((nl = partial.indexOf("\n")) >= 0) {
      const line = partial.slice(0, nl).replace(/\r$/, "");
      partial = partial.slice(nl + 1);
      if (line) streamer.handle(classifyLine(line));
    }
  });
  const maxSeconds = options.maxSeconds ?? 3600;

  /** When the head last came to rest (entered Idle): the end of marking, not when the host noticed. */
  let idleAt = head.now;
  let activity = false;
  head.on("output", () => (activity = true));
  head.on("input", () => (activity = true));

  /**
   * Run the head event by event until `p` settles, giving the host a turn between events. A
   * polling host asks for a status report every 1/statusHz s (never faster than the link
   * carries them, as the driver); when the head has nothing
   * scheduled the host asks at once (the job is waiting for the Idle report).
   */
  async function drive<T>(p: Promise<T>): Promise<T> {
    let settled = false;
    void p.then(
      () => (settled = true),
      () => (settled = true),
    );
    const limit = head.now + maxSeconds;
    const period = Math.max(1 / (options.statusHz ?? 5), minStatusPeriodMs(options.head?.baud ?? 115200) / 1000);
    let nextPoll = head.now + period;
    let quiet = 0;
    while (!settled) {
      // Let promise callbacks (command answers, the job's end) run before time moves on.
      await new Promise<void>((r) => setImmediate(r));
      if (settled) break;
      activity = false;
      const before = head.machineState;
      const moved = head.step();
      if (before !== "Idle" && head.machineState === "Idle") idleAt = head.now;
      if (head.now > limit) throw new Error(`the job took more than ${maxSeconds} s of virtual time`);
      if (head.now >= nextPoll) {
        void streamer.realtime(0x3f);
        nextPoll = head.now + period;
      }
      if (moved || activity) {
        quiet = 0;
        continue;
      }
      if (++quiet > 3) throw new Error("the simulated head has nothing to do and the host is still waiting");
      void streamer.realtime(0x3f);
    }
    return p;
  }

  head.runUntilIdle();
  if (head.machineState === "Alarm") await drive(streamer.command("$H", 600_000));
  // As the driver does before a job: G54 is the homed origin, so program coordinates are
  // work-area coordinates on any build (driver.ts ensureWorkOffset).
  const origin = workOrigin(head.settings, buildFeatures({ codes: head.buildOptions, blocks: 15, rxBuffer: 128 }));
  await drive(streamer.command(`G10L2P1X${+origin.x.toFixed(3)}Y${+origin.y.toFixed(3)}Z0`, 600_000));
  if (options.from) {
    await drive(streamer.command(`G90G0X${+options.from.x.toFixed(3)}Y${+options.from.y.toFixed(3)}`, 600_000));
    head.runUntilIdle();
  }
  const strikesBefore = head.strikes.length;
  const t0 = head.now;
  counting = true;
  const outcome = await drive(streamer.run(lines, options.strikes ? { strikes: options.strikes } : {}));
  const strikes = head.strikes.slice(strikesBefore).map((s) => ({ ...s, x: s.x - origin.x, y: s.y - origin.y }));
  return { seconds: (outcome.outcome === "completed" ? idleAt : head.now) - t0, outcome, strikes, lostBytes: head.lostBytes, bytesSent };
}
