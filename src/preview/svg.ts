import { createRequire } from "node:module";
import type { Resvg as ResvgClass } from "@resvg/resvg-js";
import type { Point } from "../geometry.ts";
import { opStart, type Program } from "../plan/program.ts";
import type { Machine } from "../profile/station.ts";

/**
 * Preview of a program: the work area, each strike as a dot sized by its force, scribe
 * trains as dots at their pitch along the path, rapids as faint dashed lines. Drawn from
 * the Program itself, so the picture is the program that is streamed. Millimetres in,
 * SVG user units = mm; Y flipped so that +Y is away from the operator (up on screen).
 */
export interface PreviewOptions {
  /** Show rapid travel between operations. */
  readonly travel?: boolean;
  /** Pixels per mm for PNG output. */
  readonly pxPerMm?: number;
}

const f = (n: number) => {
  const r = Math.round(n * 1000) / 1000;
  return Object.is(r, -0) ? "0" : String(r);
};

/** Struck dot diameter, mm: the pin's diameter scaled by force (a lighter strike leaves a smaller crater). */
export function dotDiameter(pinDiameter: number, force: number): number {
  return pinDiameter * (0.5 + 0.5 * Math.max(0, Math.min(100, force)) / 100);
}

export function previewSvg(p: Program, m: Machine, opts: PreviewOptions = {}): string {
  const { width, height } = m.workArea;
  const margin = 2;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${f(-margin)} ${f(-margin)} ${f(width + 2 * margin)} ${f(height + 2 * margin)}" width="${f((width + 2 * margin) * 4)}mm" height="${f((height + 2 * margin) * 4)}mm">`,
  );
  out.push(`<rect x="${f(-margin)}" y="${f(-margin)}" width="${f(width + 2 * margin)}" height="${f(height + 2 * margin)}" fill="#ffffff"/>`);
  out.push(`<g transform="matrix(1 0 0 -1 0 ${f(height)})">`);
  out.push(`<rect x="0" y="0" width="${f(width)}" height="${f(height)}" fill="#eef1f4" stroke="#8a96a3" stroke-width="0.2"/>`);
  // 10 mm grid, so the scale can be read off the picture.
  const grid: string[] = [];
  for (let x = 10; x < width; x += 10) grid.push(`M${f(x)} 0V${f(height)}`);
  for (let y = 10; y < height; y += 10) grid.push(`M0 ${f(y)}H${f(width)}`);
  if (grid.length) out.push(`<path d="${grid.join("")}" stroke="#d5dbe1" stroke-width="0.1" fill="none"/>`);

  if (opts.travel !== false) {
    const d: string[] = [];
    let at: Point = p.park;
    for (const op of p.ops) {
      const s = opStart(op);
      if (s.x !== at.x || s.y !== at.y) d.push(`M${f(at.x)} ${f(at.y)}L${f(s.x)} ${f(s.y)}`);
      at = op.kind === "strike" ? op.at : op.points[op.points.length - 1]!;
    }
    if (d.length) out.push(`<path class="travel" d="${d.join("")}" stroke="#3b82f6" stroke-opacity="0.35" stroke-width="0.08" stroke-dasharray="0.4 0.3" fill="none"/>`);
  }

  const strikes: string[] = [];
  const trains: string[] = [];
  for (const op of p.ops) {
    if (op.kind === "strike") {
      strikes.push(`<circle cx="${f(op.at.x)}" cy="${f(op.at.y)}" r="${f(dotDiameter(m.pinDiameter, op.force) / 2)}"/>`);
    } else {
      // A dot train: round caps on zero-length dashes draw one dot every pitch along the path.
      const pitch = op.feed / 60 / m.strikeFrequency;
      const d = op.points.map((pt, i) => `${i ? "L" : "M"}${f(pt.x)} ${f(pt.y)}`).join("");
      trains.push(`<path d="${d}" stroke-width="${f(dotDiameter(m.pinDiameter, op.force))}" stroke-dasharray="0 ${f(pitch)}"/>`);
    }
  }
  if (trains.length) out.push(`<g class="scribe" fill="none" stroke="#1f2937" stroke-linecap="round" stroke-linejoin="round">${trains.join("")}</g>`);
  if (strikes.length) out.push(`<g class="strikes" fill="#111827">${strikes.join("")}</g>`);
  out.push(`<circle class="park" cx="${f(p.park.x)}" cy="${f(p.park.y)}" r="0.8" fill="none" stroke="#ef4444" stroke-width="0.2"/>`);
  out.push("</g></svg>");
  return out.join("\n") + "\n";
}

// The native renderer loads on the first PNG, not with every compile.
let resvg: typeof ResvgClass | undefined;
const Resvg = () => (resvg ??= (createRequire(import.meta.url)("@resvg/resvg-js") as { Resvg: typeof ResvgClass }).Resvg);

export function svgToPng(svg: string, pxPerMm = 8, widthMm?: number): Buffer {
  const fitTo = widthMm ? { mode: "width" as const, value: Math.round(widthMm * pxPerMm) } : { mode: "zoom" as const, value: pxPerMm / 4 / (96 / 25.4) };
  return new (Resvg())(svg, { fitTo, background: "#ffffff", font: { loadSystemFonts: false } }).render().asPng();
}

export function previewPng(p: Program, m: Machine, opts: PreviewOptions = {}): Buffer {
  const pxPerMm = opts.pxPerMm ?? 8;
  return svgToPng(previewSvg(p, m, opts), pxPerMm, m.workArea.width + 4);
}
