import type { Point, Stroke } from "../geometry.ts";
import { distance } from "../geometry.ts";

/**
 * Strokes → strikes for dot mode, one glyph at a time.
 *
 * Some points of a glyph are always struck, because they carry its shape and its size:
 * - the single strikes the font draws (the dot of an i);
 * - the glyph's extremes in its own up direction: the tops and bottoms of round letters,
 *   so that a struck O is as tall as a struck H (the 1/16 in of 27 CFR 478.92 is measured
 *   on what is struck);
 * - stroke ends, crossings, and the points where a stroke meets another (the stem of a T
 *   under its bar, the bowl of a 6 closing on its stem): one strike, shared by both;
 * - corners (a turn sharper than CORNER_DEGREES);
 * - the glyph's extremes in its reading direction (the sides of an O).
 * Fixed points closer than half a pitch to a stronger one are struck once, at the stronger;
 * a fixed point within half a pitch of another stroke is a stop of that stroke too.
 * Between consecutive stops of a stroke the strikes are spread evenly, as many as keep
 * every gap at most one pitch. A spread strike that would come within half a pitch of one
 * already struck (both sides of a sharp corner, strokes that run close together) makes
 * that strike a stop and the stroke is spread again; what stays crowded is dropped.
 *
 * What comes out is checked by test/plan/dots.test.ts on every glyph of every station
 * font: no two strikes closer than 0.5 × pitch, no point of a stroke further than
 * 0.525 × pitch from a strike (no gap over 1.05 × pitch), every extreme struck.
 */

/** A turn sharper than this keeps its vertex as a strike (degrees). */
export const CORNER_DEGREES = 35;

/** Two strikes of one glyph are never closer than this fraction of the pitch. */
export const MIN_GAP = 0.5;

/** A glyph's own frame: unit vectors of its reading direction and its up, work-area mm. */
export interface GlyphFrame {
  readonly along: Point;
  readonly up: Point;
}

export interface GlyphStrikes {
  /** The font's single strikes that are struck (all of them, unless two coincide). */
  readonly dots: readonly Point[];
  /** One train per stroke, in stroke order (a strike shared with an earlier stroke is in the earlier one's train). */
  readonly trains: readonly (readonly Point[])[];
}

/** Strength of a fixed point: a weaker one within half a pitch of a stronger one is struck at the stronger. */
const enum Kind {
  FontDot = 0,
  UpExtreme = 1,
  Topology = 2, // stroke ends and crossings
  Corner = 3,
  AlongExtreme = 4,
}

interface Path {
  /** Polyline; a closed stroke repeats its first point at the end. */
  readonly pts: readonly Point[];
  /** Arc length at each point. */
  readonly at: readonly number[];
  readonly length: number;
  readonly closed: boolean;
}

interface Fixed {
  readonly path: number; // -1 for a font dot
  readonly s: number; // arc length on the path
  readonly p: Point;
  readonly kind: Kind;
}

function toPath(st: Stroke): Path {
  const pts = st.closed && st.points.length > 1 ? [...st.points, st.points[0]!] : [...st.points];
  const at = [0];
  for (let i = 1; i < pts.length; i++) at.push(at[i - 1]! + distance(pts[i - 1]!, pts[i]!));
  return { pts, at, length: at[at.length - 1]!, closed: st.closed };
}

function pointAt(path: Path, s: number): Point {
  const { pts, at } = path;
  if (s <= 0) return pts[0]!;
  if (s >= path.length) return pts[pts.length - 1]!;
  let lo = 0;
  let hi = at.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (at[mid]! <= s) lo = mid;
    else hi = mid;
  }
  const a = pts[lo]!;
  const b = pts[hi]!;
  const len = at[hi]! - at[lo]!;
  const t = len === 0 ? 0 : (s - at[lo]!) / len;
  return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
}

function turnDegrees(a: Point, b: Point, c: Point): number {
  const v1x = b.x - a.x;
  const v1y = b.y - a.y;
  const v2x = c.x - b.x;
  const v2y = c.y - b.y;
  const n = Math.hypot(v1x, v1y) * Math.hypot(v2x, v2y);
  if (n === 0) return 0;
  const cos = Math.max(-1, Math.min(1, (v1x * v2x + v1y * v2y) / n));
  return (Math.acos(cos) * 180) / Math.PI;
}

