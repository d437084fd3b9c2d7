import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSvgLogo } from "../../src/logo/svg.ts";
import { placeLogo } from "../../src/logo/place.ts";
import { loadProfile } from "../../src/profile/load.ts";
import { fontNames } from "../../src/fonts/font.ts";
import { PeenmarkError } from "../../src/errors.ts";
import { simHeadOf } from "../../src/job/head.ts";
import { measureStreaming } from "../../firmware-bridge/measure.ts";
import type { Point } from "../../src/geometry.ts";
import type { LogoBlock } from "../../src/profile/schema.ts";
import { compileExample, ROOT, station } from "../compile/examples.ts";

const svg = (body: string, attrs = 'viewBox="0 0 100 50" fill="none"') => `<svg xmlns="http://www.w3.org/2000/svg" ${attrs}>${body}</svg>`;

function caught(f: () => unknown): PeenmarkError {
  try {
    f();
  } catch (e) {
    if (e instanceof PeenmarkError) return e;
    throw e;
  }
  throw new Error("expected a PeenmarkError");
}

describe("SVG logos", () => {
  it("flattens a circle to points on it, within the tolerance, and closes it", () => {
    const logo = parseSvgLogo(svg('<circle cx="50" cy="25" r="20"/>'), 0.05, "logo");
    expect(logo.strokes).toHaveLength(1);
    expect(logo.strokes[0]!.closed).toBe(true);
    const pts = logo.strokes[0]!.points;
    expect(pts.length).toBeGreaterThan(15);
    // svgpath draws the circle's arcs as cubics, about 2.7e-4 of the radius off it at most.
    const arcError = 5e-4 * 20;
    for (const p of pts) expect(Math.abs(Math.hypot(p.x - 50, p.y - 25) - 20)).toBeLessThan(arcError);
    // Chords: a chord's middle is within the tolerance of the circle.
    for (let i = 0; i < pts.length; i++) {
      const a = pts[i]!, b = pts[(i + 1) % pts.length]!;
      expect(Math.abs(20 - Math.hypot((a.x + b.x) / 2 - 50, (a.y + b.y) / 2 - 25))).toBeLessThanOrEqual(0.05 + arcError);
    }
  });

  it("applies nested transforms, inner first", () => {
    const logo = parseSvgLogo(svg('<g transform="translate(10 5)"><g transform="scale(2)"><line x1="1" y1="1" x2="3" y2="1"/></g></g>'), 0.01, "logo");
    expect(logo.strokes[0]!.points).toEqual([{ x: 12, y: 7 }, { x: 16, y: 7 }]);
  });

  it("reads polylines, polygons, rects with rounded corners, ellipses and arcs", () => {
    const logo = parseSvgLogo(svg('<polyline points="0,0 10,0 10,10"/><polygon points="20,0 30,0 25,8"/><rect x="40" y="0" width="10" height="6" rx="2"/><ellipse cx="70" cy="20" rx="8" ry="4"/><path d="M80 10 a5 5 0 0 1 10 0"/>'), 0.01, "logo");
    expect(logo.strokes.map((s) => s.closed)).toEqual([false, true, true, true, false]);
    const arc = logo.strokes[4]!.points;
    // svgpath turns arcs into cubics (about 2.7e-4 of the radius off the circle at most).
    for (const p of arc) expect(Math.abs(Math.hypot(p.x - 85, p.y - 10) - 5)).toBeLessThan(5e-4 * 5);
    expect(Math.min(...arc.map((p) => p.y))).toBeCloseTo(5, 2); // sweep 1 from the left: over the top (y down)
  });

  it("refuses a filled shape, naming the element (a head marks lines, not areas)", () => {
    const e = caught(() => parseSvgLogo(svg('<g><path d="M0 0L10 0L10 10Z" fill="#000"/></g>'), 0.01, 'block "logo"'));
    expect(e.code).toBe("E_LOGO");
    expect(e.details.reason).toBe("fill");
    expect(e.message).toMatch(/svg\/g\[1\]\/path\[1\] is filled/);
    // SVG's default fill is black: a shape with no fill said is filled.
    expect(caught(() => parseSvgLogo(svg('<rect x="0" y="0" width="5" height="5"/>', 'viewBox="0 0 10 10"'), 0.01, "logo")).details.reason).toBe("fill");
    // A style that says fill:none is honoured.
    expect(parseSvgLogo(svg('<rect x="0" y="0" width="5" height="5" style="fill: none; stroke: #000"/>', 'viewBox="0 0 10 10"'), 0.01, "logo").strokes).toHaveLength(1);
  });

  it("refuses text, images and documents without a size", () => {
    expect(caught(() => parseSvgLogo(svg("<text x='0' y='10'>RIDGELINE</text>"), 0.01, "logo")).details.reason).toBe("unsupported");
    expect(caught(() => parseSvgLogo(svg("<image href='x.png'/>"), 0.01, "logo")).details.reason).toBe("unsupported");
    expect(caught(() => parseSvgLogo(svg('<line x1="0" y1="0" x2="1" y2="1"/>', ""), 0.01, "logo")).message).toMatch(/neither a viewBox nor a width and height/);
    expect(caught(() => parseSvgLogo("<svg", 0.01, "logo")).code).toBe("E_LOGO");
    expect(caught(() => parseSvgLogo(svg(""), 0.01, "logo")).message).toMatch(/nothing to strike/);
  });

  it("places the viewBox's lower-left corner at the origin, scaled to the height, rotated about the origin, y up", () => {
    const block = { kind: "logo", id: "logo", svg: svg('<line x1="0" y1="50" x2="100" y2="0"/>'), height: 10, origin: { x: 20, y: 30 }, rotation: 90, mode: "dot", pitch: 0.2, force: 70 } as LogoBlock;
    const pts = placeLogo(block).strokes[0]!.points;
    // (0, 50) is the lower-left corner → the origin; (100, 0) is 20 mm along, 10 mm up → rotated 90°: (−10, 20) from the origin.
    expect(pts[0]!.x).toBeCloseTo(20, 9);
    expect(pts[0]!.y).toBeCloseTo(30, 9);
    expect(pts[1]!.x).toBeCloseTo(10, 9);
    expect(pts[1]!.y).toBeCloseTo(50, 9);
  });

  it("reads the logo file beside the profile, and only there; the hash covers the logo", () => {
    const dir = mkdtempSync(join(tmpdir(), "peenmark-logo-"));
    mkdirSync(join(dir, "logos"));
    const profile = JSON.parse(readFileSync(join(ROOT, "profiles", "logo-receiver.json"), "utf8"));
    delete profile.$schema;
    writeFileSync(join(dir, "logos", "ridgeline.svg"), readFileSync(join(ROOT, "profiles", "logos", "ridgeline.svg")));
    writeFileSync(join(dir, "p.json"), JSON.stringify(profile));
    const a = loadProfile(join(dir, "p.json"), { fonts: fontNames() });
    const logo = a.profile.blocks.find((b) => b.kind === "logo") as LogoBlock;
    expect(logo.svg).toContain("<svg");
    writeFileSync(join(dir, "logos", "ridgeline.svg"), readFileSync(join(ROOT, "profiles", "logos", "ridgeline.svg"), "utf8").replace('r="27"', 'r="26"'));
    expect(loadProfile(join(dir, "p.json"), { fonts: fontNames() }).hash).not.toBe(a.hash);
    for (const file of ["../secret.svg", "/etc/passwd"]) {
      profile.blocks[3].file = file;
      writeFileSync(join(dir, "p.json"), JSON.stringify(profile));
      const e = caught(() => loadProfile(join(dir, "p.json"), { fonts: fontNames() }));
      expect(e.code).toBe("E_LOGO");
      expect(e.message).toMatch(/inside the profile's folder/);
    }
  });
});

/** Distance from p to the nearest segment of the polylines. */
function nearest(p: Point, lines: readonly (readonly Point[])[]): number {
  let best = Infinity;
  for (const pts of lines)
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]!, b = pts[i]!;
      const dx = b.x - a.x, dy = b.y - a.y;
      const l2 = dx * dx + dy * dy;
      const t = l2 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2)) : 0;
      best = Math.min(best, Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy));
    }
  return best;
}

