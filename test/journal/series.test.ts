import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PeenmarkError } from "../../src/errors.ts";
import type { JournalEngine } from "../../src/journal/engine.ts";
import type { SeriesNumber } from "../../src/journal/journal.ts";
import { counterLimit, formatSerial, parseSeriesPattern } from "../../src/journal/pattern.ts";
import { forEachEngine, type OpenedEngine } from "./engines.ts";
import { newJob, record } from "./helpers.ts";
import type { Child } from "./processes.ts";

const JUNE_2026 = new Date("2026-06-01T00:00:00Z");

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof PeenmarkError) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error("expected a PeenmarkError, nothing was thrown");
}

describe("series patterns", () => {
  it("formats counter, year and licence", async () => {
    expect(formatSerial(parseSeriesPattern("AB{yy}-{counter:6}"), 17, JUNE_2026, undefined)).toBe("AB26-000017");
    expect(formatSerial(parseSeriesPattern("{counter:4}{yyyy}"), 5, new Date("2031-01-01T00:00:00Z"), undefined)).toBe("00052031");
    expect(formatSerial(parseSeriesPattern("{licence}-QX{counter:5}"), 123, JUNE_2026, "98312345")).toBe("98312345-QX00123");
  });

  it("takes the year in UTC from the date passed in", async () => {
    // 23:30 on 31 December in Mexico City is already 2027 in UTC
    expect(formatSerial(parseSeriesPattern("{yy}{counter:3}"), 1, new Date("2027-01-01T05:30:00Z"), undefined)).toBe("27001");
  });

  it("counts a safe counter in the 30 characters a reader cannot confuse, and keeps the literals free of them too", async () => {
    const p = parseSeriesPattern("RX{yy}{counter:4:safe}");
    expect(formatSerial(p, 0, JUNE_2026, undefined)).toBe("RX260000");
    expect(formatSerial(p, 10, JUNE_2026, undefined)).toBe("RX26000A");
    expect(formatSerial(p, 30, JUNE_2026, undefined)).toBe("RX260010");
    expect(formatSerial(p, 30 ** 4 - 1, JUNE_2026, undefined)).toBe("RX26YYYY");
    expect(counterLimit(p)).toBe(30 ** 4 - 1);
    expect(counterLimit(parseSeriesPattern("RX{counter:4}"))).toBe(9999);
    // Every serial such a series hands out is free of B I O Q S Z.
    for (let n = 0; n < 30 ** 3; n += 37) expect(formatSerial(p, n, JUNE_2026, undefined)).not.toMatch(/[BIOQSZ]/);
    expect(await codeOf(() => parseSeriesPattern("SB{counter:4:safe}"))).toMatch(/E_JOURNAL: series pattern "SB\{counter:4:safe\}" has "SB" with a counter that leaves out B I O Q S Z/);
  });

  it("refuses patterns that cannot make a serial", async () => {
    expect(await codeOf(() => parseSeriesPattern("AB-"))).toMatch(/E_JOURNAL: .*no \{counter:N\}/);
    expect(await codeOf(() => parseSeriesPattern("ab{counter:4}"))).toMatch(/literals may hold only/);
    expect(await codeOf(() => parseSeriesPattern("A{counter:4}{counter:2}"))).toMatch(/more than one/);
    expect(await codeOf(() => parseSeriesPattern("A{month}{counter:4}"))).toMatch(/unknown placeholder \{month\}/);
    expect(await codeOf(() => parseSeriesPattern("A{counter:13}"))).toMatch(/1 to 12 digits/);
    expect(await codeOf(() => parseSeriesPattern("A{counter:4"))).toMatch(/unmatched "\{"/);
  });
});

/** Each child opens the journal and says "ready"; then all are released at once. */
async function startTogether(children: Child[]): Promise<void> {
  await Promise.all(children.map((c) => c.line((l) => l === "ready")));
  for (const c of children) c.proc.stdin.write("g");
}

