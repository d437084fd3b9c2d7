import { readFileSync } from "node:fs";
import { join } from "node:path";
import opentype from "opentype.js";
import { PeenmarkError } from "../errors.ts";
import type { Point } from "../geometry.ts";
import { FONT_DIR } from "./font.ts";
import { parseFontSource } from "./source.ts";
import type { FontSource, SourceStroke } from "./source.ts";

/**
 * Source text → OpenType bytes for the station's own fonts, and the exact geometry written
 * (font units) so tests can check what the reader recovers. Encoding (see docs/FONTS.md):
 * - single-line: an open stroke A→B→C is the contour A→B→C→B→A (each segment of the way
 *   back the reverse of one of the way out); a closed stroke is an ordinary contour; a dot
 *   is a 4-unit square around the strike (smaller than the reader's max(2, upm/100)).
 * - dot-matrix: every dot is a small octagon centred on its grid point.
 * Quadratic arcs of the source become cubics with the control points rounded to integers
 * (CFF stores cubics; opentype.js would round them the same way).
 */

/**
 * Letters of Latin-1 (U+00C0–U+00FF) and Latin Extended-A (U+0100–U+017F): the makers,
 * places and importers of Western and Central Europe and the Americas (Č Š Ž Ł Ő Ř …).
 * Those that decompose (NFD) into a letter and one mark are composed by the build unless a
 * source draws them; the rest (Æ Ð Ø Þ ß Đ Ħ Ĳ ĸ Ŀ Ł ŉ Ŋ Œ Ŧ ſ …) every source draws.
 */
export const LATIN_LETTERS: string = (() => {
  let s = "";
  for (let c = 0xc0; c <= 0x17f; c++) if (c !== 0xd7 && c !== 0xf7) s += String.fromCharCode(c);
  return s;
})();

/** The letters the build composes from base + mark (NFD of exactly two code points). */
export const COMPOSED: string = [...LATIN_LETTERS].filter((c) => [...c.normalize("NFD")].length === 2).join("");

/** Every font the station ships covers these. */
export const COVERAGE: string = (() => {
  let s = "";
  for (let c = 0x20; c <= 0x7e; c++) s += String.fromCharCode(c);
  return s + LATIN_LETTERS + "°№ªº×·";
})();

/** A mark's placement: above the letter's top, below the baseline at its centre, or below at its bottom right (ogonek). */
function markPlace(below: boolean, right: boolean): "above" | "below" | "below-right" {
  return below ? (right ? "below-right" : "below") : "above";
}

export type Segment = { type: "L"; x: number; y: number } | { type: "C"; x1: number; y1: number; x2: number; y2: number; x: number; y: number };

export interface BuiltStroke {
  readonly start: Point;
  readonly segments: readonly Segment[];
  readonly closed: boolean;
}

export interface BuiltGlyph {
  readonly char: string;
  readonly advance: number;
  readonly strokes: readonly BuiltStroke[];
  readonly dots: readonly Point[];
}

export interface BuiltFont {
  readonly name: string;
  readonly kind: "single-line" | "dot-matrix";
  readonly unitsPerEm: number;
  readonly capHeight: number;
  readonly gridStep: number | undefined;
  readonly glyphs: ReadonlyMap<string, BuiltGlyph>;
  readonly bytes: Uint8Array;
}

export interface FontRecipe {
  /** Catalog name and file name (fonts/NAME.otf). */
  readonly name: string;
  readonly family: string;
  readonly source: string;
  /** Monospaced variant: every advance this many design units. */
  readonly mono?: boolean;
  /** Serial style: the source's `serial` glyphs replace the plain ones (0/O, 1/I, 2/Z, 5/S, 8/B kept apart). */
  readonly serial?: boolean;
}

export const RECIPES: readonly FontRecipe[] = [
  { name: "peen-single", family: "Peen Single", source: "peen-single.txt" },
  { name: "peen-single-mono", family: "Peen Single Mono", source: "peen-single.txt", mono: true },
  { name: "peen-dot-5x7", family: "Peen Dot 5x7", source: "peen-dot-5x7.txt" },
  { name: "peen-dot-7x9", family: "Peen Dot 7x9", source: "peen-dot-7x9.txt" },
  { name: "peen-single-serial", family: "Peen Single Serial", source: "peen-single.txt", serial: true },
  { name: "peen-dot-5x7-serial", family: "Peen Dot 5x7 Serial", source: "peen-dot-5x7.txt", serial: true },
  { name: "peen-dot-7x9-serial", family: "Peen Dot 7x9 Serial", source: "peen-dot-7x9.txt", serial: true },
];

