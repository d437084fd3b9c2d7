/**
 * The station service's HTTP API (docs: the service's contract). Every error the service
 * returns has the PeenmarkError shape `{ error: { code, message, where?, details? } }`;
 * a network failure becomes E_NETWORK so the page can say it in plain words.
 */
const TOKEN = "peenmark.token";

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

function headers(json, token) {
  const h = { accept: "application/json" };
  if (json) h["content-type"] = "application/json";
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

/**
 * `body` may be an object (sent as JSON) or a string that already is JSON (a profile file).
 * `token` overrides the stored one for this request (an operator authorising a re-mark).
 */
export async function api(method, path, body, token = stationToken()) {
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
 * Server-sent events: `controller`, `job` and `error`. EventSource reconnects by itself;
 * `onState(open)` tells the page when the stream is up or down.
 */
export function subscribe({ controller, job, error, onState }) {
  // EventSource cannot send headers: the service takes the token as access_token on this one URL.
  const token = stationToken();
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
  es.addEventListener("error", (ev) => {
    // A named `error` event carries data; the stream's own error (disconnect) has none.
    if (ev.data) parse(error)(ev);
    else onState?.(false);
  });
  es.addEventListener("open", () => onState?.(true));
  return es;
}
