/**
 * Differential harness: one script (lines and real-time bytes with timing) run against the
 * simulated head and against GRBL's own firmware built for the host (grbl-host: a pty, a
 * virtual clock, an events log of every serial line and pin change in simulated time).
 *
 * A run gives a Transcript: what went in (each line or real-time byte with the simulated time
 * its first byte arrived), what came out (each line with the time it was complete), and every
 * change of the spindle/pin output with the machine position. The firmware's transcript is
 * the reference: its inputs are replayed into the simulated head at exactly the recorded
 * times, so both see the same bytes at the same instants however loaded the test machine
 * was, and then the outputs are compared.
 *
 * The firmware binary is never part of the repository: PEENMARK_GRBL_SIM names one built
 * outside it (e.g. /work/grbl-host/bin/grbl-stock), PEENMARK_GRBL_BUILD its build (stock,
 * origin, stock-ln, origin-ln; default: read from $I).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { SimHead, SWITCH_MARGIN, type BuildName } from "../../../firmware-bridge/sim/index.ts";

/** One step of a script. Times are simulated seconds. */
export type Step =
  /** Send a line (or lines); `\n` is added when missing. */
  | { readonly send: string }
  /** A real-time byte ("?", "!", "~", 0x18, 0x85, …). */
  | { readonly rt: string | number }
  /** Let simulated time pass. */
  | { readonly wait: number }
  /** Wait until the head has said a line matching this (at most `timeout` simulated seconds, default 30). */
  | { readonly until: RegExp; readonly timeout?: number };

export interface Script {
  readonly name: string;
  /** What the script pins, with the GRBL source it comes from. */
  readonly about: string;
  readonly builds: readonly BuildName[];
  /** Settings sent first, one at a time, onto GRBL's defaults (a freshly flashed board). */
  readonly settings?: Readonly<Record<number, number>>;
  readonly steps: readonly Step[];
  /** Timing tolerance for output lines, s (default 0.003). */
  readonly lineTolerance?: number;
  /** Timing tolerance for pin events, s (default 0.001). */
  readonly pinTolerance?: number;
  /** Positions in status reports during motion may differ by this much, mm (default 0.05). */
  readonly motionTolerance?: number;
  /**
   * Compare loosely (compare.ts compareLoosely), and why: for a script whose outcome hinges on
   * an instant the two targets place a little differently, so times, positions and Bf differ
   * while the behaviour is the same.
   */
  readonly loose?: string;
  /** Wire speed, bits/s (default 115200). */
  readonly baud?: number;
  /** Where the head is at power-up, mm from each axis' negative switch (default: the middle of the travel). */
  readonly start?: { readonly x: number; readonly y: number; readonly z: number };
  /** What the script pins, checked on the simulated head's transcript (run in CI with or without a firmware). */
  readonly check?: (t: Transcript) => void;
}

export interface Transcript {
  readonly source: "sim" | "grbl";
  readonly build: BuildName;
  /** What arrived, in order: the bytes and the simulated time the first of them was received. */
  readonly inputs: { readonly t: number; readonly bytes: string }[];
  /** Each line the controller said, with the time it was complete on the wire. */
  readonly lines: { readonly t: number; readonly text: string }[];
  readonly pins: { readonly t: number; readonly pwm: number; readonly x: number; readonly y: number; readonly z: number }[];
}

export const BAUD = 115200;
/** One byte's time on the script's wire, s (10 bits). */
const byteTime = (script: Script) => 10 / (script.baud ?? BAUD);
/** The bench machine's soft-limit travel the scripts use ($130–$132 after the settings); the switches sit 1 mm beyond. */
export const SCRIPT_TRAVEL = { x: 102, y: 82, z: 10 };

/** Mechanics both targets share: switches $13x + 2 × 1 mm apart, the head in the middle at power-up. */
export function mechanicsOf(script: Script): { travel: { x: number; y: number; z: number }; start: { x: number; y: number; z: number } } {
  const s = script.settings ?? {};
  const t = { x: (s[130] ?? SCRIPT_TRAVEL.x) + 2 * SWITCH_MARGIN, y: (s[131] ?? SCRIPT_TRAVEL.y) + 2 * SWITCH_MARGIN, z: (s[132] ?? SCRIPT_TRAVEL.z) + 2 * SWITCH_MARGIN };
  return { travel: t, start: script.start ?? { x: t.x / 2, y: t.y / 2, z: t.z / 2 } };
}

function rtByte(rt: string | number): string {
  return typeof rt === "number" ? String.fromCharCode(rt) : rt;
}

/** The inputs of a script: settings first (each waiting for its ok; $22 before $20, which needs it), then the steps. */
function settingLines(script: Script): string[] {
  const entries = Object.entries(script.settings ?? {}).map(([k, v]) => [Number(k), v] as const);
  entries.sort(([a], [b]) => (a === 22 ? -1 : b === 22 ? 1 : a - b));
  return entries.map(([k, v]) => `$${k}=${v}`);
}

