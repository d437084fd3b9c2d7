import { download, get, post } from "./api.js";
import { tr, value, setText, formatDate } from "./i18n.js";
import { errorLine, showFieldError } from "./fields.js";
import { placeError } from "./errors.js";
import { askReason } from "./dialogs.js";
import { role } from "./auth.js";
import { noteLine } from "./job.js";

/**
 * The journal view: search by part of a serial, maker or model, dates, station and state, a
 * page at a time, newest first; a job's whole history in a dialog (what was marked, its
 * events, re-marks and release); the trace export for operators. And the list of interrupted
 * jobs that wait for a re-home and re-mark, or an operator's release.
 */
const $ = (id) => document.getElementById(id);
const PAGE = 25;
let offset = 0;

function badge(state) {
  return tr("span", `job.state.${state}`, undefined, `badge ${state}`);
}

function noteCell(job) {
  const note = document.createElement("td");
  const parts = [];
  if (job.remarkOf) parts.push(tr("span", "journal.remarkOf", { id: job.remarkOf, by: job.authorisedBy ?? "" }));
  if (job.reason) parts.push(value("q", job.reason));
  if (job.released) parts.push(tr("span", "journal.released", { by: job.released.by }), value("q", job.released.reason));
  const p = job.progress;
  if (p && (job.state === "interrupted" || job.state === "aborted" || job.state === "failed")) parts.push(tr("span", "journal.lineReached", { line: p.linesExecuted ?? 0, total: p.linesTotal ?? 0 }));
  parts.forEach((el, i) => note.append(...(i ? [" ", el] : [el])));
  return note;
}

function jobRow(job) {
  const row = document.createElement("tr");
  row.className = "link";
  row.tabIndex = 0;
  row.dataset.job = String(job.id);
  const id = value("td", String(job.id), "num");
  const when = value("td", formatDate(job.createdAt));
  const serial = value("td", job.serial ?? job.record?.serial ?? "", "serial");
  const maker = value("td", job.record?.manufacturer ?? "");
  const profile = value("td", job.profileId ?? "");
  const state = document.createElement("td");
  state.append(badge(job.state));
  const tech = value("td", job.technician ?? "");
  row.append(id, when, serial, maker, profile, state, tech, noteCell(job));
  const open = () => void showDetail(job.id);
  row.addEventListener("click", open);
  row.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      open();
    }
  });
  return row;
}

/**
 * Date fields hold ISO dates (2026-11-23: the same in every region, day and month never
 * swapped); a malformed one is said at its field, and nothing is asked of the station.
 */
export function datesOk(ids) {
  let ok = true;
  for (const id of ids) {
    const input = $(id);
    const box = $(`${id}-error`);
    input.removeAttribute("aria-invalid");
    box.hidden = true;
    box.replaceChildren();
    if (input.value.trim() && !/^\d{4}-\d{2}-\d{2}$/.test(input.value.trim())) {
      input.setAttribute("aria-invalid", "true");
      box.append(errorLine({ key: "issue.date", code: "E_USAGE" }));
      box.hidden = false;
      ok = false;
    }
  }
  return ok;
}

/** The station's refusal of a date (2026-02-31), at its field. */
export function dateRefused(err, prefix) {
  if (err.code !== "E_USAGE" || (err.where !== "from" && err.where !== "to")) return false;
  const input = $(`${prefix}-${err.where}`);
  const box = $(`${prefix}-${err.where}-error`);
  input.setAttribute("aria-invalid", "true");
  box.replaceChildren(errorLine({ key: "issue.date", code: err.code, message: err.message }));
  box.hidden = false;
  input.focus();
  return true;
}

/** The filters as the API's query (`from`/`to` are whole local days). */
function query() {
  const q = new URLSearchParams();
  for (const [id, name] of [
    ["journal-serial", "serial"],
    ["journal-maker", "maker"],
    ["journal-model", "model"],
    ["journal-from", "from"],
    ["journal-to", "to"],
    ["journal-station", "station"],
    ["journal-outcome", "outcome"],
  ]) {
    const v = $(id).value.trim();
    if (v) q.set(name, v);
  }
  return q;
}

/** The newest search asked for: an answer to an older one (a slow one, overtaken) is not drawn. */
let asked = 0;

