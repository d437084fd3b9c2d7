import type { FastifyInstance, FastifyRequest } from "fastify";
import { join } from "node:path";
import type { Logger } from "pino";
import { PeenmarkError } from "../errors.ts";
import type { JournalEngine } from "../journal/engine.ts";
import { PACKAGE_ROOT, PACKAGE_VERSION } from "../paths.ts";
import { type ApiInfo, registerApiDoc } from "../server/api-doc.ts";
import { presentedToken, sameToken } from "../server/auth.ts";
import { baseApp } from "../server/base.ts";
import { staticRoutes } from "../server/static.ts";
import { traceRoutes } from "./routes.ts";

/**
 * The registry's trace service (`peenmark registry`): the trace page and its API over one
 * journal, PostgreSQL (a country's registry) or an SQLite file, read only. One role, `trace`,
 * with one token: every /api/ request presents it (401 E_AUTH otherwise, loopback included);
 * the page's own files need none (they hold no data). The same base as the station's service
 * (server/base.ts): error envelope, security headers, the Host/Origin guard.
 */
export interface RegistryOptions {
  /** An opened journal engine; closed with the app when `closeJournal`. */
  readonly journal: JournalEngine;
  /** The trace token (config.json `tokens.trace` or PEENMARK_TOKEN_TRACE): at least 16 characters. */
  readonly token: string;
  readonly logger?: Logger | false;
  readonly hostNames?: readonly string[];
  /** The time zone statistics count days in by default (IANA). */
  readonly timeZone?: string;
  /** What the export's file name calls the registry. */
  readonly name?: string;
  readonly webDir?: string;
  readonly closeJournal?: boolean;
}

/** The page's files: the trace page, its script and style, the shared dictionaries and their module. Nothing of the station's page. */
export const TRACE_PAGE = ["/trace.html", "/trace.js", "/trace.css", "/save.js", "/style.css", "/i18n.js", "/i18n/en.json", "/i18n/es.json"] as const;

const API: ApiInfo = {
  title: "peenmark registry (trace)",
  description: "The trace service of a peenmark registry: find marks by serial (exact, licence form, worn, confusable) or by maker, model, caliber, country, importer, station and dates; a mark's whole story; exports; statistics (docs/REGISTRY.md). Read only.",
  token: "The registry's trace token (config.json tokens.trace, or PEENMARK_TOKEN_TRACE).",
  tags: [{ name: "trace", description: "Trace requests: search, detail, export, statistics" }],
};

export function checkTraceToken(req: FastifyRequest, token: string): void {
  const presented = presentedToken(req);
  if (!presented) throw new PeenmarkError("E_AUTH", "a token is needed: send Authorization: Bearer <token> (the registry's trace token)");
  if (!sameToken(presented, token)) throw new PeenmarkError("E_AUTH", "the token is not valid for this registry");
}

export async function buildRegistry(opts: RegistryOptions): Promise<FastifyInstance> {
  if (opts.token.length < 16) throw new PeenmarkError("E_USAGE", "the trace token must be at least 16 characters (openssl rand -hex 16 makes one)", { where: "tokens.trace" });
  const app = await baseApp({ logger: opts.logger ?? false, hostNames: opts.hostNames ?? [] });
  app.addHook("onRequest", async (req) => {
    if (/^\/api(\/|\?|$)/.test(req.url)) checkTraceToken(req, opts.token);
  });
  await registerApiDoc(app, PACKAGE_VERSION, API);
  traceRoutes(app, { journal: opts.journal, timeZone: opts.timeZone ?? "UTC", name: opts.name ?? "registry" });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await staticRoutes(app, opts.webDir ?? join(PACKAGE_ROOT, "src", "web"), { index: "trace.html", only: TRACE_PAGE });
  if (opts.closeJournal) app.addHook("onClose", async () => opts.journal.close());
  return app;
}
