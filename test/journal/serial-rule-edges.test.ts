import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JournalEngine } from "../../src/journal/engine.ts";
import { forEachEngine, mark, type OpenedEngine, rejection } from "./engines.ts";

const caught = rejection;
import { newJob } from "./helpers.ts";


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

  describe("the serial rule at its edges", () => {
    it("a re-mark that failed or was aborted does not free the interrupted job's serial", async () => {
      const first = await mark(journal, newJob({ serial: "RA1" }), "interrupted");
      for (const outcome of ["failed", "aborted"] as const) {
        const remark = await journal.createJob(newJob({ serial: "RA1", remark: { of: first.id, reason: "first mark stopped at line 40", authorisedBy: "M. Ortiz" } }));
        await journal.endJob(remark.id, outcome === "failed" ? { outcome, error: { code: "E_CONTROLLER", text: "the controller is Alarm, not Idle" } } : { outcome });
        const e = await caught(() => journal.createJob(newJob({ serial: "RA1" })));
        expect(e.code).toBe("E_SERIAL_RESERVED");
      }
    });

    it("12345678-ABC123 typed as the serial is the same serial as ABC123 with licence prefix 12345678", async () => {
      await mark(journal, newJob({ serial: "ABC123", licencePrefix: "12345678" }), "completed");
      expect((await caught(() => journal.createJob(newJob({ serial: "12345678-ABC123", manufacturer: "Another Name Inc" })))).code).toBe("E_SERIAL_DUPLICATE");
      // and the other way round
      await mark(journal, newJob({ serial: "87654321-XYZ9", manufacturer: "Ridgeline" }), "completed");
      expect((await caught(() => journal.createJob(newJob({ serial: "XYZ9", licencePrefix: "87654321", manufacturer: "Ridgeline Arms" })))).code).toBe("E_SERIAL_DUPLICATE");
    });

    it("the same plain serial from two different makers is not a duplicate", async () => {
      await mark(journal, newJob({ serial: "A100", manufacturer: "Maker One" }), "completed");
      expect((await journal.createJob(newJob({ serial: "A100", manufacturer: "Maker Two" }))).outcome).toBe("pending");
    });
  });
});
