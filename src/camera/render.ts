import { PNG } from "pngjs";
import type { Box } from "../geometry.ts";

/**
 * What a camera over the bench sees of struck dots: round dark craters on light metal,
 * slightly out of focus. Used to verify marks (Data Matrix decoding, OCR of text) from the
 * plan alone, before any metal is touched. Pure: same strikes and options, same pixels.
 *
 * Units: strikes and every option in mm except `pxPerMm`. Image row 0 is the top of the
 * picture, so machine Y (away from the operator, up in the preview) is flipped.
 */
export interface RenderStrike {
  readonly x: number;
  readonly y: number;
  /** Struck dot diameter, mm. */
  readonly diameter: number;
  /** Accepted so that plan strikes pass straight in; not used: the diameter already carries
   *  the effect of force on what a camera sees (a harder strike leaves a wider crater). */
  readonly force?: number;
}

export interface RenderOptions {
  /** Resolution, pixels per mm (a 5 MP bench camera over a 40 mm field is about 60 px/mm). */
  readonly pxPerMm: number;
  /** Bare metal around the dots' extent, mm, when no `box` is given. Default 1 mm. */
  readonly marginMm?: number;
  /** Standard deviation of the gaussian blur, mm. Default 0 (a perfect lens). */
  readonly blurMm?: number;
  /** The field of view in mm; default the dots' extent plus the margin. */
  readonly box?: Box;
  /** Light dots on dark metal, as under low-angle (dark-field) lighting where crater walls catch the light. */
  readonly invert?: boolean;
  /** Grey level of bare metal, 0 … 255. Default 210 (lightly brushed steel under diffuse light). */
  readonly metal?: number;
  /** Grey level of a crater's floor, 0 … 255. Default 35. */
  readonly crater?: number;
}

/** A grey picture before it is stored in bytes: row-major, row 0 at the top, 0 = black … 255 = white. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export interface CameraImage extends GrayImage {
  /** One byte per pixel, row-major, row 0 at the top: 0 = black … 255 = white. `data` holds the
   *  same grey levels unrounded, for what a reader does after the camera (its own blur and
   *  threshold) without the 8-bit steps of the stored picture. */
  readonly gray: Uint8Array;
  /** The field of view the picture covers, mm. */
  readonly box: Box;
  readonly pxPerMm: number;
  /** The picture as an 8-bit grayscale PNG. */
  png(): Buffer;
}

/** Default grey levels of bare, lightly brushed steel and of a crater's floor under diffuse light. */
const METAL = 210;
const CRATER = 35;

export function renderStrikes(strikes: readonly RenderStrike[], opts: RenderOptions): CameraImage {
  const { pxPerMm } = opts;
  if (!(pxPerMm > 0) || !Number.isFinite(pxPerMm)) throw new RangeError(`pxPerMm must be a positive number, got ${pxPerMm}`);
  const blurMm = opts.blurMm ?? 0;
  if (!(blurMm >= 0)) throw new RangeError(`blurMm must be 0 or more, got ${blurMm}`);
  const box = opts.box ?? fieldOfView(strikes, opts.marginMm ?? 1);
  const width = Math.max(1, Math.ceil((box.maxX - box.minX) * pxPerMm - 1e-9));
  const height = Math.max(1, Math.ceil((box.maxY - box.minY) * pxPerMm - 1e-9));

  // Coverage 0..1 of each pixel by crater; overlapping craters do not get darker than one.
  const cover = new Float32Array(width * height);
  for (const s of strikes) stampDot(cover, width, height, box, pxPerMm, s);

  const sigmaPx = blurMm * pxPerMm;
  const blurred = sigmaPx > 0 ? gaussianBlur(cover, width, height, sigmaPx) : cover;

  const metal = opts.metal ?? METAL;
  const crater = opts.crater ?? CRATER;
  const [bg, fg] = opts.invert ? [crater, metal] : [metal, crater];
  const data = new Float32Array(width * height);
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const v = bg + (fg - bg) * Math.min(1, Math.max(0, blurred[i]!));
    data[i] = v;
    gray[i] = Math.round(Math.min(255, Math.max(0, v)));
  }

  return {
    width,
    height,
    data,
    gray,
    box,
    pxPerMm,
    png: () => encodeGrayPng(width, height, gray),
  };
}

