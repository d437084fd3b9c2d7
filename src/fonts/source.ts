import { PeenmarkError } from "../errors.ts";
import type { Point } from "../geometry.ts";

/**
 * Readable sources of the station's own engraving fonts (fonts/src/*.txt), parsed into
 * plain design data. Two formats, chosen by the `kind` header line.
 *
 * single-line (coordinates are integers in design units; `unit` font units each):
 *   glyph A 64          the character (or U+00C1) and its advance
 *     - 4,0 32,70 60,0  an open stroke through these points
 *     o 33,0 ~58,0 58,35 ~58,70 33,70 ~8,70 8,35 ~8,0
 *                       a closed stroke; `~x,y` is the control point of a quadratic arc to
 *                       the next point (a trailing one arcs back to the first point)
 *     . 11,66           single strikes (dot of i)
 *     * 12,4            heavy dots: a closed ring 8 units across (full stop, colon, diaeresis)
 *   mark U+0301         an accent: x relative to the letter's centre, y up from `gap`
 *                       above the letter's top (cap height, or x-height or the letter's own
 *                       ascender); `mark U+0327 below` is relative to the baseline instead,
 *                       `mark U+0328 below right` to the letter's rightmost baseline point
 *
 * dot-matrix (rows of `#` strike / `.` no strike, top row first, `cols` wide):
 *   glyph g descend 2   rows below the baseline (lower-case descenders); default 0
 *   mark U+0301         rows of an accent; its bottom row sits one empty row above the letter
 *   mark U+0327 below   its top row is the first row under the baseline
 *   mark U+0328 below right   …with its column 0 under the letter's rightmost baseline dot
 * In both, `//` starts a comment, and `serial` after a glyph's arguments (`glyph O 70 serial`)
 * draws the serial style's form of a character that already has a plain glyph.
 */
export type SourceKind = "single-line" | "dot-matrix";

/** A point of a single-line stroke; `control` marks a quadratic control point. */
export interface SourcePoint extends Point {
  readonly control: boolean;
}

export interface SourceStroke {
  readonly points: readonly SourcePoint[];
  readonly closed: boolean;
}

export interface SourceGlyph {
  readonly char: string;
  /** Design units (single-line) or grid columns including the gap (dot-matrix). */
  readonly advance: number;
  readonly strokes: readonly SourceStroke[];
  /** Single strikes; for dot-matrix, grid cells (column from the left, row up from the baseline). */
  readonly dots: readonly Point[];
  /** Source line, for messages. */
  readonly line: number;
}

export interface SourceMark {
  readonly char: string;
  readonly below: boolean;
  /** `below right`: placed from the letter's bottom right (ogonek), not its centre. */
  readonly right: boolean;
  readonly strokes: readonly SourceStroke[];
  readonly dots: readonly Point[];
  readonly line: number;
}

export interface FontSource {
  readonly file: string;
  readonly kind: SourceKind;
  /** Header values (family, unit, cap, xheight, cols, …) as written. */
  readonly header: ReadonlyMap<string, string>;
  readonly glyphs: ReadonlyMap<string, SourceGlyph>;
  /** The serial style's own glyphs (`glyph O 70 serial`): they replace the plain ones in a serial-style recipe. */
  readonly serialGlyphs: ReadonlyMap<string, SourceGlyph>;
  readonly marks: ReadonlyMap<string, SourceMark>;
}

function fail(file: string, line: number, msg: string): never {
  throw new PeenmarkError("E_FONT_INVALID", `${file}:${line}: ${msg}`, { where: `${file}:${line}` });
}

function parseChar(file: string, line: number, tok: string | undefined): string {
  if (!tok) fail(file, line, "a glyph or mark needs a character");
  if (/^U\+[0-9A-Fa-f]{4,6}$/.test(tok)) return String.fromCodePoint(parseInt(tok.slice(2), 16));
  const cps = [...tok];
  if (cps.length !== 1) fail(file, line, `"${tok}" is not one character; write U+XXXX`);
  return tok;
}

function parsePoints(file: string, line: number, toks: readonly string[]): SourcePoint[] {
  return toks.map((t) => {
    const m = /^(~?)(-?\d+),(-?\d+)$/.exec(t);
    if (!m) fail(file, line, `"${t}" is not a point x,y (integers, ~ for a control point)`);
    return { x: Number(m[2]), y: Number(m[3]), control: m[1] === "~" };
  });
}

interface Block {
  type: "glyph" | "mark";
  char: string;
  args: string[];
  line: number;
  body: { text: string; line: number }[];
}

