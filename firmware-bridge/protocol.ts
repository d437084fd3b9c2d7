/**
 * The GRBL 1.1 wire vocabulary, declared once: the host (link, streamer, driver) parses with
 * it and the simulated head formats with it, so the two sides cannot drift apart.
 * Source: GRBL 1.1 doc/markdown/interface.md (messages, status report fields) and
 * commands.md (real-time bytes). Lines end in "\r\n" from the controller, "\n" to it.
 */
import { GRBL_SETTINGS, grblAlarm, grblError, grblSetting, type CodeEntry } from "./codes.ts";

export * from "./codes.ts";

/** GRBL 1.1's serial receive buffer, bytes (RX_BUFFER_SIZE): the character-counting budget. */
export const RX_BUFFER_SIZE = 128;
/** Planner ring buffer (BLOCK_BUFFER_SIZE); one slot is always kept free, so 15 are usable. */
export const PLANNER_BLOCKS = 16;
export const PLANNER_USABLE_BLOCKS = PLANNER_BLOCKS - 1;
/** GRBL's LINE_BUFFER_SIZE: a line may hold at most 79 significant characters (comments and spaces excluded). */
export const LINE_BUFFER_SIZE = 80;
/** 8N1 framing: one start bit, eight data bits, one stop bit. */
export const BITS_PER_BYTE = 10;
/** The longest status report a station's settings produce ($10=3, WCO, Ln, FS, Ov, Pn), bytes with CR LF. */
export const LONGEST_STATUS_REPORT = 110;

/**
 * The shortest time between status requests a link can carry, ms: twice the longest report's
 * time on the wire. GRBL's main program waits in serial_write() while its TX ring is full,
 * with no check point, so a host that asks faster than the reports leave starves the segment
 * buffer: the head stops with blocks queued and a sync after them never completes (see
 * PROTOCOL.md, "A sync can hang on a saturated link"). 19 ms at 115200 baud, 917 ms at 2400.
 */
export function minStatusPeriodMs(baud: number): number {
  return Math.ceil((2 * LONGEST_STATUS_REPORT * BITS_PER_BYTE * 1000) / baud);
}

export const GRBL_VERSION = "1.1h";
export const GRBL_BUILD_DATE = "20190830";
export const WELCOME = `Grbl ${GRBL_VERSION} ['$' for help]`;
/** What the controller prints after a reset when homing is enabled and it locks out G-code. */
export const UNLOCK_HINT = "'$H'|'$X' to unlock";
export const EOL_FROM_CONTROLLER = "\r\n";
export const EOL_TO_CONTROLLER = "\n";

/**
 * Real-time bytes: acted on the moment they arrive, never queued, never answered with ok.
 * The ASCII four may appear anywhere in the stream; the rest are above 0x7F and cannot occur
 * in G-code text.
 */
export const REALTIME = {
  statusReport: 0x3f, // "?"
  cycleStart: 0x7e, // "~" resume after a feed hold
  feedHold: 0x21, // "!" decelerate to a stop, keep position
  softReset: 0x18, // Ctrl-X: stop at once, flush, reboot the protocol
  safetyDoor: 0x84,
  jogCancel: 0x85,
  feedOverrideReset: 0x90, // feed 100 %
  feedOverridePlus10: 0x91,
  feedOverrideMinus10: 0x92,
  feedOverridePlus1: 0x93,
  feedOverrideMinus1: 0x94,
  rapidOverrideReset: 0x95, // rapid 100 %
  rapidOverrideHalf: 0x96, // rapid 50 %
  rapidOverrideQuarter: 0x97, // rapid 25 %
  spindleOverrideReset: 0x99, // spindle (pin power) 100 %
  spindleOverridePlus10: 0x9a,
  spindleOverrideMinus10: 0x9b,
  spindleOverridePlus1: 0x9c,
  spindleOverrideMinus1: 0x9d,
  spindleStopToggle: 0x9e, // only while held
  floodToggle: 0xa0,
  mistToggle: 0xa1,
} as const;

export type RealtimeName = keyof typeof REALTIME;

const REALTIME_BY_BYTE: ReadonlyMap<number, RealtimeName> = new Map(Object.entries(REALTIME).map(([k, v]) => [v, k as RealtimeName]));

/** The real-time command a byte stands for, if any. */
export function realtimeName(byte: number): RealtimeName | undefined {
  return REALTIME_BY_BYTE.get(byte);
}

/** GRBL treats every byte ≥ 0x80 as real-time (unknown ones are ignored), plus ? ! ~ and 0x18. */
export function isRealtimeByte(byte: number): boolean {
  return byte >= 0x80 || byte === REALTIME.statusReport || byte === REALTIME.cycleStart || byte === REALTIME.feedHold || byte === REALTIME.softReset;
}

// ---------------------------------------------------------------- states and status reports

export const MACHINE_STATES = ["Idle", "Run", "Hold", "Jog", "Alarm", "Door", "Check", "Home", "Sleep"] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

