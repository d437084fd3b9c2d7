import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Journal, type NewJob } from "../../src/journal/journal.ts";
import { type MarkingRecordInput, MarkingRecordSchema } from "../../src/record/schema.ts";

/** A record as a technician would enter it, validated by the real schema. */
export function record(over: Partial<MarkingRecordInput> = {}) {
  return MarkingRecordSchema.parse({
    serial: "TX104522",
    manufacturer: "Forjas Querétaro S.A.",
    place: { city: "Querétaro", state: "Qro.", country: { code: "MX", name: "México" } },
    model: "P-9 Compacta",
    caliber: "9×19 mm",
    ...over,
  });
}

export function newJob(over: Partial<NewJob> & { serial?: string; manufacturer?: string; licencePrefix?: string } = {}): NewJob {
  const { serial, manufacturer, licencePrefix, ...rest } = over;
  return {
    record: record({ ...(serial ? { serial } : {}), ...(manufacturer ? { manufacturer } : {}), ...(licencePrefix ? { licencePrefix } : {}) }),
    profile: { id: "frame-left", hash: "a".repeat(64) },
    stationId: "bench-1",
    program: { hash: "b".repeat(64), lines: 120, strikes: 480 },
    technician: "Ana Núñez",
    ...rest,
  };
}

/** A fresh folder per test; the journal file inside it. */
export function tempJournalPath(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "peenmark-journal-"));
  return { path: join(dir, "journal.db"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A clock that moves one second per reading, from a fixed start. */
export function steppingClock(startIso = "2026-11-23T10:00:00.000Z"): () => Date {
  let t = Date.parse(startIso);
  return () => {
    const d = new Date(t);
    t += 1000;
    return d;
  };
}

export function openJournal(path: string, clock = steppingClock()): Journal {
  const j = new Journal({ path, clock });
  j.open();
  return j;
}

/** Runs a job to an outcome in one go. */
export function markJob(journal: Journal, job: NewJob, outcome: "completed" | "aborted" | "interrupted" = "completed") {
  const created = journal.createJob(job);
  journal.startJob(created.id);
  journal.progress(created.id, { ackedLine: 60, executedLine: 58, strikesDone: 200 });
  return journal.endJob(created.id, { outcome });
}