/** Vertex indices of a path's distinct points (a closed path's repeated last point left out). */
function vertexCount(path: Path): number {
  return path.closed ? path.pts.length - 1 : path.pts.length;
}

/** Corners: vertices where the path turns sharper than CORNER_DEGREES (a closed path wraps round). */
function corners(path: Path, out: (i: number) => void): void {
  const n = vertexCount(path);
  if (n < 3) return;
  for (let i = path.closed ? 0 : 1; i < (path.closed ? n : n - 1); i++) {
    const prev = path.pts[(i - 1 + n) % n]!;
    const next = path.pts[(i + 1) % n]!;
    if (turnDegrees(prev, path.pts[i]!, next) > CORNER_DEGREES) out(i);
  }
}

/**
 * Local extremes of the projection on `dir`: runs of equal projection with both neighbours
 * on the same side. For a plateau the middle vertex is taken. Open paths: interior vertices
 * only (their ends are struck anyway).
 */
function extremes(path: Path, dir: Point, eps: number, out: (i: number) => void): void {
  const n = vertexCount(path);
  if (n < 3) return;
  const v = (i: number) => {
    const p = path.pts[((i % n) + n) % n]!;
    return p.x * dir.x + p.y * dir.y;
  };
  if (path.closed) {
    // Start the scan at a vertex that differs from its predecessor, so no plateau is split.
    let start = 0;
    while (start < n && Math.abs(v(start) - v(start - 1)) <= eps) start++;
    if (start === n) return; // a flat closed path (all points on one line across dir)
    for (let k = 0; k < n; ) {
      const a = start + k;
      let b = a;
      while (b + 1 < start + n && Math.abs(v(b + 1) - v(a)) <= eps) b++;
      const before = v(a - 1) - v(a);
      const after = v(b + 1) - v(a);
      if ((before < -eps && after < -eps) || (before > eps && after > eps)) out((((a + b) >> 1) % n + n) % n);
      k += b - a + 1;
    }
    return;
  }
  for (let a = 1; a < n - 1; ) {
    let b = a;
    while (b + 1 < n - 1 && Math.abs(v(b + 1) - v(a)) <= eps) b++;
    const before = v(a - 1) - v(a);
    const after = v(b + 1) - v(a);
    if ((before < -eps && after < -eps) || (before > eps && after > eps)) out((a + b) >> 1);
    a = b + 1;
  }
}

/** Where segments ab and cd cross (strictly inside both), as fractions along each. */
function crossing(a: Point, b: Point, c: Point, d: Point): { t: number; u: number } | undefined {
  const rx = b.x - a.x;
  const ry = b.y - a.y;
  const sx = d.x - c.x;
  const sy = d.y - c.y;
  const den = rx * sy - ry * sx;
  if (Math.abs(den) < 1e-15) return undefined;
  const qx = c.x - a.x;
  const qy = c.y - a.y;
  const t = (qx * sy - qy * sx) / den;
  const u = (qx * ry - qy * rx) / den;
  const e = 1e-9;
  return t > e && t < 1 - e && u > e && u < 1 - e ? { t, u } : undefined;
}

/** Arc distance between two positions on a path (round the loop for a closed one). */
function arcGap(path: Path, s1: number, s2: number): number {
  const d = Math.abs(s1 - s2);
  return path.closed ? Math.min(d, path.length - d) : d;
}

/** Closest point of segment ab to p, as a fraction along it. */
function closestOnSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return 0;
  return Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
}

