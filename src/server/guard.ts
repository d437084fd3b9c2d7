import { networkInterfaces } from "node:os";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { PeenmarkError } from "../errors.ts";
import { errorBody } from "./errors.ts";

/**
 * Whom the service answers: its own page and its own clients, nobody a web page sends.
 * Checked on every request before any route runs (docs/SECURITY.md):
 *
 * - Host: one of the station's names: loopback (`localhost`, 127.0.0.0/8, `::1`), this
 *   computer's own addresses, and the names an operator configured (`hostNames`). A page on
 *   `rebind.attacker.example` whose DNS now points at 127.0.0.1 (DNS rebinding) sends its own
 *   name as Host, and is refused: 403 E_FORBIDDEN.
 * - Origin, on every state-changing request (anything but GET and HEAD): absent (a script, the
 *   CLI, curl), or exactly the origin the Host names. `Origin: null` (a sandboxed frame, a
 *   file) and any other origin are refused, as is a browser's `Sec-Fetch-Site: cross-site`
 *   or `same-site` when it sends no Origin. A page elsewhere cannot make the head move.
 * - Body: a state-changing request is `application/json` (415 E_MEDIA_TYPE otherwise, with or
 *   without a body). A cross-origin page can send `text/plain` without asking; `application/json`
 *   makes the browser ask first (CORS preflight), which this service never grants.
 * - Method: a path that exists with other methods answers 405 E_METHOD with `Allow`.
 */
export interface GuardOptions {
  /** Host names or addresses operators configured (a station reached as `bench-3.plant.example`). */
  readonly hostNames?: readonly string[];
}

const STATE_CHANGING = (method: string) => method !== "GET" && method !== "HEAD";

/** The host part of a Host header, lower case, without port, brackets or a trailing dot; undefined when it is not a host. */
export function hostOf(header: string | undefined): string | undefined {
  if (header === undefined || header === "") return undefined;
  const m = /^(\[[0-9a-f:.]+\]|[^\s:/?#@[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return undefined;
  return m[1]!.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
}

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "::ffff:127.0.0.1";
}

/** The names this station answers to. */
export function allowedHosts(opts: GuardOptions): ReadonlySet<string> {
  const names = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
  for (const n of opts.hostNames ?? []) {
    const h = hostOf(n);
    if (h) names.add(h);
  }
  return names;
}

function refuse(message: string, details: Record<string, unknown>): PeenmarkError {
  return new PeenmarkError("E_FORBIDDEN", message, { details });
}

export function checkHost(req: FastifyRequest, allowed: ReadonlySet<string>): void {
  const raw = req.headers.host;
  const host = hostOf(raw);
  if (host !== undefined && (isLoopbackHost(host) || allowed.has(host))) return;
  throw refuse(
    `this station does not answer to the host name ${JSON.stringify(raw ?? "")}: open it as http://127.0.0.1 (or a name the operator added to hostNames in the station's config.json)`,
    { reason: "host", host: raw ?? null },
  );
}

export function checkOrigin(req: FastifyRequest): void {
  if (!STATE_CHANGING(req.method)) return;
  const origin = req.headers.origin;
  if (origin === undefined) {
    const site = req.headers["sec-fetch-site"];
    if (site === undefined || site === "same-origin" || site === "none") return;
    throw refuse(`a ${String(site)} page may not ${req.method} to this station: use the station's own page`, { reason: "origin", secFetchSite: site });
  }
  let ok = false;
  try {
    const u = new URL(origin);
    ok = (u.protocol === "http:" || u.protocol === "https:") && u.host.toLowerCase() === String(req.headers.host ?? "").toLowerCase();
  } catch {
    ok = false;
  }
  if (!ok) throw refuse(`a page from ${JSON.stringify(origin)} may not ${req.method} to this station: use the station's own page`, { reason: "origin", origin });
}

export function checkMediaType(req: FastifyRequest): void {
  if (!STATE_CHANGING(req.method)) return;
  const type = req.headers["content-type"];
  const m = type === undefined ? null : /^\s*application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i.exec(type);
  if (!m)
    throw new PeenmarkError("E_MEDIA_TYPE", `a ${req.method} to this station carries a JSON body (Content-Type: application/json, {} when there is nothing to say), not ${type === undefined ? "no Content-Type" : JSON.stringify(type)}`, {
      details: { contentType: type ?? null },
    });
}

/** A route's path as a test: `:id` one segment, `*` the rest. */
function pathPattern(url: string): RegExp {
  const body = url
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg === "*" ? ".*" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${body}$`);
}

/** The hooks and the 404/405 handler; call before registering routes (onRoute sees them). */
export function guard(app: FastifyInstance, opts: GuardOptions): void {
  const allowed = allowedHosts(opts);
  const routes: { method: string; url: string; test: RegExp }[] = [];
  app.addHook("onRoute", (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) routes.push({ method: String(method), url: r.url, test: pathPattern(r.url) });
  });
  app.addHook("onRequest", async (req) => {
    checkHost(req, allowed);
    // A path or method that does not exist changes nothing: the 404/405 below says so first.
    if (req.is404) return;
    checkOrigin(req);
    checkMediaType(req);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0] ?? "";
    // The page's catch-all (GET /*) serves files, never /api/…: it does not make an API path exist.
    const methods = [...new Set(routes.filter((r) => r.test.test(path) && !(r.url === "/*" && /^\/api(\/|$)/.test(path))).map((r) => r.method))];
    // A route of this method ran and found nothing (the page's files: no such file): 404, not 405.
    if (methods.length > 0 && !methods.includes(req.method)) {
      return reply
        .status(405)
        .header("allow", methods.join(", "))
        .send(errorBody("E_METHOD", `${req.method} is not a method of ${path}: use ${methods.join(" or ")}`, { details: { allow: methods } }));
    }
    return reply.status(404).send(errorBody("E_NOT_FOUND", /^\/api(\/|$)/.test(path) ? `no route ${req.method} ${path}` : `no file ${path}`));
  });
}
