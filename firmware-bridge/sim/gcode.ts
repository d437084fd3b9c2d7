/**
 * The G-code subset a peenmark head runs, parsed and checked the way GRBL 1.1's
 * gc_execute_line does: all checks first (so a rejected line changes nothing), then the
 * effects in GRBL's execution order (feed, spindle speed, spindle state, dwell, units,
 * distance mode, motion). Supported: G0 G1 G4 G17 G20 G21 G90 G91 G94 M3 M5 and the words
 * F N P S X Y. Everything else answers error:20, which is what GRBL answers for commands it
 * does not know; GRBL itself knows a few more (arcs, Z, M4, …) that the head never needs.
 */
import type { XY } from "../kinematics.ts";

export interface Modal {
  readonly motion: 0 | 1;
  readonly absolute: boolean;
  readonly inches: boolean;
  readonly spindleOn: boolean;
  /** mm/min; 0 means not yet defined (G1 then answers error:22). */
  readonly feed: number;
  readonly s: number;
}

export const POWER_UP_MODAL: Modal = { motion: 0, absolute: true, inches: false, spindleOn: false, feed: 0, s: 0 };

/** What a line does, in GRBL's execution order. */
export type Op =
  /** Wait until the planner is empty and the head at rest, then set the pin output at rest. */
  | { readonly kind: "spindleSync"; readonly spindleOn: boolean; readonly power: number }
  /** Wait until at rest, then wait this long. */
  | { readonly kind: "dwell"; readonly seconds: number }
  /** Queue a straight move; `laserPower` is the power the block carries in laser mode. */
  | { readonly kind: "move"; readonly to: XY; readonly rapid: boolean; readonly feed: number; readonly laserPower: number };

export type ParsedLine = { readonly error: number } | { readonly error?: undefined; readonly ops: readonly Op[]; readonly modal: Modal; readonly lineNumber: number };

/** GRBL's MAX_LINE_NUMBER. */
const MAX_LINE_NUMBER = 10_000_000;
const INCH = 25.4;

/** GRBL's read_float: optional sign, digits with at most one point, no exponent. */
function readNumber(text: string, at: number): { value: number; next: number } | undefined {
  const m = /^[+-]?(\d*\.?\d*)/.exec(text.slice(at));
  if (!m || !/\d/.test(m[1]!)) return undefined;
  if ((m[1]!.match(/\./g) ?? []).length > 1) return undefined;
  return { value: Number(m[0].startsWith("+") ? m[0].slice(1) : m[0]), next: at + m[0].length };
}

type Group = "motion" | "nonModal" | "plane" | "units" | "distance" | "feedMode" | "spindle" | "coordSystem";

const G_CODES: ReadonlyMap<number, Group> = new Map([
  [0, "motion"],
  [1, "motion"],
  [4, "nonModal"],
  [17, "plane"],
  // G54 and G92.1 select the first work coordinate system and clear G92 offsets: peenmark's
  // header sends them so that program coordinates are machine coordinates. This head has
  // no work offsets, so both change nothing here (its $# reports what it was built with).
  [54, "coordSystem"],
  [92, "nonModal"],
  [20, "units"],
  [21, "units"],
  [90, "distance"],
  [91, "distance"],
  [94, "feedMode"],
]);
const M_CODES: ReadonlyMap<number, Group> = new Map([
  [3, "spindle"],
  [5, "spindle"],
]);

interface Words {
  g: Map<Group, number>;
  values: Map<string, number>;
}

function parseWords(text: string): Words | { error: number } {
  const g = new Map<Group, number>();
  const values = new Map<string, number>();
  let i = 0;
  while (i < text.length) {
    const letter = text[i]!;
    if (letter < "A" || letter > "Z") return { error: 1 };
    const num = readNumber(text, i + 1);
    if (!num) return { error: 2 };
    i = num.next;
    const { value } = num;
    if (letter === "G" || letter === "M") {
      const whole = Math.trunc(value);
      const table = letter === "G" ? G_CODES : M_CODES;
      const group = table.get(whole);
      if (!group) return { error: 20 };
      const fraction = Math.round(100 * (value - whole));
      // G92.1 is the one decimal G-code of the subset; plain G92 (set an offset) is not in it.
      if (letter === "G" && whole === 92 ? fraction !== 10 : fraction !== 0) return fraction !== 0 ? { error: 23 } : { error: 20 };
      if (g.has(group)) return { error: 21 };
      g.set(group, whole);
      continue;
    }
    if (!"FNPSXY".includes(letter)) return { error: 20 };
    if (values.has(letter)) return { error: 25 };
    if (value < 0 && "FNPS".includes(letter)) return { error: 4 };
    values.set(letter, value);
  }
  return { g, values };
}

