import type { Point } from "../geometry.ts";
import type { GrayImage } from "../camera/render.ts";
import { mulberry32 } from "../random.ts";

/**
 * A bench camera's picture of struck dots under one set of conditions, for the legibility
 * sweep (src/specimen/sweep.ts): craters of the pin's diameter at the strike's force,
 * darker the deeper the strike, on a metal surface with its texture, through optics that
 * blur, onto a sensor that adds noise. Pure and deterministic: the texture and the noise
 * come from a seeded generator, so a sweep is repeatable to the pixel.
 *
 * Not the renderer the Data Matrix check uses (src/camera/render.ts): that one pictures an
 * ideal camera over clean metal; this one is there to be unkind.
 */
export type Texture = "smooth" | "brushed" | "blasted" | "machined";

export interface PhotoConditions {
  /** Crater diameter, mm. */
  readonly diameter: number;
  /** Force of the strikes, % of full: a lighter strike is shallower and images paler. */
  readonly force: number;
  /** Optics: gaussian sigma, mm. */
  readonly blurMm: number;
  /** Sensor noise: gaussian sigma, grey levels. */
  readonly noise: number;
  readonly texture: Texture;
  /** Camera resolution, pixels per mm. */
  readonly pxPerMm: number;
  /** Seed of the texture and the noise. */
  readonly seed: number;
}

/** Grey level of bare metal under diffuse light. */
const METAL = 215;

/** How dark a crater floor images against the metal, grey levels, at a force: deeper strikes throw more shadow. */
export function craterContrast(force: number): number {
  return 170 * (0.4 + (0.6 * Math.max(0, Math.min(100, force))) / 100);
}

