import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { streamLines } from "../../../firmware-bridge/sim/index.ts";
import { virtualHead } from "./helpers.ts";

/**
 * The compiler's golden programs (test/golden) on GRBL's behaviour. The programs use
 * coordinates from the homed corner, so they run on a HOMING_FORCE_SET_ORIGIN build. What a
 * firmware does with them: every dot gets its pin-on interval at rest, at the planned place
 * (to the step), and nowhere else is the pin on at rest; how long the pin stays on is the
 * dialect's business — the dwell encoding holds it for whole 50 ms steps (issue 9 item 1), a
 * Z-block strike for its Z travel over its feed. Both dialects are read.
 */
function program(name: string): string[] {
  return readFileSync(new URL(`../../golden/${name}.gcode`, import.meta.url), "utf8").split("\n").filter((l) => l.trim() !== "");
}

interface Dot {
  x: number;
  y: number;
  s: number;
  /** The dwell of the strike line, s (the dwell encoding), or undefined (a Z-block strike). */
  dwell?: number;
  /** A Z-block strike's duration, s: its Z travel over its feed. */
  zBlock?: number;
}

/** Where each strike lands: the XY target before a strike line (`G1S…G4P…`, or a Z-only `G1Z…`, S modal). */
function expectedDots(lines: readonly string[]): Dot[] {
  let x = 0;
  let y = 0;
  let s = 0;
  let z = 0;
  let f = 0;
  const dots: Dot[] = [];
  for (const l of lines) {
    const mx = /X(-?[\d.]+)/.exec(l);
    const my = /Y(-?[\d.]+)/.exec(l);
    const ms = /S(\d+)/.exec(l);
    if (mx) x = Number(mx[1]);
    if (my) y = Number(my[1]);
    const mf = /F([\d.]+)/.exec(l);
    if (ms) s = Number(ms[1]);
    if (mf) f = Number(mf[1]);
    const dwell = /G1S(\d+)G4P([\d.]+)/.exec(l);
    if (dwell) dots.push({ x, y, s: Number(dwell[1]), dwell: Number(dwell[2]) });
    const mz = /^N\d+G1Z(-?[\d.]+)/.exec(l);
    if (mz && !dwell && !mx && !my && s > 0) dots.push({ x, y, s, zBlock: Math.abs(Number(mz[1]) - z) / (f / 60) });
    const anyZ = /Z(-?[\d.]+)/.exec(l);
    if (anyZ) z = Number(anyZ[1]);
    if (/G92Z0/.test(l)) z = 0;
  }
  return dots;
}

async function run(lines: string[]) {
  const h = virtualHead({ build: "origin" });
  h.send("$H\n");
  const done = streamLines(h.port, lines);
  h.head.runUntilIdle();
  return { h, result: await done };
}

const HALF_STEP = 0.5 / 80;

describe("the compiler's golden programs on GRBL", () => {
  it("slide-5x7 (dot mode): every line ok; one pin-on interval per dot, at rest, at the dot; the dwell encoding holds each for 50 ms, a Z block for its d/F", async () => {
    const lines = program("slide-5x7");
    const { h, result } = await run(lines);
    expect(result.answers.filter((a) => a !== "ok")).toEqual([]);
    expect(h.head.lostBytes).toBe(0);
    const want = expectedDots(lines);
    expect(want.length).toBeGreaterThan(100);
    const pins = h.head.pinIntervals;
    expect(pins.length).toBe(want.length);
    for (const [i, p] of pins.entries()) {
      const d = want[i]!;
      expect(p.distance, `dot ${i} moved while the pin was on`).toBe(0);
      expect(Math.abs(p.at.x - d.x), `dot ${i} x`).toBeLessThanOrEqual(HALF_STEP);
      expect(Math.abs(p.at.y - d.y), `dot ${i} y`).toBeLessThanOrEqual(HALF_STEP);
      const onMs = (p.off! - p.on) * 1000;
      if (d.dwell !== undefined) expect(onMs).toBeCloseTo(Math.ceil(d.dwell * 20) * 50, 0);
      // a Z block joined to the rapids around it runs at its feed from end to end: d/F
      if (d.zBlock !== undefined) expect(Math.abs(onMs - d.zBlock * 1000), `dot ${i} on ${onMs} ms`).toBeLessThan(1);
    }
  });

  it("iti-import (scribe mode): every line ok; the pin is on only along G1 segments and at the dots", async () => {
    const lines = program("iti-import");
    const { h, result } = await run(lines);
    expect(result.answers.filter((a) => a !== "ok")).toEqual([]);
    // Segments the pin may be on along: every G1 move with axis words, from the previous point.
    const segs: { a: { x: number; y: number }; b: { x: number; y: number } }[] = [];
    let p = { x: 0, y: 0 };
    let motion = 0;
    for (const l of lines) {
      if (/G0(?!\d)/.test(l)) motion = 0;
      if (/G1(?!\d)/.test(l)) motion = 1;
      const mx = /X(-?[\d.]+)/.exec(l);
      const my = /Y(-?[\d.]+)/.exec(l);
      if (!mx && !my) continue;
      const q = { x: mx ? Number(mx[1]) : p.x, y: my ? Number(my[1]) : p.y };
      if (motion === 1) segs.push({ a: p, b: q });
      p = q;
    }
    const dist = (s: { x: number; y: number }, g: (typeof segs)[number]) => {
      const dx = g.b.x - g.a.x;
      const dy = g.b.y - g.a.y;
      const len2 = dx * dx + dy * dy || 1;
      const t = Math.max(0, Math.min(1, ((s.x - g.a.x) * dx + (s.y - g.a.y) * dy) / len2));
      return Math.hypot(s.x - g.a.x - t * dx, s.y - g.a.y - t * dy);
    };
    expect(segs.length).toBeGreaterThan(50);
    const dots = expectedDots(lines);
    const atDot = (s: { x: number; y: number }) => dots.some((d) => Math.abs(d.x - s.x) <= HALF_STEP && Math.abs(d.y - s.y) <= HALF_STEP);
    // Step positions lie within a step of the commanded line (Bresenham).
    const off = h.head.strikes.filter((s) => !atDot(s) && !segs.some((g) => dist(s, g) < 0.02));
    expect(off).toEqual([]);
    expect(h.head.strikes.length).toBeGreaterThan(segs.length);
  });
});
