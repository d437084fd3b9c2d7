/**
 * The simulated workpiece as a picture: every strike a dot, its size from its force (a harder
 * strike leaves a wider crater, up to the pin diameter at 100 %), y up as on the machine.
 * SVG for tests and diffs, PNG through resvg for people.
 */
import { Resvg } from "@resvg/resvg-js";
import type { Strike } from "./head.ts";

export interface RenderOptions {
  /** The work area drawn, mm (origin lower-left). */
  readonly width: number;
  readonly height: number;
  /** Dot diameter at 100 % force, mm. */
  readonly pinDiameter?: number;
  /** Pixels per mm in the PNG. */
  readonly pxPerMm?: number;
}

/** Dot diameter for a force: the crater grows with the square root of the strike energy. */
export function dotDiameter(force: number, pinDiameter: number): number {
  return pinDiameter * Math.sqrt(Math.max(0, Math.min(100, force)) / 100);
}

const n = (v: number) => String(Math.round(v * 1000) / 1000);

export function strikesToSvg(strikes: readonly Strike[], o: RenderOptions): string {
  const pin = o.pinDiameter ?? 0.3;
  const dots = strikes.map((s) => `<circle cx="${n(s.x)}" cy="${n(o.height - s.y)}" r="${n(dotDiameter(s.force, pin) / 2)}"/>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(o.width)}mm" height="${n(o.height)}mm" viewBox="0 0 ${n(o.width)} ${n(o.height)}">`,
    `<rect width="${n(o.width)}" height="${n(o.height)}" fill="#d8d8d4"/>`,
    `<g fill="#262626">`,
    ...dots,
    `</g>`,
    `</svg>`,
  ].join("\n");
}

export function strikesToPng(strikes: readonly Strike[], o: RenderOptions): Buffer {
  const svg = strikesToSvg(strikes, o);
  const px = Math.max(1, Math.round(o.width * (o.pxPerMm ?? 10)));
  return Buffer.from(new Resvg(svg, { fitTo: { mode: "width", value: px } }).render().asPng());
}
