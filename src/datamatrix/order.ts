import { mstLowerBound } from "../plan/order.ts";

/**
 * Strike order over the dark modules of a Data Matrix: a short open path through every dot
 * (the head stops at each one, so travel between strikes is what costs time).
 *
 * Works on the module grid (column, row in module units; distances in modules), so the
 * order does not depend on module size or rotation. Deterministic: no randomness, ties broken
 * by index.
 *
 * - rowSerpentine: the baseline, rows top to bottom, alternating direction (boustrophedon).
 * - bandSerpentine: rows grouped in bands of k; inside a band the head walks column by column,
 *   zig-zagging up and down within the band, and the bands alternate direction. With k = 2 a
 *   vertical pair of dots costs 1 module instead of a detour along two rows.
 * - improve: 2-opt over each dot's nearest grid neighbours, then Or-opt (moving runs of 1–3
 *   dots elsewhere), repeated until neither finds a gain.
 * - strikeOrder: the shortest construction improved (or, with everyStart, every construction
 *   improved and the shortest result kept).
 */
export interface Cell {
  /** Column, 0 = left. */
  readonly c: number;
  /** Row, 0 = top. */
  readonly r: number;
}

export function cellsOf(modules: readonly (readonly boolean[])[]): Cell[] {
  const cells: Cell[] = [];
  modules.forEach((row, r) => row.forEach((dark, c) => { if (dark) cells.push({ c, r }); }));
  return cells;
}

export function pathLength(cells: readonly Cell[], order: readonly number[]): number {
  let len = 0;
  for (let i = 1; i < order.length; i++) len += dist(cells[order[i - 1]!]!, cells[order[i]!]!);
  return len;
}

function dist(a: Cell, b: Cell): number {
  return Math.hypot(a.c - b.c, a.r - b.r);
}

/** Rows top to bottom, left-to-right then right-to-left. */
export function rowSerpentine(cells: readonly Cell[]): number[] {
  const idx = cells.map((_, i) => i);
  return idx.sort((i, j) => {
    const a = cells[i]!, b = cells[j]!;
    if (a.r !== b.r) return a.r - b.r;
    return a.r % 2 === 0 ? a.c - b.c : b.c - a.c;
  });
}

/** Bands of `band` rows; inside a band columns in turn, each column walked down then up. */
export function bandSerpentine(cells: readonly Cell[], band: number): number[] {
  const idx = cells.map((_, i) => i);
  return idx.sort((i, j) => {
    const a = cells[i]!, b = cells[j]!;
    const ba = Math.floor(a.r / band), bb = Math.floor(b.r / band);
    if (ba !== bb) return ba - bb;
    const forward = ba % 2 === 0;
    if (a.c !== b.c) return forward ? a.c - b.c : b.c - a.c;
    // Alternate down/up per column so that the step to the next column starts where this one ended.
    const down = (forward ? a.c : -a.c) % 2 === 0;
    return down ? a.r - b.r : b.r - a.r;
  });
}

/** The same as a construction on the transposed grid: columns become rows. */
function transposed(cells: readonly Cell[]): Cell[] {
  return cells.map(({ c, r }) => ({ c: r, r: c }));
}

/** Each cell's nearest other cells (up to k within `reach` modules), nearest first. */
function neighbourLists(cells: readonly Cell[], k: number, reach: number): number[][] {
  const at = new Map<string, number>();
  cells.forEach((p, i) => at.set(`${p.c},${p.r}`, i));
  return cells.map((p, i) => {
    const found: { j: number; d: number }[] = [];
    for (let dr = -reach; dr <= reach; dr++)
      for (let dc = -reach; dc <= reach; dc++) {
        const j = at.get(`${p.c + dc},${p.r + dr}`);
        if (j !== undefined && j !== i) found.push({ j, d: Math.hypot(dc, dr) });
      }
    found.sort((a, b) => a.d - b.d || a.j - b.j);
    return found.slice(0, k).map((f) => f.j);
  });
}

const EPS = 1e-9;

/**
 * Local search on an open path: 2-opt (reverse a run so two edges become two shorter ones;
 * the ends of the path are free, so a reversed prefix or suffix is one edge) and Or-opt
 * (take a run of 1–3 dots out and put it back, either way round, between two other dots
 * or at an end). Candidate moves only join a dot to one of its grid neighbours.
 */