function fieldOfView(strikes: readonly RenderStrike[], margin: number): Box {
  if (strikes.length === 0) return { minX: -margin, minY: -margin, maxX: margin, maxY: margin };
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const s of strikes) {
    const r = s.diameter / 2;
    minX = Math.min(minX, s.x - r);
    minY = Math.min(minY, s.y - r);
    maxX = Math.max(maxX, s.x + r);
    maxY = Math.max(maxY, s.y + r);
  }
  return { minX: minX - margin, minY: minY - margin, maxX: maxX + margin, maxY: maxY + margin };
}

/**
 * Anti-aliased disc: a pixel's coverage is approximated by how far its centre lies inside
 * the rim, over a one-pixel ramp (exact for a straight edge through the pixel, within a few
 * percent for discs a few pixels across).
 */
function stampDot(cover: Float32Array, width: number, height: number, box: Box, pxPerMm: number, s: RenderStrike): void {
  const cx = (s.x - box.minX) * pxPerMm; // pixel units, 0 at the left edge of column 0
  const cy = (box.maxY - s.y) * pxPerMm; // 0 at the top edge of row 0
  const r = (s.diameter / 2) * pxPerMm;
  const c0 = Math.max(0, Math.floor(cx - r - 1));
  const c1 = Math.min(width - 1, Math.ceil(cx + r + 1));
  const r0 = Math.max(0, Math.floor(cy - r - 1));
  const r1 = Math.min(height - 1, Math.ceil(cy + r + 1));
  for (let row = r0; row <= r1; row++) {
    const dy = row + 0.5 - cy;
    for (let col = c0; col <= c1; col++) {
      const d = Math.hypot(col + 0.5 - cx, dy);
      const c = Math.min(1, Math.max(0, r - d + 0.5));
      const i = row * width + col;
      if (c > cover[i]!) cover[i] = c;
    }
  }
}

/**
 * Separable gaussian blur, edges clamped. It stands for the camera's optics: defocus (a
 * bench part is never exactly at the focal plane), lens spread and sensor integration all
 * soften a crater's rim into a ramp a few tenths of a millimetre wide. A decoder that only
 * reads sharp synthetic discs would overstate how readable a mark is.
 */
function gaussianBlur(src: Float32Array, width: number, height: number, sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k]! /= sum;

  const tmp = new Float32Array(width * height);
  for (let row = 0; row < height; row++) {
    const base = row * width;
    for (let col = 0; col < width; col++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) {
        const c = Math.min(width - 1, Math.max(0, col + k));
        acc += kernel[k + radius]! * src[base + c]!;
      }
      tmp[base + col] = acc;
    }
  }
  const out = new Float32Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) {
        const r = Math.min(height - 1, Math.max(0, row + k));
        acc += kernel[k + radius]! * tmp[r * width + col]!;
      }
      out[row * width + col] = acc;
    }
  }
  return out;
}

/** A gaussian blur of a grey picture, sigma in pixels (a reader's blur applied after the camera's). */
export function blurGray(img: GrayImage, sigmaPx: number): GrayImage {
  if (!(sigmaPx >= 0)) throw new RangeError(`sigmaPx must be 0 or more, got ${sigmaPx}`);
  return { width: img.width, height: img.height, data: sigmaPx > 0 ? gaussianBlur(img.data, img.width, img.height, sigmaPx) : img.data };
}

/** Grey levels rounded into bytes, clamped to 0 … 255. */
function toBytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.round(Math.min(255, Math.max(0, data[i]!)));
  return out;
}

/** Any grey picture as an 8-bit grayscale PNG. */
export function grayImagePng(img: GrayImage): Buffer {
  return encodeGrayPng(img.width, img.height, toBytes(img.data));
}

export function encodeGrayPng(width: number, height: number, gray: Uint8Array): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  png.data = Buffer.from(gray.buffer, gray.byteOffset, gray.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
}
