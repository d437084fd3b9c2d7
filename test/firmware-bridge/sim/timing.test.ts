import { describe, expect, it } from "vitest";
import { timeline, type Motion } from "../../../firmware-bridge/kinematics.ts";
import { streamLines } from "../../../firmware-bridge/sim/index.ts";
import { virtualHead } from "./helpers.ts";

const LIMITS = { maxRate: { x: 3000, y: 3000 }, acceleration: { x: 500, y: 500 }, junctionDeviation: 0.01 };

/** A zig-zag of short G1 segments, like a scribed glyph. */
function zigzag(n: number): { x: number; y: number }[] {
  return Array.from({ length: n }, (_, i) => ({ x: 10 + i * 0.8, y: 10 + (i % 2) * 0.6 }));
}

/** Times of the motion, from the strikes a continuous pin leaves (first at the start, last before the end). */
function motionSpan(h: ReturnType<typeof virtualHead>, startLine: number): { start: number; end: number } {
  const s = h.head.strikes.filter((k) => k.line >= startLine);
  return { start: s[0]!.t, end: s.at(-1)!.t };
}

describe("the head's clock is kinematics.ts", () => {
  it("with every block buffered before the start, a stroke takes the time the compiler's estimate gives", () => {
    const h = virtualHead();
    h.send("$X\nM3S0\nG0X10Y10\n");
    const pts = zigzag(14);
    // Hold first, so that all blocks are in the planner when the motion starts.
    h.head.write("!");
    h.head.advance(0.01);
    h.head.write(pts.slice(1).map((p, i) => `N${100 + i}G1X${p.x.toFixed(3)}Y${p.y.toFixed(3)}S500F2400`).join("\n") + "\n");
    h.head.advance(0.5);
    const t0 = h.head.now;
    h.head.write("~");
    h.head.runUntilIdle();
    const motions: Motion[] = pts.slice(1).map((p) => ({ kind: "line", to: { x: Number(p.x.toFixed(3)), y: Number(p.y.toFixed(3)) }, feed: 2400, rapid: false }));
    const expected = timeline(pts[0]!, motions, LIMITS).at(-1)!.end;
    const span = motionSpan(h, 100);
    const resumeAt = t0 + 1 / 11520; // the ~ byte's own time on the wire
    expect(span.start).toBeCloseTo(resumeAt, 6);
    // the last strike falls within one strike period before the end of the motion
    expect(span.end).toBeLessThanOrEqual(resumeAt + expected + 1e-9);
    expect(span.end).toBeGreaterThan(resumeAt + expected - 1 / 200);
  });

  it("a starved stream shows up: a slow controller plans fewer blocks ahead and the same stroke takes longer", async () => {
    const run = async (parseDelay: number) => {
      const h = virtualHead({ faults: { parseDelay } });
      h.send("$X\nM3S0\nG0X10Y10\n");
      // a straight stroke cut into 0.8 mm segments: fed, the head cruises through the junctions
      const pts = Array.from({ length: 40 }, (_, i) => ({ x: 10 + i * 0.8, y: 10 }));
      const done = streamLines(h.port, pts.slice(1).map((p, i) => `N${100 + i}G1X${p.x.toFixed(3)}Y${p.y.toFixed(3)}S500F2400`));
      h.head.runUntilIdle();
      await done;
      const span = motionSpan(h, 100);
      return span.end - span.start;
    };
    const fed = await run(0);
    const starved = await run(0.05);
    expect(fed).toBeLessThan(1);
    expect(starved).toBeGreaterThan(fed * 1.5);
  });
});
