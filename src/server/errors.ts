import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { type ErrorCode, isPeenmarkError } from "../errors.ts";

/**
 * Errors over HTTP: the PeenmarkError shape `{ error: { code, message, where?, details? } }`
 * with a status that says whose move it is: 422 the input is wrong, 409 the journal or the
 * head says not now, 401/403 who you are, 404 no such thing, 405 not with this method, 413
 * too big, 415 not JSON, 400 not HTTP we can read or a trace query that is wrong (E_QUERY), 503
 * the head's controller cannot do it, the registry cannot be reached (E_REGISTRY_UNREACHABLE:
 * nothing was written, no serial checked), or the station has more previews queued than it
 * takes (E_OVERLOADED: try again).
 * Every error has this shape, fastify's own included (a bad URL, a body that is not JSON,
 * a malformed request line): a client parses one envelope.
 */
const STATUS: Partial<Record<ErrorCode, number>> = {
  E_JSON: 400,
  E_REQUEST: 400,
  E_QUERY: 400,
  E_BUSY: 409,
  E_SERIAL_DUPLICATE: 409,
  E_SERIAL_RESERVED: 409,
  E_SERIES_EXHAUSTED: 409,
  E_PREVIEW_STALE: 409,
  E_JOURNAL: 409,
  E_AUTH: 401,
  E_FORBIDDEN: 403,
  E_NOT_FOUND: 404,
  E_METHOD: 405,
  E_BODY_TOO_LARGE: 413,
  E_MEDIA_TYPE: 415,
  E_CONTROLLER: 503,
  E_OVERLOADED: 503,
  E_REGISTRY_UNREACHABLE: 503,
  E_FILE: 500,
  E_FONT_INVALID: 500,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 422;
}

export function errorBody(code: string, message: string, extra: { where?: string; details?: Readonly<Record<string, unknown>> } = {}) {
  return { error: { code, message, ...(extra.where === undefined ? {} : { where: extra.where }), ...(extra.details === undefined ? {} : { details: extra.details }) } };
}

/** fastify's own errors (its codes, FST_ERR_…) as ours. */
function fastifyError(fe: FastifyError, req: FastifyRequest): { status: number; code: ErrorCode; message: string } | undefined {
  switch (fe.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, code: "E_BODY_TOO_LARGE", message: `the request body is larger than this station accepts (${Math.round(req.server.initialConfig.bodyLimit! / 1024)} KiB)` };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { status: 415, code: "E_MEDIA_TYPE", message: "send the body as application/json" };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, code: "E_JSON", message: "the request says application/json and has no body: send {} for none" };
    case "FST_ERR_BAD_URL":
      return { status: 400, code: "E_REQUEST", message: `the URL ${JSON.stringify(req.url)} is not valid (a broken %-escape?)` };
  }
  if (fe.statusCode === 400 && /JSON/i.test(fe.message)) return { status: 400, code: "E_JSON", message: `the request body is not valid JSON: ${fe.message}` };
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) return { status: fe.statusCode, code: "E_REQUEST", message: fe.message };
  return undefined;
}

export function handleError(e: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isPeenmarkError(e)) {
    const status = statusOf(e.code);
    if (status >= 500) req.log.error({ err: e }, e.message);
    else req.log.info({ code: e.code }, e.message);
    const { details } = e;
    // A bridge error kept as `cause` does not belong in a client's JSON.
    return reply.status(status).send(errorBody(e.code, e.message, { ...(e.where === undefined ? {} : { where: e.where }), details }));
  }
  const known = fastifyError(e as FastifyError, req);
  if (known) {
    req.log.info({ code: known.code, fastify: (e as FastifyError).code }, known.message);
    return reply.status(known.status).send(errorBody(known.code, known.message));
  }
  req.log.error({ err: e }, "unexpected error");
  return reply.status(500).send(errorBody("E_INTERNAL", "the station failed unexpectedly; the service log has the details"));
}

/** fastify's `frameworkErrors`: errors it raises before any route (a URL it cannot decode). */
export function handleFrameworkError(e: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  void handleError(e, req, reply);
}

/**
 * Node's `clientError`: a request so malformed that there is no request to answer (a bad
 * request line or header). Answered in the same envelope, then the connection is closed.
 */
export function handleClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const timeout = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
  const status = timeout ? 408 : err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
  const body = JSON.stringify(errorBody("E_REQUEST", timeout ? "the request took too long to arrive" : `the request is not HTTP this station can read (${err.code ?? "malformed"})`));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${timeout ? "Request Timeout" : status === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
