import type { Point } from "../geometry.ts";
import { distance } from "../geometry.ts";

/**
 * Travel order: which stroke (or dot) next, and in which direction. Nearest neighbour with
 * stroke reversal, improved by 2-opt and Or-opt over a sliding window, and never worse than
 * the order the strokes came in. Deterministic: ties break by index, no randomness, bounded
 * passes instead of a clock.
 */
export interface OrderItem {
  readonly start: Point;
  readonly end: Point;
  /** May be run end → start. */
  readonly reversible: boolean;
}

export interface Visit {
  readonly index: number;
  readonly reversed: boolean;
}

/** Window of tour positions that 2-opt and Or-opt look across. */
const WINDOW = 40;
const MAX_PASSES = 6;

const head = (it: OrderItem, rev: boolean) => (rev ? it.end : it.start);
const tail = (it: OrderItem, rev: boolean) => (rev ? it.start : it.end);

/** Travel of a tour from `from`: the sum of the rapids between items. */
export function travelOf(items: readonly OrderItem[], tour: readonly Visit[], from: Point): number {
  let at = from;
  let sum = 0;
  for (const v of tour) {
    const it = items[v.index]!;
    sum += distance(at, head(it, v.reversed));
    at = tail(it, v.reversed);
  }
  return sum;
}

/** Spatial buckets of item ends, for nearest-neighbour queries in O(1) average. */
class EndGrid {
  private readonly cells = new Map<number, number[]>();
  private readonly size: number;
  private readonly minX: number;
  private readonly minY: number;
  private readonly cols: number;
  private readonly rows: number;

  constructor(private readonly items: readonly OrderItem[]) {
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    for (const it of items)
      for (const p of [it.start, it.end]) {
        minX = Math.min(minX, p.x);
        minY = Math.min(minY, p.y);
        maxX = Math.max(maxX, p.x);
        maxY = Math.max(maxY, p.y);
      }
    // About one end per cell. Collinear ends (a row of "-" or "|") have no area: the span
    // then sets the size, so the grid never has more cells along an axis than ends.
    const n = Math.max(items.length, 1);
    const span = Math.max(maxX - minX, maxY - minY);
    this.size = Math.max(Math.sqrt(((maxX - minX) * (maxY - minY)) / n), span / n, 1e-3);
    this.minX = minX;
    this.minY = minY;
    this.cols = Math.floor((maxX - minX) / this.size) + 1;
    this.rows = Math.floor((maxY - minY) / this.size) + 1;
    items.forEach((it, i) => {
      this.add(it.start, i);
      if (it.reversible && distance(it.start, it.end) > 0) this.add(it.end, i);
    });
  }

  private cellOf(p: Point): [number, number] {
    return [Math.floor((p.x - this.minX) / this.size), Math.floor((p.y - this.minY) / this.size)];
  }

  private add(p: Point, i: number): void {
    const [cx, cy] = this.cellOf(p);
    const k = cy * this.cols + cx;
    const bucket = this.cells.get(k);
    if (bucket) bucket.push(i);
    else this.cells.set(k, [i]);
  }

  /** Nearest unvisited item end to `p`, searching rings of cells outward. */
  nearest(p: Point, visited: Uint8Array): Visit | undefined {
    const [cx, cy] = this.cellOf(p);
    let best: Visit | undefined;
    let bestD = Infinity;
    const visit = (x: number, y: number) => {
      if (x < 0 || x >= this.cols || y < 0 || y >= this.rows) return;
      const bucket = this.cells.get(y * this.cols + x);
      if (!bucket) return;
      for (const i of bucket) {
        if (visited[i]) continue;
        const it = this.items[i]!;
        const ds = distance(p, it.start);
        if (ds < bestD || (ds === bestD && best && i < best.index)) {
          bestD = ds;
          best = { index: i, reversed: false };
        }
        if (it.reversible) {
          const de = distance(p, it.end);
          if (de < bestD) {
            bestD = de;
            best = { index: i, reversed: true };
          }
        }
      }
    };
    // Rings that lie wholly outside the grid are empty: start at the first that reaches it.
    const first = Math.max(0, -cx, cx - (this.cols - 1), -cy, cy - (this.rows - 1));
    const last = first + Math.max(this.cols, this.rows);
    for (let r = first; r <= last; r++) {
      // Everything in ring r is at least (r-1)·size away.
      if (best && (r - 1) * this.size > bestD) break;
      if (r === 0) {
        visit(cx, cy);
        continue;
      }
      // Walk the ring's perimeter only, clipped to the grid.
      for (let x = Math.max(cx - r, 0); x <= Math.min(cx + r, this.cols - 1); x++) {
        visit(x, cy - r);
        visit(x, cy + r);
      }
      for (let y = Math.max(cy - r + 1, 0); y <= Math.min(cy + r - 1, this.rows - 1); y++) {
        visit(cx - r, y);
        visit(cx + r, y);
      }
    }
    return best;
  }
}

