import helmet from "@fastify/helmet";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from "fastify";
import type { Logger } from "pino";
import { handleClientError, handleError, handleFrameworkError } from "./errors.ts";
import { guard } from "./guard.ts";

/**
 * What every peenmark HTTP service is before its routes: the station (app.ts) and the
 * registry's trace service (registry/app.ts). One error envelope for every error, fastify's
 * own included (errors.ts); security headers; only JSON bodies; the Host, Origin and media-type
 * guard (guard.ts); request lines at debug.
 */

/**
 * Security headers on every answer (@fastify/helmet). The page is the station's own files:
 * scripts, styles, pictures and connections from its origin only; no frame may hold it
 * (`frame-ancestors 'none'`, and X-Frame-Options for browsers before CSP 2); no referrer
 * leaves it. No HSTS: the service speaks plain HTTP on loopback (TLS, and HSTS with it, is
 * the reverse proxy's), and no upgrade-insecure-requests for the same reason.
 */
export const SECURITY_HEADERS = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      "default-src": ["'self'"],
      "script-src": ["'self'"],
      "style-src": ["'self'"],
      "img-src": ["'self'", "data:"],
      "connect-src": ["'self'"],
      "font-src": ["'self'"],
      "object-src": ["'none'"],
      "base-uri": ["'none'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
    },
  },
  frameguard: { action: "deny" as const },
  referrerPolicy: { policy: "no-referrer" as const },
  strictTransportSecurity: false,
  crossOriginOpenerPolicy: { policy: "same-origin" as const },
  crossOriginResourcePolicy: { policy: "same-origin" as const },
  crossOriginEmbedderPolicy: false,
};

/**
 * Request lines at debug: the log is what the station did (jobs, publications, releases, who
 * did them), not its traffic (a page's every file and event poll). A refused request is
 * logged at info, a failed one at error.
 */
export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, "incoming request");
  }

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const line = { req: request, res: reply, status, responseTime: reply.elapsedTime };
    if (error || status >= 500) reply.log.error({ ...line, ...(error ? { err: error } : {}) }, "request failed");
    else if (status >= 400) reply.log.info(line, "request refused");
    else reply.log.debug(line, "request completed");
  }
}

/** 256 KiB: a profile or a record is a few KiB; anything this big is a mistake or an attack. */
export const BODY_LIMIT = 256 * 1024;

export interface BaseOptions {
  /** pino logger, or false for none (tests). */
  readonly logger: Logger | false;
  /** Names the service is reached by besides loopback and its own addresses. */
  readonly hostNames: readonly string[];
}

/** The fastify app with the hooks above; register the API description and the routes on it next. */
export async function baseApp(opts: BaseOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: true,
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
    logController: new RequestLog(),
  }) as unknown as FastifyInstance;
  app.setErrorHandler(handleError);
  // Only JSON is parsed: a text/plain body (what a page elsewhere may send unasked) is 415.
  app.removeContentTypeParser("text/plain");
  await app.register(helmet, SECURITY_HEADERS);
  guard(app, { hostNames: opts.hostNames });
  return app;
}
