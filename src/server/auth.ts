import { timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { isLoopback, type Tokens } from "../config.ts";
import { PeenmarkError } from "../errors.ts";

/**
 * Roles and tokens. A technician marks, pauses, resumes, aborts, previews and reads; an
 * operator also checks and publishes profiles, authorises re-marks, releases serials,
 * exports the journal and unlocks the controller. With no token configured the service
 * binds loopback only (the CLI refuses anything else) and every loopback client is an
 * operator: the bench computer is the only client.
 */
export type Role = "technician" | "operator";

const RANK: Record<Role, number> = { technician: 1, operator: 2 };

/** Whether a presented token is `b`, in time that does not depend on where they differ. */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function tokensConfigured(tokens: Tokens): boolean {
  return tokens.technician !== undefined || tokens.operator !== undefined;
}

/**
 * The caller's role from `Authorization: Bearer <token>` (or `?access_token=` on the event
 * stream, which browsers' EventSource cannot give headers to).
 */
export function roleOf(req: FastifyRequest, tokens: Tokens): Role {
  if (!tokensConfigured(tokens)) {
    const ip = req.socket.remoteAddress ?? req.ip;
    if (isLoopback(ip) || ip === "::ffff:127.0.0.1") return "operator";
    throw new PeenmarkError("E_FORBIDDEN", "this station has no tokens configured and answers only its own computer (loopback)");
  }
  const presented = presentedToken(req);
  if (!presented) throw new PeenmarkError("E_AUTH", "a token is needed: send Authorization: Bearer <token> (ask the operator for the station's token)");
  if (tokens.operator && sameToken(presented, tokens.operator)) return "operator";
  if (tokens.technician && sameToken(presented, tokens.technician)) return "technician";
  throw new PeenmarkError("E_AUTH", "the token is not valid for this station");
}

/**
 * The token a request presents: `Authorization: Bearer <token>`, or `?access_token=` on the
 * event stream (browsers' EventSource cannot send headers); undefined when it presents none.
 * A malformed Authorization header is E_AUTH.
 */
export function presentedToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new PeenmarkError("E_AUTH", 'the Authorization header must be "Bearer <token>"');
    return m[1];
  }
  const q = (req.query as Record<string, unknown> | undefined)?.access_token;
  return typeof q === "string" && req.url.startsWith("/api/events") ? q : undefined;
}

export function requireRole(have: Role, need: Role, doing: string): void {
  if (RANK[have] < RANK[need]) throw new PeenmarkError("E_FORBIDDEN", `${doing} needs the ${need} role; this token is a ${have}'s`, { details: { role: have, needed: need } });
}
