import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import type { MarkFont } from "../fonts/font.ts";
import { strikeLine } from "./strike.ts";

/**
 * A specimen sheet: every glyph of a font as the pin strikes it (each glyph struck through
 * layout and plan as a one-character text block: dots at the pitch along strokes, or the
 * grid dots of a dot-matrix font) with its code point underneath, labels in DejaVu Sans.
 */
export interface SpecimenOptions {
  /** Cap height, mm. */
  readonly height: number;
  /** Strike pitch along strokes, mm (dot-matrix fonts strike their grid). */
  readonly pitch: number;
  /** Drawing scale, pixels per mm. */
  readonly pxPerMm?: number;
  readonly columns?: number;
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Characters the font has, in code point order (from the cmap). */
export function fontChars(font: MarkFont, candidates: Iterable<string>): string[] {
  return [...new Set(candidates)].filter((c) => font.has(c)).sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

export function specimenSvg(font: MarkFont, chars: readonly string[], o: SpecimenOptions): string {
  const px = o.pxPerMm ?? Math.max(8, 60 / o.height);
  const cols = o.columns ?? 16;
  // Every glyph of a font is struck at the same pitch: take it from the planner once.
  const pitch = strikeLine(font, "H", o.height, o.pitch).pitch;
  const cellW = Math.max(3 * o.height * px, 90);
  const glyphH = 2.3 * o.height * px;
  const cellH = glyphH + 26;
  const top = 50;
  const rows = Math.ceil(chars.length / cols);
  const width = cols * cellW + 20;
  const height = top + rows * cellH + 10;
  const r = (0.8 * pitch * px) / 2;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="30" font-family="DejaVu Sans" font-size="20">${esc(`${font.name} (${font.kind}) — cap height ${o.height} mm, pitch ${+pitch.toFixed(3)} mm, ${chars.length} glyphs`)}</text>`,
  ];
  chars.forEach((ch, i) => {
    const cx = 10 + (i % cols) * cellW;
    const cy = top + Math.floor(i / cols) * cellH;
    const struck = strikeLine(font, ch, o.height, o.pitch);
    // Strikes centred across the cell; baseline 1.65 cap heights from the cell top leaves room for accents above caps.
    const ox = cx + cellW / 2 - (struck.dots.length ? (struck.box.minX + struck.box.maxX) / 2 : 0) * px;
    const base = cy + 1.65 * o.height * px;
    parts.push(`<rect x="${cx + 1}" y="${cy}" width="${cellW - 2}" height="${cellH - 2}" fill="none" stroke="#ddd"/>`);
    parts.push(`<line x1="${cx + 4}" x2="${cx + cellW - 4}" y1="${base}" y2="${base}" stroke="#cde" stroke-width="1"/>`);
    for (const d of struck.dots) parts.push(`<circle cx="${(ox + d.x * px).toFixed(2)}" cy="${(base - d.y * px).toFixed(2)}" r="${r.toFixed(2)}" fill="#222"/>`);
    const label = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} ${ch === " " ? "space" : ch}`;
    parts.push(`<text x="${cx + cellW / 2}" y="${cy + cellH - 8}" text-anchor="middle" font-family="DejaVu Sans" font-size="13" fill="#456">${esc(label)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function dejavuSans(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf", "DejaVuSans.ttf");
}

export function specimenPng(font: MarkFont, chars: readonly string[], o: SpecimenOptions): Buffer {
  const svg = specimenSvg(font, chars, o);
  const resvg = new Resvg(svg, { font: { fontFiles: [dejavuSans()], loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" } });
  return Buffer.from(resvg.render().asPng());
}
