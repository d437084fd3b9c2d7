import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ZXing from "@zxing/library";
import { apply, compose, rotate, translate, type Point } from "../geometry.ts";
import { renderStrikes, type CameraImage } from "../camera/render.ts";
import { payloadFromReader, withByteDecoding } from "./encode.ts";

withByteDecoding(ZXing);

/**
 * Verify a planned Data Matrix before any metal is struck: render its strikes as a bench
 * camera would see them (src/camera/render.ts: round dark dots, gaussian defocus) and read
 * the picture with two independent decoders.
 *
 * - zxing (@zxing/library DataMatrixReader, HybridBinarizer, TRY_HARDER): its detector counts
 *   transitions along the timing pattern between corners found by a white-rectangle search;
 *   on this camera view it missed symbols turned 40–50° (and 135°, 225°), so it wants a
 *   roughly upright symbol. It is given the strikes turned back into the symbol's own frame
 *   (origin at the lower-left of the symbol, no rotation).
 * - dmtxread (libdmtx, Debian dmtx-utils): finds edges at any angle; it is given the strikes
 *   as struck, rotation included.
 *
 * This is the edge of the verification (a child process, a temporary file): the plan itself
 * stays pure.
 */
export interface VerifyOptions {
  /** Module size, mm. */
  readonly module: number;
  /** Struck dot diameter, mm. */
  readonly dotDiameter: number;
  /** The symbol's lower-left corner and its rotation (degrees CCW): used to turn the symbol upright for zxing. */
  readonly origin?: Point;
  readonly rotation?: number;
  /** Camera resolution, pixels per module. Default 8 (a dot 80–105 % of the module is then 6–8 px across). */
  readonly pxPerModule?: number;
  /** Gaussian defocus, sigma in modules. Default 0.3: a slightly soft camera. Both decoders look for
   *  the finder's solid L and the timing pattern's edges; on the part these are rows of separate
   *  craters, and the blur is what joins them (as a reader's optics do). With 8 px per module this
   *  read every symbol of a sweep of 40 payloads × 4 rotations × dots of 80–105 % of the module,
   *  with both decoders; at 0.15 most 80 % symbols did not read. */
  readonly blurModules?: number;
  /** Dots smaller than this fraction of the module are pictured at it. Default 0.8; 0 pictures every dot at its planned size.
   *  A dot-peen reader joins and grows craters before it looks for the finder pattern; the two generic
   *  decoders here do not, and in this camera view they miss most symbols whose dots are 60–75 % of the
   *  module although SAE AS9132 allows them (the dot size has its own check in planDatamatrix). */
  readonly readerFill?: number;
  /** Bare metal around the symbol in the picture, modules. Default 3. */
  readonly marginModules?: number;
  /** Which decoders to run; default both. */
  readonly decoders?: readonly Decoder[];
  /** dmtxread's own time limit, ms. Default 20 000. */
  readonly dmtxTimeoutMs?: number;
}

export type Decoder = "zxing" | "dmtxread";

export interface DecodeResult {
  /** The text read, or null when the decoder found no symbol (see `why`). */
  readonly text: string | null;
  readonly why?: string;
}

export interface Verification {
  readonly zxing?: DecodeResult;
  readonly dmtxread?: DecodeResult;
  /** The pictures the decoders read: upright (zxing) and as struck (dmtxread), dots at max(dot diameter, readerFill × module). */
  readonly images: { readonly upright: CameraImage; readonly asStruck: CameraImage };
}

export async function decodeStrikes(strikes: readonly Point[], opts: VerifyOptions): Promise<Verification> {
  const m = opts.module;
  const pxPerMm = (opts.pxPerModule ?? 8) / m;
  const blurMm = (opts.blurModules ?? 0.3) * m;
  const seen = Math.max(opts.dotDiameter, (opts.readerFill ?? 0.8) * m);
  const marginMm = (opts.marginModules ?? 3) * m + (m - seen) / 2;
  const decoders = opts.decoders ?? ["zxing", "dmtxread"];
  const origin = opts.origin ?? { x: 0, y: 0 };

  const toSymbol = compose(rotate(-(opts.rotation ?? 0)), translate(-origin.x, -origin.y));
  const dot = (p: Point) => ({ x: p.x, y: p.y, diameter: seen });
  const upright = renderStrikes(strikes.map((p) => dot(apply(toSymbol, p))), { pxPerMm, blurMm, marginMm });
  const asStruck = renderStrikes(strikes.map(dot), { pxPerMm, blurMm, marginMm });

  return {
    ...(decoders.includes("zxing") ? { zxing: decodeZxing(upright) } : {}),
    ...(decoders.includes("dmtxread") ? { dmtxread: await decodeDmtxread(asStruck, opts.dmtxTimeoutMs ?? 20_000) } : {}),
    images: { upright, asStruck },
  };
}

export function decodeZxing(img: CameraImage): DecodeResult {
  const luminance = new ZXing.RGBLuminanceSource(new Uint8ClampedArray(img.gray), img.width, img.height);
  const bitmap = new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(luminance));
  const hints = new Map<ZXing.DecodeHintType, unknown>([[ZXing.DecodeHintType.TRY_HARDER, true]]);
  try {
    return { text: payloadFromReader(new ZXing.DataMatrixReader().decode(bitmap, hints).getText()) };
  } catch (e) {
    // zxing signals "no symbol here" with NotFound/Checksum/Format exceptions.
    return { text: null, why: `zxing: ${e instanceof Error ? e.name || e.constructor.name : String(e)}` };
  }
}

export async function decodeDmtxread(img: CameraImage, timeoutMs: number): Promise<DecodeResult> {
  const dir = await mkdtemp(join(tmpdir(), "peenmark-dmtx-"));
  try {
    const file = join(dir, "mark.png");
    await writeFile(file, img.png());
    // -N1: stop at the first symbol; -m: libdmtx's own scan time limit. Without -n, stdout is exactly the data.
    const { stdout, code, stderr } = await run("dmtxread", ["-N1", `-m${timeoutMs}`, file], timeoutMs + 5_000);
    if (stdout.length > 0) return { text: payloadFromReader(stdout) };
    return { text: null, why: `dmtxread found no symbol (exit ${code}${stderr ? `: ${stderr.trim()}` : ""})` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], timeout: number): Promise<{ stdout: string; stderr: string; code: number | string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: "latin1", timeout }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === "ENOENT") reject(new Error(`${cmd} is not installed (Debian package dmtx-utils)`));
      else resolve({ stdout, stderr, code: err ? ((err as { code?: number | string }).code ?? "signal") : 0 });
    });
  });
}
