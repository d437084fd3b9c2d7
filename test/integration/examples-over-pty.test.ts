import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Controller } from "../../firmware-bridge/driver.ts";
import { expectedSettings } from "../../firmware-bridge/settings-check.ts";
import { SimHead, startPtyHead, type Strike } from "../../firmware-bridge/sim/index.ts";
import type { Point } from "../../src/geometry.ts";
import { compileExample, profileIds, station } from "../compile/examples.ts";
import { machineLimits, programMotions } from "../../src/plan/estimate.ts";
import { timeline } from "../../firmware-bridge/kinematics.ts";
import { simHeadOf } from "../../src/job/head.ts";

/**
 * Every example profile, compiled and streamed to the simulated head over a real
 * pseudo-terminal (socat) through serialport's OS binding, exactly as the station drives a
 * USB-serial controller. What the head struck must be what the plan says: every dot-mode
 * strike at its planned place (within 0.01 mm) and force, in order; every scribe strike on its
 * stroke, at about the train's pitch.
 */
const m = station().machine;
const closers: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

function distanceToPolyline(p: Point, pts: readonly Point[]): number {
  let best = Infinity;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
    best = Math.min(best, Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy)));
  }
  return best;
}

describe.each(profileIds())("example profile %s streamed over a pty", (id) => {
  it("completes, and the head strikes what the plan says", { timeout: 180_000 }, async () => {
    const job = compileExample(id);
    const head = new SimHead(simHeadOf(station()));
    const link = join(mkdtempSync(join(tmpdir(), "peenmark-example-")), "head");
    const pty = await startPtyHead({ link, head, clock: "fast" });
    closers.push(() => pty.close());
    const controller = new Controller({ link: { path: link }, statusHz: 10 });
    closers.push(() => controller.close());

    await controller.connect();
    await controller.prepare(expectedSettings(m));
    const before = head.strikes.length;
    const pinsBefore = head.pinIntervals.length;
    const strikeLine = new Set(job.gcode.strikeLines.map((i) => i + 1));
    const outcome = await controller.run(job.gcode.lines, { strikes: strikeLine, positionTolerance: m.positionTolerance });
    expect(outcome.outcome, outcome.reason).toBe("completed");
    expect(head.lostBytes).toBe(0);
    // The head strikes in machine coordinates; the program is in work coordinates, G54 apart.
    const g54 = await controller.readWorkOffset();
    const struck: Strike[] = head.strikes.slice(before).map((s) => ({ ...s, x: s.x - g54.x, y: s.y - g54.y }));

    // Which program line each strike came from: N k is line k of the body.
    const isDot = (s: Strike) => /^N\d+G1Z/.test(job.gcode.lines[s.line] ?? "");
    const dots = struck.filter(isDot);
    const planned = job.program.ops.filter((o) => o.kind === "strike");
    expect(dots).toHaveLength(planned.length);
    // A dot is one whole strike at rest: the output on for the strike time (±1 ms) with X and Y
    // still; outside the strike blocks the output is never on with the head standing.
    const isStrikeLine = (n: number) => /^N\d+G1Z/.test(job.gcode.lines[n] ?? "");
    const intervals = head.pinIntervals.slice(pinsBefore);
    const strikeOns = intervals.filter((p) => isStrikeLine(p.line));
    expect(strikeOns).toHaveLength(planned.length);
    for (const p of strikeOns) {
      expect(Math.abs(p.off! - p.on - m.strikeTime), `pin-on time of line ${p.line}`).toBeLessThanOrEqual(0.001);
      expect(p.distance, `XY travel with the pin on at line ${p.line}`).toBeLessThan(0.01);
    }
    for (const p of intervals.filter((q) => !isStrikeLine(q.line))) expect(p.distance, `pin on at rest at line ${p.line}`).toBeGreaterThan(0);
    dots.forEach((s, i) => {
      const want = planned[i]!;
      expect(Math.abs(s.x - want.at.x), `strike ${i + 1} x`).toBeLessThan(0.01);
      expect(Math.abs(s.y - want.at.y), `strike ${i + 1} y`).toBeLessThan(0.01);
      // The pin output is 8-bit PWM: S700 is duty 179/255 (spindle_control.c), within half a percent.
      expect(Math.abs(s.force - want.force), `strike ${i + 1} force`).toBeLessThan(0.5);
    });

    const trains = job.program.ops.filter((o) => o.kind === "scribe");
    const scribed = struck.filter((s) => !isDot(s));
    if (!trains.length) {
      expect(scribed).toHaveLength(0);
      return;
    }
    // Every train strike lies on a stroke. The head moves in whole steps (Bresenham, with the
    // segment ends rounded to steps): within one and a half steps of the stroke.
    const step = 1 / Math.min(m.stepsPerMm.x, m.stepsPerMm.y);
    for (const s of scribed) expect(Math.min(...trains.map((t) => distanceToPolyline(s, t.points)))).toBeLessThan(1.5 * step);
    // The pin fires its train at a fixed frequency for as long as the output is on in the
    // strokes (M4: power follows speed, off at rest), so a train has as many strikes as its
    // stroke takes time — more where the head slows, and more if a slow host lets the planner
    // run dry mid-stroke (the head then slows to a stop and starts again, pin off at rest).
    const strokeOn = intervals.filter((p) => !isStrikeLine(p.line)).reduce((sum, p) => sum + (p.off! - p.on), 0);
    expect(scribed.length).toBeGreaterThan(strokeOn * m.strikeFrequency * 0.95);
    expect(scribed.length).toBeLessThan(strokeOn * m.strikeFrequency * 1.05 + trains.length);
    // And the stroke time is at least what the kinematics give for the strokes.
    const motions = programMotions(job.program);
    const timing = timeline({ x: 0, y: 0, z: 0 }, motions, machineLimits(m));
    let at = { x: 0, y: 0 };
    const scribeSeconds = motions.reduce((sum, mo, i) => {
      if (mo.kind !== "line") return sum;
      const xy = mo.to.x !== at.x || mo.to.y !== at.y;
      at = { x: mo.to.x, y: mo.to.y };
      return sum + (!mo.rapid && xy ? timing[i]!.end - timing[i]!.start : 0);
    }, 0);
    expect(strokeOn).toBeGreaterThan(scribeSeconds * 0.95);
  });
});
