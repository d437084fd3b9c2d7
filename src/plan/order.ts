import type { Point } from "../geometry.ts";
import { distance } from "../geometry.ts";

/**
 * Travel order: which stroke (or dot) next, and in which direction, from the point the head
 * is at (the park position, or where the previous block ended) to an end that is free.
 *
 * Nearest neighbour builds a first tour; local search improves it with 2-opt and Or-opt
 * moves over each end's nearest ends (candidate lists, as LKH's are), driven by a queue of
 * the items whose neighbourhood changed (don't-look bits); then iterated local search kicks
 * the tour (a segment swap between spatial neighbours far apart in the tour, the
 * double-bridge of a path), repairs it, and keeps the result only if it is shorter.
 *
 * The cost of a move is what the head spends on it (`MoveCost`): its length, or the time
 * of a rest-to-rest rapid under GRBL's axis-limited acceleration, which depends on the
 * longer axis of the move (a diagonal of the same time is √2 longer than a move along one
 * axis). In dot mode the head stops at every dot, so time is what the order minimises.
 *
 * Linear in the number of items: candidate lists are built on a grid, every move
 * rearranges at most MAX_SPAN positions, and the number of kicks is a fixed multiple of the
 * items. Deterministic: a fixed-seed generator, ties broken by index, no clock, no
 * recursion, no spread of program-sized arrays.
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

/**
 * What a move between items costs: its length (mm), or the seconds of a rapid from rest to
 * rest with GRBL's per-axis limits, the same on X and Y (`rate` mm/s, `acceleration`
 * mm/s²). Under those limits the block's speed and acceleration along the move are the
 * axis limits divided by the larger axis share, so the time depends on the Chebyshev
 * length c only: 2·√(c/a) while the rapid never reaches its rate (c < v²/a), else
 * c/v + v/a. firmware-bridge/kinematics.ts plans the same move to within its step rounding.
 */
export type MoveCost = { readonly kind: "distance" } | { readonly kind: "time"; readonly rate: number; readonly acceleration: number };

export const DISTANCE: MoveCost = { kind: "distance" };

export function moveCostFn(cost: MoveCost): (ax: number, ay: number, bx: number, by: number) => number {
  if (cost.kind === "distance")
    return (ax, ay, bx, by) => {
      const dx = bx - ax;
      const dy = by - ay;
      return Math.sqrt(dx * dx + dy * dy);
    };
  const v = cost.rate;
  const a = cost.acceleration;
  if (!(v > 0) || !(a > 0)) throw new Error(`move cost: rate ${v} and acceleration ${a} must be positive`);
  const knee = (v * v) / a;
  const tail = v / a;
  return (ax, ay, bx, by) => {
    const dx = Math.abs(bx - ax);
    const dy = Math.abs(by - ay);
    const c = dx > dy ? dx : dy;
    return c < knee ? 2 * Math.sqrt(c / a) : c / v + tail;
  };
}

const head = (it: OrderItem, rev: boolean) => (rev ? it.end : it.start);
const tail = (it: OrderItem, rev: boolean) => (rev ? it.start : it.end);

/** Travel of a tour from `from`: the sum of the rapids between items, mm. */
export function travelOf(items: readonly OrderItem[], tour: readonly Visit[], from: Point): number {
  return costOf(items, tour, from, DISTANCE);
}