export const SOURCE_DIR = join(FONT_DIR, "src");

/** 2026-01-01T00:00:00Z: fixed creation and modification time, so a rebuild gives the same bytes. */
const FIXED_TIME = 1767225600;

function num(src: FontSource, key: string): number {
  const v = Number(src.header.get(key));
  if (!Number.isFinite(v)) throw new PeenmarkError("E_FONT_INVALID", `${src.file}: header "${key}" must be a number`, { where: src.file });
  return v;
}

/** Design-unit transform then rounding to font units. */
type Place = (p: Point) => Point;

function buildStroke(s: SourceStroke, place: Place): BuiltStroke {
  const pts = s.points.map((p) => ({ ...place(p), control: p.control }));
  const start = { x: pts[0]!.x, y: pts[0]!.y };
  const segments: Segment[] = [];
  let from: Point = start;
  let ctrl: Point | undefined;
  const quad = (c: Point, to: Point): Segment => ({
    type: "C",
    x1: Math.round(from.x / 3 + (2 * c.x) / 3),
    y1: Math.round(from.y / 3 + (2 * c.y) / 3),
    x2: Math.round(to.x / 3 + (2 * c.x) / 3),
    y2: Math.round(to.y / 3 + (2 * c.y) / 3),
    x: to.x,
    y: to.y,
  });
  for (const p of pts.slice(1)) {
    if (p.control) {
      ctrl = p;
      continue;
    }
    const to = { x: p.x, y: p.y };
    segments.push(ctrl ? quad(ctrl, to) : { type: "L", ...to });
    ctrl = undefined;
    from = to;
  }
  if (ctrl) segments.push(quad(ctrl, start));
  return { start, segments, closed: s.closed };
}

function reverse(s: BuiltStroke): Segment[] {
  const out: Segment[] = [];
  for (let i = s.segments.length - 1; i >= 0; i--) {
    const seg = s.segments[i]!;
    const to = i === 0 ? s.start : { x: s.segments[i - 1]!.x, y: s.segments[i - 1]!.y };
    out.push(seg.type === "L" ? { type: "L", ...to } : { type: "C", x1: seg.x2, y1: seg.y2, x2: seg.x1, y2: seg.y1, ...to });
  }
  return out;
}