export function improve(cells: readonly Cell[], start: readonly number[], maxRounds = 50): number[] {
  const n = start.length;
  if (n < 4) return [...start];
  const tour = [...start];
  const pos = new Int32Array(cells.length);
  const reindex = (from: number, to: number) => { for (let i = from; i <= to; i++) pos[tour[i]!] = i; };
  reindex(0, n - 1);
  const near = neighbourLists(cells, 8, 3);
  // Cost of the edge from tour[i] to tour[i+1]; 0 past either end (the path is open).
  const d = (i: number, j: number) => (i < 0 || j < 0 || i >= n || j >= n ? 0 : dist(cells[tour[i]!]!, cells[tour[j]!]!));
  const reverse = (i: number, j: number) => {
    for (let a = i, b = j; a < b; a++, b--) [tour[a], tour[b]] = [tour[b]!, tour[a]!];
    reindex(i, j);
  };

  const twoOptPass = (): boolean => {
    let improved = false;
    for (let p = 0; p < n; p++) {
      for (const c of near[tour[p]!]!) {
        const q = pos[c]!;
        // New edge (tour[p], tour[q]) as the first edge of the move, or as the second.
        for (const [i, j] of [[Math.min(p, q), Math.max(p, q)], [Math.min(p, q) - 1, Math.max(p, q) - 1]] as const) {
          if (j - i < 2) continue;
          const gain = d(i, i + 1) + d(j, j + 1) - d(i, j) - d(i + 1, j + 1);
          if (gain > EPS) {
            reverse(i + 1, j);
            improved = true;
          }
        }
      }
    }
    return improved;
  };

  const orOptPass = (): boolean => {
    let improved = false;
    for (let len = 1; len <= 3; len++) {
      for (let s = 0; s + len <= n; s++) {
        const e = s + len - 1;
        const removeGain = d(s - 1, s) + d(e, e + 1) - (s > 0 && e < n - 1 ? d(s - 1, e + 1) : 0);
        if (removeGain <= EPS) continue;
        const first = cells[tour[s]!]!, last = cells[tour[e]!]!;
        let best: { gain: number; at: number; flip: boolean } | undefined;
        // Insert between tour[t] and tour[t+1] (t = -1: before the start; t = n-1: after the end),
        // with t next to a grid neighbour of either end of the run.
        const targets = new Set<number>();
        for (const end of [tour[s]!, tour[e]!]) for (const c of near[end]!) { const q = pos[c]!; targets.add(q); targets.add(q - 1); }
        if (s > 0) targets.add(-1);
        if (e < n - 1) targets.add(n - 1);
        for (const t of [...targets].sort((a, b) => a - b)) {
          if (t >= s - 1 && t <= e) continue;
          const before = t >= 0 ? cells[tour[t]!]! : undefined;
          const after = t + 1 < n ? cells[tour[t + 1]!]! : undefined;
          const old = before && after ? dist(before, after) : 0;
          for (const flip of [false, true]) {
            const head = flip ? last : first, tail = flip ? first : last;
            const add = (before ? dist(before, head) : 0) + (after ? dist(tail, after) : 0) - old;
            const gain = removeGain - add;
            if (gain > EPS && (best === undefined || gain > best.gain + EPS)) best = { gain, at: t, flip };
          }
        }
        if (best === undefined) continue;
        const run = tour.slice(s, e + 1);
        if (best.flip) run.reverse();
        tour.splice(s, len);
        const at = best.at < s ? best.at + 1 : best.at + 1 - len;
        tour.splice(at, 0, ...run);
        reindex(Math.min(s, at), Math.max(e, at + len - 1));
        improved = true;
      }
    }
    return improved;
  };

  for (let round = 0; round < maxRounds; round++) {
    const a = twoOptPass();
    const b = orOptPass();
    if (!a && !b) break;
  }
  return tour;
}

/** With everyStart, above this many dots only the shortest construction is improved (the largest symbol, 132×132, has about 9300). */
const IMPROVE_ALL_UP_TO = 3000;

/**
 * The strike order peenmark uses. By default: the shortest serpentine construction (rows and
 * bands of 2 and 3 rows, on the grid and on its transpose), improved by local search.
 * With `everyStart`: every construction (bands of 4 too) improved, the shortest result kept;
 * local search ends in a different local optimum from each start, and the best of eight is
 * 2–6 % shorter, for about eight times the work (bench/datamatrix.ts prints both).
 */
export function strikeOrder(cells: readonly Cell[], options: { everyStart?: boolean } = {}): number[] {
  const t = transposed(cells);
  const bands = options.everyStart ? [2, 3, 4] : [2, 3];
  let candidates = [rowSerpentine(cells), rowSerpentine(t), ...bands.flatMap((k) => [bandSerpentine(cells, k), bandSerpentine(t, k)])];
  if (!options.everyStart || cells.length > IMPROVE_ALL_UP_TO) {
    let shortest = candidates[0]!;
    for (const c of candidates) if (pathLength(cells, c) < pathLength(cells, shortest) - EPS) shortest = c;
    candidates = [shortest];
  }
  let best: number[] | undefined;
  let bestLength = Infinity;
  for (const c of candidates) {
    const improved = improve(cells, c);
    const length = pathLength(cells, improved);
    if (length < bestLength - EPS) [best, bestLength] = [improved, length];
  }
  return best ?? [];
}

/** Length of a minimum spanning tree over the cells, in modules: no open path through them is shorter. */
export function mstLength(cells: readonly Cell[]): number {
  return mstLowerBound(cells.map((cell) => {
    const p = { x: cell.c, y: cell.r };
    return { start: p, end: p, reversible: true };
  }));
}
