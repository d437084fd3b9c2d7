/**
 * One marking station on the shared PostgreSQL registry with its simulated head, for
 * `npm run bench -- registry --heads`: the job runner itself (compile, serial check and
 * reservation in the registry, controller check, homing, streaming to the simulated GRBL head
 * in its worker at SPEED × real time, outcome), marking the slide-5x7 profile. Same arguments,
 * start handshake and lines as station.ts, so registry-race.ts drives and checks it the same:
 *
 *   head-station URL SCHEMA STATION COUNT SEED POOL wait|go
 *
 * Even jobs draw from series "shared", odd jobs type "FREE<n>" from POOL serials. A "reserved"
 * line's waitMs is the start's whole wait (serial check, reservation, compile, job row).
 */
import { readSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { isPeenmarkError } from "../../src/errors.ts";
import { Head } from "../../src/job/head.ts";
import { JobRunner } from "../../src/job/runner.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { mulberry32 } from "../../src/random.ts";
import { benchStation, exampleProfile, exampleRecord, MARKED_AT, tempDir } from "../job/helpers.ts";

const [url, schema, stationId, countText, seedText, poolText, start] = process.argv.slice(2);
const count = Number(countText);
const pool = Number(poolText);
const speed = Number(process.env.HEAD_STATION_SPEED ?? 200);

const random = mulberry32(Number(seedText));
const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

const station = { ...benchStation(), id: stationId! };
const tmp = tempDir("peenmark-head-station-");
const journal = new PgJournal({ url: url!, stationId: stationId!, ...(schema && schema !== "-" ? { schema } : {}), reconnectMs: 60_000, sideFile: join(tmp.dir, `registry-${stationId}`) });
const interrupted = await journal.open();
say({ e: "open", interrupted: interrupted.map((j) => j.id) });
const head = await Head.open({ station, simSpeed: speed });
const runner = new JobRunner({ journal, head, station, clock: () => MARKED_AT });
const profile = exampleProfile("slide-5x7");
const base = exampleRecord("slide-5x7");
if (start === "wait") {
  say({ e: "ready" });
  readSync(0, Buffer.alloc(1));
}

for (let k = 0; k < count; k++) {
  const fromSeries = k % 2 === 0;
  const serial = fromSeries ? undefined : `FREE${Math.floor(random() * pool)}`;
  const record: Record<string, unknown> = { ...base };
  if (serial === undefined) delete record.serial;
  else record.serial = serial;
  const t0 = performance.now();
  try {
    const started = await runner.start({ profile, record, technician: "Bench", ...(fromSeries ? { series: "shared" } : {}) });
    const job = started.job;
    if (fromSeries) say({ e: "reserved", number: job.series?.number, serial: job.serial, waitMs: performance.now() - t0 });
    say({ e: "created", id: job.id, serial: job.serial });
    say({ e: "started", id: job.id });
    const ended = await started.done;
    if (ended.state === "completed") say({ e: "completed", id: ended.id, serial: ended.serial });
    else say({ e: "ended", id: ended.id, state: ended.state, message: ended.outcome?.message });
  } catch (e) {
    if (!isPeenmarkError(e)) throw e;
    say({ e: "refused", serial: serial ?? "(series)", code: e.code, message: e.message });
  }
}
say({ e: "done" });
await runner.close();
await journal.close();
await head.close();
tmp.cleanup();
