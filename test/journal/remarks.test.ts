import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JournalEngine } from "../../src/journal/engine.ts";
import { NEVER_STARTED_NOTE } from "../../src/journal/journal.ts";
import { forEachEngine, mark, type OpenedEngine, rejection } from "./engines.ts";
import { newJob } from "./helpers.ts";


const refused = rejection;

const remark = (of: number, extra: object = {}) => ({ remark: { of, reason: "first mark interrupted at line 41", authorisedBy: "M. Ortiz", ...extra } });

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

  describe("re-marks", () => {
    it("allows one re-mark of a job at a time, from the moment it is written (pending, homing)", async () => {
      const first = await mark(journal, newJob(), "interrupted");
      const one = await journal.createJob(newJob(remark(first.id)));
      expect(one.outcome).toBe("pending");
      const e = await refused(() => journal.createJob(newJob(remark(first.id))));
      expect(e.code).toBe("E_SERIAL_RESERVED");
      expect(e.message).toContain(`held by job ${one.id} (a re-mark of job ${first.id} already, pending)`);
      // while it marks, and once it is interrupted in turn: re-mark the re-mark, not the first job
      await journal.startJob(one.id);
      expect((await refused(() => journal.createJob(newJob(remark(first.id))))).code).toBe("E_SERIAL_RESERVED");
      await journal.endJob(one.id, { outcome: "interrupted" });
      expect((await refused(() => journal.createJob(newJob(remark(first.id))))).message).toContain(`re-mark job ${one.id} itself`);
      expect((await journal.createJob(newJob(remark(one.id)))).remark?.of).toBe(one.id);
    });

    it("lets a new re-mark through once the one before it aborted", async () => {
      const first = await mark(journal, newJob(), "interrupted");
      const one = await journal.createJob(newJob(remark(first.id)));
      await journal.endJob(one.id, { outcome: "aborted", note: "operator cancelled while homing" });
      expect((await journal.createJob(newJob(remark(first.id)))).outcome).toBe("pending");
    });

    it("uses the profile version the earlier job was marked with, unless an operator chooses the current one with a reason", async () => {
      const first = await mark(journal, newJob(), "interrupted");
      const v2 = { profile: { id: "frame-left", hash: "c".repeat(64) } };
      const e = await refused(() => journal.createJob(newJob({ ...v2, ...remark(first.id) })));
      expect(e.code).toBe("E_JOURNAL");
      expect(e.where).toBe("remark.profile");
      expect(e.message).toContain(`job ${first.id} was marked with profile "frame-left" (sha256 aaaaaaaaaaaa…)`);
      expect((await refused(() => journal.createJob(newJob({ ...v2, ...remark(first.id, { currentProfile: { reason: "short" } }) })))).where).toBe("remark.profileReason");
      const chosen = await journal.createJob(newJob({ ...v2, ...remark(first.id, { currentProfile: { reason: "v1 placed the serial over a weld seam" } }) }));
      expect(chosen.remark?.currentProfile?.reason).toBe("v1 placed the serial over a weld seam");
      expect((await journal.events({ jobId: chosen.id })).map((ev) => [ev.kind, ev.operator])).toEqual([
        ["remark", "M. Ortiz"],
        ["remark-current-profile", "M. Ortiz"],
      ]);
      const [row] = JSON.parse(await journal.exportJobs({ format: "json", serial: "TX104522" })).filter((j: { jobId: number }) => j.jobId === chosen.id);
      expect(row.remarkCurrentProfileReason).toBe("v1 placed the serial over a weld seam");
    });

    it("finds a job left pending by a dead process at open: interrupted, nothing struck, logged, still holding its serial", async () => {
      await journal.close();
      const child = opened.child(["create", "PD2026001"]);
      await child.line((l) => l === "ready");
      child.proc.stdin.write("go");
      const ok = await child.line((l) => l.startsWith("ok ") || l.startsWith("refused "));
      expect(ok).toMatch(/^ok \d+$/);
      await child.exited;
      const id = Number(ok.split(" ")[1]);

      journal = opened.another();
      const found = await journal.open();
      expect(found.map((j) => [j.id, j.outcome, j.note, j.progress.strikesDone])).toEqual([[id, "interrupted", NEVER_STARTED_NOTE, 0]]);
      expect((await journal.events({ jobId: id })).map((ev) => ev.kind)).toEqual(["job-interrupted"]);
      expect((await refused(() => journal.createJob(newJob({ serial: "PD2026001" })))).code).toBe("E_SERIAL_RESERVED");
      // a pending job of this (live) process is left alone
      await journal.createJob(newJob({ serial: "PD2026002" }));
      await journal.close();
      journal = opened.another();
      expect(await journal.open()).toEqual([]);
    });
  });

  describe("names in the journal", () => {
    it("refuses a technician or operator name with a control or bidi character, naming it", async () => {
      for (const [name, cp] of [["Ana\u0000Núñez", "U+0000"], ["\u202Eanа", "U+202E"], ["Ana\nNúñez", "U+000A"], ["Ana\u2066N", "U+2066"]] as const) {
        const e = await refused(() => journal.createJob(newJob({ technician: name })));
        expect(e.code, cp).toBe("E_SCHEMA");
        expect(e.message).toContain(cp);
      }
      const first = await mark(journal, newJob(), "interrupted");
      expect((await refused(() => journal.releaseSerial(first.id, { operator: "M.\u202EOrtiz", reason: "part scrapped after inspection" }))).message).toContain("U+202E");
      expect(await journal.jobs()).toHaveLength(1);
    });

    it("keeps a reason with a line break, and shows a bidi control in it as its code point", async () => {
      const first = await mark(journal, newJob(), "interrupted");
      const released = await journal.releaseSerial(first.id, { operator: "M. Ortiz", reason: "part scrapped:\r\ncrack at the \u202Etrigger pin" });
      expect(released.release?.reason).toBe("part scrapped:\ncrack at the ⟨U+202E⟩trigger pin");
    });
  });
});
