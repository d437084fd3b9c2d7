import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../../src/cli/journal.ts";
import { PeenmarkError } from "../../src/errors.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { mark, PG_URL, pgSchema } from "./engines.ts";
import { markJob, newJob, openJournal, tempJournalPath } from "./helpers.ts";

let tmp: ReturnType<typeof tempJournalPath>;
let out: string[];
let err: string[];
beforeEach(() => {
  tmp = tempJournalPath();
  const journal = openJournal(tmp.path);
  markJob(journal, newJob());
  markJob(journal, newJob({ manufacturer: "Armas del Norte" }), "interrupted");
  journal.close();
  out = [];
  err = [];
  vi.spyOn(console, "log").mockImplementation((s: unknown) => void out.push(String(s)));
  vi.spyOn(console, "error").mockImplementation((s: unknown) => void err.push(String(s)));
});
afterEach(() => {
  vi.restoreAllMocks();
  tmp.cleanup();
});

const journal = (...argv: string[]) => run([...argv, "--db", tmp.path]);

describe("peenmark journal", () => {
  it("find prints every job of the serial as an aligned table, newest first", async () => {
    expect(await journal("find", "TX104522")).toBe(0);
    const lines = out.join("\n").split("\n");
    expect(lines[0]).toMatch(/^job\s+outcome\s+serial\s+manufacturer/);
    expect(lines[2]).toMatch(/^\s*2\s+interrupted\s+TX104522\s+Armas del Norte\s/);
    expect(lines[3]).toMatch(/^\s*1\s+completed\s+TX104522\s+Forjas Querétaro S\.A\.\s/);
    // aligned: the manufacturer column starts at the same place on every line
    const at = lines.map((l) => l.indexOf(l.includes("Armas") ? "Armas" : l.includes("Forjas") ? "Forjas" : "manufacturer"));
    expect(new Set([at[0], at[2], at[3]]).size).toBe(1);
  });

  it("find --json gives the job rows; an unknown serial exits 1", async () => {
    expect(await journal("find", "TX104522", "--json")).toBe(0);
    const rows = JSON.parse(out.join("\n")) as { id: number; outcome: string }[];
    expect(rows.map((r) => [r.id, r.outcome])).toEqual([
      [2, "interrupted"],
      [1, "completed"],
    ]);
    out.length = 0;
    expect(await journal("find", "ZZ999")).toBe(1);
    expect(out.join("\n")).toContain('no job for serial "ZZ999"');
  });

  it("export -o writes the CSV file", async () => {
    const file = join(dirname(tmp.path), "trace.csv");
    expect(await journal("export", "--format", "csv", "-o", file, "--outcome", "completed")).toBe(0);
    const lines = readFileSync(file, "utf8").split("\r\n");
    expect(lines[0]?.startsWith("jobId,serial,licencePrefix,manufacturer,")).toBe(true);
    expect(lines.slice(1, -1)).toHaveLength(1);
    expect(lines[1]).toContain("Forjas Querétaro S.A.,Querétaro,Qro.,MX,México");
  });

  it("series create, numbers after a release of an interrupted job, list", async () => {
    expect(await journal("series", "create", "fq", "--pattern", "FQ{yy}-{counter:5}", "--start", "1", "--end", "500", "--operator", "M. Ortiz")).toBe(0);
    out.length = 0;
    expect(await journal("series", "list")).toBe(0);
    expect(out.join("\n")).toMatch(/^fq\s+FQ\{yy\}-\{counter:5\}\s+1\s+500\s+1\s+1\s+0\s+0\s+0\s+0\s+M\. Ortiz$/m);
    out.length = 0;
    expect(await journal("release", "2", "--operator", "M. Ortiz", "--reason", "no strike landed on the frame")).toBe(0);
    expect(out.join("\n")).toContain("released by M. Ortiz: no strike landed on the frame");
  });

  it("refuses bad usage with E_USAGE", async () => {
    await expect(journal("export", "--format", "xml")).rejects.toThrow(/--format xml: expected one of csv, json/);
    await expect(journal("series", "release", "fq", "x1", "--operator", "a", "--reason", "b")).rejects.toBeInstanceOf(PeenmarkError);
    await expect(journal("launch")).rejects.toThrow(/expected find, search, stats, export, release, series or lease/);
  });
});