forEachEngine((engine) => {
  describe("a series in the journal", () => {
    let opened: OpenedEngine;
    let journal: JournalEngine;
    beforeEach(async () => {
      opened = await engine.open();
      journal = opened.journal;
    });
    afterEach(async () => {
      await opened.done();
    });

    const define = (over: Partial<Parameters<JournalEngine["createSeries"]>[0]> = {}) =>
      journal.createSeries({ id: "fq-2026", pattern: "FQ{yy}-{counter:5}", start: 1, end: 99999, createdBy: "M. Ortiz", ...over });

    /** What the runner does: reserve, write the job with that serial, start, end. */
    async function mark(seriesId: string, outcome: "completed" | "interrupted" | "aborted"): Promise<{ n: SeriesNumber; jobId: number }> {
      const n = await journal.reserveNext(seriesId, JUNE_2026);
      const job = await journal.createJob({ ...newJob(), record: record({ serial: n.serial }), seriesNumber: { seriesId, number: n.number } });
      await journal.startJob(job.id);
      await journal.endJob(job.id, { outcome });
      return { n, jobId: job.id };
    }

    it("validates a definition", async () => {
      expect(await codeOf(() => define({ end: 100000 }))).toMatch(/does not fit the pattern's 5-digit counter/);
      expect(await codeOf(() => define({ start: 10, end: 5 }))).toMatch(/below start/);
      expect(await codeOf(() => define({ step: 0 }))).toMatch(/at least 1/);
      expect(await codeOf(() => define({ pattern: "{licence}-{counter:4}", end: 9999 }))).toMatch(/no licence prefix/);
      expect(await codeOf(() => define({ id: "has space" }))).toMatch(/an id is/);
      await define();
      expect(await codeOf(() => define())).toMatch(/exists already/);
    });

    it("reserves, commits on completion, keeps an interrupted job's number reserved with its job", async () => {
      await define({ start: 10, step: 10 });
      const a = await mark("fq-2026", "completed");
      const b = await mark("fq-2026", "interrupted");
      const c = await mark("fq-2026", "aborted");
      expect([a.n.serial, b.n.serial, c.n.serial]).toEqual(["FQ26-00010", "FQ26-00020", "FQ26-00030"]);
      expect((await journal.numbers("fq-2026")).map((n) => [n.number, n.state, n.jobId])).toEqual([
        [10, "committed", a.jobId],
        [20, "reserved", b.jobId],
        [30, "reserved", c.jobId],
      ]);
      expect((await journal.job(b.jobId)).seriesNumber).toEqual({ seriesId: "fq-2026", number: 20 });
      expect(await journal.series("fq-2026")).toMatchObject({ nextNumber: 40, counts: { committed: 1, reserved: 2, released: 0, void: 0 } });
    });

    it("hands a released number out again, first, and logs who released it and why", async () => {
      await define();
      await mark("fq-2026", "completed");
      const b = await mark("fq-2026", "interrupted");
      expect(await codeOf(() => journal.releaseReservation("fq-2026", 2, { operator: "M. Ortiz", reason: "too short" }))).toMatch(/at least 10 characters/);
      const released = await journal.releaseReservation("fq-2026", 2, { operator: "M. Ortiz", reason: "blank scrapped before any strike" });
      expect(released).toMatchObject({ state: "released", operator: "M. Ortiz", reason: "blank scrapped before any strike" });
      // releasing the number frees the serial the interrupted job held, in the same act
      expect((await journal.job(b.jobId)).release?.reason).toBe("blank scrapped before any strike");
      const again = await journal.reserveNext("fq-2026", JUNE_2026);
      expect([again.number, again.serial, again.state]).toEqual([2, "FQ26-00002", "reserved"]);
      expect((await journal.events({ seriesId: "fq-2026" })).map((e) => e.kind)).toEqual(["series-created", "number-released", "number-reissued"]);
    });

    it("voids a number for good and never hands it out again", async () => {
      await define({ end: 3 });
      const a = await mark("fq-2026", "aborted");
      expect((await journal.voidNumber("fq-2026", a.n.number, { operator: "M. Ortiz", reason: "part cracked under the first strike" })).state).toBe("void");
      expect(await codeOf(() => journal.voidNumber("fq-2026", a.n.number, { operator: "M. Ortiz", reason: "part cracked under the first strike" }))).toMatch(/is void/);
      expect((await journal.reserveNext("fq-2026", JUNE_2026)).number).toBe(2);
    });

    it("refuses to release or void the number of a job being marked", async () => {
      await define();
      const n = await journal.reserveNext("fq-2026", JUNE_2026);
      const job = await journal.createJob({ ...newJob(), record: record({ serial: n.serial }), seriesNumber: { seriesId: "fq-2026", number: n.number } });
      await journal.startJob(job.id);
      const action = { operator: "M. Ortiz", reason: "wrong series picked by mistake" };
      expect(await codeOf(() => journal.releaseReservation("fq-2026", n.number, action))).toMatch(/^E_SERIAL_RESERVED/);
      expect(await codeOf(() => journal.voidNumber("fq-2026", n.number, action))).toMatch(/^E_SERIAL_RESERVED/);
    });

    it("refuses a job that claims a number with another serial, or a number another job holds", async () => {
      await define();
      const n = await journal.reserveNext("fq-2026", JUNE_2026);
      expect(await codeOf(() => journal.createJob({ ...newJob(), seriesNumber: { seriesId: "fq-2026", number: n.number } }))).toMatch(/is not "FQ26-00001"/);
      const job = { ...newJob(), record: record({ serial: n.serial }), seriesNumber: { seriesId: "fq-2026", number: n.number } };
      await journal.createJob(job);
      expect(await codeOf(() => journal.createJob({ ...job, record: record({ serial: n.serial, manufacturer: "Armas del Norte" }) }))).toMatch(/reserved by job/);
    });

    it("says when a series is exhausted", async () => {
      await define({ start: 1, end: 5, step: 2 });
      const got: number[] = [];
      for (let k = 0; k < 3; k++) got.push((await journal.reserveNext("fq-2026", JUNE_2026)).number);
      expect(got).toEqual([1, 3, 5]);
      expect(await codeOf(() => journal.reserveNext("fq-2026", JUNE_2026))).toMatch(/^E_SERIES_EXHAUSTED: .*every number from 1 to 5/);
    });
  });

  describe("several processes reserving from one series on one journal", () => {
    let opened: OpenedEngine;
    beforeEach(async () => {
      opened = await engine.open();
    });
    afterEach(async () => {
      await opened.done();
    });

    it("never hand out a number twice, and every number up to the high-water mark is accounted for, across a restart", async () => {
      await opened.journal.createSeries({ id: "bench", pattern: "BX{counter:6}", start: 100, end: 999999, step: 3, createdBy: "M. Ortiz" });

      const PER_CHILD = 30;
      const children = [0, 1, 2, 3].map(() => opened.child(["reserve", "bench", String(PER_CHILD)]));
      await startTogether(children);
      const exits = await Promise.all(children.map((c) => c.exited));
      children.forEach((c, i) => expect(exits[i], c.stderr).toEqual({ code: 0, signal: null }));

      type Got = { number: number; serial: string; jobId: number; outcome: string; pid: number };
      const got: Got[] = children.flatMap((c) => c.lines.slice(1).map((l) => JSON.parse(l) as Got));
      expect(got).toHaveLength(4 * PER_CHILD);
      const numbers = got.map((g) => g.number).sort((a, b) => a - b);
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(new Set(got.map((g) => g.serial)).size).toBe(got.length);

      // a fresh connection to the journal, as a restarted service would open it
      const journal = opened.another();
      await journal.open();
      {
        const s = await journal.series("bench");
        const expected: number[] = [];
        for (let n = s.start; n < s.nextNumber; n += s.step) expected.push(n);
        // no gap: the high-water mark is exactly the numbers handed out
        expect(numbers).toEqual(expected);
        const rows = await journal.numbers("bench");
        expect(rows.map((r) => r.number)).toEqual(expected);
        for (const g of got) {
          const row = rows.find((r) => r.number === g.number);
          expect(row, `number ${g.number}`).toMatchObject({ serial: g.serial, jobId: g.jobId, state: g.outcome === "completed" ? "committed" : "reserved" });
        }
        expect(s.counts.committed + s.counts.reserved).toBe(got.length);
      }
    });

    it("let only one of several processes write a job for the same serial", async () => {
      const children = [0, 1, 2, 3].map(() => opened.child(["create", "RACE001"]));
      await startTogether(children);
      await Promise.all(children.map((c) => c.exited));
      const results = children.map((c) => c.lines[1] ?? c.stderr);
      expect(results.filter((r) => r.startsWith("ok "))).toHaveLength(1);
      expect(results.filter((r) => r === "refused E_SERIAL_RESERVED")).toHaveLength(3);
    });
  });
});