/** Standard normal samples from a table of 4096 drawn once per generator (Box–Muller per pixel costs more than the rest of the picture). */
function gaussianSource(next: () => number): () => number {
  const table = new Float32Array(4096);
  for (let i = 0; i < table.length; i += 2) {
    const u = Math.max(1e-12, next());
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    table[i] = r * Math.cos(2 * Math.PI * v);
    table[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return () => table[(next() * 4096) | 0]!;
}

/** Widths of three box blurs whose sum approximates a gaussian of `sigma` pixels (W. Jarosz). */
function boxes(sigma: number): number[] {
  const ideal = Math.sqrt((12 * sigma * sigma) / 3 + 1);
  let lo = Math.floor(ideal);
  if (lo % 2 === 0) lo--;
  const hi = lo + 2;
  const m = Math.round((12 * sigma * sigma - 3 * lo * lo - 12 * lo - 9) / (-4 * lo - 4));
  return [0, 1, 2].map((i) => (i < m ? lo : hi));
}

function boxRows(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  const scale = 1 / (2 * r + 1);
  const last = w - 1;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let acc = 0;
    for (let i = -r - 1; i < r; i++) acc += src[o + (i < 0 ? 0 : i > last ? last : i)]!;
    for (let i = 0; i < w; i++) {
      const add = i + r > last ? last : i + r;
      const sub = i - r - 1 < 0 ? 0 : i - r - 1;
      acc += src[o + add]! - src[o + sub]!;
      dst[o + i] = acc * scale;
    }
  }
}

function boxCols(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  const scale = 1 / (2 * r + 1);
  const last = h - 1;
  const acc = new Float64Array(w);
  for (let i = -r - 1; i < r; i++) {
    const o = (i < 0 ? 0 : i > last ? last : i) * w;
    for (let x = 0; x < w; x++) acc[x]! += src[o + x]!;
  }
  for (let y = 0; y < h; y++) {
    const oa = (y + r > last ? last : y + r) * w;
    const os = (y - r - 1 < 0 ? 0 : y - r - 1) * w;
    const od = y * w;
    for (let x = 0; x < w; x++) {
      acc[x] = acc[x]! + src[oa + x]! - src[os + x]!;
      dst[od + x] = acc[x]! * scale;
    }
  }
}

/** A gaussian blur of `sigma` pixels as three box blurs each way: linear in the pixels whatever sigma is. */
export function fastBlur(data: Float32Array, w: number, h: number, sigma: number): Float32Array {
  if (!(sigma > 0.3)) return data;
  const a = Float32Array.from(data);
  const b = new Float32Array(data.length);
  for (const size of boxes(sigma)) {
    const r = (size - 1) >> 1;
    if (r < 1) continue;
    boxRows(a, b, w, h, r);
    boxCols(b, a, w, h, r);
  }
  return a;
}

/** Scale a field to a standard deviation of `sd` grey levels. */
function toAmplitude(f: Float32Array, sd: number): Float32Array {
  let m = 0;
  for (const v of f) m += v;
  m /= f.length || 1;
  let q = 0;
  for (const v of f) q += (v - m) * (v - m);
  const k = q > 0 ? sd / Math.sqrt(q / f.length) : 0;
  return f.map((v) => (v - m) * k);
}

/** The surface before any strike: grey level offsets from METAL (standard deviations 8–13 grey levels). */
function surface(texture: Texture, w: number, h: number, pxPerMm: number, next: () => number): Float32Array {
  const out = new Float32Array(w * h);
  if (texture === "smooth") return out;
  const g = gaussianSource(next);
  if (texture === "brushed") {
    // Grinding streaks along X: each row its own shade, correlated over a few hundredths of a
    // millimetre, with slower changes along the row.
    const rows = toAmplitude(fastBlur(new Float32Array(h).map(() => g()), 1, h, 0.02 * pxPerMm), 10);
    const along = toAmplitude(fastBlur(new Float32Array(w * h).map(() => g()), w, h, 0.03 * pxPerMm), 5);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = rows[y]! + along[y * w + x]!;
    return out;
  }
  if (texture === "blasted") {
    // Bead-blasted: isotropic pits a few hundredths of a millimetre across.
    return toAmplitude(fastBlur(new Float32Array(w * h).map(() => g()), w, h, 0.025 * pxPerMm), 13);
  }
  // Machined: face-milled arcs 0.3 mm apart, from a cutter centre far to one side.
  const cx = -40 * pxPerMm;
  const cy = 0.3 * h + next() * h;
  const period = 0.3 * pxPerMm;
  const phase = next() * 2 * Math.PI;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = 13 * Math.sin((2 * Math.PI * Math.hypot(x - cx, y - cy)) / period + phase);
  return out;
}

/** The picture of `strikes` (mm, Y up): margins of `margin` mm round the craters. */
export function photographStrikes(strikes: readonly Point[], c: PhotoConditions, margin: number): GrayImage {
  const r = c.diameter / 2;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const p of strikes) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  if (!strikes.length) minX = minY = maxX = maxY = 0;
  const x0 = minX - r - margin;
  const y1 = maxY + r + margin;
  const px = c.pxPerMm;
  const w = Math.max(1, Math.ceil((maxX - minX + 2 * (r + margin)) * px));
  const h = Math.max(1, Math.ceil((maxY - minY + 2 * (r + margin)) * px));
  // Crater coverage, anti-aliased over one pixel at the rim; overlapping craters are one crater.
  const cover = new Float32Array(w * h);
  const rp = r * px;
  for (const s of strikes) {
    const cx = (s.x - x0) * px;
    const cy = (y1 - s.y) * px;
    for (let y = Math.max(0, Math.floor(cy - rp - 1)); y <= Math.min(h - 1, Math.ceil(cy + rp + 1)); y++)
      for (let x = Math.max(0, Math.floor(cx - rp - 1)); x <= Math.min(w - 1, Math.ceil(cx + rp + 1)); x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        const v = Math.min(1, Math.max(0, rp - Math.sqrt(dx * dx + dy * dy) + 0.5));
        const i = y * w + x;
        if (v > cover[i]!) cover[i] = v;
      }
  }
  const next = mulberry32(c.seed);
  const tex = surface(c.texture, w, h, px, next);
  const contrast = craterContrast(c.force);
  const img = new Float32Array(w * h);
  // A crater floor keeps a little of the texture it was struck into.
  for (let i = 0; i < img.length; i++) img[i] = METAL + tex[i]! * (1 - 0.7 * cover[i]!) - contrast * cover[i]!;
  const blurred = fastBlur(img, w, h, c.blurMm * px);
  if (c.noise > 0) {
    const g = gaussianSource(next);
    for (let i = 0; i < blurred.length; i++) blurred[i] = blurred[i]! + c.noise * g();
  }
  for (let i = 0; i < blurred.length; i++) blurred[i] = Math.min(255, Math.max(0, blurred[i]!));
  return { width: w, height: h, data: blurred };
}
