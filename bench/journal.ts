/**
 * Journal write costs on this machine's disk: `node --import tsx bench/journal.ts [DIR]`.
 *
 * - progress updates per second through Journal.progress (WAL, synchronous=NORMAL: no fsync);
 * - the same UPDATE with synchronous=FULL (an fsync per update), the alternative we rejected;
 * - a whole job's durable writes (create + start + end, each an fsynced IMMEDIATE transaction).
 * Each figure is the median of several batches, so one slow batch on a shared box does not
 * decide it. The file goes in DIR (default ./data, on the disk the station uses, not a tmpfs).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { Journal } from "../src/journal/journal.ts";
import { MarkingRecordSchema } from "../src/record/schema.ts";

const BATCHES = 9;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Median over batches of `per` calls of `fn`, as calls per second. */
function rate(per: number, fn: (i: number) => void): number {
  const perCall: number[] = [];
  let i = 0;
  for (let b = 0; b < BATCHES; b++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < per; k++) fn(i++);
    perCall.push(Number(process.hrtime.bigint() - t0) / 1e9 / per);
  }
  return 1 / median(perCall);
}

export interface JournalBench {
  readonly progressPerSecond: number;
  readonly progressFullSyncPerSecond: number;
  readonly jobsPerSecond: number;
}

export function benchJournal(dir = "data"): JournalBench {
  mkdirSync(dir, { recursive: true });
  const folder = mkdtempSync(join(resolve(dir), "bench-journal-"));
  const path = join(folder, "journal.db");
  try {
    const journal = new Journal({ path });
    journal.open();
    const record = MarkingRecordSchema.parse({
      serial: "B0",
      manufacturer: "Forjas Querétaro S.A.",
      place: { city: "Querétaro", country: { code: "MX", name: "México" } },
      caliber: "9×19 mm",
    });
    const job = (serial: string) => ({
      record: { ...record, serial },
      profile: { id: "bench", hash: "0".repeat(64) },
      stationId: "bench",
      program: { hash: "1".repeat(64), lines: 5000, strikes: 20000 },
      technician: "bench",
    });

    const { id } = journal.createJob(job("PROGRESS"));
    journal.startJob(id);
    const progressPerSecond = rate(500, (i) => journal.progress(id, { ackedLine: i, executedLine: i, strikesDone: 4 * i }));
    journal.close();

    // the rejected alternative: the same statement on a connection that fsyncs every commit
    const full = new Database(path);
    full.pragma("synchronous = FULL");
    const update = full.prepare("UPDATE jobs SET last_acked_line = ?, last_executed_line = ?, strikes_done = ? WHERE id = ?");
    const progressFullSyncPerSecond = rate(50, (i) => update.run(i, i, 4 * i, id));
    full.close();

    journal.open();
    const jobsPerSecond = rate(10, (i) => {
      const j = journal.createJob(job(`J${i}`));
      journal.startJob(j.id);
      journal.endJob(j.id, { outcome: "completed" });
    });
    journal.close();
    return { progressPerSecond, progressFullSyncPerSecond, jobsPerSecond };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchJournal(process.argv[2]);
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  console.log(`progress updates/s (WAL, synchronous=NORMAL, what the journal does): ${n(r.progressPerSecond)}`);
  console.log(`progress updates/s (WAL, synchronous=FULL, rejected):                ${n(r.progressFullSyncPerSecond)}`);
  console.log(`whole jobs/s (create + start + end, each fsynced):                   ${n(r.jobsPerSecond)}`);
}
