import { encodeGrayPng, type CameraImage } from "./render.ts";

/**
 * Grey-level morphological closing of the dark parts of a picture: every pixel first takes
 * the darkest value within `radius` pixels (dark dots grow), then the lightest (they shrink
 * back). Gaps narrower than about 2·radius between dark regions fill in; isolated dots keep
 * their size. Dot-peen readers do this before looking for a Data Matrix finder pattern,
 * because the finder's solid L is a row of separate craters on the part (the DPM quality
 * guideline ISO/IEC 29158 describes connecting dots this way).
 *
 * Square window, separable (a min over a square is a min over rows of mins over columns). Pure.
 */
export function closeDark(img: CameraImage, radius: number): CameraImage {
  const r = Math.max(0, Math.round(radius));
  if (r === 0) return img;
  const { width, height } = img;
  const dilated = filter(filter(img.gray, width, height, r, true, Math.min), width, height, r, false, Math.min);
  const gray = filter(filter(dilated, width, height, r, true, Math.max), width, height, r, false, Math.max);
  return { width, height, gray, box: img.box, pxPerMm: img.pxPerMm, png: () => encodeGrayPng(width, height, gray) };
}

/** Running min or max over 2r+1 pixels along rows (horizontal) or columns, edges clamped. */
function filter(src: Uint8Array, width: number, height: number, r: number, horizontal: boolean, pick: (a: number, b: number) => number): Uint8Array {
  const out = new Uint8Array(src.length);
  const [lines, len] = horizontal ? [height, width] : [width, height];
  const at = (line: number, k: number) => (horizontal ? line * width + k : k * width + line);
  for (let line = 0; line < lines; line++)
    for (let k = 0; k < len; k++) {
      let v = src[at(line, k)]!;
      for (let j = Math.max(0, k - r); j <= Math.min(len - 1, k + r); j++) v = pick(v, src[at(line, j)]!);
      out[at(line, k)] = v;
    }
  return out;
}
