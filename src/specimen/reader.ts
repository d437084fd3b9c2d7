import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grayImagePng, type GrayImage } from "../camera/render.ts";
import { fastBlur } from "./photo.ts";

/**
 * The reader of the legibility sweep: a dot-peen OCR chain as one would set it up without
 * having seen these marks — join the craters into strokes, make the picture black and
 * white, scale it to the size Tesseract reads, and run stock Tesseract 5 on it. None of
 * its settings was chosen against the station's fonts: the sweep varies each of them
 * (threshold method, the joining blur, Tesseract's page mode) and reports the worst.
 */
export type Threshold = "fixed" | "otsu" | "sauvola";

export interface ReaderSetting {
  readonly threshold: Threshold;
  /** Joining blur, sigma as a fraction of the dot pitch (the reader is told the pitch, as dot-peen readers are). */
  readonly bridge: number;
  /** Tesseract page segmentation mode: 7 one text line, 6 a block, 13 a raw line. */
  readonly psm: 6 | 7 | 13;
}

/** Cap height Tesseract is given, pixels (its LSTM models read text 20–40 px high best). */
export const CAP_PX = 40;

function percentile(data: Float32Array, q: number): number {
  const hist = new Uint32Array(256);
  for (const v of data) hist[Math.min(255, Math.max(0, Math.round(v)))]!++;
  let acc = 0;
  const target = q * data.length;
  for (let i = 0; i < 256; i++) {
    acc += hist[i]!;
    if (acc >= target) return i;
  }
  return 255;
}

/** Otsu's threshold: the grey level that best separates the histogram into two classes. */
function otsu(data: Float32Array): number {
  const hist = new Float64Array(256);
  for (const v of data) hist[Math.min(255, Math.max(0, Math.round(v)))]!++;
  const total = data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let at = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      at = t;
    }
  }
  return at + 0.5;
}

/** Sauvola's local threshold (window `win` pixels, k = 0.2, R = 128) through integral images. */
function sauvola(img: GrayImage, win: number): Uint8Array {
  const { width: w, height: h, data } = img;
  const I = new Float64Array((w + 1) * (h + 1));
  const I2 = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    let row2 = 0;
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x]!;
      row += v;
      row2 += v * v;
      I[(y + 1) * (w + 1) + x + 1] = I[y * (w + 1) + x + 1]! + row;
      I2[(y + 1) * (w + 1) + x + 1] = I2[y * (w + 1) + x + 1]! + row2;
    }
  }
  const r = Math.max(1, Math.round(win / 2));
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r), x1 = Math.min(w, x + r + 1), y0 = Math.max(0, y - r), y1 = Math.min(h, y + r + 1);
      const n = (x1 - x0) * (y1 - y0);
      const s = I[y1 * (w + 1) + x1]! - I[y0 * (w + 1) + x1]! - I[y1 * (w + 1) + x0]! + I[y0 * (w + 1) + x0]!;
      const s2 = I2[y1 * (w + 1) + x1]! - I2[y0 * (w + 1) + x1]! - I2[y1 * (w + 1) + x0]! + I2[y0 * (w + 1) + x0]!;
      const m = s / n;
      const sd = Math.sqrt(Math.max(0, s2 / n - m * m));
      out[y * w + x] = data[y * w + x]! < m * (1 + 0.2 * (sd / 128 - 1)) ? 0 : 255;
    }
  return out;
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

/** Photograph → what Tesseract is given: joined, black and white, CAP_PX of cap height. */
export function prepare(img: GrayImage, pitchMm: number, capHeightMm: number, pxPerMm: number, s: ReaderSetting): GrayImage {
  const joined = { ...img, data: fastBlur(img.data, img.width, img.height, s.bridge * pitchMm * pxPerMm) };
  let bw: Uint8Array;
  if (s.threshold === "sauvola") bw = sauvola(joined, 1.5 * capHeightMm * pxPerMm);
  else {
    // Fixed: half way between the dark end and the bright end (1st and 99th percentiles, so a few noisy pixels do not move it).
    const lo = percentile(joined.data, 0.01);
    const hi = percentile(joined.data, 0.99);
    const t = s.threshold === "otsu" ? otsu(joined.data) : lo + 0.5 * (hi - lo);
    bw = new Uint8Array(joined.data.length);
    for (let i = 0; i < bw.length; i++) bw[i] = joined.data[i]! < t ? 0 : 255;
  }
  return pad(resize({ width: img.width, height: img.height, data: Float32Array.from(bw) }, CAP_PX / (capHeightMm * pxPerMm)), CAP_PX / 2);
}

/** White border of `n` pixels: Tesseract finds a line's first and last letters better with room round them. */
function pad(img: GrayImage, n: number): GrayImage {
  const width = img.width + 2 * n;
  const height = img.height + 2 * n;
  const data = new Float32Array(width * height).fill(255);
  for (let y = 0; y < img.height; y++) data.set(img.data.subarray(y * img.width, (y + 1) * img.width), (y + n) * width + n);
  return { width, height, data };
}

export interface TesseractJob {
  readonly image: GrayImage;
  readonly language: string;
  readonly whitelist?: string;
  readonly psm: number;
}

/** Tesseract on many lines at once (one process per language, whitelist and page mode), texts in order. */
export async function readLines(jobs: readonly TesseractJob[], parallel = 2): Promise<string[]> {
  const groups = new Map<string, number[]>();
  jobs.forEach((j, i) => {
    const key = `${j.language}\u0000${j.whitelist ?? ""}\u0000${j.psm}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const out = new Array<string>(jobs.length).fill("");
  const dir = mkdtempSync(join(tmpdir(), "peenmark-ocr-"));
  try {
    const batches = [...groups.values()];
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const b = batches[next]!;
        const id = next++;
        const files = b.map((i, k) => {
          const f = join(dir, `b${id}-${k}.png`);
          writeFileSync(f, grayImagePng(jobs[i]!.image));
          return f;
        });
        const list = join(dir, `b${id}.txt`);
        writeFileSync(list, files.join("\n") + "\n");
        const j = jobs[b[0]!]!;
        const args = [list, "stdout", "--psm", String(j.psm), "-l", j.language];
        if (j.whitelist) args.push("-c", `tessedit_char_whitelist=${j.whitelist}`);
        const text = await run(args);
        // One page per image, each ended by the page separator (form feed).
        const pages = text.split("\f");
        b.forEach((i, k) => (out[i] = (pages[k] ?? "").replace(/\s+/g, " ").trim()));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, batches.length)) }, worker));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("tesseract", args, { env: { ...process.env, OMP_THREAD_LIMIT: "1" }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });
}