function glyphsOf(src: FontSource, recipe: FontRecipe): { glyphs: Map<string, BuiltGlyph>; capHeight: number; xHeight: number; gridStep?: number } {
  const glyphs = new Map<string, BuiltGlyph>();
  if (src.kind === "single-line") {
    const u = num(src, "unit");
    const cap = num(src, "cap");
    const xh = num(src, "xheight");
    const gap = num(src, "gap");
    const monoAdvance = recipe.mono ? num(src, "mono") : undefined;
    const make = (char: string, base: string, mark: string | undefined): BuiltGlyph => {
      const g = src.glyphs.get(base)!;
      // Monospaced: centre the glyph in the common advance, narrowing only the wide ones.
      const adv = monoAdvance ?? g.advance;
      const sx = monoAdvance ? Math.min(1, monoAdvance / g.advance) : 1;
      const cx = g.advance / 2;
      const place = (dx: number, dy: number): Place => (p) => ({ x: Math.round(((p.x + dx - cx) * sx + adv / 2) * u), y: Math.round((p.y + dy) * u) });
      const strokes = g.strokes.map((s) => buildStroke(s, place(0, 0)));
      const dots = g.dots.map(place(0, 0));
      if (mark) {
        const m = src.marks.get(mark)!;
        const upper = char !== char.toLowerCase();
        const pts = [...g.strokes.flatMap((s) => s.points.filter((q) => !q.control)), ...g.dots];
        // Above: `gap` over the capital, or over the x-height or the letter's own ascender (ĺ ľ ĥ ķ).
        const top = upper ? cap : Math.max(xh, ...pts.map((q) => q.y));
        // Below right (ogonek): from the rightmost point the letter has on its baseline.
        const foot = Math.max(...pts.filter((q) => q.y <= 4).map((q) => q.x), cx);
        const where = markPlace(m.below, m.right);
        const [dx, dy] = where === "above" ? [cx, top + gap] : where === "below" ? [cx, 0] : [foot, 0];
        strokes.push(...m.strokes.map((s) => buildStroke(s, place(dx, dy))));
        dots.push(...m.dots.map(place(dx, dy)));
      }
      return { char, advance: Math.round(adv * u), strokes, dots };
    };
    for (const ch of src.glyphs.keys()) glyphs.set(ch, make(ch, ch, undefined));
    composeAccents(src, glyphs, make);
    return { glyphs, capHeight: cap * u, xHeight: xh * u };
  }
  const step = num(src, "step");
  const rows = num(src, "rows");
  const xrows = num(src, "xrows");
  const make = (char: string, base: string, mark: string | undefined): BuiltGlyph => {
    const g = src.glyphs.get(base)!;
    // Column 0 sits one step from the pen position: one empty column's worth each side.
    const at = (p: Point, dx: number, dy: number): Point => ({ x: (p.x + dx + 1) * step, y: (p.y + dy) * step });
    const dots = g.dots.map((p) => at(p, 0, 0));
    if (mark) {
      const m = src.marks.get(mark)!;
      const height = Math.max(...m.dots.map((d) => d.y)) + 1;
      const upper = char !== char.toLowerCase();
      // Above: bottom row one empty row over the letter's top row (the capital's, the
      // x-height's or the letter's own ascender); below: top row at row -1.
      const top = upper ? rows - 1 : Math.max(xrows - 1, ...g.dots.map((d) => d.y));
      const where = markPlace(m.below, m.right);
      // Below right (ogonek): the mark's rightmost column under the letter's rightmost baseline dot.
      const foot = Math.max(...g.dots.filter((d) => d.y === 0).map((d) => d.x), 0) - Math.max(...m.dots.map((d) => d.x));
      const [dx, dy] = where === "above" ? [0, top + 2] : where === "below" ? [0, -height] : [foot, -height];
      dots.push(...m.dots.map((p) => at(p, dx, dy)));
    }
    return { char, advance: g.advance * step, strokes: [], dots };
  };
  for (const ch of src.glyphs.keys()) glyphs.set(ch, make(ch, ch, undefined));
  composeAccents(src, glyphs, make);
  return { glyphs, capHeight: (rows - 1) * step, xHeight: (xrows - 1) * step, gridStep: step };
}

/**
 * Accented letters the source does not draw itself: base + mark (NFD). A mark above an i or
 * a j goes on the dotless ı / ȷ; a mark below keeps the dot (į).
 */
function composeAccents(src: FontSource, glyphs: Map<string, BuiltGlyph>, make: (char: string, base: string, mark: string) => BuiltGlyph): void {
  for (const ch of COMPOSED) {
    if (glyphs.has(ch)) continue;
    const [b, m] = [...ch.normalize("NFD")];
    const above = m !== undefined && src.marks.has(m) && !src.marks.get(m)!.below;
    const dotless = above ? ({ i: "ı", j: "ȷ" } as Record<string, string>)[b!] : undefined;
    const base = dotless && src.glyphs.has(dotless) ? dotless : b!;
    if (!src.glyphs.has(base) || !m || !src.marks.has(m))
      throw new PeenmarkError("E_FONT_INVALID", `${src.file}: "${ch}" needs glyph "${base}" and mark U+${m?.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}`, { where: src.file });
    glyphs.set(ch, make(ch, base, m));
  }
}

function toPath(g: BuiltGlyph, kind: "single-line" | "dot-matrix", dotRadius: number): opentype.Path {
  const path = new opentype.Path();
  const seg = (s: Segment) => (s.type === "L" ? path.lineTo(s.x, s.y) : path.curveTo(s.x1, s.y1, s.x2, s.y2, s.x, s.y));
  for (const s of g.strokes) {
    path.moveTo(s.start.x, s.start.y);
    s.segments.forEach(seg);
    if (!s.closed) reverse(s).forEach(seg);
    path.close();
  }
  for (const d of g.dots) {
    if (kind === "dot-matrix") {
      // An octagon: reads as a round dot in any viewer; its vertices average to the centre.
      const r = dotRadius;
      const k = Math.round(r * 0.4142);
      const pts = [[r, k], [k, r], [-k, r], [-r, k], [-r, -k], [-k, -r], [k, -r], [r, -k]] as const;
      path.moveTo(d.x + pts[0][0], d.y + pts[0][1]);
      for (const [x, y] of pts.slice(1)) path.lineTo(d.x + x, d.y + y);
    } else {
      path.moveTo(d.x - 2, d.y - 2);
      path.lineTo(d.x + 2, d.y - 2);
      path.lineTo(d.x + 2, d.y + 2);
      path.lineTo(d.x - 2, d.y + 2);
    }
    path.close();
  }
  return path;
}