function nearestNeighbour(items: readonly OrderItem[], from: Point): Visit[] {
  const grid = new EndGrid(items);
  const visited = new Uint8Array(items.length);
  const tour: Visit[] = [];
  let at = from;
  for (let k = 0; k < items.length; k++) {
    const v = grid.nearest(at, visited)!;
    visited[v.index] = 1;
    tour.push(v);
    at = tail(items[v.index]!, v.reversed);
  }
  return tour;
}

/**
 * Head and tail coordinates of the item at each tour position, kept in flat arrays so that
 * the improvement loops below read numbers, not objects. Refreshed over the positions a
 * move changed.
 */
class Ends {
  readonly hx: Float64Array;
  readonly hy: Float64Array;
  readonly tx: Float64Array;
  readonly ty: Float64Array;

  constructor(
    private readonly items: readonly OrderItem[],
    private readonly tour: readonly Visit[],
  ) {
    const n = tour.length;
    this.hx = new Float64Array(n);
    this.hy = new Float64Array(n);
    this.tx = new Float64Array(n);
    this.ty = new Float64Array(n);
    this.refresh(0, n - 1);
  }

  refresh(lo: number, hi: number): void {
    for (let k = Math.max(0, lo); k <= Math.min(this.tour.length - 1, hi); k++) {
      const v = this.tour[k]!;
      const h = head(this.items[v.index]!, v.reversed);
      const t = tail(this.items[v.index]!, v.reversed);
      this.hx[k] = h.x;
      this.hy[k] = h.y;
      this.tx[k] = t.x;
      this.ty[k] = t.y;
    }
  }
}

const dist = (ax: number, ay: number, bx: number, by: number) => {
  const dx = bx - ax;
  const dy = by - ay;
  return Math.sqrt(dx * dx + dy * dy);
};

/** 2-opt over a window: reverse tour[i+1..j] (and each item's direction) when it shortens travel. */
function twoOpt(items: readonly OrderItem[], tour: Visit[], from: Point, window = WINDOW): boolean {
  let improved = false;
  const n = tour.length;
  const e = new Ends(items, tour);
  for (let i = -1; i < n - 1; i++) {
    // End of position i (the start point before the tour).
    const ax = i < 0 ? from.x : e.tx[i]!;
    const ay = i < 0 ? from.y : e.ty[i]!;
    for (let j = i + 1; j < Math.min(n, i + 1 + window); j++) {
      // Every item in the segment must be reversible (a one-way stroke cannot run backwards).
      if (!items[tour[j]!.index]!.reversible) break;
      const bx = e.hx[i + 1]!, by = e.hy[i + 1]!;
      const cx = e.tx[j]!, cy = e.ty[j]!;
      const last = j + 1 >= n;
      const before = dist(ax, ay, bx, by) + (last ? 0 : dist(cx, cy, e.hx[j + 1]!, e.hy[j + 1]!));
      const after = dist(ax, ay, cx, cy) + (last ? 0 : dist(bx, by, e.hx[j + 1]!, e.hy[j + 1]!));
      if (after < before - 1e-9) {
        const seg = tour.slice(i + 1, j + 1).reverse().map((v) => ({ index: v.index, reversed: !v.reversed }));
        tour.splice(i + 1, seg.length, ...seg);
        e.refresh(i + 1, j);
        improved = true;
      }
    }
  }
  return improved;
}