export interface StatusReport {
  readonly state: MachineState;
  /** Hold and Door carry a sub-state: Hold:0 complete, Hold:1 in progress. */
  readonly subState?: number;
  /** Machine position, mm (x, y, z), when $10 bit 0 is set. */
  readonly mpos?: readonly number[];
  /** Work position, mm, when $10 bit 0 is clear. */
  readonly wpos?: readonly number[];
  /** Free planner blocks and free RX bytes ($10 bit 1). */
  readonly bf?: { readonly blocks: number; readonly bytes: number };
  /** Line number (N) of the block executing now. */
  readonly ln?: number;
  /** Current feed, mm/min, and spindle (pin power S), from FS:. */
  readonly fs?: { readonly feed: number; readonly spindle: number };
  /** Current feed alone, from F: (builds without variable spindle). */
  readonly f?: number;
  /** Input pins that are active: letters from XYZPDHRS. */
  readonly pins?: string;
  /** Overrides, percent: feed, rapid, spindle. */
  readonly ov?: { readonly feed: number; readonly rapid: number; readonly spindle: number };
  /** Work coordinate offset, mm. */
  readonly wco?: readonly number[];
  /** Accessory state: S spindle CW, C CCW, F flood, M mist. */
  readonly accessories?: string;
}

/** GRBL prints positions with 3 decimals in mm mode (N_DECIMAL_COORDVALUE_MM). */
function coords(v: readonly number[]): string {
  return v.map((n) => fixed(n, 3)).join(",");
}

/** Fixed decimals without "-0.000". */
function fixed(n: number, decimals: number): string {
  const s = n.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** A status report line as GRBL 1.1 prints it (without the line ending), fields in GRBL's order. */
export function formatStatus(r: StatusReport): string {
  const parts: string[] = [r.subState === undefined ? r.state : `${r.state}:${r.subState}`];
  if (r.mpos) parts.push(`MPos:${coords(r.mpos)}`);
  if (r.wpos) parts.push(`WPos:${coords(r.wpos)}`);
  if (r.bf) parts.push(`Bf:${r.bf.blocks},${r.bf.bytes}`);
  if (r.ln !== undefined) parts.push(`Ln:${r.ln}`);
  if (r.fs) parts.push(`FS:${fixed(r.fs.feed, 0)},${fixed(r.fs.spindle, 0)}`);
  if (r.f !== undefined) parts.push(`F:${fixed(r.f, 0)}`);
  if (r.pins) parts.push(`Pn:${r.pins}`);
  if (r.wco) parts.push(`WCO:${coords(r.wco)}`);
  if (r.ov) parts.push(`Ov:${r.ov.feed},${r.ov.rapid},${r.ov.spindle}`);
  if (r.accessories) parts.push(`A:${r.accessories}`);
  return `<${parts.join("|")}>`;
}

function numbers(text: string, count?: number): number[] | undefined {
  const parts = text.split(",");
  if (count !== undefined && parts.length !== count) return undefined;
  const out = parts.map((p) => (/^-?\d+(\.\d+)?$/.test(p) ? Number(p) : NaN));
  return out.some((n) => Number.isNaN(n)) ? undefined : out;
}

/** Parse `<…>`; undefined when the line is not a well-formed GRBL 1.1 status report. Unknown fields are skipped. */
export function parseStatus(line: string): StatusReport | undefined {
  const m = /^<([^>]*)>$/.exec(line.trim());
  if (!m) return undefined;
  const [head, ...fields] = m[1]!.split("|");
  const sm = /^([A-Za-z]+)(?::(\d+))?$/.exec(head ?? "");
  if (!sm || !(MACHINE_STATES as readonly string[]).includes(sm[1]!)) return undefined;
  const r: { -readonly [K in keyof StatusReport]: StatusReport[K] } = { state: sm[1] as MachineState };
  if (sm[2] !== undefined) r.subState = Number(sm[2]);
  for (const field of fields) {
    const colon = field.indexOf(":");
    if (colon < 0) return undefined;
    const key = field.slice(0, colon);
    const value = field.slice(colon + 1);
    switch (key) {
      case "MPos":
      case "WPos":
      case "WCO": {
        const v = numbers(value);
        if (!v) return undefined;
        if (key === "MPos") r.mpos = v;
        else if (key === "WPos") r.wpos = v;
        else r.wco = v;
        break;
      }
      case "Bf": {
        const v = numbers(value, 2);
        if (!v) return undefined;
        r.bf = { blocks: v[0]!, bytes: v[1]! };
        break;
      }
      case "Ln": {
        const v = numbers(value, 1);
        if (!v) return undefined;
        r.ln = v[0]!;
        break;
      }
      case "FS": {
        const v = numbers(value, 2);
        if (!v) return undefined;
        r.fs = { feed: v[0]!, spindle: v[1]! };
        break;
      }
      case "F": {
        const v = numbers(value, 1);
        if (!v) return undefined;
        r.f = v[0]!;
        break;
      }
      case "Ov": {
        const v = numbers(value, 3);
        if (!v) return undefined;
        r.ov = { feed: v[0]!, rapid: v[1]!, spindle: v[2]! };
        break;
      }
      case "Pn":
        r.pins = value;
        break;
      case "A":
        r.accessories = value;
        break;
      default:
        break; // later GRBL versions and grblHAL add fields; skipping them keeps us compatible
    }
  }
  return r;
}

// ---------------------------------------------------------------- other lines

/** `$N=value` as `$$` prints it: whole numbers for integer settings, 3 decimals for floats. */
export function formatSetting(id: number, value: number): string {
  const entry = grblSetting(id);
  return `$${id}=${entry?.format === "int" ? fixed(Math.round(value), 0) : fixed(value, 3)}`;
}

export function parseSetting(line: string): { id: number; value: number } | undefined {
  const m = /^\$(\d+)=(-?\d+(?:\.\d+)?)$/.exec(line.trim());
  return m ? { id: Number(m[1]), value: Number(m[2]) } : undefined;
}

/** The `$$` listing, one line per setting in GRBL's order. */
export function formatSettingsList(values: ReadonlyMap<number, number>): string[] {
  return GRBL_SETTINGS.filter((s) => values.has(s.id)).map((s) => formatSetting(s.id, values.get(s.id)!));
}

export function formatError(code: number): string {
  return `error:${code}`;
}

export function formatAlarm(code: number): string {
  return `ALARM:${code}`;
}

/** Bracketed feedback: `[MSG:…]`, `[GC:…]`, `[VER:…]`, `[OPT:…]`, `[G54:…]`, `[HLP:…]`, `[echo:…]`. */
export function formatFeedback(tag: string, text: string): string {
  return `[${tag}:${text}]`;
}

/** `[OPT:codes,blocks,rxBytes]` from `$I`: the build's option letters and its buffer sizes. */
export interface BuildOptions {
  readonly codes: string;
  readonly blocks: number;
  readonly rxBuffer: number;
}

export function formatOptions(o: BuildOptions): string {
  return formatFeedback("OPT", `${o.codes},${o.blocks},${o.rxBuffer}`);
}

export function parseOptions(line: string): BuildOptions | undefined {
  const m = /^\[OPT:([^,\]]*),(\d+),(\d+)\]$/.exec(line.trim());
  return m ? { codes: m[1]!, blocks: Number(m[2]), rxBuffer: Number(m[3]) } : undefined;
}

