import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { previewSvg } from "../../src/preview/svg.ts";
import { MAX_LINE_BYTES } from "../../src/gcode/emit.ts";
import { compileExample, profileIds, ROOT, station } from "./examples.ts";

/**
 * Golden programs and previews for every example profile. A change to any of them is a
 * change to what gets struck on a receiver: regenerate with UPDATE_GOLDEN=1 and review the
 * diff (and the preview PNG) before committing.
 */
const update = process.env.UPDATE_GOLDEN === "1";

function golden(name: string, actual: string): void {
  const path = join(ROOT, "test", "golden", name);
  if (update || !existsSync(path)) writeFileSync(path, actual);
  expect(actual, `${name} differs from its golden file; if the change is intended run UPDATE_GOLDEN=1 npx vitest run test/compile and review the diff`).toBe(readFileSync(path, "utf8"));
}

describe.each(profileIds())("example profile %s", (id) => {
  const job = compileExample(id);
  const text = job.gcode.lines.join("\n") + "\n";

  it("compiles to its golden G-code", () => golden(`${id}.gcode`, text));
  it("previews as its golden SVG", () => golden(`${id}.svg`, previewSvg(job.program, station().machine)));

  it("gives byte-identical programs on every compile", () => {
    expect(compileExample(id).gcode.lines.join("\n") + "\n").toBe(text);
  });

  it("keeps every line within GRBL's 80-byte line buffer, with compact numbers and no comments in the body", () => {
    for (const line of job.gcode.lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    for (const line of job.gcode.lines.slice(1)) {
      expect(line).toMatch(/^N\d+[GMSXYZF0-9.\-]+$/);
      expect(line.replace(/Z-?[\d.]+/, "")).not.toMatch(/\.\d{4,}/); // ≤ 3 decimals (Z: whole steps, 4)
      expect(line).not.toMatch(/\.\d*0(?!\d)/); // no trailing zeros
    }
    expect(job.gcode.lines[0]).toMatch(/^\(peenmark job=[0-9a-f]{12} profile=[a-z0-9-]+ station=bench\)$/);
  });

  it("switches the pin off and parks at the end, Z back where the job found it", () => {
    const tail = job.gcode.lines.slice(-3).map((l) => l.replace(/^N\d+/, ""));
    expect(tail).toEqual(["S0", "M5", "G0X0Y80Z0"]);
  });

  it("strikes with a Z-only block in M3 and scribes in M4, with no dwell and no pin-on sync", () => {
    const body = job.gcode.lines.slice(1).map((l) => l.replace(/^N\d+/, ""));
    expect(body.slice(0, 2)).toEqual(["G21G90G94G17G54G92.1", "G92Z0"]);
    expect(body.filter((l) => /G4/.test(l))).toEqual([]);
    let mode = "";
    for (const l of body) {
      const m = /M([345])/.exec(l);
      if (m) mode = m[1]!;
      if (/^G1Z/.test(l)) expect(mode, l).toBe("3");
      if (/^(G1)?X/.test(l)) expect(mode, l).toBe("4");
      // S changes only ride on motion (no sync with the pin on) or switch the pin off.
      if (/S[1-9]/.test(l)) expect(l, "an S above 0 only on a line with motion").toMatch(/[XYZ]/);
    }
  });
});
