import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe } from "vitest";
import { type JournalEngine, SqliteEngine } from "../../src/journal/engine.ts";
import { Journal, type NewJob } from "../../src/journal/journal.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { steppingClock, tempJournalPath } from "./helpers.ts";
import { Child } from "./processes.ts";

/**
 * The journal's behaviours run against every engine through the one async interface
 * (src/journal/engine.ts): SQLite always; PostgreSQL when PEENMARK_TEST_PG holds a URL of a
 * database the tests may create schemas in (`.ci/run` makes one on loopback). Each test gets
 * a fresh SQLite file, or a fresh schema on the server, dropped afterwards.
 */
export const PG_URL = process.env.PEENMARK_TEST_PG || undefined;

let warned = false;
function warnSkipped(): void {
  if (warned || PG_URL) return;
  warned = true;
  console.warn("PEENMARK_TEST_PG is unset: the journal tests on PostgreSQL are skipped (set it to postgres://user:password@127.0.0.1:5432/db to run them)");
}

export interface OpenedEngine {
  readonly journal: JournalEngine;
  /** Another connection to the same journal (a second station, a restarted service), not yet opened. */
  another(options?: { stationId?: string; clock?: () => Date }): JournalEngine;
  /** A child process (child.ts) on the same journal: `child(["create", SERIAL])` runs `create TARGET SERIAL`. */
  child(args: readonly string[], station?: string): Child;
  /** Closes every engine made here and removes the file or the schema. */
  done(): Promise<void>;
}

export interface EngineCase {
  readonly name: "sqlite" | "postgres";
  readonly available: boolean;
  /** A fresh journal, opened, with this clock (default: one second per reading from 2026-11-23T10:00Z). */
  open(clock?: () => Date): Promise<OpenedEngine>;
}

const sqlite: EngineCase = {
  name: "sqlite",
  available: true,
  async open(clock = steppingClock()) {
    const tmp = tempJournalPath();
    const made: JournalEngine[] = [];
    const another = (o: { clock?: () => Date } = {}) => {
      const e = new SqliteEngine(new Journal({ path: tmp.path, clock: o.clock ?? clock }));
      made.push(e);
      return e;
    };
    const journal = another();
    await journal.open();
    return {
      journal,
      another,
      child: (args, station) => new Child([args[0]!, tmp.path, ...args.slice(1)], station ? { CHILD_STATION: station } : {}),
      async done() {
        for (const e of made) await e.close();
        tmp.cleanup();
      },
    };
  },
};

/** A new schema on the test server; dropped by `drop`. */
export async function pgSchema(url = PG_URL!): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return {
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

const postgres: EngineCase = {
  name: "postgres",
  available: PG_URL !== undefined,
  async open(clock = steppingClock()) {
    const { schema, drop } = await pgSchema();
    const made: JournalEngine[] = [];
    const another = (o: { stationId?: string; clock?: () => Date } = {}) => {
      const e = new PgJournal({ url: PG_URL!, schema, stationId: o.stationId ?? "bench-1", clock: o.clock ?? clock, reconnectMs: 2_000 });
      made.push(e);
      return e;
    };
    const journal = another();
    await journal.open();
    return {
      journal,
      another,
      child: (args, station) => new Child([args[0]!, PG_URL!, ...args.slice(1)], { CHILD_SCHEMA: schema, ...(station ? { CHILD_STATION: station } : {}) }),
      async done() {
        for (const e of made) if (e.isOpen) await e.close();
        await drop();
      },
    };
  },
};

export const ENGINES: readonly EngineCase[] = [sqlite, postgres];

/** `body` as one `describe` per engine ("on sqlite", "on postgres"); PostgreSQL's skipped, and said so, without PEENMARK_TEST_PG. */
export function forEachEngine(body: (engine: EngineCase) => void): void {
  warnSkipped();
  for (const e of ENGINES) describe.skipIf(!e.available)(`on ${e.name}`, () => body(e));
}

/** Runs a job to an outcome in one go (helpers.ts `markJob`, through the async interface). */
export async function mark(journal: JournalEngine, job: NewJob, outcome: "completed" | "aborted" | "interrupted" = "completed") {
  const created = await journal.createJob(job);
  await journal.startJob(created.id);
  await journal.progress(created.id, { ackedLine: 60, executedLine: 58, strikesDone: 200 });
  return journal.endJob(created.id, { outcome });
}

/** The PeenmarkError code (or the thrown value's message) of a call that must fail. */
export async function rejection(fn: () => unknown): Promise<{ code: string; message: string; where: string | undefined; details: Record<string, unknown> }> {
  try {
    await fn();
  } catch (e) {
    const err = e as { code?: string; message: string; where?: string; details?: Record<string, unknown> };
    return { code: err.code ?? "(no code)", message: err.message, where: err.where, details: err.details ?? {} };
  }
  throw new Error("expected a refusal, the call succeeded");
}