/** The cost of a tour from `from` (the sum over the rapids between items). */
export function costOf(items: readonly OrderItem[], tour: readonly Visit[], from: Point, cost: MoveCost): number {
  const c = moveCostFn(cost);
  let at = from;
  let sum = 0;
  for (const v of tour) {
    const it = items[v.index]!;
    const h = head(it, v.reversed);
    sum += c(at.x, at.y, h.x, h.y);
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

/** Candidate ends per end (LKH uses 5 α-nearest; plain nearest needs a few more). */
const NEIGHBOURS = 8;
/** No move rearranges more tour positions than this (keeps every move O(1) in the program's size). */
const MAX_SPAN = 1000;
/** Kicks of the iterated local search: per item, and at least (small blocks get many for little). */
const KICKS_PER_ITEM = 3;
const MIN_KICKS = 300;
/** Of a time order's kicks, the share spent on length first. */
const LENGTH_SHARE = 0.2;
/** Tour positions a position-local kick spans at most. */
const KICK_SPAN = 30;
/** Tour positions a kick between spatial neighbours spans at most. */
const KICK_REACH = 100;
const EPS = 1e-12;

/** Each end's nearest ends of other items, by a grid search: node 2·i + side (0 start, 1 end). */
function candidateLists(xs: Float64Array, ys: Float64Array, live: Uint8Array, k: number): Int32Array {
  const nodes = xs.length;
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity,
    count = 0;
  for (let u = 0; u < nodes; u++) {
    if (!live[u]) continue;
    count++;
    if (xs[u]! < minX) minX = xs[u]!;
    if (xs[u]! > maxX) maxX = xs[u]!;
    if (ys[u]! < minY) minY = ys[u]!;
    if (ys[u]! > maxY) maxY = ys[u]!;
  }
  const out = new Int32Array(nodes * k).fill(-1);
  if (count < 2) return out;
  const span = Math.max(maxX - minX, maxY - minY);
  // About two ends per cell; a row of collinear ends has no area, so the span sets a floor.
  const size = Math.max(Math.sqrt(((maxX - minX) * (maxY - minY) * 2) / count), (span * 2) / count, 1e-3);
  const cols = Math.floor((maxX - minX) / size) + 1;
  const rows = Math.floor((maxY - minY) / size) + 1;
  // Counting sort of the live nodes into cells (flat arrays, no per-cell objects).
  const cellOf = new Int32Array(nodes);
  const starts = new Int32Array(cols * rows + 1);
  for (let u = 0; u < nodes; u++) {
    if (!live[u]) continue;
    const c = Math.floor((ys[u]! - minY) / size) * cols + Math.floor((xs[u]! - minX) / size);
    cellOf[u] = c;
    starts[c + 1]!++;
  }
  for (let c = 0; c < cols * rows; c++) starts[c + 1]! += starts[c]!;
  const fill = starts.slice(0, cols * rows);
  const members = new Int32Array(count);
  for (let u = 0; u < nodes; u++) if (live[u]) members[fill[cellOf[u]!]!++] = u;

  const bestD = new Float64Array(k);
  const bestU = new Int32Array(k);
  for (let u = 0; u < nodes; u++) {
    if (!live[u]) continue;
    const item = u >> 1;
    const ux = xs[u]!,
      uy = ys[u]!;
    const cx = Math.floor((ux - minX) / size),
      cy = Math.floor((uy - minY) / size);
    let found = 0;
    const consider = (x: number, y: number) => {
      if (x < 0 || x >= cols || y < 0 || y >= rows) return;
      const c = y * cols + x;
      for (let m = starts[c]!; m < starts[c + 1]!; m++) {
        const w = members[m]!;
        if (w >> 1 === item) continue;
        const dx = xs[w]! - ux,
          dy = ys[w]! - uy;
        const d = dx * dx + dy * dy;
        if (found === k && (d > bestD[k - 1]! || (d === bestD[k - 1]! && w > bestU[k - 1]!))) continue;
        // Insertion into the sorted short list (nearest first, ties by node number).
        let at = found < k ? found++ : k - 1;
        while (at > 0 && (bestD[at - 1]! > d || (bestD[at - 1]! === d && bestU[at - 1]! > w))) {
          bestD[at] = bestD[at - 1]!;
          bestU[at] = bestU[at - 1]!;
          at--;
        }
        bestD[at] = d;
        bestU[at] = w;
      }
    };
    const maxRing = Math.max(cols, rows);
    for (let r = 0; r <= maxRing; r++) {
      // Everything in ring r is at least (r − 1)·size away.
      if (found === k && (r - 1) * size > 0 && ((r - 1) * size) ** 2 > bestD[k - 1]!) break;
      if (r === 0) consider(cx, cy);
      else {
        for (let x = cx - r; x <= cx + r; x++) {
          consider(x, cy - r);
          consider(x, cy + r);
        }
        for (let y = cy - r + 1; y <= cy + r - 1; y++) {
          consider(cx - r, y);
          consider(cx + r, y);
        }
      }
    }
    for (let j = 0; j < found; j++) out[u * k + j] = bestU[j]!;
  }
  return out;
}

/** A small deterministic generator (xorshift32). */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/**
 * The tour being improved: position 0 is the start point (a pseudo-item whose tail is
 * `from` and whose head is free: the path ends anywhere), positions 1..n the items.
 */
class Tour {
  readonly n: number;
  readonly N: number;
  readonly sx: Float64Array;
  readonly sy: Float64Array;
  readonly ex: Float64Array;
  readonly ey: Float64Array;
  readonly canFlip: Uint8Array;
  readonly isDot: Uint8Array;
  readonly allFlip: boolean;
  readonly item: Int32Array; // position → item (n = the start point)
  readonly rev: Uint8Array; // position → reversed
  readonly pos: Int32Array; // item → position
  /** Reversals since the last mark, for undoing a kick that did not pay. */
  log: number[] | undefined;

  constructor(
    items: readonly OrderItem[],
    from: Point,
    initial: readonly Visit[],
    public c: (ax: number, ay: number, bx: number, by: number) => number,
  ) {
    const n = items.length;
    this.n = n;
    this.N = n + 1;
    this.sx = new Float64Array(n + 1);
    this.sy = new Float64Array(n + 1);
    this.ex = new Float64Array(n + 1);
    this.ey = new Float64Array(n + 1);
    this.canFlip = new Uint8Array(n + 1);
    this.isDot = new Uint8Array(n + 1);
    let allFlip = true;
    for (let i = 0; i < n; i++) {
      const it = items[i]!;
      this.sx[i] = it.start.x;
      this.sy[i] = it.start.y;
      this.ex[i] = it.end.x;
      this.ey[i] = it.end.y;
      this.isDot[i] = it.start.x === it.end.x && it.start.y === it.end.y ? 1 : 0;
      // A dot runs the same either way.
      this.canFlip[i] = it.reversible || this.isDot[i] ? 1 : 0;
      if (!this.canFlip[i]) allFlip = false;
    }
    this.allFlip = allFlip;
    this.sx[n] = this.ex[n] = from.x;
    this.sy[n] = this.ey[n] = from.y;
    this.item = new Int32Array(n + 1);
    this.rev = new Uint8Array(n + 1);
    this.pos = new Int32Array(n + 1);
    this.item[0] = n;
    this.pos[n] = 0;
    initial.forEach((v, k) => {
      this.item[k + 1] = v.index;
      this.rev[k + 1] = v.reversed ? 1 : 0;
      this.pos[v.index] = k + 1;
    });
  }

  hx(p: number): number {
    const i = this.item[p]!;
    return this.rev[p] ? this.ex[i]! : this.sx[i]!;
  }
  hy(p: number): number {
    const i = this.item[p]!;
    return this.rev[p] ? this.ey[i]! : this.sy[i]!;
  }
  tx(p: number): number {
    const i = this.item[p]!;
    return this.rev[p] ? this.sx[i]! : this.ex[i]!;
  }
  ty(p: number): number {
    const i = this.item[p]!;
    return this.rev[p] ? this.sy[i]! : this.ey[i]!;
  }
  /** Cost from the tail of position p to the head of position q (0 into the free end, q = N). */
  tailHead(p: number, q: number): number {
    return q >= this.N ? 0 : this.c(this.tx(p), this.ty(p), this.hx(q), this.hy(q));
  }
  tailTail(p: number, q: number): number {
    return this.c(this.tx(p), this.ty(p), this.tx(q), this.ty(q));
  }
  headHead(p: number, q: number): number {
    return q >= this.N ? 0 : this.c(this.hx(p), this.hy(p), this.hx(q), this.hy(q));
  }
  /** The edge leaving position p. */
  edge(p: number): number {
    return this.tailHead(p, p + 1);
  }

  flippable(i: number, j: number): boolean {
    if (this.allFlip) return true;
    for (let p = i; p <= j; p++) if (!this.canFlip[this.item[p]!]) return false;
    return true;
  }

  /** Reverse positions i..j (1 ≤ i ≤ j ≤ n), running each item the other way. */
  reverse(i: number, j: number): void {
    if (this.log) this.log.push(i, j);
    const { item, rev, pos } = this;
    for (let a = i, b = j; a <= b; a++, b--) {
      const ia = item[a]!,
        ib = item[b]!;
      const ra = rev[a]!,
        rb = rev[b]!;
      item[a] = ib;
      rev[a] = rb ^ 1;
      pos[ib] = a;
      item[b] = ia;
      rev[b] = ra ^ 1;
      pos[ia] = b;
    }
  }

  undo(log: number[]): void {
    this.log = undefined;
    for (let k = log.length - 2; k >= 0; k -= 2) this.reverse(log[k]!, log[k + 1]!);
  }

  /** Is node (2·item + side) the tail of its item as the tour runs it now? Dots are both. */
  isTail(node: number): boolean {
    const i = node >> 1;
    return this.isDot[i] === 1 || (node & 1) !== this.rev[this.pos[i]!];
  }
  isHead(node: number): boolean {
    const i = node >> 1;
    return this.isDot[i] === 1 || (node & 1) === this.rev[this.pos[i]!];
  }

  visits(): Visit[] {
    const out: Visit[] = new Array(this.n);
    for (let p = 1; p <= this.n; p++) out[p - 1] = { index: this.item[p]!, reversed: this.rev[p] === 1 };
    return out;
  }
}

/**
 * The 2-opt move that reverses positions i+1..j (0 ≤ i < j ≤ n): the edges out of i and j
 * become tail(i)–tail(j) and head(i+1)–head(j+1). Applied when it gains; returns the gain.
 */
function twoOpt(t: Tour, i: number, j: number): number {
  if (j - i > MAX_SPAN || j <= i) return 0;
  const gain = t.edge(i) + t.edge(j) - t.tailTail(i, j) - t.headHead(i + 1, j + 1);
  if (gain <= EPS || !t.flippable(i + 1, j)) return 0;
  t.reverse(i + 1, j);
  return gain;
}

/**
 * The Or-opt move that takes positions s..e (1 ≤ s ≤ e ≤ n) out and puts them back between
 * g and g+1 (g outside s−1..e), run either way: its gain (≤ 0: nothing gained), and in
 * `orFlip` whether the run goes in reversed.
 */
let orFlip = false;
function orGain(t: Tour, s: number, e: number, g: number, removeGain: number): number {
  if (g >= s - 1 && g <= e) return 0;
  if ((g > e ? g - s : e - g) > MAX_SPAN) return 0;
  const old = t.edge(g);
  const free = g + 1 >= t.N;
  const plain = t.tailHead(g, s) + (free ? 0 : t.c(t.tx(e), t.ty(e), t.hx(g + 1), t.hy(g + 1))) - old;
  const flipped = t.tailTail(g, e) + (free ? 0 : t.c(t.hx(s), t.hy(s), t.hx(g + 1), t.hy(g + 1))) - old;
  orFlip = flipped < plain && t.flippable(s, e);
  return removeGain - (orFlip ? flipped : plain);
}

/** Carry out the Or-opt move by reversals (each item of the run between reversed twice). */
function orApply(t: Tour, s: number, e: number, g: number, flip: boolean): void {
  const len = e - s + 1;
  if (g > e) {
    // A S B C → A B S C, B = e+1..g: reverse S B, then B and (unless flipped) S back.
    const b = g - e;
    t.reverse(s, g);
    t.reverse(s, s + b - 1);
    if (!flip) t.reverse(s + b, g);
  } else {
    // A B S C → A S B C, B = g+1..s−1.
    t.reverse(g + 1, e);
    t.reverse(g + 1 + len, e);
    if (!flip) t.reverse(g + 1, g + len);
  }
}

/**
 * Pure 3-opt moves on positions i < j < k (B = i+1..j, C = j+1..k): 1 A C B D, 2 A C B′ D,
 * 3 A C′ B D, 4 A B′ C′ D (′: run the other way). The gain of one (≤ 0: none).
 */
function gain3(t: Tour, i: number, j: number, k: number, type: number): number {
  if (!(i < j && j < k) || k > t.n || k - i > MAX_SPAN) return 0;
  const old = t.edge(i) + t.edge(j) + t.edge(k);
  let add: number;
  switch (type) {
    case 1:
      add = t.tailHead(i, j + 1) + t.tailHead(k, i + 1) + t.tailHead(j, k + 1);
      break;
    case 2:
      add = t.tailHead(i, j + 1) + t.tailTail(k, j) + t.headHead(i + 1, k + 1);
      break;
    case 3:
      add = t.tailTail(i, k) + t.headHead(j + 1, i + 1) + t.tailHead(j, k + 1);
      break;
    default:
      add = t.tailTail(i, j) + t.c(t.hx(i + 1), t.hy(i + 1), t.tx(k), t.ty(k)) + t.headHead(j + 1, k + 1);
  }
  return old - add;
}

function flippable3(t: Tour, i: number, j: number, k: number, type: number): boolean {
  if (type === 1) return true;
  if (type === 2) return t.flippable(i + 1, j);
  if (type === 3) return t.flippable(j + 1, k);
  return t.flippable(i + 1, k);
}

function apply3(t: Tour, i: number, j: number, k: number, type: number): void {
  const lenC = k - j;
  if (type === 4) {
    t.reverse(i + 1, j);
    t.reverse(j + 1, k);
    return;
  }
  t.reverse(i + 1, k); // C′ B′
  if (type !== 3) t.reverse(i + 1, i + lenC); // C
  if (type !== 2) t.reverse(i + lenC + 1, k); // B
}

/** The improvement search: 2-opt and Or-opt from the ends of queued items until nothing gains. */
class Search {
  private readonly queue: Int32Array;
  private readonly queued: Uint8Array;
  private qHead = 0;
  private qLen = 0;
  gained = 0;

  constructor(
    private readonly t: Tour,
    readonly near: Int32Array,
    private readonly k: number,
  ) {
    this.queue = new Int32Array(t.N);
    this.queued = new Uint8Array(t.N);
  }

  push(item: number): void {
    if (this.queued[item]) return;
    this.queued[item] = 1;
    this.queue[(this.qHead + this.qLen) % this.queue.length] = item;
    this.qLen++;
  }

  private pushPos(p: number): void {
    if (p >= 0 && p <= this.t.n) this.push(this.t.item[p]!);
  }

  run(): void {
    while (this.qLen > 0) {
      const item = this.queue[this.qHead]!;
      this.qHead = (this.qHead + 1) % this.queue.length;
      this.qLen--;
      this.queued[item] = 0;
      if (this.improveAt(item)) this.push(item);
    }
  }

  /**
   * One gaining move around `item`, if there is one. Every move adds an edge from an end u
   * of the item (or of a run it ends) to one of u's candidate ends w, and is only tried when
   * that edge is shorter than what the move takes away at u (LK's gain criterion).
   */
  private improveAt(item: number): boolean {
    const t = this.t;
    const p = t.pos[item]!;
    const k = this.k;
    const near = this.near;
    // 2-opt from the item's tail (its outgoing edge is replaced) and from its head (its incoming edge).
    for (let side = 0; side < 2; side++) {
      const u = 2 * item + side;
      if (near[u * k]! < 0) continue;
      const ux = side ? t.ex[item]! : t.sx[item]!,
        uy = side ? t.ey[item]! : t.sy[item]!;
      const asTail = t.isTail(u);
      const asHead = p > 0 && t.isHead(u);
      const outEdge = asTail ? t.edge(p) : 0;
      const inEdge = asHead ? t.edge(p - 1) : 0;
      for (let m = 0; m < k; m++) {
        const w = near[u * k + m]!;
        if (w < 0) break;
        const wi = w >> 1;
        const q = t.pos[wi]!;
        if (q === p) continue;
        const d = t.c(ux, uy, w & 1 ? t.ex[wi]! : t.sx[wi]!, w & 1 ? t.ey[wi]! : t.sy[wi]!);
        // tail(p)–tail(q): reverse between them.
        if (asTail && d < outEdge && t.isTail(w)) {
          const i = Math.min(p, q),
            j = Math.max(p, q);
          const g = twoOpt(t, i, j);
          if (g > 0) return this.moved(g, i, i + 1, j, j + 1);
        }
        // head(p)–head(q): reverse between their predecessors.
        if (asHead && d < inEdge && q > 0 && t.isHead(w)) {
          const i = Math.min(p, q) - 1,
            j = Math.max(p, q) - 1;
          const g = twoOpt(t, i, j);
          if (g > 0) return this.moved(g, i, i + 1, j, j + 1);
        }
      }
    }
    if (p === 0) return false;
    // Or-opt: runs of 1–3 items that start or end at p. Put back plain, the new edges are
    // tail(g)–head(s) and tail(e)–head(g+1); flipped, tail(g)–tail(e) and head(s)–head(g+1):
    // so a candidate w of head(s) or tail(e) fixes g (w a tail: g = q; w a head: g = q − 1).
    for (let len = 1; len <= 3; len++) {
      for (let which = 0; which < (len === 1 ? 1 : 2); which++) {
        const s = which === 0 ? p : p - len + 1;
        const e = s + len - 1;
        if (s < 1 || e > t.n) continue;
        const removeGain = t.edge(s - 1) + t.edge(e) - t.tailHead(s - 1, e + 1);
        if (removeGain <= EPS) continue;
        for (let end = 0; end < 2; end++) {
          const at = end === 0 ? s : e;
          const it = t.item[at]!;
          // The run's head (end 0) or tail (end 1) as a node, and its point.
          const node = 2 * it + ((end === 0) === (t.rev[at] === 0) ? 0 : 1);
          const u = t.isDot[it] ? 2 * it : node;
          const ux = end === 0 ? t.hx(at) : t.tx(at),
            uy = end === 0 ? t.hy(at) : t.ty(at);
          for (let m = 0; m < k; m++) {
            const w = near[u * k + m]!;
            if (w < 0) break;
            const wi = w >> 1;
            const q = t.pos[wi]!;
            if (q >= s && q <= e) continue;
            const d = t.c(ux, uy, w & 1 ? t.ex[wi]! : t.sx[wi]!, w & 1 ? t.ey[wi]! : t.sy[wi]!);
            if (d >= removeGain) continue;
            if (t.isTail(w)) {
              const gain = orGain(t, s, e, q, removeGain);
              if (gain > EPS) return this.orMoved(gain, s, e, q);
            }
            if (q > 0 && t.isHead(w)) {
              const gain = orGain(t, s, e, q - 1, removeGain);
              if (gain > EPS) return this.orMoved(gain, s, e, q - 1);
            }
          }
        }
        // The free end of the path.
        if (e < t.n) {
          const gain = orGain(t, s, e, t.n, removeGain);
          if (gain > EPS) return this.orMoved(gain, s, e, t.n);
        }
      }
    }
    return this.threeOpt(p);
  }

  /** Sequential 3-opt from the tail of position i: the first new edge joins it to a candidate. */
  private threeOpt(i: number): boolean {
    const t = this.t;
    const k = this.k;
    const near = this.near;
    if (i >= t.n - 1) return false;
    const it = t.item[i]!;
    const u = i === 0 ? 2 * it + 1 : t.isDot[it] ? 2 * it : 2 * it + (t.rev[i] ? 0 : 1);
    const ux = t.tx(i),
      uy = t.ty(i);
    const e0 = t.edge(i);
    const nx = t.item[i + 1]!;
    const headNext = t.isDot[nx] ? 2 * nx : 2 * nx + (t.rev[i + 1] ? 1 : 0);
    for (let m = 0; m < k; m++) {
      const w = near[u * k + m]!;
      if (w < 0) break;
      const wi = w >> 1;
      const q = t.pos[wi]!;
      if (q <= i + 1) continue;
      const d = t.c(ux, uy, w & 1 ? t.ex[wi]! : t.sx[wi]!, w & 1 ? t.ey[wi]! : t.sy[wi]!);
      if (d >= e0) continue;
      if (t.isHead(w)) {
        const j = q - 1;
        // 1: tail(k)–head(i+1); 2: tail(k)–tail(j). k from the candidates, or the free end.
        for (let x = 0; x <= k; x++) {
          const c1 = x < k ? near[headNext * k + x]! : -2;
          if (c1 === -1) continue;
          const r = c1 === -2 ? t.n : t.pos[c1 >> 1]!;
          if (r > j && (c1 === -2 || t.isTail(c1))) for (const type of [1, 2]) if (this.try3(i, j, r, type)) return true;
        }
        const tj = t.item[j]!;
        const tailJ = t.isDot[tj] ? 2 * tj : 2 * tj + (t.rev[j] ? 0 : 1);
        for (let x = 0; x < k; x++) {
          const c2 = near[tailJ * k + x]!;
          if (c2 < 0) break;
          const r = t.pos[c2 >> 1]!;
          if (r > j && t.isTail(c2) && this.try3(i, j, r, 2)) return true;
        }
      }
      if (t.isTail(w)) {
        // 3: tail(i)–tail(k), k = q, head(j+1)–head(i+1); 4: tail(i)–tail(j), j = q, head(i+1)–tail(k).
        for (let x = 0; x < k; x++) {
          const c = near[headNext * k + x]!;
          if (c < 0) break;
          const r = t.pos[c >> 1]!;
          if (r > i + 1 && r <= q && t.isHead(c) && this.try3(i, r - 1, q, 3)) return true;
          if (r > q && t.isTail(c) && this.try3(i, q, r, 4)) return true;
        }
        if (this.try3(i, q, t.n, 4)) return true;
      }
    }
    return false;
  }

  private try3(i: number, j: number, k: number, type: number): boolean {
    const t = this.t;
    const gain = gain3(t, i, j, k, type);
    if (gain <= EPS || !flippable3(t, i, j, k, type)) return false;
    const at = (p: number) => (p >= 0 && p <= t.n ? t.item[p]! : -1);
    const a0 = at(i), a1 = at(i + 1), a2 = at(j), a3 = at(j + 1), a4 = at(k), a5 = at(k + 1);
    apply3(t, i, j, k, type);
    this.gained += gain;
    for (const x of [a0, a1, a2, a3, a4, a5]) if (x >= 0) this.push(x);
    return true;
  }

  /** Queue the items around the changed edges (positions after a 2-opt move). */
  private moved(gain: number, a: number, b: number, c: number, d: number): boolean {
    this.gained += gain;
    this.pushPos(a);
    this.pushPos(b);
    this.pushPos(c);
    this.pushPos(d);
    return true;
  }

  private orMoved(gain: number, s: number, e: number, g: number): boolean {
    const flip = orFlip;
    // The items next to the changed edges, taken before the move.
    const t = this.t;
    const at = (p: number) => (p >= 0 && p <= t.n ? t.item[p]! : -1);
    const i0 = at(s - 1),
      i1 = at(s),
      i2 = at(e),
      i3 = at(e + 1),
      i4 = at(g),
      i5 = at(g + 1);
    orApply(t, s, e, g, flip);
    this.gained += gain;
    for (const i of [i0, i1, i2, i3, i4, i5]) if (i >= 0) this.push(i);
    return true;
  }
}

export interface OrderOptions {
  /** What a move costs (default: its length). */
  readonly cost?: MoveCost;
  /** Kicks of the iterated local search per item (default KICKS_PER_ITEM; 0: local search only). */
  readonly kicksPerItem?: number;
}

/** The visiting order for `items`, starting at `from`; the path ends wherever it is shortest. */
export function orderItems(items: readonly OrderItem[], from: Point, options: OrderOptions = {}): Visit[] {
  const input: Visit[] = items.map((_it, index) => ({ index, reversed: false }));
  if (items.length < 2) return input;
  const cost = options.cost ?? DISTANCE;
  const c = moveCostFn(cost);
  const t = new Tour(items, from, nearestNeighbour(items, from), c);
  const n = items.length;
  // Candidate ends: every item end (a dot once), and the start point (node 2n + 1).
  const xs = new Float64Array(2 * n + 2);
  const ys = new Float64Array(2 * n + 2);
  const live = new Uint8Array(2 * n + 2);
  for (let i = 0; i < n; i++) {
    xs[2 * i] = t.sx[i]!;
    ys[2 * i] = t.sy[i]!;
    xs[2 * i + 1] = t.ex[i]!;
    ys[2 * i + 1] = t.ey[i]!;
    live[2 * i] = 1;
    live[2 * i + 1] = t.isDot[i] ? 0 : 1;
  }
  xs[2 * n + 1] = from.x;
  ys[2 * n + 1] = from.y;
  live[2 * n + 1] = 1;
  const near = candidateLists(xs, ys, live, NEIGHBOURS);
  const search = new Search(t, near, NEIGHBOURS);
  const kicks = options.kicksPerItem !== undefined ? Math.round(options.kicksPerItem * n) : KICKS_PER_ITEM * n + MIN_KICKS;
  // Move time is concave in length (2·√(c/a) for short moves): its landscape has wide
  // plateaus that local search stalls on. So a time order starts from a length order:
  // local search and a fifth of the kicks on length, then the cost switches and the search
  // goes on on time (on bench/order.ts's programs this is 0.5–1.5 % faster than time alone).
  if (cost.kind === "time") {
    t.c = moveCostFn(DISTANCE);
    const first = Math.round(kicks * LENGTH_SHARE);
    improveTour(t, search, first, 0x9e3779b9);
    t.c = c;
    improveTour(t, search, kicks - first, 0x85ebca6b);
  } else improveTour(t, search, kicks, 0x9e3779b9);
  const tour = t.visits();
  return costOf(items, tour, from, cost) <= costOf(items, input, from, cost) ? tour : input;
}

/** Local search from every item, then `kicks` kicks of iterated local search (each kept only if it gains). */
function improveTour(t: Tour, search: Search, kicks: number, seed: number): void {
  for (let p = 0; p <= t.n; p++) search.push(t.item[p]!);
  search.run();
  if (t.n < 8) return;
  const rnd = generator(seed);
  const log: number[] = [];
  for (let k = 0; k < kicks; k++) {
    log.length = 0;
    t.log = log;
    const delta = kick(t, search.near, rnd, search);
    search.gained = 0;
    search.run();
    if (delta - search.gained < -EPS) t.log = undefined;
    else t.undo(log);
  }
  t.log = undefined;
}

/**
 * A double-bridge kick on the path: swap two adjacent runs B and C (A B C D → A C B D).
 * The cut is put where an item meets one of its spatial neighbours that the tour visits far
 * away (so the kick tries to join them), else at a random place. Queues the items at the
 * changed edges and returns the change in cost.
 */
function kick(t: Tour, near: Int32Array, rnd: () => number, search: Search): number {
  const n = t.n;
  let a = -1,
    m = -1,
    b = -1;
  // A C B D with two of the three new edges short: tail(a)–head(m+1) and tail(b)–head(a+1)
  // joined to candidate ends, the third (tail(m)–head(b+1)) left to the repair.
  const p = rnd() % n;
  const ti = t.item[p]!;
  const tailNode = t.isDot[ti] || p === 0 ? 2 * ti + (p === 0 ? 1 : 0) : 2 * ti + (t.rev[p] ? 0 : 1);
  const w = near[tailNode * NEIGHBOURS + (rnd() % NEIGHBOURS)]!;
  if (w >= 0) {
    const q = t.pos[w >> 1]!;
    if (q > p + 1 && q - p <= KICK_REACH && t.isHead(w)) {
      a = p;
      m = q - 1;
      b = -1;
      const hi = t.item[p + 1]!;
      const headNode = t.isDot[hi] ? 2 * hi : 2 * hi + (t.rev[p + 1] ? 1 : 0);
      for (let j = 0; j < NEIGHBOURS; j++) {
        const x = near[headNode * NEIGHBOURS + j]!;
        if (x < 0) break;
        const r = t.pos[x >> 1]!;
        if (r >= q && r - a <= KICK_REACH && t.isTail(x) && (b < 0 || rnd() & 1)) b = r;
      }
      if (b < 0) b = Math.min(n, q + (rnd() % KICK_SPAN));
    }
  }
  if (a < 0) {
    if (n < 3) return 0;
    const l1 = 1 + (rnd() % (KICK_SPAN >> 1)),
      l2 = 1 + (rnd() % (KICK_SPAN >> 1));
    a = rnd() % Math.max(1, n - l1 - l2 + 1);
    m = Math.min(n - 1, a + l1);
    b = Math.min(n, m + l2);
    if (!(a < m && m < b)) return 0;
  }
  const before = t.edge(a) + t.edge(m) + t.edge(b);
  const lenC = b - m;
  t.reverse(a + 1, b);
  t.reverse(a + 1, a + lenC);
  t.reverse(a + lenC + 1, b);
  const after = t.edge(a) + t.edge(a + lenC) + t.edge(b);
  for (const q of [a, a + 1, a + lenC, a + lenC + 1, b, b + 1]) if (q <= n) search.push(t.item[q]!);
  return after - before;
}

/**
 * A lower bound on the cost of any order from `from`: the minimum spanning tree over the
 * start point and the items, where two items are as far apart as their nearest ends (a path
 * from the start through every item is a spanning tree, and each of its steps costs at least
 * that gap). Prim's algorithm, O(n²) time, O(n) memory: for benchmarks and tests, not the
 * compile path.
 */
export function lowerBound(items: readonly OrderItem[], from: Point, cost: MoveCost = DISTANCE): number {
  const c = moveCostFn(cost);
  const n = items.length + 1;
  const sx = new Float64Array(n),
    sy = new Float64Array(n),
    ex = new Float64Array(n),
    ey = new Float64Array(n);
  sx[0] = ex[0] = from.x;
  sy[0] = ey[0] = from.y;
  items.forEach((it, i) => {
    sx[i + 1] = it.start.x;
    sy[i + 1] = it.start.y;
    ex[i + 1] = it.end.x;
    ey[i + 1] = it.end.y;
  });
  const inTree = new Uint8Array(n);
  const best = new Float64Array(n).fill(Infinity);
  best[0] = 0;
  let total = 0;
  for (let k = 0; k < n; k++) {
    let u = -1;
    for (let i = 0; i < n; i++) if (!inTree[i] && (u < 0 || best[i]! < best[u]!)) u = i;
    inTree[u] = 1;
    total += best[u]!;
    const ax = sx[u]!, ay = sy[u]!, bx = ex[u]!, by = ey[u]!;
    for (let v = 0; v < n; v++) {
      if (inTree[v]) continue;
      const g = Math.min(c(ax, ay, sx[v]!, sy[v]!), c(ax, ay, ex[v]!, ey[v]!), c(bx, by, sx[v]!, sy[v]!), c(bx, by, ex[v]!, ey[v]!));
      if (g < best[v]!) best[v] = g;
    }
  }
  return total;
}

/**
 * The minimum spanning tree over the items alone (no start point), distance: kept for the
 * Data Matrix figures, which are measured between dots.
 */
export function mstLowerBound(items: readonly OrderItem[]): number {
  if (items.length < 2) return 0;
  // The tree from the first item's start point: that point is an end of item 0, at gap 0.
  return lowerBound(items, items[0]!.start);
}