/** Or-opt: move a run of 1–3 items elsewhere within the window (either direction) when shorter. */
function orOpt(items: readonly OrderItem[], tour: Visit[], from: Point, window = WINDOW): boolean {
  let improved = false;
  const n = tour.length;
  const e = new Ends(items, tour);
  // End of position k (k = −1: the start point) and start of position k (k = n: none).
  const ex = (k: number) => (k < 0 ? from.x : e.tx[k]!);
  const ey = (k: number) => (k < 0 ? from.y : e.ty[k]!);
  for (let len = 1; len <= 3; len++) {
    for (let i = 0; i + len <= n; i++) {
      const j = i + len - 1; // last position of the run
      const px = ex(i - 1), py = ey(i - 1);
      const hasNext = j + 1 < n;
      const sHx = e.hx[i]!, sHy = e.hy[i]!;
      const sTx = e.tx[j]!, sTy = e.ty[j]!;
      const gain = dist(px, py, sHx, sHy) + (hasNext ? dist(sTx, sTy, e.hx[j + 1]!, e.hy[j + 1]!) - dist(px, py, e.hx[j + 1]!, e.hy[j + 1]!) : 0);
      let canFlip = true;
      for (let k = i; k <= j; k++) canFlip &&= items[tour[k]!.index]!.reversible;
      let best = 1e-9;
      let bestAt = -1;
      let bestFlip = false;
      // Insert between positions q-1 and q of the tour (q outside the run).
      for (let q = Math.max(0, i - window); q <= Math.min(n, j + 1 + window); q++) {
        if (q >= i && q <= j + 1) continue;
        const ax = ex(q - 1), ay = ey(q - 1);
        const hasB = q < n;
        const bx = hasB ? e.hx[q]! : 0, by = hasB ? e.hy[q]! : 0;
        const ab = hasB ? dist(ax, ay, bx, by) : 0;
        const plain = dist(ax, ay, sHx, sHy) + (hasB ? dist(sTx, sTy, bx, by) : 0) - ab;
        if (gain - plain > best) {
          best = gain - plain;
          bestAt = q;
          bestFlip = false;
        }
        if (canFlip) {
          const flip = dist(ax, ay, sTx, sTy) + (hasB ? dist(sHx, sHy, bx, by) : 0) - ab;
          if (gain - flip > best) {
            best = gain - flip;
            bestAt = q;
            bestFlip = true;
          }
        }
      }
      if (bestAt < 0) continue;
      let run = tour.slice(i, j + 1);
      if (bestFlip) run = run.reverse().map((v) => ({ index: v.index, reversed: !v.reversed }));
      if (bestAt > j) {
        tour.splice(bestAt, 0, ...run);
        tour.splice(i, len);
        e.refresh(i, bestAt - 1);
      } else {
        tour.splice(i, len);
        tour.splice(bestAt, 0, ...run);
        e.refresh(bestAt, j);
      }
      improved = true;
    }
  }
  return improved;
}

function improve(items: readonly OrderItem[], tour: Visit[], from: Point, window: number, passes: number): Visit[] {
  for (let pass = 0; pass < passes; pass++) {
    const a = twoOpt(items, tour, from, window);
    const b = orOpt(items, tour, from, window);
    if (!a && !b) break;
  }
  return tour;
}

/** Flat ordering: nearest neighbour, then 2-opt and Or-opt until nothing improves (bounded). */
function orderFlat(items: readonly OrderItem[], from: Point): Visit[] {
  if (items.length < 2) return items.map((_it, index) => ({ index, reversed: false }));
  return improve(items, nearestNeighbour(items, from), from, WINDOW, MAX_PASSES);
}

