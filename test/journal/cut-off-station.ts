/**
 * One station on the registry through a CutOffJournal (src/journal/cut-off.ts), for
 * `npm run bench -- registry --outage 30`: it writes jobs as the runner does, at journal level
 * (no head), while the registry may be stopped under it, and reports each confirmed step as
 * one JSON line:
 *
 *   cut-off-station URL SCHEMA STATION COUNT SEED POOL OUTBOX_DIR PAUSE_MS
 *
 * Even jobs draw the next number of series "shared" (from the registry, or from this station's
 * lease while cut off); odd jobs type a serial "FREE<n>" from POOL serials (refused while cut
 * off). When it has tried COUNT jobs it waits until its outbox is empty (everything it marked
 * cut off is in the registry), then says done.
 *
 * Lines: {"e":"open"} {"e":"reserved","number","serial","offline"} {"e":"completed","id","serial","offline"}
 *        {"e":"refused","serial","code"} {"e":"uploaded","n"} {"e":"done","waiting"}
 */
import { join } from "node:path";
import { PeenmarkError } from "../../src/errors.ts";
import { CutOffJournal } from "../../src/journal/cut-off.ts";
import { Outbox } from "../../src/journal/outbox.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { mulberry32 } from "../../src/random.ts";
import { newJob, record } from "./helpers.ts";

const [url, schema, station, countText, seedText, poolText, outboxDir, pauseText] = process.argv.slice(2);
const count = Number(countText);
const pool = Number(poolText);
const pauseMs = Number(pauseText);

const random = mulberry32(Number(seedText));
const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const registry = new PgJournal({ url: url!, stationId: station!, ...(schema && schema !== "-" ? { schema } : {}), reconnectMs: 1_000, queryTimeoutMs: 1_500 });
const journal = new CutOffJournal(registry, new Outbox(join(outboxDir!, `outbox-${station}.db`), station!), { probeMs: 500 });
journal.on("uploaded", (u) => say({ e: "uploaded", n: u.uploaded, conflicts: u.conflicts.length }));
await journal.open();
say({ e: "open", cutOff: journal.cutOff });

const NOW = new Date("2026-06-01T00:00:00Z");
for (let k = 0; k < count; k++) {
  await sleep(pauseMs);
  try {
    let job;
    if (k % 2 === 0) {
      const n = await journal.reserveNext("shared", NOW);
      const offline = journal.outbox.keyOf("shared", n.number) !== undefined;
      say({ e: "reserved", number: n.number, serial: n.serial, offline });
      job = await journal.createJob({ ...newJob({ stationId: station! }), record: record({ serial: n.serial }), seriesNumber: { seriesId: "shared", number: n.number } });
    } else {
      const serial = `FREE${Math.floor(random() * pool)}`;
      const typed = newJob({ serial, stationId: station! });
      await journal.checkSerial(typed);
      job = await journal.createJob(typed);
    }
    await journal.startJob(job.id);
    // As the runner's writer: progress never waits (a write that cannot be made now is skipped,
    // the next one carries it); the outcome is written as soon as the registry takes it.
    for (let p = 1; p <= 4; p++) await journal.progress(job.id, { ackedLine: p * 10, executedLine: p * 10 - 2, strikesDone: p * 40 }, { wait: false }).catch(() => undefined);
    const end = { outcome: "completed" as const, progress: { ackedLine: 120, executedLine: 120, strikesDone: 480 } };
    let late = false;
    for (const giveUp = Date.now() + 120_000; ; ) {
      try {
        await journal.endJob(job.id, end);
        break;
      } catch (e) {
        if (!(e instanceof PeenmarkError) || e.code !== "E_REGISTRY_UNREACHABLE" || Date.now() > giveUp) throw e;
        late = true;
        await sleep(500);
      }
    }
    say({ e: "completed", id: job.id, serial: job.serial, offline: job.id < 0, late });
  } catch (e) {
    if (!(e instanceof PeenmarkError)) throw e;
    say({ e: "refused", code: e.code, message: e.message });
  }
}
// Everything marked while cut off must reach the registry before the station stops.
const until = Date.now() + 120_000;
while (journal.state().waiting > 0 && Date.now() < until) {
  await journal.probe().catch(() => false);
  await sleep(250);
}
say({ e: "done", waiting: journal.state().waiting });
await journal.close();
