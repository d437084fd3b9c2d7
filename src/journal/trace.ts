import { PeenmarkError } from "../errors.ts";
import { identity } from "../record/identity.ts";
import type { JournalEngine } from "./engine.ts";
import type { JobQuery } from "./search.ts";
import type { JobRow } from "./types.ts";

/**
 * A trace request's serial search, on any journal engine: the serial as read off a firearm
 * that may be worn, filed or misread.
 *
 *   `?` one character that cannot be read, `*` any run of them (also none);
 *   every other character compares by the serial identity (record/identity.ts: case,
 *   lookalike letters from other scripts, 0/O and 1/I/l), and, as confusable, also as the
 *   digit or letter a worn stamp or a tired reader mistakes it for: 5/S, 8/B, 2/Z.
 *
 * The whole serial is matched (or its licence form `12345678-SERIAL`). Results: the jobs whose
 * serial reads exactly as typed (by identity) first, then those whose licence form does, then
 * those that need a confusable or a wildcard; newest first within each. Other filters of a
 * search (maker, model, dates, station …) narrow the candidates in the same query. The engine finds them with the pattern as LIKE on its
 * confusable keys (search.ts `serialLike`, a trigram index on PostgreSQL); a pattern with
 * fewer than two characters to go by, or matching more than 20,000 jobs, is refused as too broad.
 */
export interface TraceMatch {
  readonly job: JobRow;
  /**
   * `exact`: the serial reads as typed; `licence`: its licence form `12345678-SERIAL` does;
   * `confusable`: only with 5/S, 8/B, 2/Z read as each other; `pattern`: through `?` or `*`.
   */
  readonly match: MatchKind;
}

export type MatchKind = "exact" | "licence" | "confusable" | "pattern";

/** The order results come in: what reads as typed first. */
export const MATCH_RANK: Readonly<Record<MatchKind, number>> = { exact: 0, licence: 1, confusable: 2, pattern: 3 };

/** The filters of a search that narrow a serial trace (everything but the serial and the page). */
export type TraceFilters = Omit<JobQuery, "serial" | "serialLike" | "limit" | "offset">;

/** Characters a worn or misread stamp swaps, after the identity fold (which made 0→o, 1→l). */
const CONFUSABLE: Readonly<Record<string, string>> = { "5": "s", "8": "b", "2": "z" };

const confusableFold = (key: string) => [...key].map((c) => CONFUSABLE[c] ?? c).join("");

const MAX_CANDIDATES = 20_000;

type Piece = { readonly kind: "text"; readonly text: string } | { readonly kind: "one" } | { readonly kind: "any" };

function pieces(pattern: string): Piece[] {
  const out: Piece[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ kind: "text", text: identity(text) });
    text = "";
  };
  for (const c of pattern.trim()) {
    if (c === "?" || c === "*") {
      flush();
      out.push(c === "?" ? { kind: "one" } : { kind: "any" });
    } else text += c;
  }
  flush();
  return out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export async function traceSerial(journal: JournalEngine, pattern: string, filters: TraceFilters = {}): Promise<TraceMatch[]> {
  const ps = pieces(pattern);
  if (!ps.some((p) => p.kind === "text")) throw new PeenmarkError("E_USAGE", `serial "${pattern}" has no character to search by`, { where: "serial" });
  const wild = ps.some((p) => p.kind !== "text");
  const exactKey = wild ? undefined : ps.map((p) => (p.kind === "text" ? p.text : "")).join("");
  const re = new RegExp(
    `^${ps.map((p) => (p.kind === "one" ? "." : p.kind === "any" ? ".*" : escapeRe(confusableFold(p.text)))).join("")}$`,
    "u",
  );
  if (ps.reduce((n, p) => n + (p.kind === "text" ? p.text.length : 0), 0) < 2) {
    throw new PeenmarkError("E_USAGE", `serial "${pattern}" is too broad to search: give at least two characters that are not ? or *`, { where: "serial" });
  }
  // The whole pattern as LIKE on the confusable keys, which the engine indexes (search.ts).
  const like = ps.map((p) => (p.kind === "one" ? "_" : p.kind === "any" ? "%" : confusableFold(p.text).replace(/[\\%_]/g, (c) => `\\${c}`))).join("");
  const found = new Map<number, JobRow>();
  for (let offset = 0; ; offset += 500) {
    const page = await journal.search({ ...filters, serialLike: like, limit: 500, offset });
    if (page.total > MAX_CANDIDATES) {
      throw new PeenmarkError("E_USAGE", `serial "${pattern}" is too broad: ${page.total} jobs match it; give more of the serial`, { where: "serial", details: { matches: page.total } });
    }
    for (const j of page.jobs) found.set(j.id, j);
    if (offset + page.jobs.length >= page.total || page.jobs.length === 0) break;
  }
  const out: TraceMatch[] = [];
  for (const job of found.values()) {
    const serialKey = identity(job.serial);
    const licenceKey = job.licencePrefix ? identity(`${job.licencePrefix}-${job.serial}`) : undefined;
    const keys = licenceKey === undefined ? [serialKey] : [serialKey, licenceKey];
    if (!keys.some((k) => re.test(confusableFold(k)))) continue;
    const match: MatchKind = exactKey === serialKey ? "exact" : exactKey !== undefined && exactKey === licenceKey ? "licence" : wild ? "pattern" : "confusable";
    out.push({ job, match });
  }
  return out.sort((a, b) => MATCH_RANK[a.match] - MATCH_RANK[b.match] || b.job.id - a.job.id);
}
