import { loadFont } from "../src/fonts/font.ts";
import { LEGIBILITY_HEIGHTS, LEGIBILITY_SET, SERIAL_CHARS, characterAccuracy, limited, readBack, readLine, strikeForCheck } from "../src/specimen/legibility.ts";
import { strikeLine } from "../src/specimen/strike.ts";

/**
 * `npx tsx bench/fonts.ts [--ocr]`: marked length per character of each font (stroke mm at
 * 3 mm cap height, strikes at 0.3 mm pitch, averaged over A–Z 0–9; each character struck
 * alone through layout and plan on the bench station), and with --ocr the legibility table
 * (Tesseract character accuracy over the legibility set). Prints markdown.
 */
const FONTS = ["peen-single", "peen-single-mono", "peen-dot-5x7", "peen-dot-7x9", "dejavu-sans"];
const CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const CAP = 3;
const PITCH = 0.3;

console.log(`Marked length per character, A–Z 0–9, cap height ${CAP} mm, pitch ${PITCH} mm\n`);
console.log("| font | kind | stroke mm / char | strikes / char | strikes / char, A–Z | strikes / char, 0–9 |");
console.log("| --- | --- | ---: | ---: | ---: | ---: |");
for (const name of FONTS) {
  const f = loadFont(name);
  const per = (s: string) => {
    let dots = 0;
    let mm = 0;
    for (const ch of s) {
      const t = strikeLine(f, ch, CAP, PITCH);
      dots += t.dots.length;
      mm += t.strokeLength;
    }
    return { dots: dots / s.length, mm: mm / s.length };
  };
  const all = per(CHARS);
  const stroke = f.kind === "dot-matrix" ? "— (grid)" : all.mm.toFixed(2);
  console.log(`| ${name} | ${f.kind} | ${stroke} | ${all.dots.toFixed(1)} | ${per(CHARS.slice(0, 26)).dots.toFixed(1)} | ${per(CHARS.slice(26)).dots.toFixed(1)} |`);
}

if (process.argv.includes("--ocr")) {
  const HARD = "B7Z25S80";
  console.log(`\nLegibility: character accuracy (1 − Levenshtein / length) over ${LEGIBILITY_SET.length} lines; lines read back exactly; a deliberately confusable serial ${HARD}\n`);
  console.log(`| font | cap height mm | pitch | accuracy | exact lines | ${HARD} read as |`);
  console.log("| --- | ---: | --- | ---: | ---: | --- |");
  for (const name of FONTS.filter((n) => n.startsWith("peen-"))) {
    const f = loadFont(name);
    for (const h of LEGIBILITY_HEIGHTS) {
      const read = await limited(LEGIBILITY_SET, 2, (line) => readLine(f, line, h));
      const pairs = LEGIBILITY_SET.map((l, i) => ({ expected: l.text, read: read[i]! }));
      const exact = pairs.filter((p) => p.read === p.expected).length;
      const hard = await readBack(f, HARD, h, { languages: "eng", whitelist: SERIAL_CHARS });
      const pitch = `${f.kind === "dot-matrix" ? "grid " : ""}${strikeForCheck(f, "H", h).pitch.toFixed(3)} mm`;
      console.log(`| ${name} | ${h} | ${pitch} | ${(characterAccuracy(pairs) * 100).toFixed(1)} % | ${exact}/${pairs.length} | ${hard === HARD ? "exact" : `\`${hard}\``} |`);
    }
  }
}
