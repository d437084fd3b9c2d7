import { get, post } from "./api.js";
import { tr, value, setText, formatDate, formatNumber } from "./i18n.js";
import { clearFieldErrors, errorLine, showFieldError } from "./fields.js";
import { placeError } from "./errors.js";
import { askReason } from "./dialogs.js";
import { role } from "./auth.js";

/**
 * Serial-number series: every one with its pattern, range, what it hands out next and how
 * many numbers went where; a series' numbers, each reserved, committed, released or void,
 * with who and why; operators define series and release or void numbers, with a reason.
 */
const $ = (id) => document.getElementById(id);
let shown = null;

export async function loadSeries() {
  const { series } = await get("series");
  $("series-rows").replaceChildren(...series.map(seriesRow));
  $("series-table").hidden = series.length === 0;
  $("series-none").hidden = series.length > 0;
  if (shown && series.some((s) => s.id === shown)) await showNumbers(shown);
  return series;
}

function seriesRow(s) {
  const row = document.createElement("tr");
  const counts = tr("td", "series.counts", { committed: s.counts.committed, reserved: s.counts.reserved, released: s.counts.released, void: s.counts.void });
  const next = s.next ? value("td", s.next.serial, "serial") : tr("td", "series.exhausted");
  const actions = document.createElement("td");
  const btn = tr("button", "series.numbers");
  btn.type = "button";
  btn.className = "secondary small";
  btn.dataset.series = s.id;
  btn.addEventListener("click", () => void showNumbers(s.id));
  actions.append(btn);
  row.append(value("td", s.id, "mono"), value("td", s.pattern, "mono"), tr("td", "series.range", { start: s.start, end: s.end, step: s.step }), next, counts, value("td", s.createdBy), actions);
  return row;
}

async function showNumbers(id) {
  shown = id;
  const { series, numbers } = await get(`series/${encodeURIComponent(id)}`);
  setText($("series-numbers-title"), "series.numbersOf", { id: series.id, n: numbers.length });
  $("series-number-rows").replaceChildren(
    ...numbers.map((n) => {
      const row = document.createElement("tr");
      const state = document.createElement("td");
      state.append(tr("span", `series.state.${n.state}`, undefined, `badge ${n.state}`));
      const who = document.createElement("td");
      if (n.operator) who.append(value("span", n.operator), " ", value("q", n.reason ?? ""));
      const actions = document.createElement("td");
      if (role() === "operator") {
        const acts = n.state === "reserved" ? ["release", "void"] : n.state === "released" ? ["void"] : [];
        for (const act of acts) {
          const b = tr("button", `series.${act}`);
          b.type = "button";
          b.className = act === "void" ? "danger small" : "secondary small";
          b.dataset.act = act;
          b.dataset.number = String(n.number);
          b.addEventListener("click", async () => {
            const done = await askReason(
              { titleKey: `series.${act}Title`, textKey: `series.${act}Text`, params: { serial: n.serial, number: n.number }, confirmKey: `series.${act}` },
              (a) => post(`series/${encodeURIComponent(id)}/numbers/${n.number}/${act}`, a),
            );
            if (done) await loadSeries();
          });
          actions.append(b, " ");
        }
      }
      row.append(value("td", formatNumber(n.number), "num"), value("td", n.serial, "serial"), state, value("td", n.jobId === undefined ? "" : String(n.jobId), "num"), value("td", formatDate(n.updatedAt)), who, actions);
      return row;
    }),
  );
  $("series-numbers").hidden = false;
}

export function setupSeries(onChanged) {
  $("series-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = $("series-form");
    clearFieldErrors(form);
    $("series-form-errors").replaceChildren();
    const whole = (id) => {
      const v = $(id).value.trim();
      return /^\d+$/.test(v) ? Number(v) : v === "" ? undefined : v;
    };
    const body = {
      id: $("f-s-id").value.trim(),
      pattern: $("f-s-pattern").value.trim(),
      start: whole("f-s-start"),
      end: whole("f-s-end"),
      operator: $("f-s-operator").value.trim(),
      ...($("f-s-licencePrefix").value.trim() ? { licencePrefix: $("f-s-licencePrefix").value.trim() } : {}),
    };
    try {
      await post("series", body);
      for (const id of ["f-s-id", "f-s-pattern", "f-s-start", "f-s-end", "f-s-licencePrefix"]) $(id).value = "";
      await loadSeries();
      await onChanged();
    } catch (err) {
      const placed = placeError(err);
      // The journal names the field in `where` (series "x": …), the schema in its issues.
      const atField = err.code === "E_JOURNAL" && err.where;
      const fields = atField ? [{ path: err.where === "createdBy" ? "operator" : err.where, key: "err.E_JOURNAL", code: err.code, message: err.message }] : placed.fields;
      const rest = atField ? [] : placed.general;
      let first = null;
      for (const f of fields) {
        if (showFieldError(form, { ...f, path: `s.${f.path}` })) first ??= document.getElementById(`f-s-${f.path}`);
        else rest.push(f);
      }
      for (const g of rest) {
        const p = document.createElement("p");
        p.append(errorLine(g));
        $("series-form-errors").append(p);
      }
      first?.focus();
    }
  });
}
