import type { FastifyInstance } from "fastify";
import type { SimFaultSpec } from "../../firmware-bridge/worker/messages.ts";
import type { SimFaults } from "../../firmware-bridge/sim/head.ts";
import type { Station } from "../../src/profile/station.ts";
import type { Tokens } from "../../src/config.ts";
import type { JobView } from "../../src/job/view.ts";
import { buildServer } from "../../src/server/app.ts";
import { join } from "node:path";
import { SqliteEngine } from "../../src/journal/engine.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { PG_URL, pgSchema } from "../journal/engines.ts";
import type { Journal } from "../../src/journal/journal.ts";
import { MARKED_AT, benchStation, exampleRecord, simHead, tempDir, waitFor } from "../job/helpers.ts";

/**
 * The service on the in-process simulated head (fast time), with a fresh data dir; its journal
 * the SQLite file there, or (`engine: "postgres"`) a fresh schema on PEENMARK_TEST_PG's server.
 */
export async function service(opts: { tokens?: Tokens; webDir?: string; simFaults?: SimFaultSpec; inProcessFaults?: SimFaults; station?: Station; simSpeed?: number; dataDir?: string; engine?: "sqlite" | "postgres" } = {}) {
  const station = opts.station ?? benchStation();
  const head = await simHead(station, opts.simSpeed, undefined, opts.simFaults, opts.inProcessFaults);
  const tmp = opts.dataDir ? { dir: opts.dataDir, cleanup: () => undefined } : tempDir("peenmark-server-");
  const registry = opts.engine === "postgres" ? await pgSchema() : undefined;
  const app: FastifyInstance = await buildServer({
    ...(registry ? { journal: new PgJournal({ url: PG_URL!, schema: registry.schema, stationId: station.id, reconnectMs: 2_000, sideFile: join(tmp.dir, `registry-${station.id}`) }) } : {}),
    dataDir: tmp.dir,
    station,
    head,
    logger: false,
    clock: () => MARKED_AT,
    progressEveryMs: 20,
    ...(opts.tokens ? { tokens: opts.tokens } : {}),
    ...(opts.webDir ? { webDir: opts.webDir } : {}),
  });
  return {
    app,
    head,
    dir: tmp.dir,
    /** The SQLite journal itself (synchronous), for reading what the service wrote (SQLite only). */
    get journal(): Journal {
      return sqliteOf(app);
    },
    runner: app.peenmark.runner,
    async close() {
      await app.close();
      await registry?.drop();
      tmp.cleanup();
    },
  };
}

/** The station's SQLite journal (a `SqliteEngine`'s `Journal`), read synchronously by tests. */
export function sqliteOf(app: FastifyInstance): Journal {
  const e = app.peenmark.journal;
  if (!(e instanceof SqliteEngine)) throw new Error(`the service runs on ${e.kind}, not SQLite`);
  return e.journal;
}

export function jobBody(over: { serial?: string; profileId?: string; remark?: unknown; record?: unknown } = {}) {
  const profileId = over.profileId ?? "us-receiver";
  const record = over.record ?? { ...exampleRecord(profileId), ...(over.serial ? { serial: over.serial } : {}) };
  return { profileId, record, technician: "Ana Núñez", ...(over.remark ? { remark: over.remark } : {}) };
}

/** Wait for a job event from the service's runner. */
export function jobEvent(app: FastifyInstance, test: (v: JobView) => boolean, ms?: number): Promise<JobView> {
  return waitFor<JobView>(app.peenmark.runner, test, ms);
}

export const ENDED = ["completed", "aborted", "interrupted", "failed"];
