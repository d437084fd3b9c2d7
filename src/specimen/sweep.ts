import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadFont } from "../fonts/font.ts";
import { PACKAGE_ROOT } from "../paths.ts";
import { dotDiameter } from "../preview/svg.ts";
import type { Machine } from "../profile/station.ts";
import type { GrayImage } from "../camera/render.ts";
import { photographStrikes, type PhotoConditions, type Texture } from "./photo.ts";
import { prepare, readLines, type ReaderSetting, type TesseractJob } from "./reader.ts";
import { benchMachine, strikeLine, type StruckLine } from "./strike.ts";

/**
 * The legibility sweep: lines of real-world marking records struck in a station font as a
 * profile strikes them, photographed under many conditions (src/specimen/photo.ts) and
 * read by a reader nobody tuned to these fonts (src/specimen/reader.ts). One condition is
 * the nominal bench; each other changes one thing from it — the crater diameter ±25 %,
 * the force, the optics, the sensor noise, the surface, the reader's threshold method,
 * its joining blur, Tesseract's page mode — and the figure that counts is the worst.
 * `npm run bench -- fonts` runs it; docs/FONTS.md reports what it printed.
 */
export interface SweepLine {
  /** maker, place, import, stock, model, caliber or serial. */
  readonly kind: string;
  /** Tesseract language of the line: the reader knows which country's marks it reads. */
  readonly language: string;
  readonly text: string;
  /** A serial line's alphabet when it is not SERIAL_ALPHABET: the reader is told what the serial may hold. */
  readonly alphabet?: string;
}

export const CORPUS_FILE = join(PACKAGE_ROOT, "test", "fixtures", "legibility-lines.tsv");

export function loadCorpus(file: string = CORPUS_FILE): SweepLine[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("#"))
    .map((l) => {
      const [kind, language, text] = l.split("\t");
      return { kind: kind!, language: language!, text: text! };
    });
}

/** What a serial line may hold: Tesseract is told so (its whitelist), as a serial reader would be. */
export const SERIAL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/. ";

/** How a font is struck in the sweep: the mode and pitch docs/FONTS.md recommends for it. */
export interface Setup {
  readonly font: string;
  readonly capHeight: number;
  readonly mode: "dot" | "scribe";
  /** Block pitch asked for, mm (dot-matrix fonts strike their grid whatever it is). */
  readonly pitch: number;
  /** The block's charSpacing, mm. */
  readonly charSpacing: number;
}

/**
 * The recommended way to strike each station font: single-line fonts in dot mode at about
 * eight strikes per cap height (at most 0.3 mm apart) with RECOMMENDED_CHAR_SPACING between
 * letters, dot-matrix fonts on their grid.
 */
export function recommendedSetup(font: string, capHeight: number): Setup {
  const kind = loadFont(font).kind;
  return kind === "dot-matrix" ? { font, capHeight, mode: "dot", pitch: 0.3, charSpacing: 0 } : { font, capHeight, mode: "dot", pitch: Math.min(0.3, capHeight / 8), charSpacing: RECOMMENDED_CHAR_SPACING };
}

/**
 * Extra space between the letters of a single-line font, mm: half a crater. The crater does
 * not shrink with the text, so at 1/16 in the font's own side bearings (0.18 mm between an
 * n and an r) close up under 0.26 mm craters — rn read as m — unless the letters are moved apart.
 */
export const RECOMMENDED_CHAR_SPACING = 0.15;

export interface Condition {
  readonly id: string;
  /** Crater diameter as a fraction of the pin's crater at the force (preview/svg.ts dotDiameter). */
  readonly diameter: number;
  readonly force: number;
  readonly blurMm: number;
  readonly noise: number;
  readonly texture: Texture;
  readonly reader: ReaderSetting;
}

/** The nominal bench: the station's pin at 70 % on lightly brushed steel, a good camera, the reader's first choice of settings. */
export const NOMINAL: Condition = {
  id: "nominal",
  diameter: 1,
  force: 70,
  blurMm: 0.03,
  noise: 5,
  texture: "brushed",
  reader: { threshold: "otsu", bridge: 0.55, psm: 7 },
};

/** One change at a time from the nominal bench. */
export const CONDITIONS: readonly Condition[] = [
  NOMINAL,
  { ...NOMINAL, id: "dot Ø −25 %", diameter: 0.75 },
  { ...NOMINAL, id: "dot Ø +25 %", diameter: 1.25 },
  { ...NOMINAL, id: "force 45 %", force: 45 },
  { ...NOMINAL, id: "force 100 %", force: 100 },
  { ...NOMINAL, id: "sharp optics (σ 0.01 mm)", blurMm: 0.01 },
  { ...NOMINAL, id: "soft optics (σ 0.08 mm)", blurMm: 0.08 },
  { ...NOMINAL, id: "no sensor noise", noise: 0 },
  { ...NOMINAL, id: "sensor noise σ 14", noise: 14 },
  { ...NOMINAL, id: "smooth surface", texture: "smooth" },
  { ...NOMINAL, id: "bead-blasted surface", texture: "blasted" },
  { ...NOMINAL, id: "face-milled surface", texture: "machined" },
  { ...NOMINAL, id: "fixed threshold (50 %)", reader: { ...NOMINAL.reader, threshold: "fixed" } },
  { ...NOMINAL, id: "Sauvola threshold", reader: { ...NOMINAL.reader, threshold: "sauvola" } },
  { ...NOMINAL, id: "join 0.4 × pitch", reader: { ...NOMINAL.reader, bridge: 0.4 } },
  { ...NOMINAL, id: "join 0.7 × pitch", reader: { ...NOMINAL.reader, bridge: 0.7 } },
  { ...NOMINAL, id: "Tesseract psm 6 (block)", reader: { ...NOMINAL.reader, psm: 6 } },
  { ...NOMINAL, id: "Tesseract psm 13 (raw line)", reader: { ...NOMINAL.reader, psm: 13 } },
];

