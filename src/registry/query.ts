import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { isPeenmarkError, PeenmarkError } from "../errors.ts";
import { MAX_PAGE, OUTCOMES } from "../journal/search.ts";
import type { TraceFilters } from "../journal/trace.ts";
import type { Outcome } from "../journal/types.ts";
import { queryOf, wholeNumber } from "../server/context.ts";

/**
 * A trace request's query string, read strictly: every parameter at most once, each checked
 * before the registry is asked, and anything wrong is 400 E_QUERY naming the parameter
 * (`where`). The journal's own refusals of a query (a date it cannot read, a serial too broad
 * to search, a page out of bounds: E_USAGE from search.ts, trace.ts, journal.ts `bound`) are
 * the same kind of mistake and are answered the same way.
 */
export const FILTERS = ["maker", "model", "caliber", "country", "importer", "station", "from", "to", "outcome"] as const;
export const SEARCH_PARAMS = ["serial", ...FILTERS, "limit", "offset"] as const;

/** Longest text a search field takes: a serial, a name or a date is far shorter. */
const MAX_TEXT = 200;

const date = z.string().describe("2026-11-23 (that whole day for `to`) or 2026-11-23T18:00:00Z; read strictly");
const outcome = z.enum(OUTCOMES as [Outcome, ...Outcome[]]);

/** The search's parameters, for the API description (the route checks them itself, below). */
export const SearchQuerySchema = z.object({
  serial: z
    .string()
    .optional()
    .describe("The serial as read off the firearm: exact (by identity), its licence form 12345678-SERIAL, `?` for one unreadable character, `*` for any run; 0/O, 1/I/l, 5/S, 8/B, 2/Z read alike. Exact matches first"),
  maker: z.string().optional().describe("Part of the maker's name, by identity"),
  model: z.string().optional().describe("Part of the model, without case"),
  caliber: z.string().optional().describe("Part of the caliber, without case"),
  country: z.string().optional().describe("A country of manufacture or import: ISO code (MX) or part of its name"),
  importer: z.string().optional().describe("Part of the importer's name, without case"),
  station: z.string().optional().describe("A station id, exactly"),
  from: date.optional(),
  to: date.optional(),
  outcome: outcome.optional(),
  limit: z.string().optional().describe(`Results per page, 1–${MAX_PAGE} (50)`),
  offset: z.string().optional().describe("Results to skip (0)"),
});

export interface TraceQuery {
  readonly serial?: string;
  readonly filters: TraceFilters;
  readonly limit: number;
  readonly offset: number;
}

/** A journal refusal of a query (E_USAGE) as the 400 it is; anything else as it was. */
export function asQueryError(e: unknown, fallbackWhere = "query"): unknown {
  if (isPeenmarkError(e) && e.code === "E_USAGE") return new PeenmarkError("E_QUERY", e.message, { where: e.where ?? fallbackWhere, details: { ...e.details } });
  return e;
}

/** Runs `fn`, answering a query the journal refuses with E_QUERY. */
export async function asQuery<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asQueryError(e);
  }
}

function text(v: string | undefined, name: string): string | undefined {
  if (v === undefined) return undefined;
  const s = v.trim();
  if (s.length > MAX_TEXT) throw new PeenmarkError("E_QUERY", `${name} is ${s.length} characters long; a search field takes at most ${MAX_TEXT}`, { where: name });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) throw new PeenmarkError("E_QUERY", `${name} holds a control character`, { where: name });
  return s === "" ? undefined : s;
}

/** The query string of a search or an export, checked. */
export function traceQuery(req: FastifyRequest, extra: readonly string[] = []): { query: TraceQuery; rest: Partial<Record<string, string>> } {
  const raw = (() => {
    try {
      return queryOf(req, [...SEARCH_PARAMS, ...extra]);
    } catch (e) {
      throw asQueryError(e);
    }
  })() as Partial<Record<string, string>>;
  const filters: Record<string, string> = {};
  for (const f of FILTERS) {
    const v = text(raw[f], f);
    if (v !== undefined) filters[f] = v;
  }
  if (filters.outcome !== undefined && !OUTCOMES.includes(filters.outcome as Outcome))
    throw new PeenmarkError("E_QUERY", `outcome "${filters.outcome}" is not one of ${OUTCOMES.join(", ")}`, { where: "outcome" });
  let limit: number | undefined;
  let offset: number | undefined;
  try {
    limit = wholeNumber(raw.limit, "limit");
    offset = wholeNumber(raw.offset, "offset");
  } catch (e) {
    throw asQueryError(e);
  }
  limit ??= 50;
  offset ??= 0;
  if (limit < 1 || limit > MAX_PAGE) throw new PeenmarkError("E_QUERY", `limit ${limit} is not a whole number from 1 to ${MAX_PAGE}`, { where: "limit" });
  const serial = text(raw.serial, "serial");
  const rest: Partial<Record<string, string>> = {};
  for (const k of extra) if (raw[k] !== undefined) rest[k] = raw[k];
  return { query: { ...(serial === undefined ? {} : { serial }), filters: filters as TraceFilters, limit, offset }, rest };
}
