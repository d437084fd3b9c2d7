import type { Point } from "../geometry.ts";

/**
 * The program as typed operations: what the head does, before any dialect. The G-code
 * writer, the preview and the time estimate all read this one list, so the picture and
 * the estimate describe exactly the program that is streamed.
 */
export type Op =
  /** Stop at `at` and strike once. */
  | { readonly kind: "strike"; readonly at: Point; readonly force: number; readonly block: string }
  /** Move along `points` with the pin firing at the strike frequency (a dot train). */
  | { readonly kind: "scribe"; readonly points: readonly Point[]; readonly force: number; readonly feed: number; readonly block: string };

export interface Program {
  readonly stationId: string;
  readonly profileId: string;
  /** Where the head is expected to be when the program starts, and where it parks after. */
  readonly park: Point;
  /** Seconds the pin output stays on for one strike. */
  readonly strikeTime: number;
  /** The strike block: Z move (mm, whole steps of the head) and the feed that makes it last strikeTime (mm/min). */
  readonly strike: { readonly move: number; readonly feed: number };
  readonly ops: readonly Op[];
}

/** Where an op starts (the end of the rapid that leads to it) and ends. */
export function opStart(op: Op): Point {
  return op.kind === "strike" ? op.at : op.points[0]!;
}

export function opEnd(op: Op): Point {
  return op.kind === "strike" ? op.at : op.points[op.points.length - 1]!;
}