/** Build one recipe into bytes (deterministic) and the geometry those bytes hold. */
export function buildFont(recipe: FontRecipe, sourceText?: string): BuiltFont {
  const file = join(SOURCE_DIR, recipe.source);
  const parsed = parseFontSource(file, sourceText ?? readFileSync(file, "utf8"));
  const src: FontSource = recipe.serial ? { ...parsed, glyphs: new Map([...parsed.glyphs, ...parsed.serialGlyphs]) } : parsed;
  const { glyphs, capHeight, xHeight, gridStep } = glyphsOf(src, recipe);
  for (const ch of COVERAGE)
    if (!glyphs.has(ch)) throw new PeenmarkError("E_FONT_INVALID", `${file}: no glyph for "${ch}" (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`, { where: file });
  const upm = num(src, "upm");
  const dotRadius = gridStep ? Math.round(gridStep * 0.2) : 0;
  const otGlyphs = [new opentype.Glyph({ name: ".notdef", unicode: 0, advanceWidth: Math.round(upm / 2), path: new opentype.Path() })];
  const chars = [...glyphs.keys()].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  let yMax = 0;
  let yMin = 0;
  for (const ch of chars) {
    const g = glyphs.get(ch)!;
    const cp = ch.codePointAt(0)!;
    const path = toPath(g, src.kind, dotRadius);
    const box = path.getBoundingBox();
    if (g.strokes.length || g.dots.length) {
      yMax = Math.max(yMax, box.y2);
      yMin = Math.min(yMin, box.y1);
    }
    otGlyphs.push(new opentype.Glyph({ name: `uni${cp.toString(16).toUpperCase().padStart(4, "0")}`, unicode: cp, advanceWidth: g.advance, path }));
  }
  const font = new opentype.Font({
    familyName: recipe.family,
    styleName: "Regular",
    unitsPerEm: upm,
    ascender: Math.ceil(yMax),
    descender: Math.floor(yMin),
    description: `peenmark:${src.kind} — ${src.header.get("description") ?? recipe.family}`,
    designer: "peenmark",
    version: "Version 1.0",
    createdTimestamp: FIXED_TIME,
    glyphs: otGlyphs,
    tables: { os2: { sCapHeight: capHeight, sxHeight: xHeight } },
  } as ConstructorParameters<typeof opentype.Font>[0]);
  const bytes = fixTimestamps(new Uint8Array(font.toArrayBuffer()));
  return { name: recipe.name, kind: src.kind, unitsPerEm: upm, capHeight, gridStep, glyphs, bytes };
}

/**
 * opentype.js stamps head.modified with the current time; set it to head.created and redo
 * the checksums (OpenType spec, "head" and table directory) so the bytes depend only on sources.
 */
function fixTimestamps(b: Uint8Array): Uint8Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const numTables = v.getUint16(4);
  let head: { rec: number; off: number; len: number } | undefined;
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    if (String.fromCharCode(b[rec]!, b[rec + 1]!, b[rec + 2]!, b[rec + 3]!) === "head") head = { rec, off: v.getUint32(rec + 8), len: v.getUint32(rec + 12) };
  }
  if (!head) return b;
  v.setUint32(head.off + 28, v.getUint32(head.off + 20));
  v.setUint32(head.off + 32, v.getUint32(head.off + 24));
  v.setUint32(head.off + 8, 0);
  const sum = (off: number, len: number) => {
    let s = 0;
    for (let i = 0; i < len; i += 4) {
      let w = 0;
      for (let j = 0; j < 4; j++) w = (w << 8) | (i + j < len ? b[off + i + j]! : 0);
      s = (s + (w >>> 0)) >>> 0;
    }
    return s;
  };
  v.setUint32(head.rec + 4, sum(head.off, head.len));
  v.setUint32(head.off + 8, (0xb1b0afba - sum(0, b.length)) >>> 0);
  return b;
}
