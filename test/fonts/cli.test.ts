import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";

const run = (...args: string[]) => execFileSync("npx", ["tsx", "src/cli/main.ts", "font", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe("peenmark font", () => {
  it("list names every font with its kind", () => {
    const out = run("list");
    expect(out).toMatch(/^peen-single\s+single-line\s/m);
    expect(out).toMatch(/^peen-single-mono\s+single-line\s/m);
    expect(out).toMatch(/^peen-dot-5x7\s+dot-matrix\s/m);
    expect(out).toMatch(/^peen-dot-7x9\s+dot-matrix\s/m);
    expect(out).toMatch(/^dejavu-sans\s+outline\s/m);
  });

  it("specimen writes a PNG sheet of every glyph", () => {
    const file = join(mkdtempSync(join(tmpdir(), "peenmark-spec-")), "sheet.png");
    const out = run("specimen", "peen-dot-5x7", "-o", file, "--height", "2");
    expect(out).toContain("291 glyphs of peen-dot-5x7");
    const png = PNG.sync.read(readFileSync(file));
    expect(png.width).toBeGreaterThan(1000);
    // Dark strikes on a white sheet: a fair share of the pixels is dark.
    let dark = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 100) dark++;
    expect(dark / (png.width * png.height)).toBeGreaterThan(0.01);
  });

  it("specimen of an unknown font says which fonts exist", () => {
    let err = "";
    try {
      run("specimen", "nope", "-o", "/tmp/x.png");
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
    }
    expect(err).toContain('E_FONT_UNKNOWN: unknown font "nope"');
    expect(err).toContain("peen-dot-7x9");
  });
});
