import type Database from "better-sqlite3";
import { PeenmarkError } from "../errors.ts";

/**
 * The journal's schema, as an ordered list of steps. `PRAGMA user_version` holds how many
 * have run; opening a journal runs the missing ones in order, each in its own transaction,
 * so a journal written by any older peenmark opens with the current code. Never edit a
 * step that has shipped: add the next one.
 */
export type Migration = { readonly summary: string; readonly up: (db: Database.Database) => void };

export const MIGRATIONS: readonly Migration[] = [
  {
    summary: "jobs: the record, the trace fields as columns, program identity, progress and outcome",
    up: (db) => {
      db.exec(`
        CREATE TABLE jobs (
          id                       INTEGER PRIMARY KEY AUTOINCREMENT,
          outcome                  TEXT NOT NULL CHECK (outcome IN ('pending','marking','completed','aborted','interrupted','failed')),
          record_json              TEXT NOT NULL,
          -- serials are compared without ASCII case: "ab123" and "AB123" are one serial on metal
          serial                   TEXT NOT NULL COLLATE NOCASE,
          licence_prefix           TEXT,
          manufacturer             TEXT NOT NULL COLLATE NOCASE,
          place_city               TEXT NOT NULL,
          place_state              TEXT,
          place_country_code       TEXT NOT NULL,
          place_country_name       TEXT NOT NULL,
          model                    TEXT,
          caliber                  TEXT NOT NULL,
          import_importer          TEXT,
          import_city              TEXT,
          import_state             TEXT,
          import_country_code      TEXT,
          import_country_name      TEXT,
          import_year              INTEGER,
          state_stock_agency       TEXT,
          state_stock_country_code TEXT,
          state_stock_country_name TEXT,
          state_stock_year         INTEGER,
          profile_id               TEXT NOT NULL,
          profile_hash             TEXT NOT NULL,
          station_id               TEXT NOT NULL,
          program_hash             TEXT NOT NULL,
          program_lines            INTEGER NOT NULL,
          strike_count             INTEGER NOT NULL,
          technician               TEXT NOT NULL,
          created_at               TEXT NOT NULL,
          started_at               TEXT,
          ended_at                 TEXT,
          last_acked_line          INTEGER NOT NULL DEFAULT 0,
          last_executed_line       INTEGER NOT NULL DEFAULT 0,
          strikes_done             INTEGER NOT NULL DEFAULT 0,
          error_code               TEXT,
          error_text               TEXT,
          note                     TEXT,
          remark_of                INTEGER REFERENCES jobs(id),
          remark_reason            TEXT,
          remark_authorised_by     TEXT
        );
        CREATE INDEX jobs_serial ON jobs(serial);
        CREATE INDEX jobs_outcome ON jobs(outcome);
        CREATE INDEX jobs_created ON jobs(created_at);
      `);
    },
  },
  {
    summary: "serial releases and the marking process on jobs, serial-number series and their numbers, the operators' event log",
    up: (db) => {
      db.exec(`
        ALTER TABLE jobs ADD COLUMN released_at TEXT;
        ALTER TABLE jobs ADD COLUMN released_by TEXT;
        ALTER TABLE jobs ADD COLUMN release_reason TEXT;
        -- the process marking the job ("host boot-id pid"): open() interrupts only jobs whose process is gone
        ALTER TABLE jobs ADD COLUMN owner TEXT;
        CREATE INDEX jobs_remark_of ON jobs(remark_of);

        CREATE TABLE series (
          id             TEXT PRIMARY KEY,
          pattern        TEXT NOT NULL,
          licence_prefix TEXT,
          start          INTEGER NOT NULL,
          end            INTEGER NOT NULL,
          step           INTEGER NOT NULL,
          -- the next number never handed out; every number from start below it has a row
          next_number    INTEGER NOT NULL,
          created_at     TEXT NOT NULL,
          created_by     TEXT NOT NULL,
          note           TEXT
        );
        CREATE TABLE series_numbers (
          series_id   TEXT NOT NULL REFERENCES series(id),
          number      INTEGER NOT NULL,
          serial      TEXT NOT NULL,
          state       TEXT NOT NULL CHECK (state IN ('reserved','committed','released','void')),
          job_id      INTEGER REFERENCES jobs(id),
          reserved_at TEXT NOT NULL,
          updated_at  TEXT NOT NULL,
          reason      TEXT,
          operator    TEXT,
          PRIMARY KEY (series_id, number)
        );
        CREATE INDEX series_numbers_job ON series_numbers(job_id);

        CREATE TABLE events (
          id        INTEGER PRIMARY KEY AUTOINCREMENT,
          at        TEXT NOT NULL,
          kind      TEXT NOT NULL,
          job_id    INTEGER,
          series_id TEXT,
          number    INTEGER,
          operator  TEXT,
          reason    TEXT
        );
      `);
    },
  },
  {
    summary: "identity keys of the serial, the maker and the licence form (record/identity.ts), indexed for the serial rule and find; the journal's own settings; the reason for a re-mark on the current profile version",
    up: (db) => {
      db.exec(`
        -- Filled by Journal.open() from record/identity.ts, and computed again whenever the
        -- identity's version (stored in settings) differs: a pure function of the record's text.
        ALTER TABLE jobs ADD COLUMN serial_key TEXT;
        ALTER TABLE jobs ADD COLUMN maker_key TEXT;
        -- the identity of "12345678-SERIAL" when the serial is in licence form (27 CFR 478.92(a)(1)(iv)), else NULL
        ALTER TABLE jobs ADD COLUMN licence_key TEXT;
        -- set when an operator chose the current profile version over the one the re-marked job used
        ALTER TABLE jobs ADD COLUMN remark_current_profile_reason TEXT;
        CREATE INDEX jobs_serial_key ON jobs(serial_key, maker_key);
        CREATE INDEX jobs_licence_key ON jobs(licence_key) WHERE licence_key IS NOT NULL;
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      `);
    },
  },
  {
    summary: "the last program line sent to the controller: after a crash, the lines between the last confirmed one and it may have run (the controller holds them)",
    up: (db) => {
      db.exec(`ALTER TABLE jobs ADD COLUMN last_sent_line INTEGER NOT NULL DEFAULT 0;`);
    },
  },
];

/** Runs every step the file has not seen yet; returns the version it now has. */
export function migrate(db: Database.Database, steps: readonly Migration[] = MIGRATIONS): number {
  const have = db.pragma("user_version", { simple: true }) as number;
  if (have > steps.length) {
    throw new PeenmarkError("E_JOURNAL", `the journal's schema version ${have} is newer than this peenmark knows (${steps.length}): update peenmark before opening it`, { details: { have, know: steps.length } });
  }
  for (let v = have; v < steps.length; v++) {
    const step = steps[v]!;
    db.transaction(() => {
      step.up(db);
      // user_version takes no bound parameter; v is our own integer
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
  return steps.length;
}
