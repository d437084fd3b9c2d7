import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, basename, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import opentype from "opentype.js";
import { PeenmarkError } from "../errors.ts";
import { PACKAGE_ROOT } from "../paths.ts";
import type { Point, Stroke } from "../geometry.ts";
import { flattenCubic, flattenQuadratic } from "./flatten.ts";

/**
 * Fonts as the station marks them. Three kinds of glyph geometry:
 * - single-line: the project's engraving fonts; each glyph contour is a stroke. An open
 *   stroke is stored as a there-and-back contour (A→B→C→B→A) because OpenType closes every
 *   contour; the reader folds it back to A→B→C. A contour no larger than a few font units is
 *   a single dot (the dot of an i, a full stop).
 * - dot-matrix: every contour is one dot; its centre is the strike.
 * - outline: any other TTF/OTF; the outline itself is marked.
 * The kind is declared in the font's name table description as `peenmark:single-line` or
 * `peenmark:dot-matrix`; anything else is an outline font.
 */
export type FontKind = "single-line" | "outline" | "dot-matrix";

export interface Glyph {
  readonly char: string;
  /** Advance width, font units. */
  readonly advance: number;
  /** Strokes in font units, y up, origin on the baseline at the pen position. */
  readonly strokes: readonly Stroke[];
  /** Single strikes in font units (dot-matrix glyphs, and dots of single-line glyphs). */
  readonly dots: readonly Point[];
}

export interface MarkFont {
  readonly name: string;
  readonly kind: FontKind;
  readonly file: string;
  readonly unitsPerEm: number;
  /** Height of a capital H, font units: cap heights in profiles scale against this. */
  readonly capHeight: number;
  /** Dot-matrix grid step, font units (the distance between neighbouring dots). */
  readonly gridStep: number | undefined;
  /** The widest digit's advance: monospaced serials use it for every character. */
  readonly figureAdvance: number;
  has(char: string): boolean;
  /** Geometry of one character, curves flattened to within `tolerance` font units. */
  glyph(char: string, tolerance: number): Glyph | undefined;
  /** Pair kerning, font units (negative brings the pair closer). */
  kerning(left: string, right: string): number;
}

/** The station's own fonts. */
export const FONT_DIR = join(PACKAGE_ROOT, "fonts");

/** Outline fonts the station carries from package dependencies, by name. */
function packageFonts(): Map<string, string> {
  const out = new Map<string, string>();
  try {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
    out.set("dejavu-sans", join(dir, "DejaVuSans.ttf"));
    out.set("dejavu-sans-mono", join(dir, "DejaVuSansMono.ttf"));
    out.set("dejavu-sans-condensed", join(dir, "DejaVuSansCondensed.ttf"));
  } catch {
    // Not installed: the station still has its own fonts.
  }
  return out;
}

let catalog: Map<string, string> | undefined;

/** Font name → file: the station's fonts/ folder (by file name, lower case) and package fonts. */
export function fontCatalog(): ReadonlyMap<string, string> {
  if (catalog) return catalog;
  const c = packageFonts();
  if (existsSync(FONT_DIR))
    for (const f of readdirSync(FONT_DIR).sort())
      if ([".otf", ".ttf"].includes(extname(f).toLowerCase())) c.set(basename(f, extname(f)).toLowerCase(), join(FONT_DIR, f));
  catalog = c;
  return c;
}

export function fontNames(): ReadonlySet<string> {
  return new Set(fontCatalog().keys());
}

const cache = new Map<string, MarkFont>();

/** Load a font by catalog name (parsed once per process). */
export function loadFont(name: string): MarkFont {
  const hit = cache.get(name);
  if (hit) return hit;
  const file = fontCatalog().get(name);
  if (!file) throw new PeenmarkError("E_FONT_UNKNOWN", `unknown font "${name}"; this station has ${[...fontCatalog().keys()].join(", ")}`, { where: name });
  const font = fontFromBuffer(name, file, readFileSync(file));
  cache.set(name, font);
  return font;
}

