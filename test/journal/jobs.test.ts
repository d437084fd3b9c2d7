import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PeenmarkError } from "../../src/errors.ts";
import type { Journal } from "../../src/journal/journal.ts";
import { markJob, newJob, openJournal, record, tempJournalPath } from "./helpers.ts";

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

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof PeenmarkError) return e.code;
    throw e;
  }
  throw new Error("expected a PeenmarkError, nothing was thrown");
}

describe("a job's life in the journal", () => {
  it("is written pending before streaming, then marking, progress, completed", () => {
    const created = journal.createJob(newJob());
    expect(created.outcome).toBe("pending");
    expect(created.startedAt).toBeUndefined();
    expect(created.program).toEqual({ hash: "b".repeat(64), lines: 120, strikes: 480 });

    const started = journal.startJob(created.id);
    expect(started.outcome).toBe("marking");
    expect(started.startedAt).toBe("2026-11-23T10:00:01.000Z");

    journal.progress(created.id, { ackedLine: 40, executedLine: 37, strikesDone: 150 });
    expect(journal.job(created.id).progress).toEqual({ ackedLine: 40, executedLine: 37, strikesDone: 150 });

    const done = journal.endJob(created.id, { outcome: "completed", progress: { ackedLine: 120, executedLine: 120, strikesDone: 480 } });
    expect(done.outcome).toBe("completed");
    expect(done.endedAt).toBe("2026-11-23T10:00:02.000Z");
    expect(done.progress.strikesDone).toBe(480);
  });

  it("keeps the record and the trace columns in NFC, accents intact", () => {
    // "Querétaro" typed with a combining acute accent, as some keyboards and scanners send it
    const decomposed = "Quere\u0301taro";
    const job = newJob();
    const created = journal.createJob({ ...job, record: { ...job.record, place: { ...job.record.place, city: decomposed } }, technician: "Jose\u0301" });
    expect(created.record.place.city).toBe("Querétaro");
    expect(created.record.place.city).toHaveLength(9);
    expect(created.technician).toBe("José");
    expect(created.manufacturer).toBe("Forjas Querétaro S.A.");
  });

  it("refuses a record that does not pass the marking-record schema, writing nothing", () => {
    const job = newJob();
    expect(codeOf(() => journal.createJob({ ...job, record: { ...job.record, serial: "   " } }))).toBe("E_SCHEMA");
    expect(journal.jobs()).toEqual([]);
  });

  it("records a failure with the controller's alarm and refuses a failure without one", () => {
    const { id } = journal.createJob(newJob());
    journal.startJob(id);
    expect(codeOf(() => journal.endJob(id, { outcome: "failed" }))).toBe("E_JOURNAL");
    const failed = journal.endJob(id, { outcome: "failed", error: { code: "ALARM:1", text: "Hard limit triggered" } });
    expect(failed.outcome).toBe("failed");
    expect(failed.error).toEqual({ code: "ALARM:1", text: "Hard limit triggered" });
    expect(failed.progress).toEqual({ ackedLine: 0, executedLine: 0, strikesDone: 0 });
  });

  it("refuses transitions that did not happen", () => {
    const { id } = journal.createJob(newJob());
    expect(codeOf(() => journal.progress(id, { ackedLine: 1, executedLine: 1, strikesDone: 0 }))).toBe("E_JOURNAL");
    expect(codeOf(() => journal.endJob(id, { outcome: "completed" }))).toBe("E_JOURNAL");
    expect(journal.endJob(id, { outcome: "aborted", note: "technician cancelled before start" }).outcome).toBe("aborted");
    expect(codeOf(() => journal.startJob(id))).toBe("E_JOURNAL");
    expect(codeOf(() => journal.job(9999))).toBe("E_JOURNAL");
  });
});