describe("peenmark journal: which journal", () => {
  it("reads the station's data directory from PEENMARK_DATA", async () => {
    const before = process.env.PEENMARK_DATA;
    process.env.PEENMARK_DATA = dirname(tmp.path);
    try {
      const { copyFileSync } = await import("node:fs");
      copyFileSync(tmp.path, join(dirname(tmp.path), "peenmark.db"));
      expect(await run(["find", newJob().record.serial])).toBe(0);
      expect(out.join("\n")).toContain(newJob().record.serial);
    } finally {
      if (before === undefined) delete process.env.PEENMARK_DATA;
      else process.env.PEENMARK_DATA = before;
    }
  });

  it("refuses to read a journal that does not exist instead of answering from a new empty one", async () => {
    const missing = join(dirname(tmp.path), "nowhere", "peenmark.db");
    const e = await run(["find", "RA1", "--db", missing]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PeenmarkError);
    expect((e as PeenmarkError).code).toBe("E_FILE");
    expect((e as PeenmarkError).message).toContain(`no journal at ${missing}`);
  });
});

describe.skipIf(!PG_URL)("peenmark journal --journal postgres://… (the registry)", () => {
  it("finds a serial every station marked, and lists the registry's series", async () => {
    const db = await pgSchema();
    try {
      for (const [station, maker] of [["armoury-1", "Forjas Querétaro S.A."], ["customs-2", "Armas del Norte"]] as const) {
        const j = new PgJournal({ url: PG_URL!, schema: db.schema, stationId: station });
        await j.open();
        await mark(j, newJob({ manufacturer: maker, stationId: station }));
        await j.close();
      }
      const url = new URL(PG_URL!);
      url.searchParams.set("options", `-c search_path=${db.schema}`);
      expect(await run(["find", "tx104522", "--json", "--journal", url.toString()])).toBe(0);
      const rows = JSON.parse(out.join("\n")) as { stationId: string; manufacturer: string; outcome: string }[];
      expect(rows.map((r) => [r.stationId, r.manufacturer, r.outcome])).toEqual([
        ["customs-2", "Armas del Norte", "completed"],
        ["armoury-1", "Forjas Querétaro S.A.", "completed"],
      ]);
      out.length = 0;
      expect(await run(["find", "ZZ999", "--journal", url.toString()])).toBe(1);
      // the message names the registry, never its password
      expect(out.join("\n")).toContain(`no job for serial "ZZ999" in postgres://`);
      if (url.password) expect(out.join("\n")).not.toContain(`:${decodeURIComponent(url.password)}@`);
    } finally {
      await db.drop();
    }
  });

  it("leases numbers of a series to a station, lists and returns the lease; refuses leases on a bench's own journal", async () => {
    const db = await pgSchema();
    try {
      const owner = new PgJournal({ url: PG_URL!, schema: db.schema });
      await owner.open();
      await owner.createSeries({ id: "nat", pattern: "NA{counter:5}", start: 1, end: 99999, createdBy: "M. Ortiz" });
      await owner.close();
      const url = new URL(PG_URL!);
      url.searchParams.set("options", `-c search_path=${db.schema}`);
      const reg = (...argv: string[]) => run([...argv, "--journal", url.toString()]);
      expect(await reg("lease", "grant", "nat", "--station", "customs_2", "--size", "3", "--hours", "48", "--operator", "M. Ortiz", "--reason", "the post goes off line on Fridays", "--json")).toBe(0);
      const granted = JSON.parse(out.join("\n")) as { id: string; stationId: string; numbers: { serial: string }[] };
      expect(granted.stationId).toBe("customs_2");
      expect(granted.numbers.map((n) => n.serial)).toEqual(["NA00001", "NA00002", "NA00003"]);
      out.length = 0;
      expect(await reg("lease", "list", "--station", "customs_2")).toBe(0);
      expect(out.join("\n")).toMatch(new RegExp(`${granted.id}\\s+nat\\s+customs_2\\s+NA00001…NA00003 \\(3\\)\\s+0\\s`));
      out.length = 0;
      expect(await reg("lease", "return", granted.id, "--operator", "M. Ortiz", "--reason", "the post is back on line")).toBe(0);
      expect(out.join("\n")).toMatch(/by M\. Ortiz: the post is back on line/);
      const refused = await reg("lease", "grant", "nat", "--size", "3", "--hours", "48", "--operator", "M. Ortiz", "--reason", "no station named here").catch((e: unknown) => e);
      expect((refused as PeenmarkError).code, "the station must be named").toBe("E_USAGE");
      const onBench = await journal("lease", "list").catch((e: unknown) => e);
      expect((onBench as PeenmarkError).message).toMatch(/leases are for stations sharing a registry/);
    } finally {
      await db.drop();
    }
  });
});
