import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JournalEngine } from "../../src/journal/engine.ts";
import { traceSerial } from "../../src/journal/trace.ts";
import { forEachEngine, mark, type OpenedEngine, rejection } from "./engines.ts";
import { newJob } from "./helpers.ts";

/** A trace request's serial, as read off a worn or misread firearm, on either engine. */
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

  describe("traceSerial", () => {
    const fill = async () => ({
      exact: await mark(journal, newJob({ serial: "TX8520", manufacturer: "Forjas Querétaro S.A." })),
      confusable: await mark(journal, newJob({ serial: "TXB5Z0", manufacturer: "Armas del Norte" }), "interrupted"),
      other: await mark(journal, newJob({ serial: "TX8521", manufacturer: "Forjas Querétaro S.A." })),
      licensed: await mark(journal, newJob({ serial: "QX77", licencePrefix: "98312345", manufacturer: "Indumil" })),
    });
    const found = async (pattern: string) => (await traceSerial(journal, pattern)).map((m) => [m.job.serial, m.match]);

    it("puts the serial that reads as typed first, then the one a worn stamp could be (8/B, 2/Z)", async () => {
      await fill();
      expect(await found("TX8520")).toEqual([
        ["TX8520", "exact"],
        ["TXB5Z0", "confusable"],
      ]);
      // case, the letter O for a zero, a Cyrillic Х: the serial identity
      expect(await found("tх852O")).toEqual([
        ["TX8520", "exact"],
        ["TXB5Z0", "confusable"],
      ]);
    });

    it("reads ? as one unreadable character and * as any run of them", async () => {
      const j = await fill();
      expect(await found("TX85?0")).toEqual([
        ["TXB5Z0", "pattern"],
        ["TX8520", "pattern"],
      ]);
      expect((await traceSerial(journal, "TX*")).map((m) => m.job.id)).toEqual([j.other.id, j.confusable.id, j.exact.id]);
      expect(await found("TX8?")).toEqual([]);
    });

    it("finds a serial by its licence form", async () => {
      await fill();
      expect(await found("98312345-qx77")).toEqual([["QX77", "licence"]]);
      expect(await found("QX77")).toEqual([["QX77", "exact"]]);
    });

    it("refuses a pattern too broad to search, naming why", async () => {
      await fill();
      const e = await rejection(() => traceSerial(journal, "T*"));
      expect(e.code).toBe("E_USAGE");
      expect(e.message).toContain("too broad");
      expect((await rejection(() => traceSerial(journal, "**"))).code).toBe("E_USAGE");
      // made only of digits and letters a reader confuses, and still found
      expect(await found("8520")).toEqual([]);
      expect(await found("*8520")).toEqual([
        ["TXB5Z0", "pattern"],
        ["TX8520", "pattern"],
      ]);
    });
  });
});
