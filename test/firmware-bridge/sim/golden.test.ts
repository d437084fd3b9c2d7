import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { streamLines } from "../../../firmware-bridge/sim/index.ts";
import { virtualHead } from "./helpers.ts";

/** The lead's golden programs: what the compiler really emits. Expectations are read from each file itself. */
function program(name: string): string[] {
  return readFileSync(new URL(`../../golden/${name}.gcode`, import.meta.url), "utf8").split("\n").filter((l) => l.trim() !== "");
}

/** Where the dialect says each dot lands: the last target before a `G1S…G4P…` line, force S/10. */
function expectedDots(lines: readonly string[]): { x: number; y: number; force: number }[] {
  let x = 0;
  let y = 0;
  const dots: { x: number; y: number; force: number }[] = [];
  for (const l of lines) {
    const mx = /X(-?[\d.]+)/.exec(l);
    const my = /Y(-?[\d.]+)/.exec(l);
    if (mx) x = Number(mx[1]);
    if (my) y = Number(my[1]);
    const dot = /^N\d+G1S(\d+)G4P/.exec(l);
    if (dot) dots.push({ x, y, force: Number(dot[1]) / 10 });
  }
  return dots;
}

async function run(lines: string[]) {
  const h = virtualHead();
  h.send("$H\n");
  const done = streamLines(h.port, lines);
  h.head.runUntilIdle();
  return { h, result: await done };
}

describe("the head runs the compiler's golden programs to the end", () => {
  it("slide-5x7 (dot mode): every line ok, one strike per dot, where and as hard as the program says", async () => {
    const lines = program("slide-5x7");
    const { h, result } = await run(lines);
    expect(result.answers.filter((a) => a !== "ok")).toEqual([]);
    expect(result.answers.length).toBe(lines.length);
    expect(h.head.lostBytes).toBe(0);
    const want = expectedDots(lines);
    expect(want.length).toBeGreaterThan(100);
    expect(h.head.strikes.map((s) => ({ x: s.x, y: s.y, force: s.force }))).toEqual(want);
  });

  it("iti-import (scribe mode): every line ok, trains only on G1 segments, none on rapids, one strike per dot", async () => {
    const lines = program("iti-import");
    const { h, result } = await run(lines);
    expect(result.answers.filter((a) => a !== "ok")).toEqual([]);
    // Segments the pin is allowed to be on: every G1 move with axis words, from the previous point.
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
    expect(h.head.strikes.length).toBeGreaterThan(segs.length);
    // Punctuation (a full stop) is struck as a dot even in a scribed block.
    const dots = expectedDots(lines);
    const atDot = (s: { x: number; y: number }) => dots.some((d) => d.x === s.x && d.y === s.y);
    const off = h.head.strikes.filter((s) => !atDot(s) && !segs.some((g) => dist(s, g) < 1e-6));
    expect(off).toEqual([]);
    expect(h.head.strikes.filter(atDot).length).toBe(dots.length);
    // Scribed blocks run at S550 in this profile; the dots carry their own force.
    expect([...new Set(h.head.strikes.filter((s) => !atDot(s)).map((s) => s.force))]).toEqual([55]);
  });
});
