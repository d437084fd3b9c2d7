/**
 * A second process on the same journal file, driven by the tests:
 *   mark PATH handshake|free   create, start, then record progress; print "committed N" after each commit
 *                              (handshake: wait for one byte on stdin before the next step)
 *   reserve PATH SERIES COUNT  print "ready", wait for one byte on stdin, reserve COUNT numbers, mark each (every 4th left interrupted); print JSON per number
 *   create PATH SERIAL         print "ready", wait for one byte on stdin, then try to write a job for SERIAL; print the result
 */
import { readSync, writeSync } from "node:fs";
import { PeenmarkError } from "../../src/errors.ts";
import { Journal } from "../../src/journal/journal.ts";
import { newJob, record } from "./helpers.ts";

const [mode, path, ...args] = process.argv.slice(2);
const journal = new Journal({ path: path ?? "" });
journal.open();
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
  const { id } = journal.createJob(newJob());
  journal.startJob(id);
  say(`job ${id}`);
  for (let i = 1; i < 1_000_000; i++) {
    journal.progress(id, { ackedLine: i, executedLine: i - 1, strikesDone: 3 * i });
    say(`committed ${i}`);
    if (handshake) waitForParent();
  }
} else if (mode === "reserve") {
  const [seriesId, count] = args;
  say("ready");
  waitForParent();
  for (let k = 0; k < Number(count); k++) {
    const n = journal.reserveNext(seriesId ?? "", new Date("2026-06-01T00:00:00Z"));
    const job = journal.createJob({ ...newJob(), record: record({ serial: n.serial }), seriesNumber: { seriesId: n.seriesId, number: n.number } });
    journal.startJob(job.id);
    const outcome = n.number % 4 === 0 ? "interrupted" : "completed";
    journal.endJob(job.id, { outcome });
    say(JSON.stringify({ number: n.number, serial: n.serial, jobId: job.id, outcome, pid: process.pid }));
  }
} else if (mode === "create") {
  say("ready");
  waitForParent();
  try {
    const job = journal.createJob(newJob({ serial: args[0] ?? "" }));
    say(`ok ${job.id}`);
  } catch (e) {
    if (!(e instanceof PeenmarkError)) throw e;
    say(`refused ${e.code}`);
  }
}
journal.close();
