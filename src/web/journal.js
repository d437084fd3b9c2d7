import { get } from "./api.js";
import { tr, value, setText, formatDate } from "./i18n.js";

/**
 * The journal view (newest first, search by serial) and the list of interrupted jobs that
 * still wait for a re-home and a re-mark (or an operator's release).
 */
const $ = (id) => document.getElementById(id);

function jobRow(job) {
  const row = document.createElement("tr");
  const id = value("td", String(job.id), "num");
  const when = value("td", formatDate(job.createdAt));
  const serial = value("td", job.serial ?? job.record?.serial ?? "", "serial");
  const profile = value("td", job.profileId ?? "");
  const state = document.createElement("td");
  state.append(tr("span", `job.state.${job.state}`, undefined, `badge ${job.state}`));
  const tech = value("td", job.technician ?? "");
  const note = document.createElement("td");
  const parts = [];
  if (job.remarkOf) parts.push(tr("span", "journal.remarkOf", { id: job.remarkOf, by: job.authorisedBy ?? "" }));
  if (job.reason) parts.push(value("q", job.reason));
  if (job.released) parts.push(tr("span", "journal.released", { by: job.released.by }), value("q", job.released.reason));
  const p = job.progress;
  if (p && (job.state === "interrupted" || job.state === "aborted" || job.state === "failed")) parts.push(tr("span", "journal.lineReached", { line: p.linesExecuted ?? 0, total: p.linesTotal ?? 0 }));
  parts.forEach((el, i) => note.append(...(i ? [" ", el] : [el])));
  row.append(id, when, serial, profile, state, tech, note);
  return row;
}

export async function searchJournal(serial) {
  const q = serial ? `journal?serial=${encodeURIComponent(serial)}&limit=50` : "journal?limit=50";
  const { jobs } = await get(q);
  const tbody = $("journal-rows");
  tbody.replaceChildren(...jobs.map(jobRow));
  $("journal-table").hidden = jobs.length === 0;
  if (jobs.length) setText($("journal-count"), "journal.count", { n: jobs.length });
  else setText($("journal-count"), serial ? "journal.noneFor" : "journal.none", { serial });
  return jobs;
}

/** Interrupted jobs with what to do; `onRemark(job)` starts the re-mark for one. */
export async function loadInterrupted(onRemark) {
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
    const btn = tr("button", "interrupted.remark");
    btn.type = "button";
    btn.className = "secondary";
    btn.dataset.job = job.id;
    btn.addEventListener("click", () => onRemark(job));
    li.append(what, btn);
    list.append(li);
  }
  return jobs;
}
