import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blurGray, grayImagePng, renderStrikes, type GrayImage } from "../camera/render.ts";
import type { MarkFont } from "../fonts/font.ts";
import { strikeLine, type StruckLine } from "./strike.ts";

/**
 * Legibility check: a line struck in a font (through layout and plan, as a profile strikes
 * it), photographed (src/camera/render.ts: dots plus camera blur), read back by Tesseract.
 * The numbers here are the method documented in docs/FONTS.md.
 */

/** Camera resolution of the check, pixels per mm. */
export const PX_PER_MM = 40;
/** Crater diameter as a fraction of the pitch (a worn 90° carbide pin at medium force). */
export const DOT_FRACTION = 0.8;
/** Camera blur: gaussian sigma, mm (slight defocus of a bench camera at 40 px/mm). */
export const CAMERA_SIGMA_MM = 0.03;
/** Grey levels of the picture: bright, freshly cleaned metal and dark crater floors. */
export const METAL_GREY = 235;
export const CRATER_GREY = 35;

/** Pitch along strokes for single-line and outline fonts at a cap height (mm); dot-matrix fonts strike their grid. */
export function strokePitch(capHeight: number): number {
  // About 8 strikes per cap height, never coarser than 0.3 mm.
  return Math.min(0.3, capHeight / 8);
}

/** One line struck at `capHeight` mm at the check's pitch. */
export function strikeForCheck(font: MarkFont, text: string, capHeight: number): StruckLine {
  return strikeLine(font, text, capHeight, strokePitch(capHeight));
}

/** The camera's view of one struck line: bare metal one cap height plus one crater diameter past the outermost strikes' centres. */
export function photograph(struck: StruckLine, capHeight: number): GrayImage {
  const diameter = DOT_FRACTION * struck.pitch;
  return renderStrikes(
    struck.dots.map((d) => ({ x: d.x, y: d.y, diameter })),
    // renderStrikes measures its margin from the craters' rims, half a diameter out from their centres.
    { pxPerMm: PX_PER_MM, blurMm: CAMERA_SIGMA_MM, marginMm: capHeight + diameter / 2, metal: METAL_GREY, crater: CRATER_GREY },
  );
}

/**
 * Preprocessing before OCR (a reader's usual first steps for dot-peen marks):
 * 1. a gaussian of sigma = `bridge` × pitch joins neighbouring craters into strokes;
 * 2. a threshold at `level` of the way from the darkest to the brightest grey makes the
 *    image black and white (a higher level keeps fainter joins between craters);
 * 3. an area-average resize to `capPx` pixels of cap height, the size Tesseract reads best.
 */
export interface Preprocessing {
  readonly bridge: number;
  readonly level: number;
  readonly capPx: number;
}

export const PREPROCESSING: Preprocessing = { bridge: 0.55, level: 0.6, capPx: 48 };

export function preprocess(img: GrayImage, pitchMm: number, capHeightMm: number, p: Preprocessing = PREPROCESSING): GrayImage {
  const blurred = blurGray(img, p.bridge * pitchMm * PX_PER_MM);
  let lo = 255;
  let hi = 0;
  for (const v of blurred.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const t = lo + p.level * (hi - lo);
  const bw = { ...blurred, data: blurred.data.map((v) => (v < t ? 0 : 255)) };
  return p.capPx > 0 ? resize(bw, p.capPx / (capHeightMm * PX_PER_MM)) : bw;
}

/** Area-average resize by `f` (< 1 shrinks). */
function resize(img: GrayImage, f: number): GrayImage {
  const width = Math.max(1, Math.round(img.width * f));
  const height = Math.max(1, Math.round(img.height * f));
  const data = new Float32Array(width * height);
  const fx = img.width / width;
  const fy = img.height / height;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let s = 0;
      let n = 0;
      for (let sy = Math.floor(y * fy); sy < Math.min(img.height, Math.ceil((y + 1) * fy)); sy++)
        for (let sx = Math.floor(x * fx); sx < Math.min(img.width, Math.ceil((x + 1) * fx)); sx++) {
          s += img.data[sy * img.width + sx]!;
          n++;
        }
      data[y * width + x] = n ? s / n : 255;
    }
  return { width, height, data };
}

/** Characters a serial line may hold: Tesseract is told so (its whitelist). */
export const SERIAL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789- ";

export interface LegibilityLine {
  readonly text: string;
  /** Tesseract language of the line: the reader knows the marking's language. */
  readonly language: string;
  readonly serial?: boolean;
}

/** Maker names, places and serials every station font must read back exactly. */
export const LEGIBILITY_SET: readonly LegibilityLine[] = [
  { text: "FÁBRICA DE ARMAS", language: "spa" },
  { text: "QUERÉTARO, MÉXICO", language: "spa" },
  { text: "SÃO PAULO", language: "por" },
  { text: "CAÑÓN", language: "spa" },
  { text: "FRANÇAIS", language: "fra" },
  { text: "Ruger & Co. Inc.", language: "eng" },
  { text: "Cal. 9 mm Luger", language: "eng" },
  { text: "SN 0481-27A", language: "eng", serial: true },
  { text: "AB 123456", language: "eng", serial: true },
  { text: "K7-30915", language: "eng", serial: true },
];

/** Cap heights of the check, mm: 1/16 inch (the smallest the rules allow) and 3 mm. */
export const LEGIBILITY_HEIGHTS = [1.5875, 3] as const;

/** Read one line of the set. */
export function readLine(font: MarkFont, line: LegibilityLine, capHeight: number): Promise<string> {
  return readBack(font, line.text, capHeight, { languages: line.language, ...(line.serial ? { whitelist: SERIAL_CHARS } : {}) });
}

export interface OcrOptions {
  /** Restrict Tesseract to these characters (serial lines). */
  readonly whitelist?: string;
  /** Tesseract languages (default por+spa: Portuguese and Spanish models read Ã Õ Ç Ñ and acute accents that eng drops). */
  readonly languages?: string;
}

/** Run `tesseract in.png stdout --psm 7` (one text line) and return the trimmed text. */
export function tesseract(png: Buffer, o: OcrOptions = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "peenmark-ocr-"));
  const file = join(dir, "line.png");
  writeFileSync(file, png);
  const args = [file, "stdout", "--psm", "7", "-l", o.languages ?? "por+spa"];
  if (o.whitelist) args.push("-c", `tessedit_char_whitelist=${o.whitelist}`);
  return new Promise((resolve, reject) => {
    execFile("tesseract", args, { env: { ...process.env, OMP_THREAD_LIMIT: "1" } }, (err, stdout) => {
      rmSync(dir, { recursive: true, force: true });
      if (err) reject(err);
      else resolve(stdout.replace(/\s+/g, " ").trim());
    });
  });
}

/** Read one line struck in `font` at `capHeight` mm. */
export async function readBack(font: MarkFont, text: string, capHeight: number, o: OcrOptions = {}, p: Preprocessing = PREPROCESSING): Promise<string> {
  const struck = strikeForCheck(font, text, capHeight);
  const img = preprocess(photograph(struck, capHeight), struck.pitch, capHeight, p);
  return tesseract(grayImagePng(img), o);
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

/** Character accuracy over a set of lines: 1 − Σ Levenshtein / Σ length. */
export function characterAccuracy(pairs: readonly { expected: string; read: string }[]): number {
  let errors = 0;
  let total = 0;
  for (const p of pairs) {
    errors += levenshtein(p.expected, p.read);
    total += [...p.expected].length;
  }
  return total ? 1 - errors / total : 1;
}

/** Run tasks with at most `limit` at a time (Tesseract processes on a shared machine). */
export async function limited<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
