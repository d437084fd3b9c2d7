/**
 * One marking station on the shared PostgreSQL registry, for the race test
 * (registry-race.test.ts) and `npm run bench -- registry`: it writes jobs as the runner does
 * (reserve a series number or take a typed serial → createJob → startJob → progress → endJob),
 * at journal level, with no head (the head's time is not what is measured), and reports every
 * step the registry confirmed as one JSON line, written before the next step begins:
 *
 *   station URL SCHEMA STATION COUNT SEED POOL wait|go
 *
 * Even jobs take the next number of series "shared"; odd jobs type a serial "FREE<n>" drawn
 * from POOL serials (seeded), so stations collide on purpose. "wait": print "ready" after
 * open and wait for one byte on stdin, so the parent starts every station at once.
 *
 * Lines: {"e":"open","interrupted":[ids]} {"e":"reserved","number","serial","waitMs"}
 *        {"e":"created","id","serial"} {"e":"started","id"} {"e":"completed","id","serial"}
 *        {"e":"refused","serial","code","message"} {"e":"done"}
 */
import { readSync, writeSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { PeenmarkError } from "../../src/errors.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { mulberry32 } from "../../src/random.ts";
import { newJob, record } from "./helpers.ts";

const [url, schema, station, countText, seedText, poolText, start] = process.argv.slice(2);
const count = Number(countText);
const pool = Number(poolText);
const progressSteps = Number(process.env.STATION_PROGRESS ?? 4);

const random = mulberry32(Number(seedText));

const pause = new Int32Array(new SharedArrayBuffer(4));
const say = (o: Record<string, unknown>) => {
  let rest = Buffer.from(`${JSON.stringify(o)}\n`);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(1, rest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
};

const journal = new PgJournal({ url: url!, stationId: station!, ...(schema && schema !== "-" ? { schema } : {}), reconnectMs: 60_000 });
const interrupted = await journal.open();
say({ e: "open", interrupted: interrupted.map((j) => j.id) });
if (start === "wait") {
  say({ e: "ready" });
  readSync(0, Buffer.alloc(1));
}

const NOW = new Date("2026-06-01T00:00:00Z");
for (let k = 0; k < count; k++) {
  let job;
  if (k % 2 === 0) {
    const t0 = performance.now();
    const n = await journal.reserveNext("shared", NOW);
    say({ e: "reserved", number: n.number, serial: n.serial, waitMs: performance.now() - t0 });
    job = await journal.createJob({ ...newJob({ stationId: station! }), record: record({ serial: n.serial }), seriesNumber: { seriesId: "shared", number: n.number } });
  } else {
    const serial = `FREE${Math.floor(random() * pool)}`;
    try {
      job = await journal.createJob(newJob({ serial, stationId: station! }));
    } catch (e) {
      if (!(e instanceof PeenmarkError)) throw e;
      say({ e: "refused", serial, code: e.code, message: e.message });
      continue;
    }
  }
  say({ e: "created", id: job.id, serial: job.serial });
  await journal.startJob(job.id);
  say({ e: "started", id: job.id });
  for (let p = 1; p <= progressSteps; p++) await journal.progress(job.id, { ackedLine: p * 10, executedLine: p * 10 - 2, strikesDone: p * 40 });
  await journal.endJob(job.id, { outcome: "completed", progress: { ackedLine: 120, executedLine: 120, strikesDone: 480 } });
  say({ e: "completed", id: job.id, serial: job.serial });
}
say({ e: "done" });
await journal.close();
