import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { type ErrorCode, isPeenmarkError } from "../errors.ts";

/**
 * Errors over HTTP: the PeenmarkError shape `{ error: { code, message, where?, details? } }`
 * with a status that says whose move it is: 422 the input is wrong, 409 the journal or the
 * head says not now, 401/403 who you are, 404 no such thing, 413 too big, 503 the head's
 * controller cannot do it.
 */
const STATUS: Partial<Record<ErrorCode, number>> = {
  E_JSON: 400,
  E_BUSY: 409,
  E_SERIAL_DUPLICATE: 409,
  E_SERIAL_RESERVED: 409,
  E_SERIES_EXHAUSTED: 409,
  E_JOURNAL: 409,
  E_AUTH: 401,
  E_FORBIDDEN: 403,
  E_NOT_FOUND: 404,
  E_BODY_TOO_LARGE: 413,
  E_CONTROLLER: 503,
  E_FILE: 500,
  E_FONT_INVALID: 500,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 422;
}

export function errorBody(code: string, message: string, extra: { where?: string; details?: Readonly<Record<string, unknown>> } = {}) {
  return { error: { code, message, ...(extra.where === undefined ? {} : { where: extra.where }), ...(extra.details === undefined ? {} : { details: extra.details }) } };
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
  const fe = e as FastifyError;
  if (fe.code === "FST_ERR_CTP_BODY_TOO_LARGE") return reply.status(413).send(errorBody("E_BODY_TOO_LARGE", `the request body is larger than this station accepts (${Math.round(req.server.initialConfig.bodyLimit! / 1024)} KiB)`));
  if (fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return reply.status(415).send(errorBody("E_SCHEMA", "send the body as application/json"));
  if (fe.statusCode === 400 && /JSON/i.test(fe.message)) return reply.status(400).send(errorBody("E_JSON", `the request body is not valid JSON: ${fe.message}`));
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) return reply.status(fe.statusCode).send(errorBody("E_SCHEMA", fe.message));
  req.log.error({ err: e }, "unexpected error");
  return reply.status(500).send(errorBody("E_INTERNAL", `the station failed unexpectedly: ${e.message}`));
}
