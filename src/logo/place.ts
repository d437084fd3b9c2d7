import type { Point, Stroke } from "../geometry.ts";
import { boxOf } from "../geometry.ts";
import type { PlacedBlock } from "../layout/layout.ts";
import { FLATTEN_FRACTION } from "../layout/layout.ts";
import type { LogoBlock } from "../profile/schema.ts";
import { parseSvgLogo } from "./svg.ts";

/**
 * A logo block placed on the work area: the SVG's lines in mm, its viewBox's lower-left
 * corner at the block's origin, scaled to the block's height (or width), rotated about the
 * origin, SVG's y-down turned y-up. Curves are flattened to a tenth of the pitch in mm, as
 * text is. The result is a PlacedBlock of one "glyph" (the logo, upright in its own frame),
 * so the planner, the bounds, the collision checks and the preview treat it as they treat
 * text.
 */
export function placeLogo(block: LogoBlock): PlacedBlock {
  const where = `block "${block.id}"`;
  // The viewBox first (cheap) for the scale, then the geometry at the tolerance in user units.
  const probe = parseSvgLogo(block.svg!, Infinity, where);
  const vb = probe.viewBox;
  const scale = block.height !== undefined ? block.height / vb.height : block.width! / vb.width;
  const logo = parseSvgLogo(block.svg!, (block.pitch * FLATTEN_FRACTION) / scale, where);
  const r = (block.rotation * Math.PI) / 180;
  const cos = Math.cos(r),
    sin = Math.sin(r);
  const { x: ox, y: oy } = block.origin;
  const place = (p: Point): Point => {
    const x = (p.x - vb.x) * scale;
    const y = (vb.y + vb.height - p.y) * scale;
    return { x: ox + x * cos - y * sin, y: oy + x * sin + y * cos };
  };
  const strokes: Stroke[] = logo.strokes.map((s) => ({ points: s.points.map(place), closed: s.closed }));
  let box = boxOf([]);
  for (const s of strokes) box = boxOf(s.points, box);
  return {
    id: block.id,
    fontKind: "single-line",
    font: "-",
    lines: [],
    strokes,
    dots: [],
    strokeGlyph: strokes.map(() => 0),
    dotGlyph: [],
    glyphInfo: [{ char: "", line: 0, column: 0, along: { x: cos, y: sin }, up: { x: -sin, y: cos } }],
    glyphs: 0,
    gridPitch: undefined,
    box,
  };
}
