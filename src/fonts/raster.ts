import { PNG } from "pngjs";
import type { Point } from "../geometry.ts";

/**
 * Struck dots as a camera sees them: dark round craters on bright metal, optionally blurred
 * (a gaussian standing in for lens blur and focus). Grey levels 0 (black) … 255 (white).
 */
export interface DotImageOptions {
  /** Pixels per millimetre. */
  readonly pxPerMm: number;
  /** Crater diameter, mm. */
  readonly dotDiameter: number;
  /** Gaussian blur sigma, mm (0: none). */
  readonly blurSigma: number;
  /** Empty border around the dots, mm. */
  readonly margin: number;
  /** Background and dot grey levels. */
  readonly background?: number;
  readonly ink?: number;
}

export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export function renderDots(dots: readonly Point[], o: DotImageOptions): GrayImage {
  const bg = o.background ?? 235;
  const ink = o.ink ?? 35;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const d of dots) {
    minX = Math.min(minX, d.x);
    minY = Math.min(minY, d.y);
    maxX = Math.max(maxX, d.x);
    maxY = Math.max(maxY, d.y);
  }
  if (!dots.length) minX = minY = maxX = maxY = 0;
  const pad = o.margin + o.dotDiameter;
  const width = Math.ceil((maxX - minX + 2 * pad) * o.pxPerMm);
  const height = Math.ceil((maxY - minY + 2 * pad) * o.pxPerMm);
  // Coverage of each pixel by craters (0…1), anti-aliased over one pixel.
  const cover = new Float32Array(width * height);
  const r = (o.dotDiameter / 2) * o.pxPerMm;
  for (const d of dots) {
    const cx = (d.x - minX + pad) * o.pxPerMm;
    const cy = (maxY - d.y + pad) * o.pxPerMm; // image rows run down
    for (let y = Math.max(0, Math.floor(cy - r - 1)); y <= Math.min(height - 1, Math.ceil(cy + r + 1)); y++)
      for (let x = Math.max(0, Math.floor(cx - r - 1)); x <= Math.min(width - 1, Math.ceil(cx + r + 1)); x++) {
        const c = Math.min(1, Math.max(0, r - Math.hypot(x + 0.5 - cx, y + 0.5 - cy) + 0.5));
        const i = y * width + x;
        cover[i] = Math.max(cover[i]!, c);
      }
  }
  let data: Float32Array = cover.map((c) => bg + (ink - bg) * c);
  if (o.blurSigma > 0) data = gaussian(data, width, height, o.blurSigma * o.pxPerMm);
  return { width, height, data };
}

/** Separable gaussian blur (kernel to ±3σ, edges clamped). */
function gaussian(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const rad = Math.ceil(3 * sigma);
  const k = new Float32Array(2 * rad + 1);
  let sum = 0;
  for (let i = -rad; i <= rad; i++) sum += k[i + rad] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -rad; i <= rad; i++) s += k[i + rad]! * src[y * w + Math.min(w - 1, Math.max(0, x + i))]!;
      tmp[y * w + x] = s;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -rad; i <= rad; i++) s += k[i + rad]! * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x]!;
      out[y * w + x] = s;
    }
  return out;
}

/** A gaussian blur of an image, sigma in pixels. */
export function blurGray(img: GrayImage, sigmaPx: number): GrayImage {
  return { width: img.width, height: img.height, data: gaussian(img.data, img.width, img.height, sigmaPx) };
}

export function grayToPng(img: GrayImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  const buf = Buffer.alloc(img.width * img.height);
  for (let i = 0; i < buf.length; i++) buf[i] = Math.round(Math.min(255, Math.max(0, img.data[i]!)));
  png.data = buf;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
}
