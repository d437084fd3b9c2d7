import type { SimFaultSpec } from "../../firmware-bridge/worker/messages.ts";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fontNames } from "../../src/fonts/font.ts";
import type { SimFaults } from "../../firmware-bridge/sim/head.ts";
import { Head } from "../../src/job/head.ts";
import { JobRunner } from "../../src/job/runner.ts";
import { type JournalEngine, SqliteEngine } from "../../src/journal/engine.ts";
import { Journal } from "../../src/journal/journal.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { PG_URL, pgSchema } from "../journal/engines.ts";
import { loadProfile, loadStation } from "../../src/profile/load.ts";
import type { Station } from "../../src/profile/station.ts";

export const ROOT = join(import.meta.dirname, "..", "..");
/** Templates with {date.*} mark this day: tests compare programs, so the clock is fixed. */
export const MARKED_AT = new Date("2026-11-23T12:00:00Z");

export function benchStation(): Station {
  return loadStation(join(ROOT, "stations", "bench.json"));
}

export function exampleProfile(id: string) {
  return loadProfile(join(ROOT, "profiles", `${id}.json`), { fonts: fontNames() });
}

/** The example record that goes with a profile, as a client would send it (unparsed JSON). */
export function exampleRecord(id: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, "examples", "records", `${id}.json`), "utf8")) as Record<string, unknown>;
}

export function tempDir(prefix = "peenmark-job-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Virtual seconds per real second for tests: a 40 s job takes a few seconds. */
export const TEST_SPEED = 20;

/**
 * The simulated head in the streaming worker, TEST_SPEED times real time unless told
 * otherwise; `inProcessFaults` (faults written as functions) puts it and the Controller in
 * this process instead.
 */
export function simHead(station = benchStation(), simSpeed = TEST_SPEED, simSettings?: Record<number, number>, simFaults?: SimFaultSpec, inProcessFaults?: SimFaults): Promise<Head> {
  return Head.open({ station, simSpeed, ...(simSettings ? { simSettings } : {}), ...(simFaults ? { simFaults } : {}), ...(inProcessFaults ? { inProcess: { simFaults: inProcessFaults } } : {}) });
}

/**
 * A runner on the simulated head and a fresh journal: the SQLite file of a temporary data dir
 * (`journal`, the synchronous Journal, and `engine`, the same behind the async interface), or
 * with `engine: "postgres"` a fresh schema on PEENMARK_TEST_PG's server (`engine` only).
 */
export async function runnerOnSim(opts: { simSpeed?: number; simSettings?: Record<number, number>; simFaults?: SimFaultSpec; inProcessFaults?: SimFaults; engine?: "sqlite" | "postgres" } = {}) {
  const station = benchStation();
  const head = await simHead(station, opts.simSpeed ?? TEST_SPEED, opts.simSettings, opts.simFaults, opts.inProcessFaults);
  const tmp = tempDir();
  const registry = opts.engine === "postgres" ? await pgSchema() : undefined;
  const sqlite = registry ? undefined : new Journal({ path: join(tmp.dir, "peenmark.db") });
  const engine: JournalEngine = registry
    ? new PgJournal({ url: PG_URL!, schema: registry.schema, stationId: station.id, reconnectMs: 2_000, sideFile: join(tmp.dir, `registry-${station.id}`) })
    : new SqliteEngine(sqlite!);
  await engine.open();
  const runner = new JobRunner({ journal: engine, head, station, clock: () => MARKED_AT, progressEveryMs: 20 });
  return {
    station,
    head,
    get journal(): Journal {
      if (!sqlite) throw new Error("this runner's journal is the registry: use `engine`");
      return sqlite;
    },
    engine,
    runner,
    dir: tmp.dir,
    async close() {
      await runner.close();
      await engine.close();
      await head.close();
      await registry?.drop();
      tmp.cleanup();
    },
  };
}

/** Resolves when `test` passes on a job event (or rejects after `ms` of real time). */
export function waitFor<T>(emitter: { on(e: "job", f: (v: T) => void): unknown; off(e: "job", f: (v: T) => void): unknown }, test: (v: T) => boolean, ms = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off("job", on);
      reject(new Error(`no job event passed the test within ${ms} ms`));
    }, ms);
    const on = (v: T) => {
      if (!test(v)) return;
      clearTimeout(timer);
      emitter.off("job", on);
      resolve(v);
    };
    emitter.on("job", on);
  });
}
