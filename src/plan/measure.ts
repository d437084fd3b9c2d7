import type { PlacedBlock } from "../layout/layout.ts";
import type { BlockPlan } from "./plan.ts";

/**
 * Heights of characters as struck: the extent of a glyph's strike centres (dot mode) or of
 * its scribe paths, along the glyph's own up direction. This is the figure the compile
 * reports and the serial rule checks (27 CFR 478.92 measures the character impression),
 * so a round letter whose top falls between two strikes is reported as what it is.
 * Centre to centre, like a font's cap height.
 */
export interface StruckCharacter {
  readonly char: string;
  /** Line of the block (0-based) and index of the character in it (code points). */
  readonly line: number;
  readonly column: number;
  /** Height as struck, mm. */
  readonly height: number;
}

export function struckHeights(placed: PlacedBlock, plan: BlockPlan): StruckCharacter[] {
  return placed.glyphInfo.map((g, i) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of plan.glyphMarks[i] ?? []) {
      const v = p.x * g.up.x + p.y * g.up.y;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return { char: g.char, line: g.line, column: g.column, height: hi >= lo ? hi - lo : 0 };
  });
}

const CAPITAL_OR_DIGIT = /^[\p{Lu}\p{Nd}]$/u;

/** The smallest capital letter or digit as struck, mm (undefined when the block has none). */
export function smallestCapital(chars: readonly StruckCharacter[]): number | undefined {
  let min = Infinity;
  for (const c of chars) if (CAPITAL_OR_DIGIT.test(c.char)) min = Math.min(min, c.height);
  return Number.isFinite(min) ? min : undefined;
}
