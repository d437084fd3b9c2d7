import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { PeenmarkError } from "../errors.ts";
import { fontNames, loadFont } from "../fonts/font.ts";
import { COVERAGE } from "../fonts/build-font.ts";
import { fontChars, specimenPng } from "../specimen/sheet.ts";

const USAGE = `usage:
  peenmark font list
  peenmark font specimen FONT -o sheet.png [--pitch 0.3] [--height 3]
      every glyph of FONT as struck: strokes as dots every PITCH mm, at HEIGHT mm cap height`;

function positive(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!(n > 0)) throw new PeenmarkError("E_USAGE", `--${name} must be a positive number of mm, not "${v}"`, { where: `--${name}` });
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "list") {
    for (const name of [...fontNames()].sort()) {
      const f = loadFont(name);
      const grid = f.gridStep ? `  grid ${+(f.gridStep / f.capHeight).toFixed(4)} × cap height` : "";
      console.log(`${name.padEnd(24)} ${f.kind.padEnd(12)} ${f.file}${grid}`);
    }
    return 0;
  }
  if (sub === "specimen") {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { out: { type: "string", short: "o" }, pitch: { type: "string" }, height: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const name = positionals[0];
    if (!name || positionals.length > 1 || !values.out) throw new PeenmarkError("E_USAGE", `font specimen needs one FONT and -o FILE.png\n${USAGE}`);
    const font = loadFont(name);
    const chars = fontChars(font, COVERAGE);
    const png = specimenPng(font, chars, { pitch: positive("pitch", values.pitch, 0.3), height: positive("height", values.height, 3) });
    writeFileSync(values.out, png);
    console.log(`${values.out}: ${chars.length} glyphs of ${name}`);
    return 0;
  }
  if (sub === "--help" || sub === "-h" || sub === "help") {
    console.log(USAGE);
    return 0;
  }
  throw new PeenmarkError("E_USAGE", `${sub === undefined ? "font needs a subcommand" : `unknown font subcommand "${sub}"`}\n${USAGE}`);
}