function declaredKind(font: opentype.Font): FontKind {
  const names = font.names as unknown as Record<string, Record<string, Record<string, string>>>;
  for (const table of Object.values(names)) {
    const d = table?.description ? Object.values(table.description).join(" ") : "";
    if (d.includes("peenmark:single-line")) return "single-line";
    if (d.includes("peenmark:dot-matrix")) return "dot-matrix";
  }
  return "outline";
}

type Cmd = opentype.PathCommand;

/** opentype.js 2.0 has GPOS kerning on `font.position`; @types/opentype.js predates it. */
interface OtPosition {
  position: { getKerningTables(script: string): unknown; getKerningValue(lookups: unknown, left: number, right: number): number };
}

/** Split a path into contours of points with their curve commands kept. */
function contours(cmds: readonly Cmd[]): Cmd[][] {
  const out: Cmd[][] = [];
  let cur: Cmd[] = [];
  for (const c of cmds) {
    if (c.type === "M") {
      if (cur.length) out.push(cur);
      cur = [c];
    } else if (c.type === "Z") {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(c);
  }
  if (cur.length) out.push(cur);
  return out;
}

function endOf(c: Cmd): Point {
  return { x: (c as { x: number }).x, y: (c as { y: number }).y };
}

/**
 * Flatten one contour (first command is M) to points. A closed contour's closing point is
 * omitted; a folded open stroke keeps its last point even where it ends at its start (a
 * stroke drawn round a loop), or the loop's last side would be lost.
 */
function flattenContour(cmds: readonly Cmd[], tol: number, open = false): Point[] {
  const pts: Point[] = [endOf(cmds[0]!)];
  for (let i = 1; i < cmds.length; i++) {
    const c = cmds[i]!;
    const from = pts[pts.length - 1]!;
    if (c.type === "L") pts.push(endOf(c));
    else if (c.type === "Q") flattenQuadratic(from, { x: c.x1, y: c.y1 }, endOf(c), tol, pts);
    else if (c.type === "C") flattenCubic(from, { x: c.x1, y: c.y1 }, { x: c.x2, y: c.y2 }, endOf(c), tol, pts);
  }
  // opentype.js closes contours by repeating the start point; drop the repeat.
  if (!open) while (pts.length > 1 && samePoint(pts[pts.length - 1]!, pts[0]!)) pts.pop();
  return pts;
}

const samePoint = (a: Point, b: Point) => Math.abs(a.x - b.x) < 1e-9 && Math.abs(a.y - b.y) < 1e-9;

/**
 * A there-and-back contour P0..Pk..P0 (each segment of the second half the reverse of one in
 * the first) is an open stroke P0..Pk. Works on the segment list so curves survive.
 */
function foldThereAndBack(cmds: readonly Cmd[]): Cmd[] | undefined {
  // Segments as [from, cmd]; the implicit closing line back to M counts as a segment.
  const start = endOf(cmds[0]!);
  const segs: { from: Point; to: Point; c1?: Point; c2?: Point; cmd: Cmd }[] = [];
  let from = start;
  for (let i = 1; i < cmds.length; i++) {
    const c = cmds[i]!;
    const to = endOf(c);
    const seg = { from, to, cmd: c } as (typeof segs)[number];
    if (c.type === "Q") seg.c1 = { x: c.x1, y: c.y1 };
    if (c.type === "C") {
      seg.c1 = { x: c.x1, y: c.y1 };
      seg.c2 = { x: c.x2, y: c.y2 };
    }
    segs.push(seg);
    from = to;
  }
  if (!samePoint(from, start)) segs.push({ from, to: start, cmd: { type: "L", x: start.x, y: start.y } });
  const n = segs.length;
  if (n < 2 || n % 2 !== 0) return undefined;
  for (let i = 0; i < n / 2; i++) {
    const a = segs[i]!;
    const b = segs[n - 1 - i]!;
    if (a.cmd.type !== b.cmd.type || !samePoint(a.from, b.to) || !samePoint(a.to, b.from)) return undefined;
    if (a.cmd.type === "Q" && !samePoint(a.c1!, b.c1!)) return undefined;
    if (a.cmd.type === "C" && !(samePoint(a.c1!, b.c2!) && samePoint(a.c2!, b.c1!))) return undefined;
  }
  return [cmds[0]!, ...segs.slice(0, n / 2).map((s) => s.cmd)];
}

function centroid(pts: readonly Point[]): Point {
  let x = 0;
  let y = 0;
  for (const p of pts) {
    x += p.x;
    y += p.y;
  }
  return { x: x / pts.length, y: y / pts.length };
}

function extent(pts: readonly Point[]): number {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const p of pts) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  return Math.max(maxX - minX, maxY - minY);
}