export async function searchJournal(resetPage = true) {
  if (!datesOk(["journal-from", "journal-to"])) return [];
  if (resetPage) offset = 0;
  const mine = ++asked;
  const q = query();
  q.set("limit", String(PAGE));
  q.set("offset", String(offset));
  let page;
  try {
    page = await get(`journal?${q}`);
  } catch (err) {
    if (dateRefused(err, "journal")) return [];
    throw err;
  }
  if (mine !== asked) return [];
  const { jobs, total } = page;
  $("journal-rows").replaceChildren(...jobs.map(jobRow));
  $("journal-table").hidden = jobs.length === 0;
  const filtered = [...query().keys()].length > 0;
  if (jobs.length) setText($("journal-count"), "journal.range", { from: offset + 1, to: offset + jobs.length, n: total });
  else setText($("journal-count"), filtered ? "journal.noneFor" : "journal.none");
  $("journal-prev").disabled = offset === 0;
  $("journal-next").disabled = offset + jobs.length >= total;
  return jobs;
}

export function setupJournal(onError) {
  $("journal-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void searchJournal().catch(onError);
  });
  $("journal-form").addEventListener("reset", () => setTimeout(() => void searchJournal().catch(onError)));
  $("journal-prev").addEventListener("click", () => {
    offset = Math.max(0, offset - PAGE);
    void searchJournal(false).catch(onError);
  });
  $("journal-next").addEventListener("click", () => {
    offset += PAGE;
    void searchJournal(false).catch(onError);
  });
  const exportAs = async (format) => {
    const q = new URLSearchParams({ format });
    for (const name of ["from", "to", "outcome"]) {
      const v = query().get(name);
      if (v) q.set(name, v);
    }
    if (format === "csv") {
      q.set("delimiter", $("export-delimiter").value);
      q.set("bom", $("export-bom").checked ? "1" : "0");
    }
    const status = $("export-status");
    status.replaceChildren();
    try {
      const name = await download(`journal/export?${q}`);
      status.append(tr("span", "export.done"), " ", value("span", name, "mono"));
    } catch (err) {
      status.append(errorLine(placeError(err).general[0] ?? { key: "err.unknown", code: err.code }));
    }
  };
  $("export-csv").addEventListener("click", () => void exportAs("csv"));
  $("export-json").addEventListener("click", () => void exportAs("json"));
}

// ---------- a job's history ----------

const FIELDS = [
  ["serial", (j) => j.serial],
  ["manufacturer", (j) => j.record?.manufacturer],
  ["model", (j) => j.record?.model],
  ["caliber", (j) => j.record?.caliber],
  ["place", (j) => [j.record?.place?.city, j.record?.place?.state, j.record?.place?.country?.name].filter(Boolean).join(", ")],
  ["import", (j) => (j.record?.import ? [j.record.import.importer, j.record.import.country?.name, j.record.import.year].filter(Boolean).join(", ") : undefined)],
  ["profile", (j) => `${j.profileId} · ${j.profileHash?.slice(0, 12) ?? ""}`],
  ["station", (j) => j.stationId],
  ["technician", (j) => j.technician],
  ["created", (j) => formatDate(j.createdAt)],
  ["started", (j) => (j.startedAt ? formatDate(j.startedAt) : undefined)],
  ["ended", (j) => (j.endedAt ? formatDate(j.endedAt) : undefined)],
  ["program", (j) => j.programHash?.slice(0, 12)],
];

function dl(rows) {
  const list = document.createElement("dl");
  list.className = "detail";
  for (const [key, v] of rows) {
    if (v === undefined || v === "" || v === null) continue;
    let dd;
    if (v instanceof Node) {
      dd = document.createElement("dd");
      dd.append(v);
    } else dd = value("dd", String(v));
    list.append(tr("dt", key), dd);
  }
  return list;
}

