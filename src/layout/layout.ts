import { PeenmarkError } from "../errors.ts";
import { type Affine, type Point, type Stroke, type Box, apply, compose, rotate, scale, translate, boxOf, EMPTY_BOX, unionBox } from "../geometry.ts";
import type { MarkFont, FontKind } from "../fonts/font.ts";
import type { TextBlock } from "../profile/schema.ts";

/**
 * Layout: the lines of one text block → glyph geometry placed in work-area millimetres.
 * Straight text: the first line's baseline passes through the origin at the alignment
 * point, later lines below it, the whole block rotated about the origin. Arc text: each
 * glyph stands on a circle around the origin, upright to the circle.
 */
export interface PlacedBlock {
  readonly id: string;
  readonly fontKind: FontKind;
  readonly font: string;
  readonly lines: readonly string[];
  /** Strokes in work-area mm. */
  readonly strokes: readonly Stroke[];
  /** Single strikes in work-area mm (dot-matrix dots, dots of single-line glyphs). */
  readonly dots: readonly Point[];
  /** Which glyph (an index into `glyphInfo`, reading order) each stroke and each dot belongs to. */
  readonly strokeGlyph: readonly number[];
  readonly dotGlyph: readonly number[];
  /** Every glyph laid out (spaces excluded), in reading order. */
  readonly glyphInfo: readonly PlacedGlyph[];
  /** Characters laid out (spaces excluded). */
  readonly glyphs: number;
  /** Dot-matrix grid step in mm: the pitch of a dot-matrix block. */
  readonly gridPitch: number | undefined;
  readonly box: Box;
}

/**
 * One glyph as placed: which character of which line, and its own frame. Heights, spacing
 * extremes and collisions are measured in this frame (a glyph on an arc or in a rotated
 * block is upright in it), on what the plan strikes.
 */
export interface PlacedGlyph {
  readonly char: string;
  /** Line of the block (0-based) and the character's index in it (code points, spaces counted). */
  readonly line: number;
  readonly column: number;
  /** Unit vectors in work-area mm: the glyph's reading direction and its up (baseline → cap). */
  readonly along: Point;
  readonly up: Point;
}

/** Flattening tolerance as a fraction of the dot pitch: a tenth of a dot is invisible once struck. */
export const FLATTEN_FRACTION = 0.1;

interface GlyphRun {
  readonly char: string;
  /** Pen position of the glyph origin along the line, mm. */
  readonly x: number;
  readonly advance: number;
}

/** Vertical extent of a glyph's geometry in font units (ink, not the em box). */
function inkHeight(strokes: readonly Stroke[], dots: readonly Point[]): number {
  const b = boxOf(dots, boxOf(strokes.flatMap((s) => s.points)));
  return b.maxY >= b.minY ? b.maxY - b.minY : 0;
}

/** Height in font units that the profile's cap height maps to: the ink height of "H". */
function referenceCapHeight(font: MarkFont, tol: number): number {
  const h = font.glyph("H", tol);
  const ink = h ? inkHeight(h.strokes, h.dots) : 0;
  return ink > 0 ? ink : font.capHeight;
}

export function layoutTextBlock(block: TextBlock, lines: readonly string[], font: MarkFont): PlacedBlock {
  const fontUnitsTol = (mmPerUnit: number) => (block.pitch * FLATTEN_FRACTION) / mmPerUnit;
  // First pass with a coarse tolerance to find the scale; the reference glyph is cached.
  const approxScale = block.capHeight / font.capHeight;
  const refCap = referenceCapHeight(font, fontUnitsTol(approxScale));
  const s = block.capHeight / refCap; // mm per font unit
  const tol = fontUnitsTol(s);
  const lineStep = block.lineSpacing * block.capHeight;

  const strokes: Stroke[] = [];
  const dots: Point[] = [];
  const strokeGlyph: number[] = [];
  const dotGlyph: number[] = [];
  const glyphInfo: PlacedGlyph[] = [];

  lines.forEach((line, li) => {
    const chars = [...line];
    // Pen positions in mm along the line.
    const runs: GlyphRun[] = [];
    let pen = 0;
    chars.forEach((ch, i) => {
      const g = font.glyph(ch, tol);
      if (!g && ch !== " ")
        throw new PeenmarkError(
          "E_GLYPH_MISSING",
          `font "${font.name}" has no glyph for "${ch}" (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}) in block "${block.id}": choose a font that has it or change the text`,
          { where: block.id, details: { char: ch, codePoint: ch.codePointAt(0), font: font.name, block: block.id } },
        );
      const own = (g?.advance ?? font.unitsPerEm / 3) * s;
      const advance = block.monospace ? font.figureAdvance * s : own;
      // Monospace: centre each glyph in its cell.
      const x = block.monospace ? pen + (advance - own) / 2 : pen;
      runs.push({ char: ch, x, advance });
      const next = chars[i + 1];
      const kern = !block.monospace && next !== undefined ? font.kerning(ch, next) * s : 0;
      pen += advance + kern + (next !== undefined ? block.charSpacing : 0);
    });
    const width = pen;
    if (block.arc) checkArcLength(block, li, width, lineStep);
    const alignShift = block.align === "left" ? 0 : block.align === "center" ? -width / 2 : -width;

    runs.forEach((run, column) => {
      if (run.char === " ") return;
      const g = font.glyph(run.char, tol)!;
      const id = glyphInfo.length;
      const local = compose(translate(run.x + alignShift, 0), scale(s));
      const place = glyphTransform(block, li, lineStep, run.x + alignShift, run.advance, local);
      const along = unit(place[0], place[1]);
      const up = unit(place[2], place[3]);
      glyphInfo.push({ char: run.char, line: li, column, along, up });
      for (const st of g.strokes) {
        strokes.push({ points: st.points.map((p) => apply(place, p)), closed: st.closed });
        strokeGlyph.push(id);
      }
      for (const d of g.dots) {
        dots.push(apply(place, d));
        dotGlyph.push(id);
      }
    });
  });

  const box = boxOf(dots, boxOf(strokes.flatMap((st) => st.points), EMPTY_BOX));
  return {
    id: block.id,
    fontKind: font.kind,
    font: font.name,
    lines,
    strokes,
    dots,
    strokeGlyph,
    dotGlyph,
    glyphInfo,
    glyphs: glyphInfo.length,
    gridPitch: font.gridStep === undefined ? undefined : font.gridStep * s,
    box,
  };
}

