import { writeFileSync } from "node:fs";
import { loadFont } from "../src/fonts/font.ts";
import { SAFE_ALPHABET, formatSerial, parseSeriesPattern } from "../src/journal/pattern.ts";
import { strikeLine } from "../src/specimen/strike.ts";
import { CONDITIONS, NOMINAL, loadCorpus, recommendedSetup, score, sweep, worst, type ConditionResult, type Setup, type SweepLine } from "../src/specimen/sweep.ts";

/**
 * `npm run bench -- fonts [--quick] [--no-sweep] [--json FILE]`: marked length per character of each font,
 * then the legibility sweep (src/specimen/sweep.ts): every line of test/fixtures/
 * legibility-lines.tsv struck in each station font at 1/16 in and 3 mm as recommended,
 * photographed and read under every condition, with the worst condition per font and
 * height. --quick: every fourth line and a third of the conditions (a smoke run, not the
 * figures docs/FONTS.md reports). Prints markdown; --json writes every line read under every
 * condition to FILE.
 */
const FONTS = ["peen-single", "peen-single-mono", "peen-dot-5x7", "peen-dot-7x9", "dejavu-sans"];
const CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const CAP = 3;
const PITCH = 0.3;
const quick = process.argv.includes("--quick");

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

if (!process.argv.includes("--no-sweep")) {
  const corpus = loadCorpus();
  const pick = <T>(xs: readonly T[], every: number) => xs.filter((_x, i) => i % every === 0);
  const text = pick(corpus.filter((l) => l.kind !== "serial"), quick ? 4 : 1);
  const serials = pick(corpus.filter((l) => l.kind === "serial"), quick ? 4 : 1);
  // What a serial without confusable letters reads like: as many serials from {counter:N:safe}
  // series (docs/JOURNAL.md) as the corpus has serial lines, counters spread over their range,
  // read by a reader told the series' alphabet (as a VIN reader knows there is no I, O or Q).
  const safePatterns = ["RX{yy}{counter:6:safe}", "FA-{counter:5:safe}", "{licence}-{counter:6:safe}", "MX{yyyy}-{counter:4:safe}"];
  const safe: SweepLine[] = serials.map((_l, i) => {
    const p = parseSeriesPattern(safePatterns[i % safePatterns.length]!);
    return { kind: "serial", language: "eng", text: formatSerial(p, (i * 2654435761) % 30 ** 4, new Date("2026-06-01T00:00:00Z"), "98312345"), alphabet: `${SAFE_ALPHABET}-` };
  });
  const conditions = quick ? pick(CONDITIONS, 3) : CONDITIONS;
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)} %`;
  const how = (s: Setup) => `${s.mode}${s.mode === "dot" && loadFont(s.font).kind === "dot-matrix" ? " (grid)" : `, pitch ${+s.pitch.toFixed(3)} mm`}${s.charSpacing ? `, charSpacing ${s.charSpacing} mm` : ""}`;

  const runs: { setup: Setup; what: string; results: ConditionResult[] }[] = [];
  const t0 = Date.now();
  const plan: { font: string; lines: readonly SweepLine[]; what: string }[] = [
    ...["peen-single", "peen-single-mono", "peen-dot-5x7", "peen-dot-7x9"].map((font) => ({ font, lines: text, what: "text lines" })),
    ...["peen-single-serial", "peen-dot-5x7-serial", "peen-dot-7x9-serial"].map((font) => ({ font, lines: serials, what: "serial lines" })),
    ...["peen-single", "peen-dot-5x7", "peen-dot-7x9"].map((font) => ({ font, lines: serials, what: "serial lines, plain style" })),
    ...["peen-single-serial", "peen-dot-5x7-serial", "peen-dot-7x9-serial"].map((font) => ({ font, lines: safe, what: "safe-alphabet serials" })),
  ];
  for (const p of plan)
    for (const h of [1.5875, 3]) {
      const setup = recommendedSetup(p.font, h);
      runs.push({ setup, what: p.what, results: await sweep(setup, p.lines, conditions) });
      process.stderr.write(`  ${p.font} ${h} mm ${p.what}: ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    }

  console.log(`\nLegibility sweep${quick ? " (--quick: every fourth line, a third of the conditions; not the reported figures)" : ""}: ${text.length} text lines and ${serials.length} serial lines of real-world records (test/fixtures/legibility-lines.tsv), ${conditions.length} conditions (src/specimen/sweep.ts), Tesseract ${"5"}; exact lines and character error rate\n`);
  console.log("| font | cap height | struck | lines | nominal | worst case | worst condition | CER at worst | worst of the bench conditions (nominal reader) |");
  console.log("| --- | ---: | --- | --- | ---: | ---: | --- | ---: | ---: |");
  const benchOnly = (rs: readonly ConditionResult[]) => rs.filter((c) => JSON.stringify(c.condition.reader) === JSON.stringify(NOMINAL.reader));
  for (const r of runs) {
    const nominal = score(r.results.find((c) => c.condition.id === NOMINAL.id)!.lines);
    const w = worst(r.results);
    const b = worst(benchOnly(r.results));
    console.log(`| ${r.setup.font} | ${r.setup.capHeight} mm | ${how(r.setup)} | ${r.what} | ${pct(nominal.exact, nominal.lines)} | **${pct(w.score.exact, w.score.lines)}** (${w.score.exact}/${w.score.lines}) | ${w.condition.id} | ${(100 * w.score.cer).toFixed(1)} % | ${pct(b.score.exact, b.score.lines)} (${b.condition.id}) |`);
  }

  console.log("\nExact lines per condition\n");
  console.log(`| condition | ${runs.map((r) => `${r.setup.font} ${r.setup.capHeight}${r.what === "text lines" ? "" : ` (${r.what})`}`).join(" | ")} |`);
  console.log(`| --- | ${runs.map(() => "---:").join(" | ")} |`);
  for (const c of conditions) console.log(`| ${c.id} | ${runs.map((r) => { const s = score(r.results.find((x) => x.condition.id === c.id)!.lines); return pct(s.exact, s.lines); }).join(" | ")} |`);

  console.log("\nMisreadings at the worst condition (up to 6 per font and height)\n");
  for (const r of runs) {
    const w = worst(r.results);
    const wrong = r.results.find((c) => c.condition.id === w.condition.id)!.lines.filter((l) => l.read !== l.line.text);
    console.log(`- ${r.setup.font} ${r.setup.capHeight} mm, ${r.what}, ${w.condition.id}: ${wrong.slice(0, 6).map((l) => `\`${l.line.text}\` → \`${l.read}\``).join(", ")}`);
  }
  process.stderr.write(`sweep: ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  const json = process.argv.indexOf("--json");
  if (json > 0)
    writeFileSync(
      process.argv[json + 1]!,
      JSON.stringify(runs.map((r) => ({ setup: r.setup, what: r.what, conditions: r.results.map((c) => ({ id: c.condition.id, lines: c.lines.map((l) => ({ text: l.line.text, read: l.read })) })) })), null, 1),
    );
}
