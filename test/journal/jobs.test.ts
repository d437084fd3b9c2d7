import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PeenmarkError } from "../../src/errors.ts";
import type { JournalEngine } from "../../src/journal/engine.ts";
import { forEachEngine, mark, type OpenedEngine, rejection } from "./engines.ts";
import { newJob, record } from "./helpers.ts";

const codeOf = async (fn: () => unknown): Promise<string> => (await rejection(fn)).code;

forEachEngine((engine) => {
  let opened: OpenedEngine;
  let journal: JournalEngine;
  beforeEach(async () => {
    opened = await engine.open();
    journal = opened.journal;
  });
  afterEach(async () => {
    await opened.done();
  });

  describe("a station killed mid-mark", () => {
    it("is found interrupted by its next start, naming the lines sent after the last confirmed one", async () => {
      const child = opened.child(["mark", "handshake", "sent"]);
      const jobId = Number((await child.line((l) => l.startsWith("job "))).split(" ")[1]);
      for (let step = 1; step <= 12; step++) {
        await child.line((l) => l === `committed ${step}`);
        if (step < 12) child.proc.stdin.write("n");
      }
      child.proc.kill("SIGKILL");
      await child.exited;
      const restarted = opened.another();
      const interrupted = await restarted.open();
      expect(interrupted.map((j) => j.id)).toEqual([jobId]);
      const job = await restarted.job(jobId);
      expect(job.outcome).toBe("interrupted");
      expect(job.progress).toMatchObject({ ackedLine: 12, executedLine: 11 });
      expect(job.note).toBe("service stopped while marking; lines 12–15 were sent to the controller after the last confirmed line (11) and may have run; position unknown: re-home before re-marking");
    });
  });

  describe("a job's life in the journal", () => {
    it("is written pending before streaming, then marking, progress, completed", async () => {
      const created = await journal.createJob(newJob());
      expect(created.outcome).toBe("pending");
      expect(created.startedAt).toBeUndefined();
      expect(created.program).toEqual({ hash: "b".repeat(64), lines: 120, strikes: 480 });

      const started = await journal.startJob(created.id);
      expect(started.outcome).toBe("marking");
      expect(started.startedAt).toBe("2026-11-23T10:00:01.000Z");

      await journal.progress(created.id, { ackedLine: 40, executedLine: 37, strikesDone: 150 });
      expect((await journal.job(created.id)).progress).toEqual({ ackedLine: 40, executedLine: 37, strikesDone: 150 });

      const done = await journal.endJob(created.id, { outcome: "completed", progress: { ackedLine: 120, executedLine: 120, strikesDone: 480 } });
      expect(done.outcome).toBe("completed");
      expect(done.endedAt).toBe("2026-11-23T10:00:02.000Z");
      expect(done.progress.strikesDone).toBe(480);
    });

    it("keeps the record and the trace columns in NFC, accents intact", async () => {
      // "Querétaro" typed with a combining acute accent, as some keyboards and scanners send it
      const decomposed = "Quere\u0301taro";
      const job = newJob();
      const created = await journal.createJob({ ...job, record: { ...job.record, place: { ...job.record.place, city: decomposed } }, technician: "Jose\u0301" });
      expect(created.record.place.city).toBe("Querétaro");
      expect(created.record.place.city).toHaveLength(9);
      expect(created.technician).toBe("José");
      expect(created.manufacturer).toBe("Forjas Querétaro S.A.");
    });

    it("refuses a record that does not pass the marking-record schema, writing nothing", async () => {
      const job = newJob();
      expect(await codeOf(() => journal.createJob({ ...job, record: { ...job.record, serial: "   " } }))).toBe("E_SCHEMA");
      expect(await journal.jobs()).toEqual([]);
    });

    it("records a failure with the controller's alarm and refuses a failure without one", async () => {
      const { id } = await journal.createJob(newJob());
      await journal.startJob(id);
      expect(await codeOf(() => journal.endJob(id, { outcome: "failed" }))).toBe("E_JOURNAL");
      const failed = await journal.endJob(id, { outcome: "failed", error: { code: "ALARM:1", text: "Hard limit triggered" } });
      expect(failed.outcome).toBe("failed");
      expect(failed.error).toEqual({ code: "ALARM:1", text: "Hard limit triggered" });
      expect(failed.progress).toEqual({ ackedLine: 0, executedLine: 0, strikesDone: 0 });
    });

    it("refuses transitions that did not happen", async () => {
      const { id } = await journal.createJob(newJob());
      expect(await codeOf(() => journal.progress(id, { ackedLine: 1, executedLine: 1, strikesDone: 0 }))).toBe("E_JOURNAL");
      expect(await codeOf(() => journal.endJob(id, { outcome: "completed" }))).toBe("E_JOURNAL");
      expect((await journal.endJob(id, { outcome: "aborted", note: "technician cancelled before start" })).outcome).toBe("aborted");
      expect(await codeOf(() => journal.startJob(id))).toBe("E_JOURNAL");
      expect(await codeOf(() => journal.job(9999))).toBe("E_JOURNAL");
    });
  });

  describe("the serial-number rule", () => {
    it("refuses a serial already completed for the same maker, naming the job", async () => {
      const first = await mark(journal, newJob());
      let err: unknown;
      try {
        await journal.createJob(newJob());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PeenmarkError);
      expect((err as PeenmarkError).code).toBe("E_SERIAL_DUPLICATE");
      expect((err as PeenmarkError).message).toContain(`job ${first.id}`);
      expect((err as PeenmarkError).message).toContain("TX104522");
    });

    it("compares serials and makers without ASCII case", async () => {
      await mark(journal, newJob());
      expect(await codeOf(() => journal.createJob(newJob({ serial: "tx104522", manufacturer: "FORJAS QUERéTARO S.A." })))).toBe("E_SERIAL_DUPLICATE");
    });

    it("lets another maker use the same serial, but not another maker under the same licence prefix", async () => {
      await mark(journal, newJob({ licencePrefix: "98312345" }));
      expect((await journal.createJob(newJob({ manufacturer: "Armas del Norte" }))).outcome).toBe("pending");
      expect(await codeOf(() => journal.createJob(newJob({ manufacturer: "Otra Marca", licencePrefix: "98312345" })))).toBe("E_SERIAL_DUPLICATE");
    });

    it("holds the serial of a job aborted or failed after it may have struck, not of one that struck nothing", async () => {
      // Strikes confirmed: the part is half marked, whoever pressed Abort.
      const struck = await mark(journal, newJob(), "aborted");
      expect(await codeOf(() => journal.createJob(newJob()))).toBe("E_SERIAL_RESERVED");
      await journal.releaseSerial(struck.id, { operator: "Luis Ortega", reason: "part scrapped, serial never used" });
      expect((await journal.createJob(newJob({ serial: "TX104523" }))).outcome).toBe("pending");

      // Lines the controller accepted but not confirmed run may have struck: held too.
      const other = newJob({ serial: "TX104524" });
      const accepted = await journal.createJob(other);
      await journal.startJob(accepted.id);
      await journal.endJob(accepted.id, { outcome: "failed", error: { code: "E_POSITION", text: "off its path" }, progress: { ackedLine: 12, executedLine: 4, strikesDone: 0 } });
      expect(await codeOf(() => journal.createJob(other))).toBe("E_SERIAL_RESERVED");

      // Nothing struck, nothing in flight: an abort frees the serial.
      const clean = newJob({ serial: "TX104525" });
      const none = await journal.createJob(clean);
      await journal.startJob(none.id);
      await journal.endJob(none.id, { outcome: "aborted", progress: { ackedLine: 3, executedLine: 3, strikesDone: 0 } });
      expect((await journal.createJob(clean)).outcome).toBe("pending");
    });

    it("keeps the serial of a pending, marking or interrupted job reserved until an operator acts", async () => {
      const pending = await journal.createJob(newJob());
      expect(await codeOf(() => journal.createJob(newJob()))).toBe("E_SERIAL_RESERVED");
      await journal.startJob(pending.id);
      expect(await codeOf(() => journal.createJob(newJob()))).toBe("E_SERIAL_RESERVED");
      await journal.endJob(pending.id, { outcome: "interrupted", note: "emergency stop" });
      try {
        await journal.createJob(newJob());
        expect.unreachable("an interrupted job must hold its serial");
      } catch (e) {
        expect((e as PeenmarkError).code).toBe("E_SERIAL_RESERVED");
        expect((e as PeenmarkError).message).toContain(`job ${pending.id}`);
        expect((e as PeenmarkError).message).toContain("interrupted");
      }
    });

    it("frees a reserved serial when an operator releases it with a reason, and logs who and why", async () => {
      const { id } = await journal.createJob(newJob());
      await journal.startJob(id);
      await journal.endJob(id, { outcome: "interrupted" });
      expect(await codeOf(() => journal.releaseSerial(id, { operator: "M. Ortiz", reason: "short" }))).toBe("E_JOURNAL");
      const released = await journal.releaseSerial(id, { operator: "M. Ortiz", reason: "blank scrapped, no pin strike on the part" });
      expect(released.outcome).toBe("interrupted");
      expect(released.release).toMatchObject({ by: "M. Ortiz", reason: "blank scrapped, no pin strike on the part" });
      expect((await journal.createJob(newJob())).outcome).toBe("pending");
      expect((await journal.events({ jobId: id })).map((e) => e.kind)).toEqual(["serial-released"]);
      expect(await codeOf(() => journal.releaseSerial(id, { operator: "M. Ortiz", reason: "released twice by mistake" }))).toBe("E_JOURNAL");
    });

    it("allows a re-mark only by an operator, with a reason of at least 10 characters, naming the earlier job", async () => {
      const first = await mark(journal, newJob());
      const remark = (of: number, reason: string, authorisedBy = "M. Ortiz") => journal.createJob(newJob({ remark: { of, reason, authorisedBy } }));
      expect(await codeOf(() => remark(first.id, "too short"))).toBe("E_JOURNAL");
      expect(await codeOf(() => remark(first.id, "mark too shallow at 0.05 mm", "  "))).toBe("E_JOURNAL");
      expect(await codeOf(() => remark(first.id + 100, "mark too shallow at 0.05 mm"))).toBe("E_JOURNAL");
      const second = await remark(first.id, "mark too shallow at 0.05 mm");
      expect(second.remark).toEqual({ of: first.id, reason: "mark too shallow at 0.05 mm", authorisedBy: "M. Ortiz" });
      // the re-mark itself now holds the serial while it runs
      expect(await codeOf(() => journal.createJob(newJob()))).toBe("E_SERIAL_RESERVED");
    });

    it("refuses a re-mark while a head is marking the same serial", async () => {
      const first = await journal.createJob(newJob());
      await journal.startJob(first.id);
      expect(await codeOf(() => journal.createJob(newJob({ remark: { of: first.id, reason: "second station takes over", authorisedBy: "M. Ortiz" } })))).toBe(
        "E_SERIAL_RESERVED",
      );
    });

    it("does not start a pending job whose serial a re-mark has taken over", async () => {
      const first = await journal.createJob(newJob());
      await journal.createJob(newJob({ remark: { of: first.id, reason: "first job written with the wrong profile", authorisedBy: "M. Ortiz" } }));
      expect(await codeOf(() => journal.startJob(first.id))).toBe("E_SERIAL_RESERVED");
    });

    it("lets a re-mark take over an interrupted job's serial", async () => {
      const first = await journal.createJob(newJob());
      await journal.startJob(first.id);
      await journal.endJob(first.id, { outcome: "interrupted" });
      const again = await journal.createJob(newJob({ remark: { of: first.id, reason: "re-homed; mark over the partial serial", authorisedBy: "M. Ortiz" } }));
      await journal.startJob(again.id);
      await journal.endJob(again.id, { outcome: "completed" });
      expect(await codeOf(() => journal.createJob(newJob()))).toBe("E_SERIAL_DUPLICATE");
    });
  });

  describe("find", () => {
    it("returns every job of a serial, any maker, newest first", async () => {
      const a = await mark(journal, newJob());
      const b = await mark(journal, newJob({ manufacturer: "Armas del Norte" }));
      await mark(journal, newJob({ serial: "OTHER1" }));
      expect((await journal.find("TX104522")).map((j) => j.id)).toEqual([b.id, a.id]);
      expect((await journal.find(" tx104522 ")).map((j) => j.manufacturer)).toEqual(["Armas del Norte", "Forjas Querétaro S.A."]);
      expect(await journal.find("NOPE")).toEqual([]);
    });

    it("finds a serial by the licence form on the metal", async () => {
      const a = await mark(journal, newJob({ licencePrefix: "98312345" }));
      await mark(journal, newJob({ manufacturer: "Armas del Norte" }));
      expect((await journal.find("98312345-tx104522")).map((j) => j.id)).toEqual([a.id]);
      expect(await journal.find("98312345-OTHER")).toEqual([]);
    });

    it("returns the record as written", async () => {
      await mark(journal, newJob());
      expect((await journal.find("TX104522"))[0]?.record).toEqual(record());
    });
  });
});