/** Parse and check one G-code line against the modal state; `laserMode` is $32. */
export function parseGcodeLine(text: string, modal: Modal, laserMode: boolean, position: XY): ParsedLine {
  const words = parseWords(text);
  if ("error" in words) return { error: words.error as number };
  const { g, values } = words;
  const n = values.get("N");
  if (n !== undefined && n > MAX_LINE_NUMBER) return { error: 27 };

  const inches = g.has("units") ? g.get("units") === 20 : modal.inches;
  const absolute = g.has("distance") ? g.get("distance") === 90 : modal.absolute;
  const motion = (g.get("motion") ?? modal.motion) as 0 | 1;
  const spindleOn = g.has("spindle") ? g.get("spindle") === 3 : modal.spindleOn;
  const scale = inches ? INCH : 1;
  const feedWord = values.get("F");
  const feed = feedWord !== undefined ? feedWord * scale : modal.feed;
  const s = values.get("S") ?? modal.s;
  const axisWords = values.has("X") || values.has("Y");
  const dwell = g.get("nonModal") === 4;
  // Axis words with no command that uses them go to the current motion mode (implicit motion).
  const motionCommanded = axisWords || g.has("motion");
  if (dwell && !values.has("P")) return { error: 28 };
  if (motionCommanded && motion === 1 && feed === 0) return { error: 22 };
  if (!dwell && values.has("P")) return { error: 36 };

  // Laser mode (GRBL's GC_PARSER_LASER_* flags): G0 carries power 0; an S or mode change
  // with no motion in the line syncs the planner and then sets the output at rest.
  const laserDisable = laserMode && motion !== 1;
  const isMotion = laserMode && axisWords;
  let forceSync = false;
  if (laserMode && !isMotion && modal.spindleOn) {
    if (modal.motion === 1 && laserDisable) forceSync = true;
    if (modal.motion !== 1 && !laserDisable) forceSync = true;
  }
  const restPower = laserDisable ? 0 : s;

  const ops: Op[] = [];
  const sChanged = s !== modal.s || forceSync;
  if (sChanged && modal.spindleOn && !isMotion && g.get("spindle") !== 5) ops.push({ kind: "spindleSync", spindleOn: true, power: restPower });
  if (spindleOn !== modal.spindleOn) ops.push({ kind: "spindleSync", spindleOn, power: spindleOn ? restPower : 0 });
  if (dwell) ops.push({ kind: "dwell", seconds: values.get("P")! });
  if (axisWords) {
    const x = values.get("X");
    const y = values.get("Y");
    const to = {
      x: x === undefined ? position.x : absolute ? x * scale : position.x + x * scale,
      y: y === undefined ? position.y : absolute ? y * scale : position.y + y * scale,
    };
    ops.push({ kind: "move", to, rapid: motion === 0, feed, laserPower: spindleOn && !laserDisable ? s : 0 });
  }
  return { ops, modal: { motion, absolute, inches, spindleOn, feed, s }, lineNumber: n === undefined ? 0 : Math.trunc(n) };
}

/** The `$G` report: `[GC:…]` text for this modal state. */
export function modalReport(m: Modal): string {
  const num = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toFixed(3))));
  return `G${m.motion} G54 G17 ${m.inches ? "G20" : "G21"} ${m.absolute ? "G90" : "G91"} G94 ${m.spindleOn ? "M3" : "M5"} M9 T0 F${num(m.inches ? m.feed / INCH : m.feed)} S${num(m.s)}`;
}

/**
 * A `$J=` jog line (the text after "$J="), checked as GRBL does: only G20/G21, G90/G91, G53,
 * axis words and F are allowed (error:16 otherwise), F is required (error:22).
 */
export function parseJog(text: string, modal: Modal, position: XY): { error: number } | { to: XY; feed: number } {
  const m = /^((?:G(?:20|21|90|91|53))*)(.*)$/.exec(text);
  const gs = m![1]!.match(/G\d+/g) ?? [];
  let absolute = modal.absolute;
  let inches = modal.inches;
  for (const code of gs) {
    if (code === "G90") absolute = true;
    if (code === "G91") absolute = false;
    if (code === "G20") inches = true;
    if (code === "G21") inches = false;
  }
  const values = new Map<string, number>();
  const rest = m![2]!;
  let i = 0;
  while (i < rest.length) {
    const letter = rest[i]!;
    if (letter < "A" || letter > "Z") return { error: 1 };
    const num = readNumber(rest, i + 1);
    if (!num) return { error: 2 };
    if (!"XYF".includes(letter)) return { error: 16 };
    if (values.has(letter)) return { error: 25 };
    values.set(letter, num.value);
    i = num.next;
  }
  const scale = inches ? INCH : 1;
  const f = values.get("F");
  if (f === undefined) return { error: 22 };
  if (f < 0) return { error: 4 };
  if (!values.has("X") && !values.has("Y")) return { error: 26 };
  const x = values.get("X");
  const y = values.get("Y");
  return {
    to: {
      x: x === undefined ? position.x : absolute ? x * scale : position.x + x * scale,
      y: y === undefined ? position.y : absolute ? y * scale : position.y + y * scale,
    },
    feed: f * scale,
  };
}