// ---------------------------------------------------------------- classifier

export type FeedbackTag = "MSG" | "GC" | "VER" | "OPT" | "HLP" | "echo" | "PRB" | "TLO" | "G54" | "G55" | "G56" | "G57" | "G58" | "G59" | "G28" | "G30" | "G92" | string;

export type IncomingLine =
  | { readonly kind: "ok" }
  | { readonly kind: "error"; readonly code: number; readonly entry: CodeEntry }
  | { readonly kind: "alarm"; readonly code: number; readonly entry: CodeEntry }
  | { readonly kind: "status"; readonly report: StatusReport }
  | { readonly kind: "feedback"; readonly tag: FeedbackTag; readonly text: string }
  | { readonly kind: "setting"; readonly id: number; readonly value: number }
  | { readonly kind: "welcome"; readonly version: string }
  | { readonly kind: "other"; readonly text: string };

/** What one line from the controller is. The line ending may or may not be attached. */
export function classifyLine(raw: string): IncomingLine {
  const line = raw.replace(/[\r\n]+$/, "");
  if (line === "ok") return { kind: "ok" };
  let m = /^error:(\d+)$/.exec(line);
  if (m) return { kind: "error", code: Number(m[1]), entry: grblError(Number(m[1])) };
  m = /^ALARM:(\d+)$/.exec(line);
  if (m) return { kind: "alarm", code: Number(m[1]), entry: grblAlarm(Number(m[1])) };
  if (line.startsWith("<")) {
    const report = parseStatus(line);
    if (report) return { kind: "status", report };
    return { kind: "other", text: line };
  }
  m = /^\[([A-Za-z0-9]+):(.*)\]$/.exec(line);
  if (m) return { kind: "feedback", tag: m[1]!, text: m[2]! };
  const setting = parseSetting(line);
  if (setting) return { kind: "setting", ...setting };
  m = /^Grbl (\S+) \['\$' for help\]$/.exec(line);
  if (m) return { kind: "welcome", version: m[1]! };
  return { kind: "other", text: line };
}

/** The one-line human sentence for an `error:N` or `ALARM:N`. */
export function describeResponse(line: IncomingLine): string | undefined {
  if (line.kind === "error") return `error:${line.code} (${line.entry.name}): ${line.entry.meaning}`;
  if (line.kind === "alarm") return `ALARM:${line.code} (${line.entry.name}): ${line.entry.meaning}`;
  return undefined;
}