/** Camera resolution of the sweep, pixels per mm (a 5 MP camera over a 100 mm field): a 1/16 in capital is 32 px tall. */
export const SWEEP_PX_PER_MM = 20;

export interface LineResult {
  readonly line: SweepLine;
  readonly read: string;
}

export interface ConditionResult {
  readonly condition: Condition;
  readonly lines: readonly LineResult[];
}

/** The bench head, with room for the longest line of the corpus: the work area does not move a strike. */
function sweepMachine(): Machine {
  const m = benchMachine();
  return { ...m, workArea: { width: 1000, height: m.workArea.height } };
}

/** Strikes of every line, once per setup. */
export function strikeCorpus(setup: Setup, lines: readonly SweepLine[]): StruckLine[] {
  const font = loadFont(setup.font);
  const machine = sweepMachine();
  return lines.map((l) => strikeLine(font, l.text, setup.capHeight, setup.pitch, { machine, mode: setup.mode, charSpacing: setup.charSpacing }));
}

/** The camera's picture of one struck line under a condition's bench (not its reader). */
export function linePhoto(setup: Setup, struck: StruckLine, c: Condition, seed: number): GrayImage {
  const m = benchMachine();
  const photo: PhotoConditions = {
    diameter: dotDiameter(m.pinDiameter, c.force) * c.diameter,
    force: c.force,
    blurMm: c.blurMm,
    noise: c.noise,
    texture: c.texture,
    pxPerMm: SWEEP_PX_PER_MM,
    seed,
  };
  // Bare metal half a cap height round the line (and round its accents and descenders).
  return photographStrikes(struck.dots, photo, setup.capHeight / 2);
}

/** The job Tesseract gets for one line: its picture through the condition's reader. */
export function lineJob(setup: Setup, line: SweepLine, struck: StruckLine, photo: GrayImage, c: Condition): TesseractJob {
  const image = prepare(photo, struck.pitch, setup.capHeight, SWEEP_PX_PER_MM, c.reader);
  const serial = line.kind === "serial";
  return { image, language: serial ? "eng" : line.language, psm: c.reader.psm, ...(serial ? { whitelist: line.alphabet ?? SERIAL_ALPHABET } : {}) };
}

/** FNV-1a of a line's text: its seed. */
function textSeed(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Conditions that picture the bench the same way share their pictures (and their texture and noise). */
function benchKey(c: Condition): string {
  return JSON.stringify([c.diameter, c.force, c.blurMm, c.noise, c.texture]);
}

/**
 * Strike, photograph and read every line under every condition. Pictures of one condition
 * are made while Tesseract reads the previous one's; conditions that change only the
 * reader read the nominal pictures again.
 */
export async function sweep(setup: Setup, lines: readonly SweepLine[], conditions: readonly Condition[] = CONDITIONS): Promise<ConditionResult[]> {
  const struck = strikeCorpus(setup, lines);
  const results: ConditionResult[] = [];
  const benches = [...new Set(conditions.map(benchKey))];
  const reused = new Map<string, GrayImage[]>();
  const shared = (k: string) => conditions.filter((c) => benchKey(c) === k).length > 1;
  let pending: Promise<void> | undefined;
  for (const c of conditions) {
    const k = benchKey(c);
    const bi = benches.indexOf(k);
    // A line's texture and noise depend on its text and the bench, not on which lines it is read with.
    const photos = reused.get(k) ?? lines.map((l, i) => linePhoto(setup, struck[i]!, c, (textSeed(l.text) + bi * 104729) >>> 0));
    if (shared(k)) reused.set(k, photos);
    const jobs = lines.map((l, i) => lineJob(setup, l, struck[i]!, photos[i]!, c));
    await pending;
    pending = readLines(jobs).then((read) => {
      results.push({ condition: c, lines: lines.map((line, i) => ({ line, read: read[i]! })) });
    });
  }
  await pending;
  return results;
}

export function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[y.length]!;
}

export interface Score {
  readonly lines: number;
  readonly exact: number;
  /** Character error rate: Σ Levenshtein / Σ length. */
  readonly cer: number;
}

export function score(results: readonly LineResult[]): Score {
  let errors = 0;
  let chars = 0;
  let exact = 0;
  for (const r of results) {
    errors += levenshtein(r.line.text, r.read);
    chars += [...r.line.text].length;
    if (r.read === r.line.text) exact++;
  }
  return { lines: results.length, exact, cer: chars ? errors / chars : 0 };
}

/** The condition with the fewest exact lines (ties: the higher character error rate). */
export function worst(results: readonly ConditionResult[], pick: (l: LineResult) => boolean = () => true): { condition: Condition; score: Score } {
  let out: { condition: Condition; score: Score } | undefined;
  for (const r of results) {
    const s = score(r.lines.filter(pick));
    if (!out || s.exact / s.lines < out.score.exact / out.score.lines || (s.exact === out.score.exact && s.cer > out.score.cer)) out = { condition: r.condition, score: s };
  }
  return out!;
}
