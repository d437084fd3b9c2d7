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
  /** Which glyph (0, 1, … in reading order) each stroke and each dot belongs to. */
  readonly strokeGlyph: readonly number[];
  readonly dotGlyph: readonly number[];
  /** Characters laid out (spaces excluded). */
  readonly glyphs: number;
  /** Smallest height of a capital letter or digit as laid out, mm (undefined if the block has none). */
  readonly measuredCapHeight: number | undefined;
  /** Dot-matrix grid step in mm: the pitch of a dot-matrix block. */
  readonly gridPitch: number | undefined;
  readonly box: Box;
}

/** Flattening tolerance as a fraction of the dot pitch: a tenth of a dot is invisible once struck. */
export const FLATTEN_FRACTION = 0.1;

interface GlyphRun {
  readonly char: string;
  /** Pen position of the glyph origin along the line, mm. */
  readonly x: number;
  readonly advance: number;
}

const MEASURED = /^[A-Z0-9]$/;

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
  let glyphs = 0;
  let minCap = Infinity;

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
    const alignShift = block.align === "left" ? 0 : block.align === "center" ? -width / 2 : -width;

    for (const run of runs) {
      if (run.char === " ") continue;
      const g = font.glyph(run.char, tol)!;
      glyphs++;
      const local = compose(translate(run.x + alignShift, 0), scale(s));
      const place = glyphTransform(block, li, lineStep, run.x + alignShift, run.advance, local);
      for (const st of g.strokes) {
        strokes.push({ points: st.points.map((p) => apply(place, p)), closed: st.closed });
        strokeGlyph.push(glyphs);
      }
      for (const d of g.dots) {
        dots.push(apply(place, d));
        dotGlyph.push(glyphs);
      }
      if (MEASURED.test(run.char)) minCap = Math.min(minCap, inkHeight(g.strokes, g.dots) * s);
    }
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
    glyphs,
    measuredCapHeight: Number.isFinite(minCap) ? minCap : undefined,
    gridPitch: font.gridStep === undefined ? undefined : font.gridStep * s,
    box,
  };
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
  const radius = outside ? arc.radius - lineIndex * lineStep : arc.radius + lineIndex * lineStep;
  if (radius <= 0) throw new PeenmarkError("E_MARK_RULE", `block "${block.id}": line ${lineIndex + 1} of the arc has no room (radius ${radius.toFixed(2)} mm): fewer lines or a larger radius`, { where: block.id });
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