describe("the serial-number rule", () => {
  it("refuses a serial already completed for the same maker, naming the job", () => {
    const first = markJob(journal, newJob());
    let err: unknown;
    try {
      journal.createJob(newJob());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PeenmarkError);
    expect((err as PeenmarkError).code).toBe("E_SERIAL_DUPLICATE");
    expect((err as PeenmarkError).message).toContain(`job ${first.id}`);
    expect((err as PeenmarkError).message).toContain("TX104522");
  });

  it("compares serials and makers without ASCII case", () => {
    markJob(journal, newJob());
    expect(codeOf(() => journal.createJob(newJob({ serial: "tx104522", manufacturer: "FORJAS QUERéTARO S.A." })))).toBe("E_SERIAL_DUPLICATE");
  });

  it("lets another maker use the same serial, but not another maker under the same licence prefix", () => {
    markJob(journal, newJob({ licencePrefix: "98312345" }));
    expect(journal.createJob(newJob({ manufacturer: "Armas del Norte" })).outcome).toBe("pending");
    expect(codeOf(() => journal.createJob(newJob({ manufacturer: "Otra Marca", licencePrefix: "98312345" })))).toBe("E_SERIAL_DUPLICATE");
  });

  it("holds the serial of a job aborted or failed after it may have struck, not of one that struck nothing", () => {
    // 200 strikes confirmed: the part is half marked, whoever pressed Abort.
    const struck = markJob(journal, newJob(), "aborted");
    expect(codeOf(() => journal.createJob(newJob()))).toBe("E_SERIAL_RESERVED");
    expect(journal.holdsSerial(struck.id)).toBe(true);
    journal.releaseSerial(struck.id, { operator: "Luis Ortega", reason: "part scrapped, serial never used" });
    expect(journal.holdsSerial(struck.id)).toBe(false);
    expect(journal.createJob(newJob({ serial: "TX104523" })).outcome).toBe("pending");

    // Lines the controller accepted but not confirmed run may have struck: held too.
    const other = newJob({ serial: "TX104524" });
    const accepted = journal.createJob(other);
    journal.startJob(accepted.id);
    journal.endJob(accepted.id, { outcome: "failed", error: { code: "E_POSITION", text: "off its path" }, progress: { ackedLine: 12, executedLine: 4, strikesDone: 0 } });
    expect(codeOf(() => journal.createJob(other))).toBe("E_SERIAL_RESERVED");

    // Nothing struck, nothing in flight: an abort frees the serial.
    const clean = newJob({ serial: "TX104525" });
    const none = journal.createJob(clean);
    journal.startJob(none.id);
    journal.endJob(none.id, { outcome: "aborted", progress: { ackedLine: 3, executedLine: 3, strikesDone: 0 } });
    expect(journal.createJob(clean).outcome).toBe("pending");
  });

  it("keeps the serial of a pending, marking or interrupted job reserved until an operator acts", () => {
    const pending = journal.createJob(newJob());
    expect(codeOf(() => journal.createJob(newJob()))).toBe("E_SERIAL_RESERVED");
    journal.startJob(pending.id);
    expect(codeOf(() => journal.createJob(newJob()))).toBe("E_SERIAL_RESERVED");
    journal.endJob(pending.id, { outcome: "interrupted", note: "emergency stop" });
    try {
      journal.createJob(newJob());
      expect.unreachable("an interrupted job must hold its serial");
    } catch (e) {
      expect((e as PeenmarkError).code).toBe("E_SERIAL_RESERVED");
      expect((e as PeenmarkError).message).toContain(`job ${pending.id}`);
      expect((e as PeenmarkError).message).toContain("interrupted");
    }
  });

  it("frees a reserved serial when an operator releases it with a reason, and logs who and why", () => {
    const { id } = journal.createJob(newJob());
    journal.startJob(id);
    journal.endJob(id, { outcome: "interrupted" });
    expect(codeOf(() => journal.releaseSerial(id, { operator: "M. Ortiz", reason: "short" }))).toBe("E_JOURNAL");
    const released = journal.releaseSerial(id, { operator: "M. Ortiz", reason: "blank scrapped, no pin strike on the part" });
    expect(released.outcome).toBe("interrupted");
    expect(released.release).toMatchObject({ by: "M. Ortiz", reason: "blank scrapped, no pin strike on the part" });
    expect(journal.createJob(newJob()).outcome).toBe("pending");
    expect(journal.events({ jobId: id }).map((e) => e.kind)).toEqual(["serial-released"]);
    expect(codeOf(() => journal.releaseSerial(id, { operator: "M. Ortiz", reason: "released twice by mistake" }))).toBe("E_JOURNAL");
  });

  it("allows a re-mark only by an operator, with a reason of at least 10 characters, naming the earlier job", () => {
    const first = markJob(journal, newJob());
    const remark = (of: number, reason: string, authorisedBy = "M. Ortiz") => journal.createJob(newJob({ remark: { of, reason, authorisedBy } }));
    expect(codeOf(() => remark(first.id, "too short"))).toBe("E_JOURNAL");
    expect(codeOf(() => remark(first.id, "mark too shallow at 0.05 mm", "  "))).toBe("E_JOURNAL");
    expect(codeOf(() => remark(first.id + 100, "mark too shallow at 0.05 mm"))).toBe("E_JOURNAL");
    const second = remark(first.id, "mark too shallow at 0.05 mm");
    expect(second.remark).toEqual({ of: first.id, reason: "mark too shallow at 0.05 mm", authorisedBy: "M. Ortiz" });
    // the re-mark itself now holds the serial while it runs
    expect(codeOf(() => journal.createJob(newJob()))).toBe("E_SERIAL_RESERVED");
  });

  it("refuses a re-mark while a head is marking the same serial", () => {
    const first = journal.createJob(newJob());
    journal.startJob(first.id);
    expect(codeOf(() => journal.createJob(newJob({ remark: { of: first.id, reason: "second station takes over", authorisedBy: "M. Ortiz" } })))).toBe(
      "E_SERIAL_RESERVED",
    );
  });

  it("does not start a pending job whose serial a re-mark has taken over", () => {
    const first = journal.createJob(newJob());
    journal.createJob(newJob({ remark: { of: first.id, reason: "first job written with the wrong profile", authorisedBy: "M. Ortiz" } }));
    expect(codeOf(() => journal.startJob(first.id))).toBe("E_SERIAL_RESERVED");
  });

  it("lets a re-mark take over an interrupted job's serial", () => {
    const first = journal.createJob(newJob());
    journal.startJob(first.id);
    journal.endJob(first.id, { outcome: "interrupted" });
    const again = journal.createJob(newJob({ remark: { of: first.id, reason: "re-homed; mark over the partial serial", authorisedBy: "M. Ortiz" } }));
    journal.startJob(again.id);
    journal.endJob(again.id, { outcome: "completed" });
    expect(codeOf(() => journal.createJob(newJob()))).toBe("E_SERIAL_DUPLICATE");
  });
});

describe("find", () => {
  it("returns every job of a serial, any maker, newest first", () => {
    const a = markJob(journal, newJob());
    const b = markJob(journal, newJob({ manufacturer: "Armas del Norte" }));
    markJob(journal, newJob({ serial: "OTHER1" }));
    expect(journal.find("TX104522").map((j) => j.id)).toEqual([b.id, a.id]);
    expect(journal.find(" tx104522 ").map((j) => j.manufacturer)).toEqual(["Armas del Norte", "Forjas Querétaro S.A."]);
    expect(journal.find("NOPE")).toEqual([]);
  });

  it("finds a serial by the licence form on the metal", () => {
    const a = markJob(journal, newJob({ licencePrefix: "98312345" }));
    markJob(journal, newJob({ manufacturer: "Armas del Norte" }));
    expect(journal.find("98312345-tx104522").map((j) => j.id)).toEqual([a.id]);
    expect(journal.find("98312345-OTHER")).toEqual([]);
  });

  it("returns the record as written", () => {
    markJob(journal, newJob());
    expect(journal.find("TX104522")[0]?.record).toEqual(record());
  });
});