function unit(x: number, y: number): Point {
  const n = Math.hypot(x, y);
  return { x: x / n, y: y / n };
}

/** Radius of a line's baseline circle on an arc block, mm. */
export function arcRadius(block: TextBlock, lineIndex: number, lineStep: number): number {
  const arc = block.arc!;
  return arc.side === "outside" ? arc.radius - lineIndex * lineStep : arc.radius + lineIndex * lineStep;
}

/**
 * Arc text must fit its circle: a line longer than the circumference of its baseline
 * circle goes round more than once and strikes its end over its beginning.
 */
function checkArcLength(block: TextBlock, lineIndex: number, width: number, lineStep: number): void {
  const radius = arcRadius(block, lineIndex, lineStep);
  if (radius <= 0) throw new PeenmarkError("E_LAYOUT", `block "${block.id}": line ${lineIndex + 1} of the arc has no room (radius ${radius.toFixed(2)} mm): fewer lines or a larger radius`, { where: block.id, details: { line: lineIndex + 1, radius } });
  const arcLength = 2 * Math.PI * radius;
  if (width > arcLength + 1e-9)
    throw new PeenmarkError(
      "E_LAYOUT",
      `block "${block.id}": line ${lineIndex + 1} is ${width.toFixed(2)} mm of text on an arc of ${arcLength.toFixed(2)} mm (the whole circle of radius ${radius.toFixed(2)} mm): it would strike its end over its beginning; shorten the text, lower its capHeight or raise the arc's radius`,
      { where: block.id, details: { line: lineIndex + 1, textLength: width, arcLength, radius } },
    );
}

/**
 * Font units of one glyph → work-area mm. `local` already maps font units to the glyph's
 * place on an unrotated line (mm, baseline y = 0); this adds line offset, rotation and arc.
 */
function glyphTransform(block: TextBlock, lineIndex: number, lineStep: number, penX: number, advance: number, local: Affine): Affine {
  const { origin, rotation, arc } = block;
  if (!arc) return compose(translate(origin.x, origin.y), compose(rotate(rotation), compose(translate(0, -lineIndex * lineStep), local)));
  // Arc: the glyph's centre on the baseline goes to the circle; x along the line becomes
  // arc length. Later lines sit further from the reading edge (inward for outside text).
  const outside = arc.side === "outside";
  const radius = arcRadius(block, lineIndex, lineStep);
  const centreX = penX + advance / 2;
  const theta = ((arc.angle + rotation) * Math.PI) / 180 + (outside ? -centreX / radius : centreX / radius);
  const c = Math.cos(theta);
  const sn = Math.sin(theta);
  // Up: outward (outside) or toward the centre (inside); reading direction perpendicular.
  const up = outside ? { x: c, y: sn } : { x: -c, y: -sn };
  const along = outside ? { x: sn, y: -c } : { x: -sn, y: c };
  const at = { x: origin.x + radius * c, y: origin.y + radius * sn };
  const frame: Affine = [along.x, along.y, up.x, up.y, at.x, at.y];
  return compose(frame, compose(translate(-centreX, 0), local));
}

export function blocksBox(blocks: readonly PlacedBlock[]): Box {
  return blocks.reduce((b, pb) => unionBox(b, pb.box), EMPTY_BOX);
}