/** Positions on `path` within `reach` of `p`, one per approach (the nearest of each run of segments that come that close). */
function approaches(path: Path, p: Point, reach: number): { s: number; d: number }[] {
  const out: { s: number; d: number }[] = [];
  let best: { s: number; d: number } | undefined;
  const flush = () => {
    if (best) out.push(best);
    best = undefined;
  };
  for (let i = 1; i < path.pts.length; i++) {
    const a = path.pts[i - 1]!;
    const b = path.pts[i]!;
    const t = closestOnSegment(p, a, b);
    const q = { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
    const d = distance(p, q);
    const s = path.at[i - 1]! + (path.at[i]! - path.at[i - 1]!) * t;
    if (d < reach) {
      if (!best || d < best.d) best = { s, d };
    } else flush();
  }
  flush();
  return out;
}

/** The strikes of one glyph in dot mode: its strokes (mm) and its font dots, in its frame. */
export function strikeGlyph(strokes: readonly Stroke[], fontDots: readonly Point[], frame: GlyphFrame, pitch: number): GlyphStrikes {
  const minGap = MIN_GAP * pitch;
  const eps = 1e-7 * pitch;
  const paths = strokes.map(toPath);

  // 1. Fixed points of each stroke, and the font's dots.
  const fixed: Fixed[] = fontDots.map((p) => ({ path: -1, s: 0, p, kind: Kind.FontDot }));
  paths.forEach((path, k) => {
    if (path.pts.length === 0) return;
    const add = (i: number, kind: Kind) => fixed.push({ path: k, s: path.at[i]!, p: path.pts[i]!, kind });
    if (!path.closed) {
      add(0, Kind.Topology);
      add(path.pts.length - 1, Kind.Topology);
    }
    extremes(path, frame.up, eps, (i) => add(i, Kind.UpExtreme));
    corners(path, (i) => add(i, Kind.Corner));
    extremes(path, frame.along, eps, (i) => add(i, Kind.AlongExtreme));
  });
  // Crossings, between strokes and of a stroke with itself (the loop of a 4).
  for (let k = 0; k < paths.length; k++)
    for (let m = k; m < paths.length; m++) {
      const A = paths[k]!;
      const B = paths[m]!;
      for (let i = 1; i < A.pts.length; i++)
        for (let j = k === m ? i + 2 : 1; j < B.pts.length; j++) {
          const x = crossing(A.pts[i - 1]!, A.pts[i]!, B.pts[j - 1]!, B.pts[j]!);
          if (!x) continue;
          const sA = A.at[i - 1]! + (A.at[i]! - A.at[i - 1]!) * x.t;
          const sB = B.at[j - 1]! + (B.at[j]! - B.at[j - 1]!) * x.u;
          if (k === m && arcGap(A, sA, sB) <= pitch) continue;
          const p = pointAt(A, sA);
          fixed.push({ path: k, s: sA, p, kind: Kind.Topology });
          fixed.push({ path: m, s: sB, p, kind: Kind.Topology });
        }
    }

  // 2. Cluster: strongest first; a fixed point within minGap of a kept one is struck there.
  const order = fixed.map((_f, i) => i).sort((a, b) => fixed[a]!.kind - fixed[b]!.kind || a - b);
  const reps: Point[] = [];
  const repOf = new Array<number>(fixed.length);
  for (const i of order) {
    const f = fixed[i]!;
    let r = reps.findIndex((q) => distance(q, f.p) < minGap);
    if (r < 0) {
      r = reps.length;
      reps.push(f.p);
    }
    repOf[i] = r;
  }

  // 3. A struck fixed point within minGap of another stroke (or far along its own) is a
  //    junction there too: the stroke's spacing runs up to that strike instead of crowding it.
  const onPath: { s: number; rep: number }[][] = paths.map(() => []);
  fixed.forEach((f, i) => {
    if (f.path >= 0) onPath[f.path]!.push({ s: f.s, rep: repOf[i]! });
  });
  reps.forEach((q, r) => {
    paths.forEach((path, k) => {
      const own = onPath[k]!.filter((e) => e.rep === r).map((e) => e.s);
      for (const a of approaches(path, q, minGap))
        if (!own.some((s) => arcGap(path, s, a.s) <= pitch)) onPath[k]!.push({ s: a.s, rep: r });
    });
  });

  // 4. Spread strikes evenly between consecutive stops of each stroke, stroke by stroke. A
  //    spread strike that would land within minGap of one already struck (a stroke running
  //    close by, both sides of a sharp corner) makes that strike a stop of this stroke too,
  //    and the spreading is done again: the gap along the stroke stays at most one pitch.
  const struck = new Set<number>();
  const dots: Point[] = [];
  for (const [i, f] of fixed.entries())
    if (f.path < 0 && !struck.has(repOf[i]!)) {
      struck.add(repOf[i]!);
      dots.push(reps[repOf[i]!]!);
    }
  const kept: Point[] = [...reps];
  const trains: Point[][] = paths.map((path, k) => {
    // A stop sits where its strike lies beside the path (a strike moved to a stronger fixed
    // point nearby is off the path by less than minGap): spacing is measured from there.
    const stops: Stop[] = onPath[k]!.map((e) => ({ s: nearestOnPath(path, reps[e.rep]!, Math.max(0, e.s - pitch), Math.min(path.length, e.s + pitch)), p: reps[e.rep]!, rep: e.rep }));
    let spread: Spread[] = [];
    const futile = new Set<string>();
    const same = (a: Point, b: Point) => a.x === b.x && a.y === b.y;
    for (let round = 0; ; round++) {
      const ordered = normaliseStops(path, stops, pitch);
      spread = spreadAlong(path, ordered, pitch);
      // A stop on a strike of this stroke's own that has since moved (its run was spread again) goes.
      const stale = stops.findIndex((st) => st.foreign && !kept.includes(st.p) && !spread.some((d) => same(d.p, st.p)));
      if (stale >= 0 && round < 64) {
        stops.splice(stale, 1);
        continue;
      }
      const before: Spread[] = [];
      let crowd: { d: Spread; by: Point; key: string } | undefined;
      for (const d of spread) {
        const by = kept.find((q) => distance(q, d.p) < minGap - 1e-9) ?? before.find((q) => q.run !== d.run && distance(q.p, d.p) < minGap - 1e-9)?.p;
        const key = by && `${by.x},${by.y}@${ordered[d.run]!.s}`;
        if (by && !futile.has(key!)) {
          crowd = { d, by, key: key! };
          break;
        }
        before.push(d);
      }
      if (!crowd || round >= 64) break;
      // The crowding strike becomes a stop where it lies beside the run of the crowded one.
      const lo = ordered[crowd.d.run]!.s;
      const next = ordered[crowd.d.run + 1];
      const hi = next ? next.s : ordered[0]!.s + path.length;
      const at = nearestOnPath(path, crowd.by, lo, hi);
      const rep = reps.indexOf(crowd.by);
      // A stop that changes nothing (the strike already ends this run, off the path) cannot
      // help: that crowded strike is dropped at the end.
      if (ordered.some((st) => st.p === crowd.by && Math.abs(st.s - at) < 1e-9 * pitch)) {
        futile.add(crowd.key);
        continue;
      }
      stops.push({ s: at, p: crowd.by, ...(rep >= 0 ? { rep } : { foreign: true }) });
    }
    // What is left crowded (a stroke folding back on itself) is dropped.
    const accepted: Spread[] = [];
    for (const d of spread) {
      if (kept.some((q) => distance(q, d.p) < minGap - 1e-9) || accepted.some((q) => distance(q.p, d.p) < minGap - 1e-9)) {
        continue;
      }
      accepted.push(d);
    }
    for (const d of accepted) kept.push(d.p);
    // The train: this stroke's stops (a shared strike in the first stroke that reaches it) and spread strikes, in path order.
    const seq: { s: number; p: Point; rep?: number; foreign?: boolean }[] = [...normaliseStops(path, stops, pitch), ...accepted];
    seq.sort((a, b) => a.s - b.s);
    const out: Point[] = [];
    for (const t of seq) {
      if (t.foreign) continue;
      if (t.rep !== undefined) {
        if (struck.has(t.rep)) continue;
        struck.add(t.rep);
      }
      out.push(t.p);
    }
    return out;
  });
  // A fixed point no stroke reached as a stop (none expected) is still struck.
  reps.forEach((q, r) => {
    if (!struck.has(r)) {
      struck.add(r);
      dots.push(q);
    }
  });
  return { dots, trains };
}

interface Stop {
  readonly s: number;
  /** Where it is struck (a fixed point's strike may sit off the path by less than minGap). */
  readonly p: Point;
  /** The fixed point it is, if it is one. */
  readonly rep?: number;
  /** A strike of another stroke this one runs past: a stop, but not struck again. */
  readonly foreign?: boolean;
}

/** Stops in path order, repeats of one strike next to each other merged; a closed path's last one dropped when it is its first. */
function normaliseStops(path: Path, stops: readonly Stop[], pitch: number): Stop[] {
  const sorted = [...stops].sort((a, b) => a.s - b.s || (a.rep ?? -1) - (b.rep ?? -1));
  // Of repeats of one strike, keep the place on the path nearest to where it is struck.
  const off = (m: Stop) => distance(pointAt(path, m.s), m.p);
  const out: Stop[] = [];
  for (const m of sorted) {
    const last = out[out.length - 1];
    if (last && last.p === m.p && m.s - last.s <= pitch) {
      if (off(m) < off(last)) out[out.length - 1] = m;
      continue;
    }
    out.push(m);
  }
  if (path.closed && out.length > 1) {
    const first = out[0]!;
    const last = out[out.length - 1]!;
    if (first.p === last.p && path.length - last.s + first.s <= pitch) {
      if (off(last) < off(first)) out[0] = last;
      out.pop();
    }
  }
  return out;
}

/** Spread strikes between consecutive stops (round the loop for a closed path): as many as keep every step at most the pitch. */
interface Spread {
  readonly s: number;
  readonly p: Point;
  /** Which run (between stop `run` and the next) it belongs to. */
  readonly run: number;
}

function spreadAlong(path: Path, stops: readonly Stop[], pitch: number): Spread[] {
  const out: Spread[] = [];
  if (stops.length === 0) {
    // Cannot occur (an open stroke has its ends, a closed one its top and bottom); a
    // degenerate stroke (all points equal) is one strike.
    if (path.pts.length) out.push({ s: 0, p: path.pts[0]!, run: 0 });
    return out;
  }
  const runs: [number, number][] = [];
  for (let i = 0; i + 1 < stops.length; i++) runs.push([stops[i]!.s, stops[i + 1]!.s]);
  if (path.closed) runs.push([stops[stops.length - 1]!.s, stops[0]!.s + path.length]);
  runs.forEach(([s0, s1], run) => {
    const len = s1 - s0;
    const n = Math.max(1, Math.ceil(len / pitch - 1e-9));
    for (let j = 1; j < n; j++) {
      const s = s0 + (len * j) / n;
      const on = path.closed && s >= path.length ? s - path.length : s;
      out.push({ s: on, p: pointAt(path, on), run });
    }
  });
  return out;
}

/** Arc length of the point of `path` nearest to `p` between arc lengths `lo` and `hi`. */
function nearestOnPath(path: Path, p: Point, lo: number, hi: number): number {
  let best = (lo + hi) / 2;
  let bestD = Infinity;
  for (let i = 1; i < path.pts.length; i++) {
    if (path.at[i]! < lo || path.at[i - 1]! > hi) continue;
    const a = path.pts[i - 1]!;
    const b = path.pts[i]!;
    const t = closestOnSegment(p, a, b);
    const s = Math.max(lo, Math.min(hi, path.at[i - 1]! + (path.at[i]! - path.at[i - 1]!) * t));
    const d = distance(p, pointAt(path, s));
    if (d < bestD) {
      bestD = d;
      best = s;
    }
  }
  return best;
}

/** Strikes along a single stroke, upright, in stroke order: what `strikeGlyph` gives a glyph of that one stroke. */
export function dotsAlongStroke(stroke: Stroke, pitch: number, frame: GlyphFrame = { along: { x: 1, y: 0 }, up: { x: 0, y: 1 } }): Point[] {
  const g = strikeGlyph([stroke], [], frame, pitch);
  return [...g.dots, ...g.trains.flat()];
}
