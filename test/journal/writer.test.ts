import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { PeenmarkError } from "../../src/errors.ts";
import { Journal, isStorageError } from "../../src/journal/journal.ts";
import { JournalWriter } from "../../src/journal/writer.ts";
import { newJob, tempJournalPath } from "./helpers.ts";

function tempJournal(): { journal: Journal; cleanup: () => void } {
  const t = tempJournalPath();
  const journal = new Journal({ path: t.path });
  journal.open();
  return {
    journal,
    cleanup: () => {
      journal.close();
      t.cleanup();
    },
  };
}

/**
 * The journal's write path when storage fails (an I/O error, a read-only disk): the writer
 * keeps what the journal could not take in the side file, retries, enters it when the
 * journal records again, and says when the stall has lasted too long. The failures are
 * injected at the Journal's edge as the Journal reports them (E_JOURNAL, details.storage).
 */
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function failing(journal: Journal, code: string) {
  const real = { progress: journal.progress.bind(journal), endJob: journal.endJob.bind(journal) };
  let broken = true;
  const err = () => new PeenmarkError("E_JOURNAL", `the journal ${journal.path} cannot record this: the disk reports an I/O error (${code})`, { details: { storage: code } });
  journal.progress = (...a: Parameters<Journal["progress"]>) => {
    if (broken) throw err();
    return real.progress(...a);
  };
  journal.endJob = (...a: Parameters<Journal["endJob"]>) => {
    if (broken) throw err();
    return real.endJob(...a);
  };
  return { heal: () => (broken = false) };
}

describe("the journal's writer", () => {
  it("keeps progress and the outcome in the side file through an I/O error, stalls after its timeout, enters both when storage returns", async () => {
    const t = tempJournal();
    cleanup = t.cleanup;
    const journal = t.journal;
    const job = journal.createJob(newJob());
    journal.startJob(job.id);
    const fault = failing(journal, "SQLITE_IOERR_WRITE");
    const writer = new JournalWriter(journal, { stallMs: 100, retryMs: 20 });
    const stalled: PeenmarkError[] = [];
    writer.on("stalled", (e) => stalled.push(e));
    const ended: number[] = [];
    writer.on("ended", (row) => ended.push(row.id));

    writer.progress(job.id, { ackedLine: 10, executedLine: 8, strikesDone: 5, sentLine: 12 });
    expect(writer.failing?.details.storage).toBe("SQLITE_IOERR_WRITE");
    await sleep(200);
    expect(stalled.map((e) => e.code)).toEqual(["E_JOURNAL"]);
    expect(writer.end(job.id, { outcome: "completed", progress: { ackedLine: 20, executedLine: 20, strikesDone: 9, sentLine: 20 } })).toBeUndefined();
    expect(journal.job(job.id).outcome).toBe("marking");
    // The side file holds both, fsynced, one JSON record a line.
    const kept = readFileSync(journal.sidePath, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { kind: string; jobId: number });
    expect(kept.map((r) => [r.kind, r.jobId])).toEqual([
      ["progress", job.id],
      ["end", job.id],
    ]);

    fault.heal();
    await expect.poll(() => ended, { timeout: 2000 }).toEqual([job.id]);
    const row = journal.job(job.id);
    expect([row.outcome, row.progress.strikesDone, row.sentLine]).toEqual(["completed", 9, 20]);
    expect(writer.failing).toBeUndefined();
    expect(existsSync(journal.sidePath)).toBe(false);
    writer.close();
  });

  it("a service that dies with records in the side file: the next open enters them before it marks jobs interrupted", () => {
    const t = tempJournal();
    cleanup = t.cleanup;
    const journal = t.journal;
    const job = journal.createJob(newJob());
    journal.startJob(job.id);
    // As a dead process left it: a side file under another pid.
    journal.keepAside({ kind: "end", jobId: job.id, at: "2026-12-02T01:00:00.000Z", end: { outcome: "completed", progress: { ackedLine: 30, executedLine: 30, strikesDone: 12 } } });
    const path = journal.path;
    journal.close();
    const again = new Journal({ path });
    const interrupted = again.open();
    expect(interrupted).toEqual([]);
    const row = again.job(job.id);
    expect([row.outcome, row.progress.strikesDone]).toEqual(["completed", 12]);
    expect(row.note).toMatch(/recorded at 2026-12-02T01:00:00.000Z in the side file while the journal could not write; entered when it could/);
    again.close();
  });

  it("names SQLite's storage failures as such, and nothing else", () => {
    const e = (code: string) => Object.assign(new Error("x"), { code });
    for (const code of ["SQLITE_BUSY", "SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_READONLY", "SQLITE_CANTOPEN"]) expect(isStorageError(e(code)), code).toBe(true);
    for (const code of ["SQLITE_CONSTRAINT_UNIQUE", "ENOENT"]) expect(isStorageError(e(code)), code).toBe(false);
  });
});