/** The part of a transcript after the settings: what the script's own steps sent and got. */
export function stepsOf(script: Script, t: Transcript): Transcript {
  const n = settingLines(script).length;
  const from = t.inputs[n]?.t ?? Infinity;
  return { ...t, inputs: t.inputs.slice(n), lines: t.lines.filter((l) => l.t >= from), pins: t.pins.filter((p) => p.t >= from) };
}

// ---------------------------------------------------------------- the simulated head

function simHead(script: Script, build: BuildName): { head: SimHead; transcript: Transcript } {
  const head = new SimHead({ build, factorySettings: true, baud: script.baud ?? BAUD, mechanics: mechanicsOf(script) });
  const transcript: Transcript = { source: "sim", build, inputs: [], lines: [], pins: [] };
  let buf = "";
  head.on("output", (d) => {
    buf += d.toString("latin1");
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      transcript.lines.push({ t: head.now, text: buf.slice(0, i).replace(/\r$/, "") });
      buf = buf.slice(i + 1);
    }
  });
  head.on("pin", (e) => transcript.pins.push({ t: e.t, pwm: e.pwm, x: e.x, y: e.y, z: e.z }));
  return { head, transcript };
}

/** Run a script on the simulated head with the script's own timing (what CI does without a firmware). */
export function runOnSim(script: Script, build: BuildName): Transcript {
  const { head, transcript } = simHead(script, build);
  head.advance(0.1); // power-up: welcome (no host connected to hear it, as with grbl-host)
  const BYTE = byteTime(script);
  const write = (bytes: string) => {
    transcript.inputs.push({ t: head.now + BYTE, bytes });
    head.write(bytes);
  };
  const waitFor = (re: RegExp, timeout: number, from: number) => {
    const end = head.now + timeout;
    while (head.now < end) {
      if (transcript.lines.slice(from).some((l) => re.test(l.text))) return;
      head.advance(0.001);
    }
    throw new Error(`${script.name} on the sim (${build}): no line matching ${re} within ${timeout} s; said ${JSON.stringify(transcript.lines.slice(from).map((l) => l.text))}`);
  };
  for (const line of settingLines(script)) {
    const from = transcript.lines.length;
    write(line + "\n");
    waitFor(/^(ok|error:\d+)$/, 5, from);
  }
  for (const step of script.steps) {
    if ("send" in step) write(step.send.endsWith("\n") ? step.send : step.send + "\n");
    else if ("rt" in step) write(rtByte(step.rt));
    else if ("wait" in step) head.advance(step.wait);
    else waitFor(step.until, step.timeout ?? 30, transcript.lines.length);
  }
  head.advance(0.5);
  const first = transcript.inputs[0]?.t ?? 0;
  return { ...transcript, lines: transcript.lines.filter((l) => l.t >= first), pins: transcript.pins.filter((p) => p.t >= first) };
}

/** Replay a firmware transcript's inputs into the simulated head at exactly their recorded times. */
export function replayOnSim(script: Script, reference: Transcript): Transcript {
  const { head, transcript } = simHead(script, reference.build);
  const BYTE = byteTime(script);
  for (const input of reference.inputs) {
    const at = input.t - BYTE; // head.write's first byte arrives one byte time later
    if (at > head.now) head.advance(at - head.now);
    transcript.inputs.push({ t: head.now + BYTE, bytes: input.bytes });
    head.write(input.bytes);
  }
  const end = Math.max(reference.lines.at(-1)?.t ?? 0, reference.pins.at(-1)?.t ?? 0) + 0.2;
  if (end > head.now) head.advance(end - head.now);
  const first = reference.inputs[0]?.t ?? 0;
  return { ...transcript, lines: transcript.lines.filter((l) => l.t >= first), pins: transcript.pins.filter((p) => p.t >= first) };
}

// ---------------------------------------------------------------- GRBL's firmware on the host

export interface FirmwareTarget {
  /** The grbl-host binary. */
  readonly binary: string;
  /** Its build (as the binary's name says). */
  readonly build: BuildName;
  /** Simulated seconds per wall second the firmware runs at (slower is more precise for timed bytes). */
  readonly rate: number;
}

/** The firmware named by PEENMARK_GRBL_SIM, if any. */
export function firmwareFromEnv(): FirmwareTarget | undefined {
  const binary = process.env.PEENMARK_GRBL_SIM;
  if (!binary) return undefined;
  if (!existsSync(binary)) throw new Error(`PEENMARK_GRBL_SIM=${binary}: no such file`);
  const named = process.env.PEENMARK_GRBL_BUILD ?? /grbl-(stock-ln|origin-ln|stock|origin)$/.exec(binary)?.[1];
  if (!named) throw new Error(`PEENMARK_GRBL_BUILD is not set and ${binary}'s name does not say its build (stock, origin, stock-ln, origin-ln)`);
  return { binary, build: named as BuildName, rate: Number(process.env.PEENMARK_GRBL_RATE ?? 0.5) };
}

