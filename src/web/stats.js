import { get } from "./api.js";
import { tr, value, setText, formatDate } from "./i18n.js";
import { dateRefused, datesOk } from "./journal.js";

/**
 * Statistics for the supervisor: marks per day (the station's own days, in its time zone),
 * per station and per technician, with failures, aborts, interruptions and re-marks.
 */
const $ = (id) => document.getElementById(id);
const COLS = ["jobs", "completed", "failed", "aborted", "interrupted", "remarks"];

function table(titleKey, keyKey, rows, label) {
  const t = document.createElement("table");
  t.className = "journal";
  const caption = tr("caption", titleKey);
  const head = document.createElement("tr");
  head.append(tr("th", keyKey));
  for (const c of COLS) head.append(tr("th", `stats.col.${c}`));
  const thead = document.createElement("thead");
  thead.append(head);
  const tbody = document.createElement("tbody");
  const most = Math.max(1, ...rows.map((r) => r.jobs));
  for (const r of rows) {
    const row = document.createElement("tr");
    const first = label(r);
    const th = document.createElement("th");
    th.scope = "row";
    th.append(first);
    row.append(th);
    for (const c of COLS) {
      const td = value("td", String(r[c]), "num");
      if (c === "jobs") {
        const bar = document.createElement("span");
        bar.className = "bar";
        bar.style.width = `${(4 * r.jobs) / most}rem`;
        td.prepend(bar);
      }
      row.append(td);
    }
    tbody.append(row);
  }
  t.append(caption, thead, tbody);
  return t;
}

export async function showStats() {
  if (!datesOk(["stats-from", "stats-to"])) return undefined;
  const q = new URLSearchParams();
  if ($("stats-from").value.trim()) q.set("from", $("stats-from").value.trim());
  if ($("stats-to").value.trim()) q.set("to", $("stats-to").value.trim());
  let s;
  try {
    s = await get(`journal/stats?${q}`);
  } catch (err) {
    if (dateRefused(err, "stats")) return undefined;
    throw err;
  }
  setText($("stats-zone"), "stats.zone", { zone: s.timeZone, n: s.totals.jobs });
  $("stats-tables").replaceChildren(
    table("stats.totals", "stats.col.all", [{ ...s.totals }], () => tr("span", "stats.all")),
    table("stats.perDay", "stats.col.day", s.days, (r) => value("span", formatDate(`${r.day}T00:00:00Z`, false))),
    table("stats.perStation", "stats.col.station", s.stations, (r) => value("span", r.station)),
    table("stats.perTechnician", "stats.col.technician", s.technicians, (r) => value("span", r.technician)),
  );
  return s;
}

export function setupStats(onError) {
  $("stats-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void showStats().catch(onError);
  });
}
