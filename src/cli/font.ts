import { writeFileSync } from "node:fs";
import { PeenmarkError } from "../errors.ts";
import { args, helpText, type OptionHelp, writeOutput } from "./args.ts";
import { fontNames, loadFont } from "../fonts/font.ts";
import { COVERAGE } from "../fonts/build-font.ts";
import { fontChars, specimenPng } from "../specimen/sheet.ts";

const USAGE = `peenmark font list [--json]
       peenmark font specimen FONT -o sheet.png|- [--pitch 0.3] [--height 3]
           every glyph of FONT as struck: strokes as dots every PITCH mm, at HEIGHT mm cap height`;

export const OPTIONS = {
  output: { type: "string", short: "o" },
  pitch: { type: "string" },
  height: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const HELP: Record<string, OptionHelp> = {
  output: { arg: "FILE", help: "specimen: the PNG to write; - for standard output" },
  pitch: { arg: "MM", help: "specimen: dot pitch along a stroke", default: "0.3" },
  height: { arg: "MM", help: "specimen: cap height", default: "3" },
  json: { help: "list: the fonts as JSON: [{ name, kind, file, gridStep }]" },
};

function positive(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!(n > 0)) throw new PeenmarkError("E_USAGE", `--${name} must be a positive number of mm, not "${v}"`, { where: `--${name}` });
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = args(argv, OPTIONS, true);
  const [sub, ...rest] = positionals;
  if (values.help) {
    console.log(helpText(USAGE, OPTIONS, HELP));
    return 0;
  }
  if (sub === "list") {
    if (rest.length) throw new PeenmarkError("E_USAGE", `font list takes no FONT\nusage: ${USAGE}`);
    const fonts = [...fontNames()].sort().map((name) => {
      const f = loadFont(name);
      return { name, kind: f.kind, file: f.file, ...(f.gridStep ? { gridStep: +(f.gridStep / f.capHeight).toFixed(4) } : {}) };
    });
    if (values.json) console.log(JSON.stringify(fonts, null, 2));
    else for (const f of fonts) console.log(`${f.name.padEnd(24)} ${f.kind.padEnd(12)} ${f.file}${f.gridStep ? `  grid ${f.gridStep} × cap height` : ""}`);
    return 0;
  }
  if (sub === "specimen") {
    const name = rest[0];
    if (!name || rest.length > 1 || !values.output) throw new PeenmarkError("E_USAGE", `font specimen needs one FONT and -o FILE.png\nusage: ${USAGE}`);
    const font = loadFont(name);
    const chars = fontChars(font, COVERAGE);
    const png = specimenPng(font, chars, { pitch: positive("pitch", values.pitch, 0.3), height: positive("height", values.height, 3) });
    writeOutput(values.output, png, writeFileSync);
    (values.output === "-" ? console.error : console.log)(`${values.output === "-" ? "standard output" : values.output}: ${chars.length} glyphs of ${name}`);
    return 0;
  }
  throw new PeenmarkError("E_USAGE", `${sub === undefined ? "font needs a subcommand: list or specimen" : `unknown font subcommand "${sub}"`}\nusage: ${USAGE}`);
}