describe("the logo example (profiles/logo-receiver.json)", () => {
  it("streams to the simulated head with every logo strike on the SVG's lines within 0.02 mm", async () => {
    const job = compileExample("logo-receiver");
    const st = station();
    const block = (await import("../compile/examples.ts")).example("logo-receiver").profile.blocks.find((b) => b.kind === "logo") as LogoBlock;
    // The SVG's lines, flattened a hundred times finer than the compile does, placed the same way.
    const reference = placeLogo({ ...block, pitch: block.pitch / 100 }).strokes.map((s) => (s.closed ? [...s.points, s.points[0]!] : s.points));
    const planned = job.program.ops.filter((o) => o.block === "logo");
    expect(planned.length).toBeGreaterThan(300);
    const sim = await measureStreaming(job.gcode.lines, { head: simHeadOf(st), rxBuffer: st.controller.rxBuffer, statusHz: st.controller.statusHz, from: st.machine.park });
    expect(sim.outcome.outcome).toBe("completed");
    const box = job.placed.find((p) => p.id === "logo")!.box;
    const struck = sim.strikes.filter((s) => s.x >= box.minX - 0.5 && s.x <= box.maxX + 0.5 && s.y >= box.minY - 0.5 && s.y <= box.maxY + 0.5);
    expect(struck).toHaveLength(planned.length);
    let worst = 0;
    for (const s of struck) worst = Math.max(worst, nearest(s, reference));
    expect(worst).toBeLessThanOrEqual(0.02);
  });

  it("is summarised as a logo block, its size the SVG's at 14 mm high", () => {
    const job = compileExample("logo-receiver");
    const b = job.blocks.find((x) => x.id === "logo")!;
    expect(b.kind).toBe("logo");
    expect(b.mode).toBe("dot");
    // The viewBox is 60 high; the drawing reaches from y = 3 to y = 57 of it.
    expect(b.logo!.height).toBeCloseTo((54 / 60) * 14, 1);
  });
});