export async function showDetail(id) {
  const { job, events, remarks, remarkOf } = await get(`journal/${encodeURIComponent(id)}`);
  const body = $("detail-body");
  setText($("detail-title"), "detail.title", { id: job.id, serial: job.serial });
  const state = document.createElement("span");
  state.append(badge(job.state));
  const p = job.progress ?? {};
  const rows = [["detail.state", state], ...FIELDS.map(([k, f]) => [`detail.${k}`, f(job)])];
  rows.push(["detail.progress", tr("span", "detail.progressValue", { lines: p.linesExecuted ?? 0, linesTotal: p.linesTotal ?? 0, strikes: p.strikesDone ?? 0, strikesTotal: p.strikesTotal ?? 0 })]);
  const parts = [dl(rows)];
  const note = job.outcome && noteLine(job);
  if (note) parts.push(note);
  if (job.outcome?.code) parts.push(errorLine({ key: job.outcome.code.startsWith("ALARM:") ? "err.controllerAlarm" : job.outcome.code.startsWith("error:") ? "err.controllerError" : "err.unknown", code: job.outcome.code, message: job.outcome.message }));
  if (remarkOf) parts.push(tr("p", "detail.remarkOf", { id: remarkOf.id, by: job.authorisedBy ?? "" }), value("p", job.reason ?? ""));
  if (job.released) parts.push(tr("p", "detail.released", { by: job.released.by, at: formatDate(job.released.at) }), value("p", job.released.reason));
  parts.push(tr("h3", "detail.events"));
  if (events.length) {
    const table = document.createElement("table");
    table.className = "journal";
    const head = document.createElement("tr");
    for (const k of ["detail.col.when", "detail.col.what", "detail.col.who", "detail.col.why"]) head.append(tr("th", k));
    const thead = document.createElement("thead");
    thead.append(head);
    const tbody = document.createElement("tbody");
    for (const e of events) {
      const r = document.createElement("tr");
      r.append(value("td", formatDate(e.at)), tr("td", `event.${e.kind}`), value("td", e.operator ?? ""), value("td", e.reason ?? ""));
      tbody.append(r);
    }
    table.append(thead, tbody);
    parts.push(table);
  } else parts.push(tr("p", "detail.noEvents", undefined, "hint"));
  if (remarks.length) {
    parts.push(tr("h3", "detail.remarks"));
    const ul = document.createElement("ul");
    for (const r of remarks) {
      const li = document.createElement("li");
      li.append(tr("span", "detail.remarkItem", { id: r.id, by: r.authorisedBy ?? "" }), " ", badge(r.state), " ", value("q", r.reason ?? ""));
      ul.append(li);
    }
    parts.push(ul);
  }
  body.replaceChildren(...parts);
  const dialog = $("detail-dialog");
  if (!dialog.open) dialog.showModal();
  return job;
}

// ---------- interrupted jobs ----------

/** Interrupted jobs with what to do; `onRemark(job)` starts the re-mark, `onReleased()` follows a release. */
export async function loadInterrupted(onRemark, onReleased) {
  const { jobs } = await get("journal/interrupted");
  const box = $("interrupted");
  const list = $("interrupted-list");
  list.replaceChildren();
  box.hidden = jobs.length === 0;
  for (const job of jobs) {
    const li = document.createElement("li");
    const p = job.progress ?? {};
    const what = document.createElement("p");
    what.append(value("strong", job.serial ?? job.record?.serial ?? "", "serial"), " ", tr("span", "interrupted.item", { profile: job.profileId, line: p.linesExecuted ?? 0, total: p.linesTotal ?? 0 }), " ", value("span", formatDate(job.endedAt ?? job.startedAt ?? job.createdAt), "when"));
    const actions = document.createElement("div");
    actions.className = "actions";
    const btn = tr("button", "interrupted.remark");
    btn.type = "button";
    btn.className = "secondary small";
    btn.dataset.job = job.id;
    btn.addEventListener("click", () => onRemark(job));
    actions.append(btn);
    if (role() === "operator") {
      const release = tr("button", "interrupted.release");
      release.type = "button";
      release.className = "danger small";
      release.dataset.release = job.id;
      release.addEventListener("click", async () => {
        const done = await askReason({ titleKey: "release.title", textKey: "release.text", params: { serial: job.serial, id: job.id }, confirmKey: "release.confirm" }, (a) => post(`journal/${encodeURIComponent(job.id)}/release`, a));
        if (done) await onReleased();
      });
      actions.append(release);
    }
    li.append(what, actions);
    list.append(li);
  }
  return jobs;
}
