import { describe, expect, it } from "vitest";
import type { Point } from "../../src/geometry.ts";
import { checkBlockCollisions, glyphBoxes, type GlyphBox } from "../../src/plan/collide.ts";
import type { Profile, LogoBlock, TextBlock } from "../../src/profile/schema.ts";
import { compile } from "../../src/compile.ts";
import { isPeenmarkError, type PeenmarkError } from "../../src/errors.ts";
import { example, MARKED_AT } from "../compile/examples.ts";

/**
 * The block-to-block check over a grid of cells gives what the plain every-glyph-against-
 * every-other loop gives: the same first pair, the same depth, or no error. The reference here
 * is that plain loop, written again from the rule (separating axes on the two glyph boxes,
 * each grown by half the pin's diameter).
 */
const dot = (p: Point, d: Point) => p.x * d.x + p.y * d.y;

function referenceFirstPair(boxes: readonly GlyphBox[], pinDiameter: number): { x: number; y: number; depth: number } | undefined {
  const g = pinDiameter / 2;
  const corners = (b: GlyphBox) =>
    [
      [b.a0 - g, b.u0 - g],
      [b.a1 + g, b.u0 - g],
      [b.a1 + g, b.u1 + g],
      [b.a0 - g, b.u1 + g],
    ].map(([a, u]) => ({ x: a! * b.along.x + u! * b.up.x, y: a! * b.along.y + u! * b.up.y }));
  for (let x = 0; x < boxes.length; x++)
    for (let y = x + 1; y < boxes.length; y++) {
      const p = boxes[x]!;
      const q = boxes[y]!;
      if (p.block === q.block) continue;
      const cp = corners(p);
      const cq = corners(q);
      let depth = Infinity;
      for (const axis of [p.along, p.up, q.along, q.up]) {
        const vp = cp.map((c) => dot(c, axis));
        const vq = cq.map((c) => dot(c, axis));
        depth = Math.min(depth, Math.min(Math.max(...vp), Math.max(...vq)) - Math.max(Math.min(...vp), Math.min(...vq)));
        if (depth <= 1e-9) break;
      }
      if (depth > 1e-9) return { x, y, depth };
    }
  return undefined;
}

/** The glyph boxes of every block of `profile`, each block compiled alone on the bench station. */
const compiled = new Map<string, GlyphBox[]>();
function boxesOf(profile: Profile): GlyphBox[] {
  const { record, station } = example("logo-receiver");
  return profile.blocks.flatMap((b) => {
    const key = JSON.stringify(b);
    let boxes = compiled.get(key);
    if (!boxes) {
      const job = compile({ record, profile: { ...profile, rules: "none", blocks: [b] }, station, markedAt: MARKED_AT });
      boxes = glyphBoxes(b.id, job.placed[0]!, job.plans[0]!, b.kind === "logo" ? `the logo "${b.id}"` : undefined);
      compiled.set(key, boxes);
    }
    return boxes;
  });
}

function caughtOrNone(fn: () => void): PeenmarkError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (isPeenmarkError(e)) return e;
    throw e;
  }
}

describe("the check between blocks", () => {
  const { profile, station } = example("logo-receiver");
  const pin = station.machine.pinDiameter;
  const logo = profile.blocks.find((b) => b.kind === "logo") as LogoBlock;
  const maker = profile.blocks.find((b) => b.id === "maker") as TextBlock;

  // The logo (large boxes, one per stroke) and the maker's lines moved over each other in
  // steps: apart, touching, overlapping from every side; and a text block laid over another.
  const cases: [string, Profile][] = [];
  for (let dx = -40; dx <= 10; dx += 10)
    for (const dy of [-8, 0, 8, 18])
      cases.push([`logo moved by (${dx}, ${dy}) mm`, { ...profile, blocks: profile.blocks.map((b) => (b === logo ? { ...logo, origin: { x: logo.origin.x + dx, y: logo.origin.y + dy } } : b)) }]);
  // A logo larger than many grid cells is tried against every glyph, not through the grid.
  for (const [x, y] of [[8, 20], [30, 40], [40, 44], [45, 10]] as const)
    cases.push([`the logo 30 mm tall at (${x}, ${y})`, { ...profile, blocks: profile.blocks.map((b) => (b === logo ? { ...logo, height: 30, origin: { x, y } } : b)) }]);
  for (const dy of [-16, -12, -8, -4, 0, 4])
    cases.push([`a copy of the maker's lines ${dy} mm above them`, { ...profile, blocks: [...profile.blocks, { ...maker, id: "maker-copy", origin: { x: maker.origin.x + 0.37, y: maker.origin.y + dy } }] }]);

  it.each(cases)("%s: the same first pair as every glyph against every other", (_name, p) => {
    const boxes = boxesOf(p);
    const expected = referenceFirstPair(boxes, pin);
    const e = caughtOrNone(() => checkBlockCollisions(boxes, pin));
    if (!expected) {
      expect(e).toBeUndefined();
      return;
    }
    expect(e?.code).toBe("E_OVERLAP");
    const [a, b] = [boxes[expected.x]!, boxes[expected.y]!];
    expect(e!.details).toMatchObject({ other: b.block, chars: [a.char, b.char], lines: [a.line + 1, b.line + 1] });
    expect(e!.where).toBe(a.block);
    expect(e!.details.depth as number).toBeCloseTo(expected.depth, 9);
  });

  it("finds overlaps in some of the cases and none in others (the cases test both sides)", () => {
    const found = cases.map(([, p]) => referenceFirstPair(boxesOf(p), pin) !== undefined);
    expect(found.filter(Boolean).length).toBeGreaterThan(5);
    expect(found.filter((f) => !f).length).toBeGreaterThan(5);
  });
});
