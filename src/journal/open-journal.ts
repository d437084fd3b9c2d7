import { join } from "node:path";
import { SqliteEngine, type JournalEngine } from "./engine.ts";
import { Journal } from "./journal.ts";
import { CutOffJournal } from "./cut-off.ts";
import { Outbox } from "./outbox.ts";
import { PgJournal } from "./pg-journal.ts";

/**
 * Which journal a station or command uses, from its configuration:
 *   --journal postgres://user@host/db   (or $PEENMARK_JOURNAL)  the shared PostgreSQL registry
 *   --journal FILE                       (or $PEENMARK_JOURNAL)  an SQLite file
 *   neither                                                        DATA_DIR/peenmark.db, SQLite (one bench, no configuration)
 * The flag wins over the environment. A URL is `postgres://` or `postgresql://`; every other
 * value is a file path. The engine is returned unopened: call `open()` (and await it).
 */
export interface JournalChoice {
  /** `--journal`: a PostgreSQL URL or an SQLite file. */
  readonly journal?: string | undefined;
  /** The data dir, whose `peenmark.db` is the default. */
  readonly dataDir: string;
  /**
   * The station's id: on the registry, open() interrupts only this station's jobs whose process
   * is gone. A station passes it; a command that is not a station (a trace query) leaves it out
   * and interrupts nothing.
   */
  readonly stationId?: string | undefined;
  readonly clock?: () => Date;
  readonly env?: NodeJS.ProcessEnv;
}

export const isPostgresUrl = (s: string): boolean => /^postgres(ql)?:\/\//i.test(s);

export function chooseJournal(choice: JournalChoice): JournalEngine {
  const env = choice.env ?? process.env;
  const given = choice.journal ?? (env.PEENMARK_JOURNAL || undefined);
  if (given !== undefined && isPostgresUrl(given)) {
    // A station keeps what the registry could not take in its data dir (side-file.ts).
    const sideFile = choice.stationId === undefined ? undefined : join(choice.dataDir, `registry-${choice.stationId}`);
    const registry = new PgJournal({ url: given, stationId: choice.stationId, ...(sideFile ? { sideFile } : {}), ...(choice.clock ? { clock: choice.clock } : {}) });
    if (choice.stationId === undefined) return registry;
    // A station marks on from its leases while the registry cannot be reached (cut-off.ts).
    const outbox = new Outbox(join(choice.dataDir, `outbox-${choice.stationId}.db`), choice.stationId, choice.clock ? { clock: choice.clock } : {});
    return new CutOffJournal(registry, outbox, choice.clock ? { clock: choice.clock } : {});
  }
  const path = given ?? join(choice.dataDir, "peenmark.db");
  return new SqliteEngine(new Journal({ path, ...(choice.clock ? { clock: choice.clock } : {}) }));
}
