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

function headers(json) {
  const h = { accept: "application/json" };
  if (json) h["content-type"] = "application/json";
  const token = localStorage.getItem(TOKEN);
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

/** `body` may be an object (sent as JSON) or a string that already is JSON (a profile file). */
export async function api(method, path, body) {
  let res;
  try {
    res = await fetch(`api/${path}`, {
      method,
      headers: headers(body !== undefined),
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
export const post = (path, body) => api("POST", path, body ?? {});

/**
 * Server-sent events: `controller`, `job` and `error`. EventSource reconnects by itself;
 * `onState(open)` tells the page when the stream is up or down.
 */
export function subscribe({ controller, job, error, onState }) {
  const es = new EventSource("api/events");
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
