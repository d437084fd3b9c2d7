import type { Strike } from "./pin.ts";

/**
 * What a head struck against what it should have (tests, the bench's load section).
 *
 * `againstPlan`: dot jobs. Each strike is matched to a planned spot within `tolerance` mm
 * (machine coordinates put on the plan by the first strike; positions are whole steps):
 * spots struck more often than planned, and strikes where none was planned.
 *
 * `spotCounts`: any job (scribe trains too). Strikes per `cell`-mm square: the most any one
 * spot took is what a stalled host shows (a pin left hammering one place).
 */
export interface StruckAgainstPlan {
  readonly total: number;
  /** Planned spots struck more than once. */
  readonly overStruck: number;
  /** Strikes at no planned spot. */
  readonly offPlan: number;
  readonly maxAtOneSpot: number;
}

export function againstPlan(strikes: readonly Strike[], plan: readonly { readonly x: number; readonly y: number }[], tolerance = 0.03): StruckAgainstPlan {
  const cell = (v: number) => Math.round(v * 10);
  const grid = new Map<string, number[]>();
  plan.forEach((p, i) => {
    const k = `${cell(p.x)},${cell(p.y)}`;
    grid.set(k, [...(grid.get(k) ?? []), i]);
  });
  const first = strikes[0];
  const dx = first && plan[0] ? first.x - plan[0].x : 0;
  const dy = first && plan[0] ? first.y - plan[0].y : 0;
  const hits = new Map<number, number>();
  let offPlan = 0;
  for (const s of strikes) {
    const x = s.x - dx;
    const y = s.y - dy;
    let spot: number | undefined;
    for (let i = -1; i <= 1 && spot === undefined; i++)
      for (let j = -1; j <= 1 && spot === undefined; j++)
        spot = (grid.get(`${cell(x) + i},${cell(y) + j}`) ?? []).find((n) => Math.hypot(plan[n]!.x - x, plan[n]!.y - y) <= tolerance);
    if (spot === undefined) offPlan++;
    else hits.set(spot, (hits.get(spot) ?? 0) + 1);
  }
  return { total: strikes.length, overStruck: [...hits.values()].filter((n) => n > 1).length, offPlan, maxAtOneSpot: Math.max(0, ...hits.values()) };
}

/** Strikes per `cell`-mm square. */
export function spotCounts(strikes: readonly Strike[], cell = 0.05): Map<string, number> {
  const n = new Map<string, number>();
  for (const s of strikes) {
    const k = `${Math.round(s.x / cell)},${Math.round(s.y / cell)}`;
    n.set(k, (n.get(k) ?? 0) + 1);
  }
  return n;
}

export function maxAtOneSpot(strikes: readonly Strike[], cell = 0.05): number {
  return Math.max(0, ...spotCounts(strikes, cell).values());
}
