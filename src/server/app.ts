import { EventEmitter } from "node:events";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Tokens } from "../config.ts";
import type { Head } from "../job/head.ts";
import { JobRunner } from "../job/runner.ts";
import type { JournalEngine } from "../journal/engine.ts";
import type { JobRow } from "../journal/journal.ts";
import { chooseJournal } from "../journal/open-journal.ts";
import type { Station } from "../profile/station.ts";
import type { ServiceContext } from "./context.ts";
import { PeenmarkError } from "../errors.ts";
import { baseApp } from "./base.ts";
import { eventRoutes } from "./events.ts";
import { ProfileStore } from "./profiles.ts";
import { jobRoutes } from "./routes-jobs.ts";
import { journalRoutes } from "./routes-journal.ts";
import { profileRoutes } from "./routes-profiles.ts";
import { seriesRoutes } from "./routes-series.ts";
import { stationRoutes } from "./routes-station.ts";
import { staticRoutes } from "./static.ts";
import { CompilePool } from "./compile-pool.ts";
import { registerApiDoc } from "./api-doc.ts";
import { PACKAGE_ROOT, PACKAGE_VERSION } from "../paths.ts";

/**
 * The station service: one fastify app over one head, one journal and the profiles.
 * `buildServer` opens the journal — the SQLite file in the data dir, or the PostgreSQL
 * registry many stations share (`journal`: open-journal.ts) — which turns this station's jobs
 * a dead service left `marking` into `interrupted` (nothing resumes by itself), builds the
 * runner and every route of the HTTP API (docs/OPERATIONS.md). Testable with `app.inject`;
 * `peenmark station` listens.
 * Closing the app aborts a job under way, then closes the journal and (unless told not to) the head.
 */

/** One token per role: a technician's token that is also the operator's makes every technician an operator. */
export function checkTokens(tokens: Tokens): void {
  if (tokens.technician !== undefined && tokens.technician === tokens.operator)
    throw new PeenmarkError("E_USAGE", "the technician's and the operator's tokens are the same: a technician would be an operator; give each role its own token (openssl rand -hex 16)", { where: "tokens" });
}

export interface ServerOptions {
  /** Journal (peenmark.db), published profiles, config; the registry's side file. */
  readonly dataDir: string;
  /**
   * The journal: a PostgreSQL URL (the registry), an SQLite file, or an engine not yet opened
   * (tests: a registry schema of their own). Default DATA_DIR/peenmark.db; `peenmark station`
   * passes --journal or $PEENMARK_JOURNAL.
   */
  readonly journal?: string | JournalEngine;
  readonly station: Station;
  /** An open head; the app closes it on close unless `keepHead`. */
  readonly head: Head;
  readonly tokens?: Tokens;
  /** pino logger, or false for none (tests). */
  readonly logger?: Logger | false;
  /** The repository's profiles (version 1 of each id). */
  readonly profilesDir?: string;
  /** The technician's page. */
  readonly webDir?: string;
  readonly keepHead?: boolean;
  /** The time of marking; the wall clock unless a test fixes it. */
  readonly clock?: () => Date;
  /** Least time between progress writes to the journal, ms. */
  readonly progressEveryMs?: number;
  /** Names this station is reached by besides loopback and its own addresses (config.json `hostNames`). */
  readonly hostNames?: readonly string[];
}

export interface Peenmark extends ServiceContext {
  /** Jobs this start found interrupted (the journal was left mid-mark by a dead service). */
  readonly interruptedAtOpen: readonly JobRow[];
  /** Problems every page should hear of (sent as SSE `error` events); not named "error", which EventEmitter throws when nobody listens. */
  readonly alerts: EventEmitter<{ alert: [{ code: string; message: string }] }>;
}

declare module "fastify" {
  interface FastifyInstance {
    peenmark: Peenmark;
  }
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  checkTokens(opts.tokens ?? {});
  const journal =
    typeof opts.journal === "object" ? opts.journal : chooseJournal({ journal: opts.journal, dataDir: opts.dataDir, stationId: opts.station.id, env: {} });
  // A registry that cannot be reached now refuses the start (E_REGISTRY_UNREACHABLE, naming it):
  // without it no serial can be checked, so the station does not offer to mark.
  const interruptedAtOpen = await journal.open();
  const runner = new JobRunner({
    journal,
    head: opts.head,
    station: opts.station,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.progressEveryMs === undefined ? {} : { progressEveryMs: opts.progressEveryMs }),
  });
  const clock = opts.clock ?? (() => new Date());
  const profiles = new ProfileStore({ builtinDir: opts.profilesDir ?? join(PACKAGE_ROOT, "profiles"), dataDir: opts.dataDir, station: opts.station, clock });
  const alerts = new EventEmitter<{ alert: [{ code: string; message: string }] }>();
  const compiler = new CompilePool();
  const peenmark: Peenmark = { station: opts.station, runner, journal, profiles, tokens: opts.tokens ?? {}, clock, interruptedAtOpen, alerts, compiler };

  const app = await baseApp({ logger: opts.logger ?? false, hostNames: opts.hostNames ?? [] });
  app.decorate("peenmark", peenmark);
  await registerApiDoc(app, PACKAGE_VERSION);

  for (const j of interruptedAtOpen)
    app.log.warn({ job: j.id, serial: j.serial, executedLine: j.progress.executedLine, lines: j.program.lines, strikesDone: j.progress.strikesDone, note: j.note }, "job interrupted by the last stop: re-home and re-mark or release it");

  // A job that ends badly is news for every page, not only the one that started it.
  runner.on("job", (v) => {
    if (v.state === "failed" || v.state === "interrupted") alerts.emit("alert", { code: v.outcome?.code ?? "E_CONTROLLER", message: `job ${v.id} (${v.serial}) ${v.state}: ${v.outcome?.message ?? ""}` });
  });
  opts.head.on("controller", (c) => {
    if (!c.connected) app.log.warn({ port: c.port, message: c.message }, "head disconnected");
  });

  profileRoutes(app, peenmark);
  jobRoutes(app, peenmark);
  stationRoutes(app, peenmark);
  journalRoutes(app, peenmark);
  seriesRoutes(app, peenmark);
  eventRoutes(app, peenmark);
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await staticRoutes(app, opts.webDir ?? join(PACKAGE_ROOT, "src", "web"));

  app.addHook("onClose", async () => {
    await compiler.close();
    await runner.close();
    await journal.close();
    if (!opts.keepHead) await opts.head.close();
  });
  return app;
}

