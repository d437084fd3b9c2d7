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
import { GRBL_LOOKAHEAD, timeline } from "../../firmware-bridge/kinematics.ts";

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
    const head = new SimHead({
      machine: { workArea: m.workArea, rapidRate: m.rapidRate, acceleration: m.acceleration, junctionDeviation: m.junctionDeviation, homing: m.homing },
      pin: { strikeFrequency: m.strikeFrequency, strikeTime: m.strikeTime },
    });
    const link = join(mkdtempSync(join(tmpdir(), "peenmark-example-")), "head");
    const pty = await startPtyHead({ link, head, clock: "fast" });
    closers.push(() => pty.close());
    const controller = new Controller({ link: { path: link }, statusHz: 10 });
    closers.push(() => controller.close());
    await controller.connect();
    await controller.prepare(expectedSettings(m));
    const before = head.strikes.length;
    const strikeLine = new Set(job.gcode.strikeLines.map((i) => i + 1));
    const outcome = await controller.run(job.gcode.lines, { strikes: strikeLine });
    expect(outcome.outcome, outcome.reason).toBe("completed");
    expect(head.lostBytes).toBe(0);
    const struck: Strike[] = head.strikes.slice(before);

    // Which program line each strike came from: N k is line k of the body.
    const isDwell = (s: Strike) => /G4P/.test(job.gcode.lines[s.line] ?? "");
    const dots = struck.filter(isDwell);
    const planned = job.program.ops.filter((o) => o.kind === "strike");
    expect(dots).toHaveLength(planned.length);
    dots.forEach((s, i) => {
      const want = planned[i]!;
      expect(Math.abs(s.x - want.at.x), `strike ${i + 1} x`).toBeLessThan(0.01);
      expect(Math.abs(s.y - want.at.y), `strike ${i + 1} y`).toBeLessThan(0.01);
      expect(s.force).toBeCloseTo(want.force, 6);
    });

    const trains = job.program.ops.filter((o) => o.kind === "scribe");
    const scribed = struck.filter((s) => !isDwell(s));
    if (!trains.length) {
      expect(scribed).toHaveLength(0);
      return;
    }
    // Every train strike lies on a stroke. The pin fires at a fixed frequency, so a train has
    // as many strikes as its stroke takes time (slower in corners and short strokes: denser),
    // which the shared kinematics gives: scribing time × strike frequency.
    for (const s of scribed) expect(Math.min(...trains.map((t) => distanceToPolyline(s, t.points)))).toBeLessThan(0.01);
    const motions = programMotions(job.program);
    const timing = timeline({ x: 0, y: 0 }, motions, machineLimits(m), GRBL_LOOKAHEAD);
    const scribeSeconds = motions.reduce((sum, mo, i) => sum + (mo.kind === "line" && !mo.rapid ? timing[i]!.end - timing[i]!.start : 0), 0);
    const expected = scribeSeconds * m.strikeFrequency;
    expect(scribed.length).toBeGreaterThan(expected * 0.95);
    expect(scribed.length).toBeLessThan(expected * 1.05 + trains.length);
  });
});