export function parseFontSource(file: string, text: string): FontSource {
  const header = new Map<string, string>();
  const blocks: Block[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    // Comments start with `//` (in dot-matrix rows `#` is a strike).
    const textLine = lines[i]!.replace(/\/\/.*$/, "").trim();
    if (!textLine) continue;
    const toks = textLine.split(/\s+/);
    const head = toks[0]!;
    if (head === "glyph" || head === "mark") {
      blocks.push({ type: head, char: parseChar(file, lineNo, toks[1]), args: toks.slice(2), line: lineNo, body: [] });
    } else if (blocks.length) {
      blocks[blocks.length - 1]!.body.push({ text: textLine, line: lineNo });
    } else {
      header.set(head, toks.slice(1).join(" "));
    }
  }
  const kind = header.get("kind");
  if (kind !== "single-line" && kind !== "dot-matrix") fail(file, 1, `header "kind" must be single-line or dot-matrix, not "${kind ?? ""}"`);
  const glyphs = new Map<string, SourceGlyph>();
  const serialGlyphs = new Map<string, SourceGlyph>();
  const marks = new Map<string, SourceMark>();
  for (const b of blocks) {
    const parsed = kind === "single-line" ? singleLineBody(file, b) : dotMatrixBody(file, b, header);
    if (b.type === "glyph") {
      const serial = b.args.includes("serial");
      const into = serial ? serialGlyphs : glyphs;
      if (into.has(b.char)) fail(file, b.line, `glyph "${b.char}"${serial ? " (serial style)" : ""} is defined twice`);
      const advance = kind === "single-line" ? Number(b.args[0]) : Number(header.get("cols")) + 1;
      if (!Number.isInteger(advance) || advance < 0) fail(file, b.line, `glyph "${b.char}" needs an integer advance`);
      into.set(b.char, { char: b.char, advance, ...parsed, line: b.line });
    } else {
      marks.set(b.char, { char: b.char, below: b.args.includes("below"), right: b.args.includes("right"), ...parsed, line: b.line });
    }
  }
  for (const ch of serialGlyphs.keys()) if (!glyphs.has(ch)) fail(file, serialGlyphs.get(ch)!.line, `serial-style glyph "${ch}" has no plain glyph to stand in for`);
  return { file, kind, header, glyphs, serialGlyphs, marks };
}

function singleLineBody(file: string, b: Block): { strokes: SourceStroke[]; dots: Point[] } {
  const strokes: SourceStroke[] = [];
  const dots: Point[] = [];
  for (const { text, line } of b.body) {
    const [op, ...rest] = text.split(/\s+/);
    const pts = parsePoints(file, line, rest);
    if (op === "*") {
      // A heavy dot: a closed ring 8 units across, struck as a small cluster that stays
      // visible where a single strike would be lost (full stops, colons, diaereses).
      for (const { x, y, control } of pts) {
        if (control) fail(file, line, "a heavy dot cannot be a control point");
        const ring = [[0, -4, 0], [4, -4, 1], [4, 0, 0], [4, 4, 1], [0, 4, 0], [-4, 4, 1], [-4, 0, 0], [-4, -4, 1]] as const;
        strokes.push({ points: ring.map(([dx, dy, c]) => ({ x: x + dx, y: y + dy, control: c === 1 })), closed: true });
      }
    } else if (op === ".") {
      if (pts.some((p) => p.control)) fail(file, line, "a dot cannot be a control point");
      dots.push(...pts.map(({ x, y }) => ({ x, y })));
    } else if (op === "-" || op === "o") {
      const closed = op === "o";
      if (pts.length < 2) fail(file, line, "a stroke needs at least two points");
      if (pts[0]!.control) fail(file, line, "a stroke starts on a point, not a control point");
      for (let i = 1; i < pts.length; i++)
        if (pts[i]!.control && pts[i - 1]!.control) fail(file, line, "two control points in a row");
      if (!closed && pts[pts.length - 1]!.control) fail(file, line, "an open stroke ends on a point, not a control point");
      strokes.push({ points: pts, closed });
    } else fail(file, line, `"${op}" is not -, o, . or * (open stroke, closed stroke, dots, heavy dots)`);
  }
  return { strokes, dots };
}

function dotMatrixBody(file: string, b: Block, header: ReadonlyMap<string, string>): { strokes: SourceStroke[]; dots: Point[] } {
  const cols = Number(header.get("cols"));
  const rows = b.body.map((r) => r.text);
  for (const r of b.body) if (!/^[#.]+$/.test(r.text) || r.text.length !== cols) fail(file, r.line, `a row is ${cols} characters of # and .`);
  // Row numbers count up from the baseline (row 0) for glyphs; marks are placed by the builder.
  let bottom: number;
  if (b.type === "glyph") {
    const i = b.args.indexOf("descend");
    bottom = i >= 0 ? -Number(b.args[i + 1]) : 0;
    if (!Number.isInteger(bottom)) fail(file, b.line, "descend takes a whole number of rows");
  } else bottom = 0;
  const dots: Point[] = [];
  rows.forEach((r, i) => {
    const y = bottom + rows.length - 1 - i;
    [...r].forEach((c, x) => {
      if (c === "#") dots.push({ x, y });
    });
  });
  return { strokes: [], dots };
}
