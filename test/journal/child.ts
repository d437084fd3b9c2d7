/**
 * A second process on the same journal (an SQLite file, or the PostgreSQL registry when
 * TARGET is a postgres:// URL; then $CHILD_SCHEMA and $CHILD_STATION say where and who),
 * driven by the tests:
 *   mark TARGET handshake|free [sent]  create, start, then record progress (with sent: the line sent, 4 past the last executed); print "committed N" after each commit
 *                                (handshake: wait for one byte on stdin before the next step)
 *   reserve TARGET SERIES COUNT  print "ready", wait for one byte on stdin, reserve COUNT numbers, mark each (every 4th left interrupted); print JSON per number
 *   create TARGET SERIAL         print "ready", wait for one byte on stdin, then try to write a job for SERIAL; print the result
 */
import { readSync, writeSync } from "node:fs";
import { PeenmarkError } from "../../src/errors.ts";
import { type JournalEngine, SqliteEngine } from "../../src/journal/engine.ts";
import { Journal } from "../../src/journal/journal.ts";
import { isPostgresUrl } from "../../src/journal/open-journal.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { newJob, record } from "./helpers.ts";

const [mode, target, ...args] = process.argv.slice(2);
const station = process.env.CHILD_STATION || "bench-1";
const journal: JournalEngine = isPostgresUrl(target ?? "")
  ? new PgJournal({ url: target!, stationId: station, ...(process.env.CHILD_SCHEMA ? { schema: process.env.CHILD_SCHEMA } : {}) })
  : new SqliteEngine(new Journal({ path: target ?? "" }));
await journal.open();
// writeSync: each line is in the pipe before the next commit, so what the parent reads after a
// kill -9 is every report the child made (process.stdout buffers in memory when the pipe is full).
// The pipe is non-blocking: when the parent reads slower than "free" commits, a write gets
// EAGAIN; wait (Atomics.wait sleeps without spinning) and write the rest.
const pause = new Int32Array(new SharedArrayBuffer(4));
const say = (line: string) => {
  let rest = Buffer.from(`${line}\n`);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(1, rest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
};
const waitForParent = () => readSync(0, Buffer.alloc(1));

if (mode === "mark") {
  const handshake = args[0] === "handshake";
  // "sent": the streamer is 4 lines ahead of the controller's last confirmed one, as at a real head.
  const ahead = args[1] === "sent" ? 4 : undefined;
  const { id } = await journal.createJob(newJob({ stationId: station }));
  await journal.startJob(id);
  say(`job ${id}`);
  for (let i = 1; i < 1_000_000; i++) {
    await journal.progress(id, { ackedLine: i, executedLine: i - 1, strikesDone: 3 * i, ...(ahead === undefined ? {} : { sentLine: i - 1 + ahead }) });
    say(`committed ${i}`);
    if (handshake) waitForParent();
  }
} else if (mode === "reserve") {
  const [seriesId, count] = args;
  say("ready");
  waitForParent();
  for (let k = 0; k < Number(count); k++) {
    const n = await journal.reserveNext(seriesId ?? "", new Date("2026-06-01T00:00:00Z"));
    const job = await journal.createJob({ ...newJob({ stationId: station }), record: record({ serial: n.serial }), seriesNumber: { seriesId: n.seriesId, number: n.number } });
    await journal.startJob(job.id);
    const outcome = n.number % 4 === 0 ? "interrupted" : "completed";
    await journal.endJob(job.id, { outcome });
    say(JSON.stringify({ number: n.number, serial: n.serial, jobId: job.id, outcome, pid: process.pid }));
  }
} else if (mode === "create") {
  say("ready");
  waitForParent();
  try {
    const job = await journal.createJob(newJob({ serial: args[0] ?? "", stationId: station }));
    say(`ok ${job.id}`);
  } catch (e) {
    if (!(e instanceof PeenmarkError)) throw e;
    say(`refused ${e.code}`);
  }
}
await journal.close();
