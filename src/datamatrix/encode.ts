import { createRequire } from "node:module";
import type BwipJs from "bwip-js";
import { PeenmarkError } from "../errors.ts";

/**
 * ECC200 Data Matrix (ISO/IEC 16022) module matrix of a payload, through bwip-js (a port of
 * BWIPP): it chooses the encodation (ASCII, C40, Text, …) that gives the smallest symbol and
 * adds the Reed–Solomon error correction of ECC200. The matrix includes the finder pattern
 * (solid L along the left column and the bottom row) and the timing pattern (alternating
 * modules along the top row and the right column).
 */
export interface DatamatrixSymbol {
  readonly rows: number;
  readonly cols: number;
  /** modules[r][c]: true = dark (struck). Row 0 is the TOP row (the timing row), column 0 the left (the finder's leg). */
  readonly modules: readonly (readonly boolean[])[];
}

export type DatamatrixShape = "square" | "rectangle";

// bwip-js is a megabyte of CommonJS: load it the first time a symbol is encoded, not with
// every compile (a CLI start that marks only text does not pay for it).
let bwip: typeof BwipJs | undefined;
const bwipjs = () => (bwip ??= createRequire(import.meta.url)("bwip-js") as typeof BwipJs);

/** Where the payload comes from, for error messages: a block id. */
export function encodeDatamatrix(payload: string, options: { shape?: DatamatrixShape; blockId?: string } = {}): DatamatrixSymbol {
  const where = options.blockId;
  const named = where === undefined ? "the Data Matrix payload" : `the payload of Data Matrix block "${where}"`;
  if (payload.length === 0)
    throw new PeenmarkError("E_DATAMATRIX", `${named} is empty; give it the text to encode`, { ...(where === undefined ? {} : { where }) });
  for (const ch of payload) {
    const code = ch.codePointAt(0)!;
    // ECC200's ASCII encodation covers 0–127 directly; anything beyond needs Upper Shift / ECI
    // and is not read the same way by every verifier, so a mark carries ASCII only.
    if (code > 0x7f) {
      const hex = code.toString(16).toUpperCase().padStart(4, "0");
      throw new PeenmarkError("E_DATAMATRIX", `${named} contains "${ch}" (U+${hex}), which is not ASCII; a marked Data Matrix carries ASCII only: spell it without that character`, {
        ...(where === undefined ? {} : { where }),
        details: { character: ch, codePoint: code },
      });
    }
  }
  const shape = options.shape ?? "square";
  let result;
  try {
    // BWIPP's "datamatrix" picks the smallest square symbol; "datamatrixrectangular" the smallest rectangle.
    result = bwipjs().raw(shape === "square" ? "datamatrix" : "datamatrixrectangular", payload, {});
  } catch (e) {
    // bwip-js throws when the payload exceeds the largest symbol (144×144 holds 2335 ASCII characters, fewer for rectangles).
    throw new PeenmarkError("E_DATAMATRIX", `${named} (${payload.length} characters) cannot be encoded as a ${shape} Data Matrix: ${e instanceof Error ? e.message : String(e)}`, {
      ...(where === undefined ? {} : { where }),
      cause: e,
    });
  }
  const first = result[0];
  if (first === undefined || !("pixs" in first)) throw new Error("bwip-js returned no module matrix for datamatrix");
  const { pixs, pixx: cols, pixy: rows } = first;
  const modules: boolean[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: boolean[] = [];
    for (let c = 0; c < cols; c++) row.push(pixs[r * cols + c] === 1);
    modules.push(row);
  }
  return { rows, cols, modules };
}
