import { describe, expect, it } from "vitest";
import { distance, type Point } from "../../src/geometry.ts";
import { dotsAlongStroke, strikeGlyph } from "../../src/plan/dots.ts";
import { costOf, lowerBound, orderItems, travelOf, mstLowerBound, type OrderItem } from "../../src/plan/order.ts";
import { totalTime } from "../../firmware-bridge/kinematics.ts";
import { compileExample, profileIds } from "../compile/examples.ts";

describe("dots along a stroke", () => {
  it("strikes both ends and every corner, and never spaces dots wider than the pitch", () => {
    const L = { points: [{ x: 0, y: 3 }, { x: 0, y: 0 }, { x: 2.05, y: 0 }], closed: false };
    const dots = dotsAlongStroke(L, 0.3);
    expect(dots[0]).toEqual({ x: 0, y: 3 });
    expect(dots).toContainEqual({ x: 0, y: 0 });
    expect(dots[dots.length - 1]).toEqual({ x: 2.05, y: 0 });
    for (let i = 1; i < dots.length; i++) expect(distance(dots[i - 1]!, dots[i]!)).toBeLessThanOrEqual(0.3 + 1e-9);
    // 3 mm at ≤ 0.3 → 10 gaps; 2.05 mm → 7 gaps; the corner is shared.
    expect(dots).toHaveLength(10 + 7 + 1);
  });

  it("does not strike the start of a closed stroke twice", () => {
    const square = { points: [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }], closed: true };
    const dots = dotsAlongStroke(square, 0.25);
    expect(dots).toHaveLength(16);
    expect(new Set(dots.map((d) => `${d.x.toFixed(6)},${d.y.toFixed(6)}`)).size).toBe(16);
  });

  it("strikes a crossing once, shared by both strokes, and spreads each stroke evenly up to it", () => {
    const bar = { points: [{ x: -1, y: 1 }, { x: 1, y: 1 }], closed: false };
    const stem = { points: [{ x: 0, y: 1.5 }, { x: 0, y: -1 }], closed: false };
    const g = strikeGlyph([bar, stem], [], { along: { x: 1, y: 0 }, up: { x: 0, y: 1 } }, 0.25);
    const all = [...g.dots, ...g.trains.flat()];
    expect(all.filter((p) => distance(p, { x: 0, y: 1 }) < 1e-12)).toHaveLength(1);
    // The bar: 1 mm each side of the crossing at 0.25 → 8 gaps of 0.25; the stem: 0.5 mm above (2 gaps), 2 mm below (8).
    expect(g.trains[0]).toHaveLength(9);
    expect(g.trains[1]).toHaveLength(2 + 8);
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) expect(distance(all[i]!, all[j]!)).toBeGreaterThanOrEqual(0.125);
  });

  it("strikes the top and bottom of a round stroke, so that a struck O is as tall as its outline", () => {
    // A circle of radius 1 starting at its right-hand side: 64 points, none of them on a pitch step from the start.
    const ring = { points: Array.from({ length: 64 }, (_v, i) => ({ x: Math.cos((i * Math.PI) / 32), y: Math.sin((i * Math.PI) / 32) })), closed: true };
    const dots = dotsAlongStroke(ring, 0.37);
    const ys = dots.map((d) => d.y);
    expect(Math.max(...ys)).toBeCloseTo(1, 12);
    expect(Math.min(...ys)).toBeCloseTo(-1, 12);
  });
});

describe("every example program", () => {
  it.each(profileIds())("%s: no two strikes closer than half their block's pitch", (id) => {
    const job = compileExample(id);
    for (const plan of job.plans) {
      const strikes = plan.ops.filter((o) => o.kind === "strike").map((o) => (o as { at: Point }).at);
      const sorted = [...strikes].sort((a, b) => a.x - b.x);
      for (let i = 0; i < sorted.length; i++)
        for (let j = i + 1; j < sorted.length && sorted[j]!.x - sorted[i]!.x < plan.pitch / 2; j++)
          expect(distance(sorted[i]!, sorted[j]!), `block ${plan.id}`).toBeGreaterThanOrEqual(plan.pitch / 2 - 1e-9);
    }
  });

  it.each(profileIds())("%s: travel order is never worse than the input order, and within 2× the MST bound", (id) => {
    const job = compileExample(id);
    for (const plan of job.plans) {
      const inputOrder = plan.items.map((_it, index) => ({ index, reversed: false }));
      const start = plan.items[0]!.start;
      const chosen = orderItems(plan.items, start);
      expect(travelOf(plan.items, chosen, start)).toBeLessThanOrEqual(travelOf(plan.items, inputOrder, start) + 1e-9);
      expect(travelOf(plan.items, chosen, start)).toBeLessThanOrEqual(2 * mstLowerBound(plan.items) + 1e-9);
    }
  });
});

