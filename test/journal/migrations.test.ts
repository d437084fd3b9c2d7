import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Journal } from "../../src/journal/journal.ts";
import { MIGRATIONS, migrate } from "../../src/journal/migrations.ts";
import { record, tempJournalPath } from "./helpers.ts";

let tmp: ReturnType<typeof tempJournalPath>;
beforeEach(() => {
  tmp = tempJournalPath();
});
afterEach(() => tmp.cleanup());

/** A journal as the first schema version wrote it: migration 1 only, rows inserted with its columns. */
function writeVersion1Journal(path: string): void {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  expect(migrate(db, MIGRATIONS.slice(0, 1))).toBe(1);
  const insert = db.prepare(`
    INSERT INTO jobs (outcome, record_json, serial, manufacturer, place_city, place_country_code, place_country_name, caliber,
                      import_importer, import_country_code, import_country_name, import_year,
                      profile_id, profile_hash, station_id, program_hash, program_lines, strike_count, technician,
                      created_at, started_at, ended_at, last_acked_line, last_executed_line, strikes_done)
    VALUES (@outcome, @json, @serial, 'Forjas Querétaro S.A.', 'Querétaro', 'MX', 'México', '9×19 mm',
            'Importadora Andina', 'CO', 'Colombia', 2025,
            'frame-left', 'p1', 'bench-1', 'g1', 90, 300, 'Ana Núñez',
            '2025-03-02T09:00:00.000Z', '2025-03-02T09:00:05.000Z', @ended, @line, @line, @strikes)`);
  const r = record({ serial: "OLD0001", import: { importer: "Importadora Andina", country: { code: "CO", name: "Colombia" }, year: 2025 } });
  insert.run({ outcome: "completed", json: JSON.stringify(r), serial: "OLD0001", ended: "2025-03-02T09:01:00.000Z", line: 90, strikes: 300 });
  insert.run({ outcome: "marking", json: JSON.stringify({ ...r, serial: "OLD0002" }), serial: "OLD0002", ended: null, line: 41, strikes: 133 });
  db.close();
}

describe("schema migrations", () => {
  it("open a journal written by schema version 1 and find its jobs", () => {
    writeVersion1Journal(tmp.path);
    const journal = new Journal({ path: tmp.path, clock: () => new Date("2026-11-23T12:00:00Z") });
    const interrupted = journal.open();
    try {
      // version 1 did not record which process marked a job: a job left marking is a dead service's
      expect(interrupted.map((j) => [j.serial, j.outcome, j.progress.executedLine])).toEqual([["OLD0002", "interrupted", 41]]);
      const [old] = journal.find("OLD0001");
      expect(old).toMatchObject({ serial: "OLD0001", outcome: "completed", technician: "Ana Núñez", release: undefined, seriesNumber: undefined });
      expect(old?.record.import).toEqual({ importer: "Importadora Andina", country: { code: "CO", name: "Colombia" }, year: 2025 });
      expect(journal.exportJobs({ format: "csv" })).toContain("OLD0001,,Forjas Querétaro S.A.,Querétaro");
      // what later versions added works on the old rows
      expect(journal.releaseSerial(interrupted[0]!.id, { operator: "M. Ortiz", reason: "part re-homed and inspected: no strikes" }).release?.by).toBe("M. Ortiz");
    } finally {
      journal.close();
    }
    const db = new Database(tmp.path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it("refuse a journal from a newer peenmark", () => {
    const db = new Database(tmp.path);
    migrate(db);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => new Journal({ path: tmp.path }).open()).toThrow(new RegExp(`schema version ${MIGRATIONS.length + 1} is newer than this peenmark knows \\(${MIGRATIONS.length}\\)`));
  });

  it("refuse a file that is not a journal", async () => {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(tmp.path, "these are not the droids\n".repeat(200));
    expect(() => new Journal({ path: tmp.path }).open()).toThrow(/E_JOURNAL|not a peenmark journal|cannot open/);
  });
});
