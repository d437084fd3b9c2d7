import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dictionary, REPO } from "./bench.ts";

/**
 * The page's dictionaries: the same keys in English and Spanish, the same parameters in
 * each entry, and an entry for every key the page's files use — including every error code
 * the service can answer with, so no error reaches a technician as a bare code.
 */
const en = dictionary("en");
const es = dictionary("es");
const WEB = join(REPO, "src", "web");
const params = (s: string) => [...s.matchAll(/\{(\w+)(?::\d)?\}/g)].map((m) => m[1]).sort();

describe("page dictionaries", () => {
  it("have the same keys in English and Spanish", () => {
    expect(Object.keys(es).filter((k) => !(k in en)), "keys only in es.json").toEqual([]);
    expect(Object.keys(en).filter((k) => !(k in es)), "keys only in en.json").toEqual([]);
  });

  it("have no empty entry and the same parameters in both languages", () => {
    for (const [k, v] of Object.entries(en)) {
      expect(v.trim(), `en ${k}`).not.toBe("");
      expect(es[k]!.trim(), `es ${k}`).not.toBe("");
      expect(params(es[k]!), `parameters of ${k}`).toEqual(params(v));
    }
  });

  it("are translated: Spanish entries differ from English except names, units and numbers", () => {
    const same = Object.keys(en).filter((k) => en[k] === es[k]);
    // Entries that are the same in both: the product's name, the language names, units and bare numbers.
    // "Series" is Spanish too; a hash is a hash; a ruler's reading is numbers and units.
    expect(same.sort()).toEqual(["app.title", "ctl.position", "lang.en", "lang.es", "nav.series", "op.col.hash", "preview.count", "preview.mm", "preview.none", "settings.rulerValue", "time.ms", "time.s", "unit.mm", "unit.mm3"]);
  });

  it("hold every key the page's HTML and scripts name", () => {
    const used = new Set<string>();
    // the station's page and the registry's trace page
    for (const page of ["index.html", "trace.html"]) {
      const html = readFileSync(join(WEB, page), "utf8");
      for (const m of html.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) used.add(m[1]!);
    }
    for (const f of readdirSync(WEB).filter((f) => f.endsWith(".js"))) {
      const js = readFileSync(join(WEB, f), "utf8");
      // setText(el, "key" …), tr("tag", "key" …), t("key" …), { key: "key" }, "data-i18n": "key"
      for (const m of js.matchAll(/(?:setText\([^,]+,\s*|tr\("\w+",\s*|\bt\(|key:\s*|"data-i18n":\s*)"([a-z][\w.]*)"/g)) used.add(m[1]!);
      for (const m of js.matchAll(/\?\s*"([a-z]+\.[\w.]+)"\s*:\s*"([a-z]+\.[\w.]+)"/g)) used.add(m[1]!).add(m[2]!);
    }
    expect(used.size).toBeGreaterThan(100);
    // A key with plural forms is found as key.one / key.other.
    const known = (k: string) => k in en || `${k}.other` in en;
    expect([...used].filter((k) => !known(k)), "keys missing from en.json").toEqual([]);
  });

  it("give every plural the forms Spanish and English need, and say a count with Intl's plural rules", () => {
    const plurals = Object.keys(en).filter((k) => /\.(one|other)$/.test(k));
    const bases = new Set(plurals.map((k) => k.replace(/\.(one|other)$/, "")));
    expect(bases.size).toBeGreaterThan(5);
    for (const b of bases) {
      for (const form of ["one", "other"]) expect(en, `${b}.${form}`).toHaveProperty([`${b}.${form}`]);
      expect(en[`${b}.one`], `${b}: the count is a parameter`).toMatch(/\{n(:\d)?\}/);
    }
    // Spanish and English both say 1 in the singular and 0, 2, 1000000 in the plural ("many" falls back to "other").
    for (const locale of ["en-US", "es-419", "es-ES"]) {
      const rules = new Intl.PluralRules(locale);
      expect([0, 1, 2, 1_000_000].map((n) => rules.select(n)).map((f) => (f === "many" ? "other" : f))).toEqual(["other", "one", "other", "other"]);
    }
  });

  it("name every job state, controller state and error code in plain words", () => {
    for (const s of ["pending", "marking", "paused", "completed", "aborted", "interrupted", "failed"]) {
      expect(en, `job.state.${s}`).toHaveProperty([`job.state.${s}`]);
      expect(en, `job.status.${s}`).toHaveProperty([`job.status.${s}`]);
    }
    for (const s of ["Idle", "Run", "Hold", "Jog", "Alarm", "Door", "Check", "Home", "Sleep", "Disconnected"]) expect(en).toHaveProperty([`ctl.state.${s}`]);
    const codes = [...readFileSync(join(REPO, "src", "errors.ts"), "utf8").matchAll(/\|\s*"(E_[A-Z_]+)"/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(20);
    // The service adds E_INTERNAL for its own failures; the page adds E_NETWORK and E_HTTP.
    for (const c of [...codes, "E_INTERNAL", "E_NETWORK", "E_HTTP"]) expect(en, c).toHaveProperty([`err.${c}`]);
  });

  it("label every record input the form can show", () => {
    const fields = readFileSync(join(WEB, "fields.js"), "utf8");
    const paths = [...fields.matchAll(/\{ path: "([\w.]+)"/g)].map((m) => m[1]!);
    expect(paths).toContain("serial");
    for (const p of paths) expect(en, p).toHaveProperty([`field.${p}`]);
  });
});
