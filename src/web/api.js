/**
 * The station service's HTTP API (docs/OPERATIONS.md; its description at /api/openapi.json).
 * Every error the service returns has the PeenmarkError shape
 * `{ error: { code, message, where?, details? } }`; a network failure becomes E_NETWORK so the
 * page can say it in plain words.
 *
 * Tokens: the bench's own (a technician's, remembered by this browser), or, while an operator
 * is signed in, the operator's (kept for this tab only, in sessionStorage, and sent with the
 * operator's name so the station's log says who did each operator's act).
 */
import { saveResponse } from "./save.js";

const TOKEN = "peenmark.token";
const OPERATOR = "peenmark.operator";

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code ?? (status === 401 || status === 403 ? "E_AUTH" : "E_HTTP");
    this.where = error?.where;
    this.details = error?.details ?? {};
  }
}

/** The station's token for this browser (stations with tokens configured; none on a loopback-only bench). */
export function stationToken() {
  return localStorage.getItem(TOKEN) ?? "";
}

export function setStationToken(token) {
  if (token) localStorage.setItem(TOKEN, token);
  else localStorage.removeItem(TOKEN);
}

/** The operator signed in on this tab: `{ name, token }` (token empty on a station without tokens), or null. */
export function signedIn() {
  try {
    const o = JSON.parse(sessionStorage.getItem(OPERATOR) ?? "null");
    return o && typeof o.name === "string" ? o : null;
  } catch {
    return null;
  }
}

export function signIn(name, token) {
  sessionStorage.setItem(OPERATOR, JSON.stringify({ name, token: token ?? "" }));
}

export function signOut() {
  sessionStorage.removeItem(OPERATOR);
}

/** The token requests carry now: the signed-in operator's, else the bench's. */
export function currentToken() {
  return signedIn()?.token || stationToken();
}

function headers(json, token) {
  const h = { accept: "application/json" };
  if (json) h["content-type"] = "application/json";
  if (token) h.authorization = `Bearer ${token}`;
  const op = signedIn();
  if (op?.name) h["x-peenmark-operator"] = encodeURIComponent(op.name);
  return h;
}

/**
 * `body` may be an object (sent as JSON) or a string that already is JSON (a profile file).
 * `token` overrides the current one for this request (an operator authorising a re-mark).
 */
export async function api(method, path, body, token = currentToken()) {
  let res;
  try {
    res = await fetch(`api/${path}`, {
      method,
      headers: headers(body !== undefined, token),
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { code: "E_NETWORK", message: String(e?.message ?? e) });
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) throw new ApiError(res.status, data?.error);
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body, token) => api("POST", path, body ?? {}, token);

/**
 * A download a browser could not get from a link (the token goes in a header): fetched, then
 * handed to the browser as a file under the name the service gives.
 */
export async function download(path) {
  let res;
  try {
    res = await fetch(`api/${path}`, { headers: headers(false, currentToken()) });
  } catch (e) {
    throw new ApiError(0, { code: "E_NETWORK", message: String(e?.message ?? e) });
  }
  if (!res.ok) {
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    throw new ApiError(res.status, data?.error);
  }
  return saveResponse(res, "peenmark-journal");
}

/**
 * Server-sent events: `controller`, `job`, `journal` (a station on a registry: cut off or back) and `error`. EventSource reconnects by itself and
 * sends the last event's id, so the service replays what was missed; `onState(open)` tells
 * the page when the stream is up or down.
 */
export function subscribe({ controller, job, journal, error, onState }) {
  // EventSource cannot send headers: the service takes the token as access_token on this one URL.
  const token = currentToken();
  const es = new EventSource(token ? `api/events?access_token=${encodeURIComponent(token)}` : "api/events");
  const parse = (fn) => (ev) => {
    try {
      fn(JSON.parse(ev.data));
    } catch (e) {
      console.error("event", ev.type, e);
    }
  };
  es.addEventListener("controller", parse(controller));
  es.addEventListener("job", parse(job));
  if (journal) es.addEventListener("journal", parse(journal));
  es.addEventListener("error", (ev) => {
    // A named `error` event carries data; the stream's own error (disconnect) has none.
    if (ev.data) parse(error)(ev);
    else onState?.(false);
  });
  es.addEventListener("open", () => onState?.(true));
  return es;
}
