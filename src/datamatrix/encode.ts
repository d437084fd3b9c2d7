import { createRequire } from "node:module";
import type BwipJs from "bwip-js";
import type ZXingLib from "@zxing/library";
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

/**
 * The bytes a payload is encoded as. ISO/IEC 16022 encodes bytes, read by default as ISO
 * 8859-1 (ECI 000003): a payload of Latin-1 characters (Ñ, ó, É, ç, …) is its Latin-1 bytes
 * with no ECI. A payload with any character beyond Latin-1 (Č, Ł, Ő) is UTF-8 behind ECI
 * 000026, the designator a reader needs to know the bytes are UTF-8.
 */
export interface DatamatrixBytes {
  readonly bytes: Uint8Array;
  /** ECI designator, when the bytes are not the default ISO 8859-1. */
  readonly eci?: 26;
}

export function payloadBytes(payload: string): DatamatrixBytes {
  const latin1 = [...payload].every((ch) => ch.codePointAt(0)! <= 0xff);
  return latin1 ? { bytes: Uint8Array.from([...payload].map((ch) => ch.codePointAt(0)!)) } : { bytes: new TextEncoder().encode(payload), eci: 26 };
}

/** Where the payload comes from, for error messages: a block id. */
export function encodeDatamatrix(payload: string, options: { shape?: DatamatrixShape; blockId?: string } = {}): DatamatrixSymbol {
  const where = options.blockId;
  const named = where === undefined ? "the Data Matrix payload" : `the payload of Data Matrix block "${where}"`;
  if (payload.length === 0)
    throw new PeenmarkError("E_DATAMATRIX", `${named} is empty; give it the text to encode`, { ...(where === undefined ? {} : { where }) });
  for (const ch of payload) {
    const code = ch.codePointAt(0)!;
    // Control characters other than the GS/RS/EOT of structured payloads are not text a reader shows.
    if ((code < 0x20 && ![0x1d, 0x1e, 0x04].includes(code)) || (code >= 0x7f && code < 0xa0)) {
      const hex = code.toString(16).toUpperCase().padStart(4, "0");
      throw new PeenmarkError("E_DATAMATRIX", `${named} contains the control character U+${hex}; a marked Data Matrix carries text: remove it`, {
        ...(where === undefined ? {} : { where }),
        details: { character: ch, codePoint: code },
      });
    }
  }
  const shape = options.shape ?? "square";
  const { bytes, eci } = payloadBytes(payload);
  // bwip-js takes one character per byte with `binarytext`; `parsefnc` reads the ^ECInnnnnn designator.
  const text = (eci ? `^ECI${String(eci).padStart(6, "0")}` : "") + String.fromCharCode(...bytes).replace(/\^/g, eci ? "^^" : "^");
  let result;
  try {
    // BWIPP's "datamatrix" picks the smallest square symbol; "datamatrixrectangular" the smallest rectangle.
    result = bwipjs().raw(shape === "square" ? "datamatrix" : "datamatrixrectangular", text, { binarytext: true, ...(eci ? { parsefnc: true } : {}) });
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
  const symbol = { rows, cols, modules };
  const back = decodeModules(symbol);
  if (back !== payload)
    throw new PeenmarkError("E_DATAMATRIX", `${named} does not decode back as it was given (read ${JSON.stringify(back)}): it cannot be marked as is; report this with the payload`, {
      ...(where === undefined ? {} : { where }),
      details: { payload, read: back },
    });
  return symbol;
}

let zx: typeof ZXingLib | undefined;
const zxing = () => (zx ??= withByteDecoding(createRequire(import.meta.url)("@zxing/library") as typeof ZXingLib));

/** zxing reads Base 256 bytes as ISO 8859-1 through a fallback that fails on Node: have it decode them as what they are. */
export function withByteDecoding(z: typeof ZXingLib): typeof ZXingLib {
  z.ZXingStringEncoding.customDecoder = (b: Uint8Array, enc: string) => Buffer.from(b).toString(/^utf-?8$/i.test(enc) ? "utf8" : "latin1");
  return z;
}

/**
 * A reader's text as the payload it stands for. zxing 0.21.3 and libdmtx 0.7 both skip the
 * ECI character and pass its designator on as one character of value 26 for ECI 000026;
 * the bytes after it are UTF-8. Without it the bytes are ISO 8859-1, one character each.
 */
export function payloadFromReader(text: string): string {
  return text.startsWith("\u001a") ? Buffer.from(text.slice(1), "latin1").toString("utf8") : text;
}

/**
 * Read a module matrix back (zxing's pure-symbol path over a clean bitmap): the payload as a
 * reader gives it. zxing 0.21.3 skips the ECI character (codeword 241) and passes the
 * designator's codeword on as a character of value ECI number; for ECI 000026 the bytes
 * after it are UTF-8.
 */
export function decodeModules(s: DatamatrixSymbol): string | null {
  const Z = zxing();
  const px = 4;
  const q = 2;
  const w = (s.cols + 2 * q) * px;
  const h = (s.rows + 2 * q) * px;
  const lum = new Uint8ClampedArray(w * h).fill(255);
  s.modules.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (!dark) return;
      for (let y = 0; y < px; y++) for (let x = 0; x < px; x++) lum[((r + q) * px + y) * w + (c + q) * px + x] = 0;
    }),
  );
  let text: string;
  try {
    const bitmap = new Z.BinaryBitmap(new Z.HybridBinarizer(new Z.RGBLuminanceSource(lum, w, h)));
    text = new Z.DataMatrixReader().decode(bitmap, new Map([[Z.DecodeHintType.PURE_BARCODE, true]])).getText();
  } catch {
    return null;
  }
  return payloadFromReader(text);
}
