import { saveResponse } from "./save.js";
import { formatDate, formatNumber, has, initialLanguage, setLanguage, setText, t, tr, value } from "./i18n.js";

/**
 * The registry's trace page (`peenmark registry`): find a mark by its serial as read off the
 * firearm (exact, licence form, `?`/`*`, confusables; exact matches first, each row saying how
 * it matched) or by maker, model, caliber, country, importer, station and dates; one mark's
 * whole story; the result set as CSV or JSON; the registry's statistics. The language is
 * chosen as on the station's page (i18n.js: the stored choice, else the browser's). The trace
 * token is kept for this tab only (sessionStorage).
 */
const $ = (id) => document.getElementById(id);
const TOKEN = "peenmark.traceToken";
const PAGE = 50;
const FIELDS = ["serial", "maker", "model", "caliber", "country", "importer", "station", "from", "to"];
let query = new URLSearchParams();
let offset = 0;

class TraceError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.code = error?.code ?? "E_HTTP";
    this.where = error?.where;
  }
}

async function call(path) {
  let res;
  try {
    res = await fetch(path, { headers: { accept: "application/json", authorization: `Bearer ${sessionStorage.getItem(TOKEN) ?? ""}` } });
  } catch {
    throw new TraceError(0, { code: "E_NETWORK" });
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new TraceError(res.status, body.error);
  }
  return res;
}

function showError(e) {
  const el = $("trace-error");
  if (!e) {
    el.hidden = true;
    for (const f of document.querySelectorAll("[aria-invalid]")) f.removeAttribute("aria-invalid");
    return;
  }
  const field = e.where ? $(`q-${e.where}`) : null;
  if (field) field.setAttribute("aria-invalid", "true");
  setText(el, field ? "trace.errField" : has(`err.${e.code}`) ? `err.${e.code}` : "err.unknown", field ? { field: { key: `trace.q.${e.where}` }, why: { key: `err.${e.code}` } } : {});
  el.hidden = false;
  if (e.code === "E_AUTH") showToken();
}

function showToken() {
  $("token-form").hidden = false;
  $("trace-view").hidden = true;
  $("signout-btn").hidden = true;
  $("f-token").focus();
}

function showTrace() {
  $("token-form").hidden = true;
  $("trace-view").hidden = false;
  $("signout-btn").hidden = false;
  $("q-serial").focus();
}

const cell = (text) => {
  const td = document.createElement("td");
  td.append(value("span", text ?? ""));
  return td;
};

function matchLabel(match) {
  const span = tr("span", match ? `trace.match.${match}` : "trace.match.filter", undefined, "match");
  span.dataset.match = match ?? "filter";
  return span;
}

async function search(from = 0) {
  showError(null);
  offset = from;
  const q = new URLSearchParams(query);
  q.set("limit", String(PAGE));
  q.set("offset", String(offset));
  let r;
  try {
    r = await (await call(`api/trace/search?${q}`)).json();
  } catch (e) {
    showError(e);
    answered();
    return;
  }
  const body = $("results").tBodies[0];
  body.replaceChildren();
  for (const { match, job } of r.results) {
    const row = document.createElement("tr");
    row.dataset.job = String(job.jobId);
    const m = document.createElement("td");
    m.append(matchLabel(match));
    const serial = document.createElement("td");
    const open = value("button", job.licencePrefix ? `${job.serial} (${job.licencePrefix})` : job.serial, "link");
    open.type = "button";
    open.addEventListener("click", () => detail(job.jobId));
    serial.append(open);
    const outcome = document.createElement("td");
    outcome.append(tr("span", `job.state.${job.outcome}`));
    row.append(m, serial, cell(job.manufacturer), cell(job.model), cell(job.caliber), cell(job.stationId), cell(formatDate(job.markedAt)), outcome);
    body.append(row);
  }
  setText($("results-summary"), r.total === 0 ? "trace.none" : "trace.summary", { n: r.total, first: r.total === 0 ? 0 : offset + 1, last: offset + r.results.length });
  $("prev-btn").disabled = offset === 0;
  $("next-btn").disabled = offset + r.results.length >= r.total;
  $("results-panel").hidden = false;
  $("detail-panel").hidden = true;
  answered();
}

/** How many searches have been answered (rows or a refusal): a script, or a test, knows what it sees is this search's. */
function answered() {
  document.body.dataset.answers = String(Number(document.body.dataset.answers ?? 0) + 1);
}

function entry(dl, key, text) {
  if (text === undefined || text === null || text === "") return;
  dl.append(tr("dt", key), value("dd", String(text)));
}

