import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PeenmarkError } from "../../src/errors.ts";
import { Journal } from "../../src/journal/journal.ts";
import { MIGRATIONS, migrate } from "../../src/journal/migrations.ts";
import { identity } from "../../src/record/identity.ts";
import type { JournalEngine } from "../../src/journal/engine.ts";
import { forEachEngine, mark, type OpenedEngine, rejection } from "./engines.ts";
import { markJob, newJob, openJournal, record, tempJournalPath } from "./helpers.ts";

function refused(fn: () => unknown): PeenmarkError {
  try {
    fn();
  } catch (e) {
    return e as PeenmarkError;
  }
  throw new Error("expected a refusal");
}

forEachEngine((engine) => {
  const refused = rejection;
  let opened: OpenedEngine;
  let journal: JournalEngine;
  beforeEach(async () => {
    opened = await engine.open();
    journal = opened.journal;
  });
  afterEach(async () => {
    await opened.done();
  });

  describe("one serial, one firearm: the serial rule compares identities", () => {
    it("refuses lookalike serials (Cyrillic А, Greek Α, fullwidth) as duplicates, naming the struck text", async () => {
      const first = await mark(journal, newJob({ serial: "RA2026A00417" }));
      for (const lookalike of ["RA2026А00417", "RA2026Α00417", "ＲＡ２０２６Ａ００４１７", "ra2026a00417", "RA2O26AOO4l7"]) {
        const e = await refused(() => journal.createJob(newJob({ serial: lookalike })));
        expect(e.code, lookalike).toBe("E_SERIAL_DUPLICATE");
        expect(e.details).toMatchObject({ jobId: first.id });
        if (lookalike !== "RA2026A00417") expect(e.message).toContain('marked as "RA2026A00417"');
      }
      expect((await journal.jobs()).map((j) => j.id)).toEqual([first.id]);
    });

    it("refuses one serial under makers that differ by invisible characters, a lookalike letter or non-ASCII case", async () => {
      await mark(journal, newJob({ serial: "CS2026001", manufacturer: "Cañones del Sur" }));
      for (const maker of ["CAÑONES DEL SUR", "Cañones\u200B del Sur", "Cañones del\u2060 Sur", "Cañones dеl Sur" /* Cyrillic е */, "Cañones  del Sur"]) {
        expect((await refused(() => journal.createJob(newJob({ serial: "CS2026001", manufacturer: maker })))).code, JSON.stringify(maker)).toBe("E_SERIAL_DUPLICATE");
      }
      // another maker may use the serial (27 CFR 478.92: a serial the licensee has not used)
      expect((await journal.createJob(newJob({ serial: "CS2026001", manufacturer: "Armas del Norte" }))).outcome).toBe("pending");
    });

    it("holds a serial through its licence form whatever the case and lookalikes", async () => {
      await mark(journal, newJob({ serial: "ABC123", licencePrefix: "98312345", manufacturer: "Maker One" }));
      expect((await refused(() => journal.createJob(newJob({ serial: "98312345-abc123", manufacturer: "Maker Two" })))).code).toBe("E_SERIAL_DUPLICATE");
      expect((await refused(() => journal.createJob(newJob({ serial: "АВС123" /* Cyrillic */, licencePrefix: "98312345", manufacturer: "Maker Two" })))).code).toBe("E_SERIAL_DUPLICATE");
    });

    it("finds every job of a serial by its identity, and exports them by it", async () => {
      const a = await mark(journal, newJob({ serial: "RA2026A00417" }));
      const b = await mark(journal, newJob({ serial: "RA2026А00417", manufacturer: "Otra Marca" })); // another maker, Cyrillic А
      await mark(journal, newJob({ serial: "RA2026A00418" }));
      expect((await journal.find("ra2026a00417")).map((j) => j.id)).toEqual([b.id, a.id]);
      expect((await journal.find("RA2026Α00417")).map((j) => j.serial)).toEqual(["RA2026А00417", "RA2026A00417"]); // struck text as recorded
      const exported = JSON.parse(await journal.exportJobs({ format: "json", serial: "ＲＡ２０２６Ａ００４１７" })) as { jobId: number }[];
      expect(exported.map((j) => j.jobId)).toEqual([a.id, b.id]);
    });

    it("finds the newest earlier job of the same serial for a re-mark without a job number", async () => {
      const first = await mark(journal, newJob({ serial: "CS2026001", manufacturer: "Cañones del Sur" }), "interrupted");
      expect((await journal.lastJobOf(record({ serial: "cs2026001", manufacturer: "CAÑONES DEL SUR" })))?.id).toBe(first.id);
      expect(await journal.lastJobOf(record({ serial: "CS2026001", manufacturer: "Armas del Norte" }))).toBeUndefined();
    });
  });
});

describe("on sqlite: the identity keys in the file", () => {
  let tmp: ReturnType<typeof tempJournalPath>;
  let journal: Journal;
  beforeEach(() => {
    tmp = tempJournalPath();
    journal = openJournal(tmp.path);
  });
  afterEach(() => {
    journal.close();
    tmp.cleanup();
  });

  it("stores the identity keys indexed, and computes them again when the identity changes", () => {
    const a = markJob(journal, newJob({ serial: "RA2026A00417" }));
    journal.close();
    const db = new Database(tmp.path);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE serial_key = ? AND maker_key = ?").all("x", "y") as { detail: string }[];
    expect(plan.map((p) => p.detail).join(" ")).toMatch(/USING (COVERING )?INDEX jobs_serial_key/);
    // keys from another identity version: garbage until the journal opens again
    db.prepare("UPDATE jobs SET serial_key = 'stale', maker_key = 'stale'").run();
    db.prepare("UPDATE settings SET value = 'identity 0' WHERE key = 'identity_version'").run();
    db.close();
    journal = openJournal(tmp.path);
    expect(journal.find("RA2026A00417").map((j) => j.id)).toEqual([a.id]);
    const check = new Database(tmp.path, { readonly: true });
    expect(check.prepare("SELECT serial_key FROM jobs WHERE id = ?").get(a.id)).toEqual({ serial_key: identity("RA2026A00417") });
    check.close();
  });

  it("gives a journal from schema version 2 its keys on open, so its old marks hold their serials", () => {
    journal.close();
    tmp.cleanup();
    tmp = tempJournalPath();
    const db = new Database(tmp.path);
    db.pragma("journal_mode = WAL");
    migrate(db, MIGRATIONS.slice(0, 2));
    const r = record({ serial: "OLD0001" });
    db.prepare(
      `INSERT INTO jobs (outcome, record_json, serial, manufacturer, place_city, place_country_code, place_country_name, caliber, profile_id, profile_hash, station_id, program_hash, program_lines, strike_count, technician, created_at, ended_at)
       VALUES ('completed', ?, 'OLD0001', ?, 'Querétaro', 'MX', 'México', '9×19 mm', 'frame-left', 'p1', 'bench-1', 'g1', 90, 300, 'Ana Núñez', '2025-03-02T09:00:00.000Z', '2025-03-02T09:01:00.000Z')`,
    ).run(JSON.stringify(r), r.manufacturer);
    db.close();
    journal = openJournal(tmp.path);
    expect(refused(() => journal.createJob(newJob({ serial: "OLD000l" }))).code).toBe("E_SERIAL_DUPLICATE");
  });
});
