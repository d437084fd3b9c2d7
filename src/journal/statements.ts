import type Database from "better-sqlite3";

/**
 * Prepared statements, compiled once per connection and reused: a progress update is then
 * one bind and one step, no SQL parsing.
 */
const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function stmt(db: Database.Database, sql: string): Database.Statement {
  let byText = cache.get(db);
  if (!byText) {
    byText = new Map();
    cache.set(db, byText);
  }
  let s = byText.get(sql);
  if (!s) {
    s = db.prepare(sql);
    byText.set(sql, s);
  }
  return s;
}

/** Plain text from a nullable column. */
export const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
