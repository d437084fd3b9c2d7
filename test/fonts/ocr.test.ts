import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { photographStrikes } from "../../src/specimen/photo.ts";
import { CONDITIONS, SWEEP_PX_PER_MM, linePhoto, loadCorpus, recommendedSetup, strikeCorpus, sweep, score, type SweepLine } from "../../src/specimen/sweep.ts";
import { prepare, CAP_PX } from "../../src/specimen/reader.ts";

/**
 * The legibility sweep (src/specimen/sweep.ts, `npm run bench -- fonts`, figures in
 * docs/FONTS.md) and, as a CI test, a fixed subset of its lines read at the condition the
 * sweep found worst. Needs tesseract-ocr with the models of scripts/install-system-deps.sh.
 */
const TESSDATA = "/usr/share/tesseract-ocr/5/tessdata";
const corpus = loadCorpus();

describe("the legibility corpus and its reader", () => {
  it("has at least 200 lines of records, a language model installed for each, and serial lines", () => {
    const text = corpus.filter((l) => l.kind !== "serial");
    expect(text.length).toBeGreaterThanOrEqual(200);
    expect(text.filter((l) => /[^\x20-\x7e]/.test(l.text)).length).toBeGreaterThanOrEqual(120);
    expect(corpus.filter((l) => l.kind === "serial").length).toBeGreaterThanOrEqual(50);
    for (const lang of new Set([...corpus.map((l) => l.language), "eng"])) expect(existsSync(`${TESSDATA}/${lang}.traineddata`), `${lang}.traineddata (scripts/install-system-deps.sh)`).toBe(true);
  });

  it("takes the same picture for the same seed, another for another seed, and more noise makes it noisier", () => {
    const dots = [{ x: 0, y: 0 }, { x: 0.3, y: 0 }, { x: 0.6, y: 0.3 }];
    const c = { diameter: 0.25, force: 70, blurMm: 0.03, noise: 5, texture: "blasted" as const, pxPerMm: 20, seed: 7 };
    const a = photographStrikes(dots, c, 0.5);
    expect(photographStrikes(dots, c, 0.5).data).toEqual(a.data);
    expect(photographStrikes(dots, { ...c, seed: 8 }, 0.5).data).not.toEqual(a.data);
    const spread = (d: Float32Array) => Math.max(...d) - Math.min(...d);
    const clean = photographStrikes(dots, { ...c, noise: 0, texture: "smooth" }, 0.5);
    expect(spread(photographStrikes(dots, { ...c, noise: 14, texture: "smooth" }, 0.5).data.slice(0, 20))).toBeGreaterThan(spread(clean.data.slice(0, 20)));
  });

  it("gives Tesseract a black-and-white line of CAP_PX cap height under every threshold method", () => {
    const setup = recommendedSetup("peen-single", 3);
    const line: SweepLine = { kind: "maker", language: "spa", text: "HÉROE" };
    const [struck] = strikeCorpus(setup, [line]);
    const photo = linePhoto(setup, struck!, CONDITIONS[0]!, 1);
    for (const threshold of ["fixed", "otsu", "sauvola"] as const) {
      const img = prepare(photo, struck!.pitch, 3, SWEEP_PX_PER_MM, { threshold, bridge: 0.55, psm: 7 });
      expect(new Set(img.data.map((v) => (v < 128 ? 0 : 255))).size, threshold).toBe(2);
      // Cap height on the page: the picture is 2 cap heights plus accents and the white border.
      expect(img.height).toBeGreaterThan(2 * CAP_PX);
      expect(img.height).toBeLessThan(4 * CAP_PX);
    }
  });
});

/**
 * Lines the sweep read exactly at its worst condition for peen-single, struck as docs/FONTS.md
 * recommends: if a change to the fonts, the spacing or the plan breaks one of them, this
 * says which (the full sweep is `npm run bench -- fonts`).
 */
const WORST = "Tesseract psm 13 (raw line)";
const PINNED: Record<string, readonly string[]> = {
  "1.5875": [
    "QUERÉTARO, MÉXICO",
    "Polícia Militar do Estado de São Paulo",
    "CAVIM Compañía Anónima Venezolana de Industrias Militares",
    "Manufacture d'armes de Châtellerault",
    "Česká zbrojovka a.s.",
    "Łódź",
    "Győr",
  ],
  "3": [
    "Fábrica de Armas Mexicana",
    "Éibar, Guipúzcoa",
    "Vlašim",
    "Zbrojovka Považská Bystrica",
    "Żandarmeria Wojskowa",
    "Gdańsk",
    "Düzce, Türkiye",
  ],
};

describe("legibility at the sweep's worst condition (a fixed subset)", () => {
  for (const [h, texts] of Object.entries(PINNED))
    it(`peen-single at ${h} mm: ${texts.length} lines of makers, places and accents read back exactly under "${WORST}"`, { timeout: 120_000 }, async () => {
      const lines = texts.map((t) => corpus.find((l) => l.text === t)!);
      expect(lines.every(Boolean)).toBe(true);
      const [r] = await sweep(recommendedSetup("peen-single", Number(h)), lines, CONDITIONS.filter((c) => c.id === WORST));
      expect(r!.lines.filter((l) => l.read !== l.line.text).map((l) => `${l.line.text} → ${l.read}`)).toEqual([]);
      expect(score(r!.lines).exact).toBe(lines.length);
    });
});
