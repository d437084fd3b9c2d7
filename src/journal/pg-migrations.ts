import type { PoolClient } from "pg";
import { PeenmarkError } from "../errors.ts";
import { confusableSql } from "./search.ts";

/**
 * The registry's schema on PostgreSQL, as an ordered list of steps (like migrations.ts for
 * SQLite; never edit a step that has shipped: add the next one). `peenmark_schema.version`
 * holds how many have run. The columns are the SQLite journal's, so one row mapping
 * (rows.ts) reads both; times are ISO 8601 UTC text as in SQLite, which sorts as it reads.
 *
 * Many stations open the same registry at once: the steps run in one transaction holding an
 * ACCESS EXCLUSIVE lock on `peenmark_schema`, so exactly one station migrates and the others
 * wait and then find the version current.
 */
export type PgMigration = { readonly summary: string; readonly sql: string | ((c: PoolClient) => Promise<void>) };

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    summary: "the journal of SQLite schema 3 (jobs, series, series numbers, events, settings), with the station on every job and indexes for the serial rule and trace searches",
    sql: `
      CREATE TABLE jobs (
        id                            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        outcome                       text NOT NULL CHECK (outcome IN ('pending','marking','completed','aborted','interrupted','failed')),
        record_json                   text NOT NULL,
        serial                        text NOT NULL,
        licence_prefix                text,
        manufacturer                  text NOT NULL,
        place_city                    text NOT NULL,
        place_state                   text,
        place_country_code            text NOT NULL,
        place_country_name            text NOT NULL,
        model                         text,
        caliber                       text NOT NULL,
        import_importer               text,
        import_city                   text,
        import_state                  text,
        import_country_code           text,
        import_country_name           text,
        import_year                   integer,
        state_stock_agency            text,
        state_stock_country_code      text,
        state_stock_country_name      text,
        state_stock_year              integer,
        profile_id                    text NOT NULL,
        profile_hash                  text NOT NULL,
        -- the station that wrote the job: every row of a shared registry says which one
        station_id                    text NOT NULL,
        program_hash                  text NOT NULL,
        program_lines                 integer NOT NULL,
        strike_count                  integer NOT NULL,
        technician                    text NOT NULL,
        created_at                    text NOT NULL,
        started_at                    text,
        ended_at                      text,
        last_acked_line               integer NOT NULL DEFAULT 0,
        last_executed_line            integer NOT NULL DEFAULT 0,
        strikes_done                  integer NOT NULL DEFAULT 0,
        error_code                    text,
        error_text                    text,
        note                          text,
        remark_of                     bigint REFERENCES jobs(id),
        remark_reason                 text,
        remark_authorised_by          text,
        released_at                   text,
        released_by                   text,
        release_reason                text,
        -- the process marking the job ("host boot-id pid start-time"), as in SQLite
        owner                         text,
        serial_key                    text NOT NULL,
        maker_key                     text NOT NULL,
        licence_key                   text,
        remark_current_profile_reason text,
        -- a key the writing station chose for this write: a write retried after the link
        -- dropped between COMMIT and its answer finds its row instead of writing a second one
        request_id                    text UNIQUE
      );
      CREATE INDEX jobs_serial_key ON jobs (serial_key, maker_key);
      CREATE INDEX jobs_licence_key ON jobs (licence_key) WHERE licence_key IS NOT NULL;
      CREATE INDEX jobs_remark_of ON jobs (remark_of) WHERE remark_of IS NOT NULL;
      CREATE INDEX jobs_outcome_open ON jobs (station_id, outcome) WHERE outcome IN ('pending','marking');
      CREATE INDEX jobs_created ON jobs (created_at);
      CREATE INDEX jobs_station ON jobs (station_id, id);

      CREATE TABLE series (
        id             text PRIMARY KEY,
        pattern        text NOT NULL,
        licence_prefix text,
        start          bigint NOT NULL,
        "end"          bigint NOT NULL,
        step           bigint NOT NULL,
        next_number    bigint NOT NULL,
        created_at     text NOT NULL,
        created_by     text NOT NULL,
        note           text
      );
      CREATE TABLE series_numbers (
        series_id   text NOT NULL REFERENCES series(id),
        number      bigint NOT NULL,
        serial      text NOT NULL,
        state       text NOT NULL CHECK (state IN ('reserved','committed','released','void')),
        job_id      bigint REFERENCES jobs(id),
        reserved_at text NOT NULL,
        updated_at  text NOT NULL,
        reason      text,
        operator    text,
        -- the station that reserved it, and its key for a retried reservation
        station_id  text,
        request_id  text UNIQUE,
        PRIMARY KEY (series_id, number)
      );
      CREATE INDEX series_numbers_job ON series_numbers (job_id);
      CREATE INDEX series_numbers_released ON series_numbers (series_id, number) WHERE state = 'released';

      CREATE TABLE events (
        id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at        text NOT NULL,
        kind      text NOT NULL,
        job_id    bigint,
        series_id text,
        number    bigint,
        operator  text,
        reason    text
      );
      CREATE INDEX events_job ON events (job_id);
      CREATE INDEX events_series ON events (series_id);

      CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);
    `,
  },
  {
    summary: "trigram indexes (pg_trgm) on the serial, licence-form, maker and model keys: a part of a serial is found without reading every job; the confusable keys of serials and licence forms (trace.ts); station and outcome together",
    sql: async (c) => {
      // pg_trgm is a trusted extension: the database's owner may create it. It goes in
      // `public` (or stays where it is), never in the registry's own schema, which a test
      // drops with everything in it.
      const where = async () => (await c.query<{ s: string }>("SELECT n.nspname AS s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")).rows[0]?.s;
      let schema = await where();
      if (schema === undefined) {
        await c.query("SAVEPOINT trgm");
        try {
          await c.query("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public");
          await c.query("RELEASE SAVEPOINT trgm");
        } catch (e) {
          // another registry in this database created it at the same moment
          await c.query("ROLLBACK TO SAVEPOINT trgm");
          if ((e as { code?: string }).code !== "23505" && (e as { code?: string }).code !== "42710") throw e;
        }
        schema = await where();
      }
      const ops = `${quoteIdent(schema ?? "public")}.gin_trgm_ops`;
      await c.query(`
        CREATE INDEX jobs_serial_key_trgm ON jobs USING gin (serial_key ${ops});
        CREATE INDEX jobs_licence_key_trgm ON jobs USING gin (licence_key ${ops}) WHERE licence_key IS NOT NULL;
        CREATE INDEX jobs_maker_key_trgm ON jobs USING gin (maker_key ${ops});
        CREATE INDEX jobs_model_trgm ON jobs USING gin (lower(model) ${ops}) WHERE model IS NOT NULL;
        CREATE INDEX jobs_station_outcome ON jobs (station_id, outcome, id);
        CREATE INDEX jobs_serial_confusable_trgm ON jobs USING gin ((${confusableSql("serial_key")}) ${ops});
        CREATE INDEX jobs_licence_confusable_trgm ON jobs USING gin ((${confusableSql("licence_key")}) ${ops}) WHERE licence_key IS NOT NULL;
      `);
    },
  },
  {
    summary: "searches that count many jobs read small indexes instead of every matching job's row: the model (with its lower-case form, whose statistics a partial index does not give the planner) and the time written with the maker",
    // Measured with bench/registry-search.ts over 1 000 000 jobs (docs/PERFORMANCE.md): "part of a
    // model" counted 125 000 matches by the trigram index and then every page of the table
    // (~600 ms); from jobs_model_lower (7 MB: 8 models, deduplicated), index-only, ~55 ms. "Part of
    // a maker and two months" counted 80 000 jobs' rows in the range; from jobs_created_maker,
    // index-only, ~13 ms. (Index-only reads need the visibility map autovacuum keeps.)
    sql: `
      CREATE INDEX jobs_model_lower ON jobs ((lower(model)), model);
      CREATE INDEX jobs_created_maker ON jobs (created_at, maker_key);
    `,
  },
  {
    summary: "leases: blocks of series numbers reserved to one station beforehand, for it to mark while it cannot reach the registry (lease.ts); each leased number names its lease",
    sql: `
      CREATE TABLE leases (
        id            text PRIMARY KEY,
        series_id     text NOT NULL REFERENCES series(id),
        station_id    text NOT NULL,
        created_at    text NOT NULL,
        created_by    text NOT NULL,
        reason        text NOT NULL,
        expires_at    text NOT NULL,
        returned_at   text,
        returned_by   text,
        return_reason text
      );
      CREATE INDEX leases_station ON leases (station_id, created_at);
      ALTER TABLE series_numbers ADD COLUMN lease_id text REFERENCES leases(id);
      CREATE INDEX series_numbers_lease ON series_numbers (lease_id) WHERE lease_id IS NOT NULL;
    `,
  },
  {
    summary: "the highest program line sent to the controller (as SQLite schema 4): a job found marking with its station gone names the lines that may have run after the last confirmed one",
    sql: "ALTER TABLE jobs ADD COLUMN last_sent_line integer NOT NULL DEFAULT 0;",
  },
];

const quoteIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** The schema version the registry is at: 0 for an empty database. */
async function versionOf(c: PoolClient): Promise<number | undefined> {
  const there = (await c.query<{ t: string | null }>("SELECT to_regclass('peenmark_schema')::text AS t")).rows[0]?.t;
  if (!there) return undefined;
  return (await c.query<{ version: number }>("SELECT version FROM peenmark_schema")).rows[0]?.version ?? 0;
}

/**
 * Runs every step the registry has not seen yet, in one transaction; returns the version it
 * now has. A registry that is current is only read: a station's user, which may not create
 * tables (docs/REGISTRY.md), opens it. One that is behind is migrated by whoever may (the
 * registry's owner); anyone else is told so.
 */
export async function migratePg(c: PoolClient, steps: readonly PgMigration[] = PG_MIGRATIONS): Promise<number> {
  const tooNew = (have: number) =>
    new PeenmarkError("E_JOURNAL", `the registry's schema version ${have} is newer than this peenmark knows (${steps.length}): update peenmark before connecting`, {
      details: { have, know: steps.length },
    });
  const seen = await versionOf(c);
  if (seen !== undefined && seen > steps.length) throw tooNew(seen);
  if (seen === steps.length) return seen;
  try {
    // Two stations starting together may both try to create the table: the loser's error is a
    // unique violation on the catalogue (23505) or "already exists" (42P07); it then finds it made.
    if (seen === undefined) {
      try {
        await c.query("CREATE TABLE IF NOT EXISTS peenmark_schema (version integer NOT NULL)");
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== "23505" && code !== "42P07") throw e;
      }
    }
    await c.query("BEGIN");
    try {
      await c.query("LOCK TABLE peenmark_schema IN ACCESS EXCLUSIVE MODE");
      const r = await c.query<{ version: number }>("SELECT version FROM peenmark_schema");
      const have = r.rows[0]?.version ?? 0;
      if (have > steps.length) throw tooNew(have);
      for (let v = have; v < steps.length; v++) {
        const step = steps[v]!.sql;
        if (typeof step === "string") await c.query(step);
        else await step(c);
      }
      if (r.rows.length === 0) await c.query("INSERT INTO peenmark_schema (version) VALUES ($1)", [steps.length]);
      else await c.query("UPDATE peenmark_schema SET version = $1", [steps.length]);
      await c.query("COMMIT");
    } catch (e) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw e;
    }
  } catch (e) {
    if ((e as { code?: string }).code === "42501") {
      throw new PeenmarkError(
        "E_JOURNAL",
        `the registry's schema is at version ${seen ?? 0} and this peenmark needs ${steps.length}, which this database user may not create: have the registry's owner connect once (docs/REGISTRY.md, "Upgrading")`,
        { details: { have: seen ?? 0, know: steps.length }, cause: e },
      );
    }
    throw e;
  }
  return steps.length;
}