async function detail(id) {
  showError(null);
  let d;
  try {
    d = await (await call(`api/trace/jobs/${id}`)).json();
  } catch (e) {
    showError(e);
    return;
  }
  const j = d.job;
  setText($("detail-title"), "trace.d.title", { id: j.jobId, serial: j.serial });
  const dl = $("detail");
  dl.replaceChildren();
  entry(dl, "trace.col.serial", j.licencePrefix ? `${j.licencePrefix}-${j.serial}` : j.serial);
  entry(dl, "trace.col.maker", j.manufacturer);
  entry(dl, "trace.d.place", [j.placeCity, j.placeState, j.countryOfManufacture].filter(Boolean).join(", "));
  entry(dl, "trace.col.model", j.model);
  entry(dl, "trace.col.caliber", j.caliber);
  entry(dl, "trace.q.importer", j.importer ? `${j.importer}, ${[j.importerCity, j.importCountry, j.importYear].filter(Boolean).join(", ")}` : undefined);
  entry(dl, "trace.d.stateStock", j.stateStockAgency ? `${j.stateStockAgency} (${j.stateStockCountry ?? ""} ${j.stateStockYear ?? ""})` : undefined);
  entry(dl, "trace.col.station", d.station);
  entry(dl, "trace.d.technician", d.technician);
  entry(dl, "trace.col.markedAt", formatDate(d.markedAt));
  dl.append(tr("dt", "trace.col.outcome"), tr("dd", `job.state.${d.outcome}`));
  entry(dl, "trace.d.profile", `${d.profile.id} · ${d.profile.hash}`);
  entry(dl, "trace.d.program", d.program.hash);
  entry(dl, "trace.d.strikes", `${formatNumber(j.strikesDone)} / ${formatNumber(j.strikeCount)}`);
  const list = $("detail-history");
  list.replaceChildren();
  const item = (key, params) => list.append(tr("li", key, params));
  if (d.remarkOf) item("trace.h.remarkOf", { id: d.remarkOf.jobId, reason: j.remarkReason ?? "", by: j.remarkAuthorisedBy ?? "" });
  for (const r of d.remarks) item("trace.h.remark", { id: r.jobId, at: formatDate(r.markedAt), reason: r.remarkReason ?? "" });
  for (const r of d.releases) item("trace.h.release", { at: formatDate(r.at), by: r.operator ?? "", reason: r.reason ?? "" });
  for (const i of d.interruptions) item("trace.h.interrupted", { at: formatDate(i.at) });
  if (list.children.length === 0) item("trace.h.nothing");
  $("detail-panel").hidden = false;
  $("detail-title").focus();
}

async function download(format) {
  showError(null);
  const q = new URLSearchParams(query);
  q.set("format", format);
  try {
    const res = await call(`api/trace/export?${q}`);
    await saveResponse(res, `peenmark-trace.${format}`);
  } catch (e) {
    showError(e);
  }
}

async function stats() {
  showError(null);
  let s;
  try {
    s = await (await call(`api/trace/stats?timeZone=${encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone)}`)).json();
  } catch (e) {
    showError(e);
    return;
  }
  setText($("stats-totals"), "trace.s.totals", { n: s.totals.jobs, completed: s.totals.completed, failed: s.totals.failed, interrupted: s.totals.interrupted, remarks: s.totals.remarks });
  const days = $("stats-days").tBodies[0];
  days.replaceChildren();
  for (const d of s.stationDays) {
    const row = document.createElement("tr");
    row.append(cell(d.station), cell(d.day), cell(formatNumber(d.jobs)), cell(formatNumber(d.failed)), cell(formatNumber(d.interrupted)), cell(formatNumber(d.remarks)));
    days.append(row);
  }
  const series = $("stats-series").tBodies[0];
  series.replaceChildren();
  for (const x of s.series) {
    const row = document.createElement("tr");
    const left = x.nextNumber > x.end ? 0 : Math.floor((x.end - x.nextNumber) / x.step) + 1;
    row.append(cell(x.id), cell(x.pattern), cell(formatNumber(x.counts.committed)), cell(formatNumber(x.counts.reserved)), cell(formatNumber(left)));
    series.append(row);
  }
  $("stats-panel").hidden = false;
}

async function start() {
  const lang = initialLanguage();
  await setLanguage(lang);
  $("lang").value = lang;
  $("lang").addEventListener("change", () => setLanguage($("lang").value, { remember: true }));
  $("token-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN, $("f-token").value.trim());
    $("f-token").value = "";
    try {
      await call("api/trace/stats?to=1970-01-02");
      showError(null);
      showTrace();
    } catch (err) {
      sessionStorage.removeItem(TOKEN);
      showError(err);
    }
  });
  $("signout-btn").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN);
    showToken();
  });
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    query = new URLSearchParams();
    for (const f of FIELDS) {
      const v = $(`q-${f}`).value.trim();
      if (v) query.set(f, v);
    }
    void search(0);
  });
  $("prev-btn").addEventListener("click", () => search(Math.max(0, offset - PAGE)));
  $("next-btn").addEventListener("click", () => search(offset + PAGE));
  $("export-csv").addEventListener("click", () => download("csv"));
  $("export-json").addEventListener("click", () => download("json"));
  $("stats-btn").addEventListener("click", () => stats());
  if (sessionStorage.getItem(TOKEN)) showTrace();
  else showToken();
  document.body.dataset.ready = "1";
}

void start();