export function fontFromBuffer(name: string, file: string, buf: Buffer): MarkFont {
  let font: opentype.Font;
  try {
    font = opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
  } catch (e) {
    throw new PeenmarkError("E_FONT_INVALID", `font "${name}" (${file}) cannot be read: ${(e as Error).message}`, { where: file, cause: e });
  }
  // Glyphs are laid out one by one through the cmap: the GSUB table is never consulted,
  // which also sidesteps opentype.js 2.0's crash on chained-context lookups (DejaVu's).
  const kind = declaredKind(font);
  const upm = font.unitsPerEm;
  const os2 = font.tables.os2 as { sCapHeight?: number } | undefined;
  const hBox = font.charToGlyphIndex("H") ? font.charToGlyph("H").getBoundingBox() : undefined;
  const capHeight = os2?.sCapHeight || (hBox ? hBox.y2 - hBox.y1 : upm * 0.7);
  // A single-line or dot-matrix contour this small is one dot (font units).
  const dotExtent = Math.max(2, upm / 100);
  let kernLookups: unknown;
  try {
    kernLookups = (font as unknown as OtPosition).position.getKerningTables("latn");
  } catch {
    kernLookups = undefined;
  }
  const glyphCache = new Map<string, Glyph | undefined>();

  const has = (ch: string) => font.charToGlyphIndex(ch) > 0;

  function build(ch: string, tol: number): Glyph | undefined {
    if (!has(ch)) return undefined;
    const g = font.charToGlyph(ch);
    const strokes: Stroke[] = [];
    const dots: Point[] = [];
    for (const contour of contours(g.path.commands)) {
      const raw = flattenContour(contour, tol);
      if (kind === "dot-matrix" || (kind === "single-line" && extent(raw) <= dotExtent)) {
        dots.push(centroid(raw));
        continue;
      }
      if (kind === "single-line") {
        const open = foldThereAndBack(contour);
        if (open) {
          strokes.push({ points: flattenContour(open, tol, true), closed: false });
          continue;
        }
      }
      if (raw.length >= 2) strokes.push({ points: raw, closed: true });
      else if (raw.length === 1) dots.push(raw[0]!);
    }
    return { char: ch, advance: g.advanceWidth ?? upm / 2, strokes, dots };
  }

  const figureAdvance = Math.max(...[..."0123456789"].map((d) => (has(d) ? font.charToGlyph(d).advanceWidth ?? 0 : 0)), upm / 2);

  // Dot-matrix grid step: the smallest distance between two dots of a reference glyph.
  let gridStep: number | undefined;
  if (kind === "dot-matrix") {
    const ref = build("H", 1) ?? build("8", 1);
    if (ref && ref.dots.length > 1) {
      let best = Infinity;
      for (let i = 0; i < ref.dots.length; i++)
        for (let j = i + 1; j < ref.dots.length; j++) best = Math.min(best, Math.hypot(ref.dots[i]!.x - ref.dots[j]!.x, ref.dots[i]!.y - ref.dots[j]!.y));
      gridStep = best;
    }
  }

  return {
    name,
    kind,
    file,
    unitsPerEm: upm,
    capHeight,
    gridStep,
    figureAdvance,
    has,
    glyph(ch, tol) {
      const key = `${ch}\u0000${tol}`;
      if (glyphCache.has(key)) return glyphCache.get(key);
      const g = build(ch, tol);
      glyphCache.set(key, g);
      return g;
    },
    kerning(left, right) {
      if (!kernLookups || !has(left) || !has(right)) return 0;
      try {
        return (font as unknown as OtPosition).position.getKerningValue(kernLookups, font.charToGlyphIndex(left), font.charToGlyphIndex(right)) || 0;
      } catch {
        return 0;
      }
    },
  };
}
