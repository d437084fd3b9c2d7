import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXPORT_COLUMNS, csvField } from "../../src/journal/export.ts";
import type { JournalEngine } from "../../src/journal/engine.ts";
import { forEachEngine, mark, type OpenedEngine } from "./engines.ts";
import { newJob, record } from "./helpers.ts";

/** A small RFC 4180 reader, to check the export round-trips (quotes, commas, line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  return rows;
}


describe("csvField", () => {
  it("quotes only what RFC 4180 needs quoted", async () => {
    expect(csvField("P-9")).toBe("P-9");
    expect(csvField('Model "Sport", 2nd')).toBe('"Model ""Sport"", 2nd"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField(undefined)).toBe("");
    expect(csvField(2025)).toBe("2025");
  });
});

forEachEngine((engine) => {
  let opened: OpenedEngine;
  let journal: JournalEngine;
  beforeEach(async () => {
    // one hour per clock reading, so jobs fall on different days for the date filters
    let t = Date.parse("2026-11-21T22:00:00.000Z");
    const clock = () => new Date((t += 3_600_000));
    opened = await engine.open(clock);
    journal = opened.journal;
  });
  afterEach(async () => {
    await opened.done();
  });

  describe("exportJobs", () => {
    it("writes every trace field as CSV, accents and quotes intact", async () => {
      await mark(journal, {
        ...newJob(),
        record: record({
          serial: "QX-00017",
          model: 'Modelo "Ñandú", 2ª serie',
          import: { importer: "Importação Sul Ltda.", city: "São Paulo", country: { code: "BR", name: "Brasil" }, year: 2026 },
        }),
      });
      const csv = await journal.exportJobs({ format: "csv" });
      const [header, row, ...rest] = parseCsv(csv);
      expect(rest).toEqual([]);
      expect(header).toEqual(EXPORT_COLUMNS.map((c) => c.key));
      const byKey = Object.fromEntries(header!.map((k, i) => [k, row![i]]));
      expect(byKey).toMatchObject({
        serial: "QX-00017",
        manufacturer: "Forjas Querétaro S.A.",
        placeCity: "Querétaro",
        countryOfManufacture: "México",
        countryOfManufactureCode: "MX",
        model: 'Modelo "Ñandú", 2ª serie',
        caliber: "9×19 mm",
        importer: "Importação Sul Ltda.",
        importCountry: "Brasil",
        importYear: "2026",
        stationId: "bench-1",
        outcome: "completed",
        profileId: "frame-left",
        programHash: "b".repeat(64),
        markedAt: "2026-11-22T01:00:00.000Z",
      });
      expect(Buffer.from(csv, "utf8").toString("utf8")).toContain("São Paulo");
    });

    it("filters by date (a bare `to` date includes its day) and outcome", async () => {
      const a = await mark(journal, newJob({ serial: "D1" })); // written 2026-11-21T23:00Z
      const b = await mark(journal, newJob({ serial: "D2" }), "aborted"); // 2026-11-22T02:00Z
      const c = await mark(journal, newJob({ serial: "D3" })); // 2026-11-22T05:00Z
      const ids = async (o: Parameters<JournalEngine["jobs"]>[0]) => (await journal.jobs(o)).map((j) => j.id);
      expect(await ids({ from: "2026-11-22" })).toEqual([b.id, c.id]);
      expect(await ids({ to: "2026-11-21" })).toEqual([a.id]);
      expect(await ids({ from: "2026-11-22T05:00:00Z", to: "2026-11-22" })).toEqual([c.id]);
      expect(await ids({ outcome: "aborted" })).toEqual([b.id]);
      await expect(() => journal.jobs({ from: "last tuesday" })).rejects.toThrow(/from "last tuesday" is not a date/);
    });

    it("writes JSON objects with the same keys, absent fields as null", async () => {
      await mark(journal, newJob());
      const [job] = JSON.parse(await journal.exportJobs({ format: "json" })) as Record<string, unknown>[];
      expect(Object.keys(job!)).toEqual(EXPORT_COLUMNS.map((c) => c.key));
      expect(job).toMatchObject({ serial: "TX104522", importer: null, placeState: "Qro.", countryOfManufacture: "México" });
    });
  });
});