/** Groups larger than this are ordered glyph by glyph. */
const FLAT_LIMIT = 400;
/** Window and passes of the final polish across glyph boundaries. */
const POLISH_WINDOW = 16;
const POLISH_PASSES = 1;

/**
 * Two-level ordering for large marks: order the items inside each group (a glyph), treat
 * each group as one reversible item from its first to its last strike, order the groups,
 * then polish the whole tour locally so entries and exits between glyphs can still change.
 * Keeps the work near-linear in the number of strikes.
 */
function orderGrouped(items: readonly OrderItem[], from: Point, groupOf: readonly number[]): Visit[] {
  const members = new Map<number, number[]>();
  groupOf.forEach((g, i) => {
    const m = members.get(g);
    if (m) m.push(i);
    else members.set(g, [i]);
  });
  const groups = [...members.values()];
  // The same glyph shape gets the same inner order wherever it stands: order each shape once.
  // The key is the items' ends relative to the first item's start, in item order.
  const byShape = new Map<string, Visit[]>();
  const inner = groups.map((idx) => {
    const sub = idx.map((i) => items[i]!);
    const o = sub[0]!.start;
    const key = sub.map((it) => `${(it.start.x - o.x).toFixed(6)},${(it.start.y - o.y).toFixed(6)},${(it.end.x - o.x).toFixed(6)},${(it.end.y - o.y).toFixed(6)},${it.reversible ? 1 : 0}`).join(";");
    let local = byShape.get(key);
    if (!local) byShape.set(key, (local = orderFlat(sub, o)));
    return local.map((v) => ({ index: idx[v.index]!, reversed: v.reversed }));
  });
  const groupItems: OrderItem[] = inner.map((tour) => {
    const first = tour[0]!;
    const last = tour[tour.length - 1]!;
    return { start: head(items[first.index]!, first.reversed), end: tail(items[last.index]!, last.reversed), reversible: tour.every((v) => items[v.index]!.reversible) };
  });
  const tour: Visit[] = [];
  for (const g of orderFlat(groupItems, from)) {
    const t = inner[g.index]!;
    if (g.reversed) for (let k = t.length - 1; k >= 0; k--) tour.push({ index: t[k]!.index, reversed: !t[k]!.reversed });
    else tour.push(...t);
  }
  return improve(items, tour, from, POLISH_WINDOW, POLISH_PASSES);
}

/**
 * The visiting order for `items`, starting at `from`. `groupOf` (optional) names the glyph
 * each item belongs to; large marks are then ordered glyph by glyph.
 */
export function orderItems(items: readonly OrderItem[], from: Point, groupOf?: readonly number[]): Visit[] {
  const input: Visit[] = items.map((_it, index) => ({ index, reversed: false }));
  if (items.length < 2) return input;
  const tour = groupOf && items.length > FLAT_LIMIT ? orderGrouped(items, from, groupOf) : orderFlat(items, from);
  return travelOf(items, tour, from) <= travelOf(items, input, from) ? tour : input;
}

/**
 * A lower bound on travel: the minimum spanning tree over items, where two items are as far
 * apart as their nearest ends (any tour must cross at least that between them).
 * Prim's algorithm, O(n²): for benchmarks and tests, not the compile path.
 */
export function mstLowerBound(items: readonly OrderItem[]): number {
  const n = items.length;
  if (n < 2) return 0;
  const gap = (a: OrderItem, b: OrderItem) => Math.min(distance(a.start, b.start), distance(a.start, b.end), distance(a.end, b.start), distance(a.end, b.end));
  const inTree = new Uint8Array(n);
  const best = new Float64Array(n).fill(Infinity);
  best[0] = 0;
  let total = 0;
  for (let k = 0; k < n; k++) {
    let u = -1;
    for (let i = 0; i < n; i++) if (!inTree[i] && (u < 0 || best[i]! < best[u]!)) u = i;
    inTree[u] = 1;
    total += best[u]!;
    for (let v = 0; v < n; v++) if (!inTree[v]) best[v] = Math.min(best[v]!, gap(items[u]!, items[v]!));
  }
  return total;
}