describe("travel order", () => {
  it("reverses strokes to avoid walking back", () => {
    // Three parallel strokes drawn left to right: the best tour zig-zags.
    const items: OrderItem[] = [0, 1, 2].map((i) => ({ start: { x: 0, y: i }, end: { x: 10, y: i }, reversible: true }));
    const tour = orderItems(items, { x: 0, y: 0 });
    expect(tour.map((v) => v.reversed)).toEqual([false, true, false]);
    expect(travelOf(items, tour, { x: 0, y: 0 })).toBeCloseTo(2, 9);
  });

  it("is deterministic", () => {
    const pts: OrderItem[] = [];
    for (let i = 0; i < 300; i++) {
      const x = (i * 7919) % 97;
      const y = (i * 104729) % 89;
      pts.push({ start: { x, y }, end: { x, y }, reversible: true });
    }
    expect(orderItems(pts, { x: 0, y: 0 })).toEqual(orderItems(pts, { x: 0, y: 0 }));
  });
});

describe("travel order on degenerate marks", () => {
  it("orders collinear strokes (a line of dashes) from far away without a fine grid blow-up", () => {
    // 400 dots on one horizontal line, started from 60 mm away: the end grid must not shrink to µm cells.
    const items: OrderItem[] = Array.from({ length: 400 }, (_v, i) => ({ start: { x: 10 + i * 0.25, y: 40 }, end: { x: 10 + i * 0.25, y: 40 }, reversible: true }));
    const tour = orderItems(items, { x: 0, y: 100 });
    expect(tour.map((v) => v.index)).toEqual(items.map((_it, i) => i));
  });
});

describe("travel order: what it minimises and where it starts", () => {
  const dot = (x: number, y: number): OrderItem => ({ start: { x, y }, end: { x, y }, reversible: true });

  it("starts from the point the head is at and ends wherever is shortest", () => {
    const items = Array.from({ length: 30 }, (_v, i) => dot(i, 0));
    const tour = orderItems(items, { x: 40, y: 0 });
    expect(tour.map((v) => v.index)).toEqual(items.map((_it, i) => 29 - i));
  });

  it("on move time, a diagonal costs what its longer axis costs (GRBL's axis limits), so it can win over a shorter move", () => {
    // From the origin: A (1, 1) is 1.41 mm away but 1 mm on its longer axis; B (1.2, 0) is 1.2 mm.
    const items = [dot(1.2, 0), dot(1, 1)];
    const time = { kind: "time", rate: 50, acceleration: 500 } as const;
    expect(orderItems(items, { x: 0, y: 0 }).map((v) => v.index)).toEqual([0, 1]);
    expect(orderItems(items, { x: 0, y: 0 }, { cost: time }).map((v) => v.index)).toEqual([1, 0]);
    // The time of a rest-to-rest move: 2·√(c/a) below v²/a (5 mm here), c/v + v/a above.
    expect(costOf([dot(1, 1)], [{ index: 0, reversed: false }], { x: 0, y: 0 }, time)).toBeCloseTo(2 * Math.sqrt(1 / 500), 12);
    expect(costOf([dot(30, -10)], [{ index: 0, reversed: false }], { x: 0, y: 0 }, time)).toBeCloseTo(30 / 50 + 50 / 500, 12);
  });

  it("agrees with the kinematics the estimate runs on, to within its step rounding", () => {
    const limits = { maxRate: { x: 3000, y: 3000, z: 600 }, acceleration: { x: 500, y: 500, z: 1000 }, junctionDeviation: 0.01, stepsPerMm: { x: 80, y: 80, z: 250 }, idleLockMs: 255 };
    const time = { kind: "time", rate: 50, acceleration: 500 } as const;
    for (const [dx, dy] of [[0.25, 0], [0.25, 0.25], [3, 1], [12, 7], [40, 2]] as const) {
      const t = totalTime({ x: 0, y: 0, z: 0 }, [{ kind: "line", to: { x: dx, y: dy, z: 0 }, feed: 0, rapid: true }, { kind: "sync" }], limits, Infinity);
      expect(costOf([dot(dx, dy)], [{ index: 0, reversed: false }], { x: 0, y: 0 }, time)).toBeCloseTo(t, 6);
    }
  });

  it("orders a large mark in linear work, with no recursion or spread that grows with it (20 000 dots)", () => {
    const items: OrderItem[] = [];
    for (let i = 0; i < 20_000; i++) items.push(dot((i % 400) * 0.25 + ((i * 7) % 3) * 0.05, Math.floor(i / 400) * 0.3));
    const tour = orderItems(items, { x: 0, y: 0 }, { cost: { kind: "time", rate: 50, acceleration: 500 } });
    expect(new Set(tour.map((v) => v.index)).size).toBe(items.length);
  }, 300_000);

  it("keeps the lower bound below every order: from the start point, through every item", () => {
    for (const id of ["slide-5x7", "us-receiver"]) {
      const job = compileExample(id);
      for (const plan of job.plans) {
        const chosen = orderItems(plan.items, plan.from);
        expect(lowerBound(plan.items, plan.from)).toBeLessThanOrEqual(travelOf(plan.items, chosen, plan.from) + 1e-9);
      }
    }
  });
});
