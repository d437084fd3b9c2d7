import { PeenmarkError } from "../errors.ts";
import { apply, boxOf, compose, distance, rotate, translate, type Box, type Point } from "../geometry.ts";
import { encodeDatamatrix, type DatamatrixShape } from "./encode.ts";
import { cellsOf, strikeOrder } from "./order.ts";

/**
 * A Data Matrix block as strikes: one round dot at the centre of every dark module, in an
 * order that keeps travel short. Pure.
 *
 * Sources of the checks:
 * - module (cell) size 0.19–0.64 mm, square symbol at most 25.4 mm: MIL-STD-130N §5.2 (via
 *   the marking rules in shared/domain/marking-rules.md);
 * - struck dot diameter 60–105 % of the module: SAE AS9132 (dot-peen cell fill);
 * - quiet zone at least one module all round: ISO/IEC 16022 / MIL-STD-130N.
 */
export interface DatamatrixPlanInput {
  readonly payload: string;
  /** Module (cell) size, mm. */
  readonly module: number;
  /** Lower-left corner of the symbol (the corner of the finder's L), without quiet zone, mm. */
  readonly origin: Point;
  /** Degrees counter-clockwise about the origin. */
  readonly rotation: number;
  /** Quiet zone width, modules. */
  readonly quietZone: number;
  /** Expected struck dot diameter, mm. */
  readonly dotDiameter: number;
  readonly blockId: string;
  /** Square (default) or rectangular ECC200 symbol. */
  readonly shape?: DatamatrixShape;
  /** Where the head comes from (the previous block's last strike); the path is then walked from its nearer end. */
  readonly from?: Point;
  /** Improve every serpentine start, not only the shortest: 2–6 % less travel, about eight times the work (see order.ts). */
  readonly everyStart?: boolean;
}

export interface DatamatrixPlan {
  /** Centres of the dark modules in strike order, mm. */
  readonly strikes: Point[];
  /** Corners of the symbol: lower-left (origin), lower-right, upper-right, upper-left. */
  readonly symbolBox: readonly [Point, Point, Point, Point];
  /** The symbol grown by the quiet zone on every side: its corners (same order) and their axis-aligned box. */
  readonly quietBox: { readonly polygon: readonly [Point, Point, Point, Point]; readonly box: Box };
  readonly rows: number;
  readonly cols: number;
  /** Size of the symbol without quiet zone, mm. */
  readonly sizeMm: { readonly width: number; readonly height: number };
  readonly module: number;
  readonly dotDiameter: number;
  readonly rotation: number;
  readonly origin: Point;
}

export const MODULE_MIN = 0.19; // mm, MIL-STD-130N
export const MODULE_MAX = 0.64; // mm, MIL-STD-130N
export const SYMBOL_MAX = 25.4; // mm (1 in), MIL-STD-130N
export const DOT_MIN = 0.6; // of the module, SAE AS9132
export const DOT_MAX = 1.05; // of the module, SAE AS9132

const mm = (v: number) => `${Number(v.toFixed(3))} mm`;

export function planDatamatrix(input: DatamatrixPlanInput): DatamatrixPlan {
  const { module: m, blockId, dotDiameter, quietZone } = input;
  const where = blockId;
  const fail = (message: string, details: Record<string, unknown>): never => {
    throw new PeenmarkError("E_DATAMATRIX", `Data Matrix block "${blockId}": ${message}`, { where, details });
  };

  if (!(m >= MODULE_MIN && m <= MODULE_MAX))
    fail(`module size ${mm(m)} is outside ${MODULE_MIN}–${MODULE_MAX} mm (MIL-STD-130N); set "module" within that range`, { module: m });
  if (!(Number.isInteger(quietZone) && quietZone >= 1))
    fail(`quiet zone of ${quietZone} modules; it must be a whole number of modules, at least 1`, { quietZone });
  const ratio = dotDiameter / m;
  if (!(ratio >= DOT_MIN - 1e-9 && ratio <= DOT_MAX + 1e-9)) {
    const lo = dotDiameter / DOT_MAX, hi = dotDiameter / DOT_MIN;
    fail(
      `dot diameter ${mm(dotDiameter)} is ${Math.round(ratio * 100)} % of the ${mm(m)} module; SAE AS9132 asks for 60–105 %: ` +
        `set "module" between ${mm(Math.max(lo, MODULE_MIN))} and ${mm(Math.min(hi, MODULE_MAX))}, or a dot diameter between ${mm(m * DOT_MIN)} and ${mm(m * DOT_MAX)}`,
      { dotDiameter, module: m, ratio },
    );
  }

  const symbol = encodeDatamatrix(input.payload, { shape: input.shape ?? "square", blockId });
  const { rows, cols } = symbol;
  const width = cols * m, height = rows * m;
  if (Math.max(width, height) > SYMBOL_MAX + 1e-9) {
    const fits = Math.floor((SYMBOL_MAX / Math.max(rows, cols)) * 1000) / 1000;
    fail(
      `the symbol is ${rows}×${cols} modules, ${mm(width)} × ${mm(height)}, larger than ${SYMBOL_MAX} mm (MIL-STD-130N); ` +
        (fits >= MODULE_MIN ? `use a module of at most ${mm(fits)} or a shorter payload` : `shorten the payload`),
      { rows, cols, width, height },
    );
  }

  // Symbol frame: origin at the lower-left corner, X along the bottom row, Y up; module row 0 is the top.
  const toWork = compose(translate(input.origin.x, input.origin.y), rotate(input.rotation));
  const cells = cellsOf(symbol.modules);
  const strikes = strikeOrder(cells, { everyStart: input.everyStart ?? false }).map((i) => {
    const { c, r } = cells[i]!;
    return apply(toWork, { x: (c + 0.5) * m, y: (rows - r - 0.5) * m });
  });
  const from = input.from;
  if (from && strikes.length > 1 && distance(from, strikes[strikes.length - 1]!) < distance(from, strikes[0]!)) strikes.reverse();
  const corners = (grow: number) =>
    [
      apply(toWork, { x: -grow, y: -grow }),
      apply(toWork, { x: width + grow, y: -grow }),
      apply(toWork, { x: width + grow, y: height + grow }),
      apply(toWork, { x: -grow, y: height + grow }),
    ] as const;
  const quiet = corners(quietZone * m);
  return {
    strikes,
    symbolBox: corners(0),
    quietBox: { polygon: quiet, box: boxOf(quiet) },
    rows,
    cols,
    sizeMm: { width, height },
    module: m,
    dotDiameter,
    rotation: input.rotation,
    origin: input.origin,
  };
}