interface EventsLog {
  inputs: Transcript["inputs"];
  lines: Transcript["lines"];
  pins: Transcript["pins"];
  now: number;
}

/** Parse a grbl-host events log: `rx <t_us> <line>`, `rt <t_us> 0xNN`, `tx <t_us> <line>`, `pin <t_us> <pwm> <x> <y> <z>`. */
export function parseEventsLog(text: string): EventsLog {
  const log: EventsLog = { inputs: [], lines: [], pins: [], now: 0 };
  for (const raw of text.split("\n")) {
    if (raw.startsWith("#") || raw === "") continue;
    const m = /^(\S+) (\d+)(?: (.*))?$/.exec(raw);
    if (!m) continue;
    const t = Number(m[2]) / 1e6;
    log.now = Math.max(log.now, t);
    const rest = m[3] ?? "";
    if (m[1] === "rx") log.inputs.push({ t, bytes: rest + "\n" });
    else if (m[1] === "rt") log.inputs.push({ t, bytes: String.fromCharCode(parseInt(rest, 16)) });
    else if (m[1] === "tx") log.lines.push({ t, text: rest.replace(/\r$/, "") });
    else if (m[1] === "pin") {
      const [pwm, x, y, z] = rest.split(" ").map(Number);
      log.pins.push({ t, pwm: pwm!, x: x!, y: y!, z: z! });
    }
  }
  return log;
}

/** Run a script on the firmware over its pty, in wall time scaled by the firmware's rate. */
export async function runOnFirmware(script: Script, fw: FirmwareTarget): Promise<Transcript> {
  const dir = mkdtempSync(join(tmpdir(), "peenmark-grbl-"));
  const link = join(dir, "tty");
  const events = join(dir, "events.log");
  const m = mechanicsOf(script);
  // PEENMARK_GRBL_SAMPLE_US: also log the position every so many µs (kept with PEENMARK_GRBL_KEEP_EVENTS=dir).
  const sample = process.env.PEENMARK_GRBL_SAMPLE_US ? ["--sample-us", process.env.PEENMARK_GRBL_SAMPLE_US] : [];
  const child = spawn(fw.binary, ["--pty", link, "--events", events, "--log-serial", "--rate", String(fw.rate), "--baud", String(script.baud ?? BAUD), "--travel", `${m.travel.x},${m.travel.y},${m.travel.z}`, "--start", `${m.start.x},${m.start.y},${m.start.z}`, ...sample], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    for (let i = 0; i < 200 && !existsSync(link); i++) await sleep(25);
    if (!existsSync(link)) throw new Error(`${fw.binary} did not create its pty: ${stderr}`);
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const p = new SerialPort({ path: link, baudRate: BAUD, hupcl: false }, (e) => (e ? reject(e) : resolve(p)));
    });
    const heard: string[] = [];
    let buf = "";
    port.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        heard.push(buf.slice(0, i).replace(/\r$/, ""));
        buf = buf.slice(i + 1);
      }
    });
    const wall = (simSeconds: number) => (simSeconds / fw.rate) * 1000;
    const waitFor = async (re: RegExp, timeout: number, from: number) => {
      const end = Date.now() + wall(timeout) + 2000;
      while (Date.now() < end) {
        if (heard.slice(from).some((l) => re.test(l))) return;
        await sleep(2);
      }
      throw new Error(`${script.name} on ${fw.binary}: no line matching ${re}; said ${JSON.stringify(heard.slice(from))}`);
    };
    await sleep(wall(0.1));
    for (const line of settingLines(script)) {
      const from = heard.length;
      port.write(line + "\n");
      await waitFor(/^(ok|error:\d+)$/, 5, from);
    }
    for (const step of script.steps) {
      if ("send" in step) port.write(step.send.endsWith("\n") ? step.send : step.send + "\n");
      else if ("rt" in step) port.write(Buffer.from(rtByte(step.rt), "latin1"));
      else if ("wait" in step) await sleep(wall(step.wait));
      else await waitFor(step.until, step.timeout ?? 30, heard.length);
    }
    await sleep(wall(0.5));
    await new Promise<void>((resolve) => port.close(() => resolve()));
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
  const log = parseEventsLog(readFileSync(events, "utf8"));
  const keep = process.env.PEENMARK_GRBL_KEEP_EVENTS;
  if (keep) writeFileSync(join(keep, `${script.name}.${fw.build}.events.log`), readFileSync(events));
  rmSync(dir, { recursive: true, force: true });
  // Lines said before the host spoke (the power-up welcome) went to no one.
  const first = log.inputs[0]?.t ?? 0;
  // (and grbl-host logs the output's initial state at power-up)
  return { source: "grbl", build: fw.build, inputs: log.inputs, lines: log.lines.filter((l) => l.t >= first), pins: log.pins.filter((p) => p.t >= first) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
