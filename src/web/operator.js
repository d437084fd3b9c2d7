import { get, post } from "./api.js";
import { tr, value, setText, formatDate, localized, textOf } from "./i18n.js";
import { errorKey, issueKey, issueParams } from "./errors.js";
import { errorLine } from "./fields.js";
import { askReason } from "./dialogs.js";
import { role } from "./auth.js";
import { showPreview, showFigures } from "./preview.js";

/**
 * The operator's profiles view: every profile with its version and hash, a profile's versions
 * and its sample record previewed at any version, retire and restore (with a reason); and the
 * check of a profile file — schema, fonts, marking rules and the sample compiled on this
 * station, every problem at once with its JSON path — then publish.
 */
const $ = (id) => document.getElementById(id);
let checked = null; // the file text that passed the check
let station = null;

export function setStation(s) {
  station = s;
}

/** Problems as `{ path, code, key, params, message }`, from the check's list (or an error's schema issues). */
export function problemsOf(err) {
  const list = Array.isArray(err.details?.problems) ? err.details.problems : Array.isArray(err.details?.issues) ? err.details.issues.map((i) => ({ code: "E_SCHEMA", ...i })) : [];
  if (list.length)
    return list.map((p) => ({
      path: p.path ?? "",
      code: p.code ?? err.code,
      key: (p.code ?? err.code) === "E_SCHEMA" ? issueKey(p.message) : errorKey(p.code ?? err.code),
      params: (p.code ?? err.code) === "E_SCHEMA" ? issueParams(p.message) : {},
      message: p.message,
    }));
  const out = [];
  for (const line of String(err.message ?? "").split("\n").slice(1)) {
    const m = /(\$[^\s:]*):\s*(.*)$/.exec(line.trim());
    if (m) out.push({ path: m[1], code: err.code, key: errorKey(err.code), params: {}, message: m[2] });
    else if (line.trim()) out.push({ path: "", code: err.code, key: errorKey(err.code), params: {}, message: line.trim() });
  }
  if (!out.length) out.push({ path: "", code: err.code, key: errorKey(err.code), params: {}, message: err.message });
  return out;
}

function showProblems(err) {
  const result = $("op-result");
  const problems = problemsOf(err);
  const head = document.createElement("p");
  head.className = "error-text";
  head.append(problems.length > 1 ? tr("span", "op.problems", { n: problems.length }) : tr("span", errorKey(err.code)), " ", value("code", err.code, "code"));
  result.replaceChildren(head);
  const list = document.createElement("ul");
  list.className = "problems";
  for (const p of problems) {
    const li = document.createElement("li");
    if (p.path) li.append(value("code", p.path, "path"), " ");
    li.append(errorLine({ key: p.key, params: p.params, code: p.code, message: p.message }));
    list.append(li);
  }
  result.append(list);
}

async function readFile() {
  const file = $("op-file").files?.[0];
  if (!file) {
    $("op-result").replaceChildren(tr("p", "op.chooseFile", {}, "error-text"));
    return null;
  }
  const text = await file.text();
  try {
    JSON.parse(text);
  } catch (e) {
    $("op-result").replaceChildren(tr("p", "op.notJson", { file: file.name }, "error-text"), value("p", String(e.message), "technical"));
    return null;
  }
  return text;
}

// ---------- the profiles and their versions ----------

export async function loadProfiles() {
  const profiles = await get("profiles?all=1");
  $("profiles-rows").replaceChildren(
    ...profiles.map((p) => {
      const row = document.createElement("tr");
      const name = document.createElement("td");
      name.append(localized("span", p.name));
      if (p.retired) name.append(" ", tr("span", "op.retired", undefined, "badge retired"));
      const actions = document.createElement("td");
      const show = tr("button", "op.versions");
      show.type = "button";
      show.className = "secondary small";
      show.dataset.profile = p.id;
      show.addEventListener("click", () => void showProfile(p.id));
      actions.append(show);
      row.append(value("td", p.id, "mono"), name, tr("td", `rules.${p.rules}`), value("td", String(p.version), "num"), value("td", p.hash.slice(0, 12), "hash"), actions);
      return row;
    }),
  );
  return profiles;
}

async function previewVersion(id, version) {
  const figure = $("profile-preview");
  try {
    const preview = await post(`profiles/${encodeURIComponent(id)}/preview`, version === undefined ? {} : { version });
    showPreview(figure, preview, station?.workArea, { follow: false });
    const caption = document.createElement("figcaption");
    caption.className = "hint";
    caption.append(tr("span", "op.sampleOf", { version: preview.version, serial: preview.record.serial }));
    const figs = document.createElement("span");
    showFigures(figs, preview.summary);
    caption.append(" ", value("span", "·"), " ", figs);
    figure.append(caption);
  } catch (err) {
    figure.replaceChildren(errorLine({ key: err.code === "E_RECORD_FIELD_MISSING" ? "op.noSample" : errorKey(err.code), code: err.code, message: err.message }));
  }
}

export async function showProfile(id) {
  const { summary, versions } = await get(`profiles/${encodeURIComponent(id)}`);
  const title = $("profile-detail-title");
  title.replaceChildren(value("span", summary.id, "mono"), " ", value("span", "—"), " ", localized("span", summary.name));
  $("version-rows").replaceChildren(
    ...versions.map((v) => {
      const row = document.createElement("tr");
      const actions = document.createElement("td");
      const b = tr("button", "op.previewSample");
      b.type = "button";
      b.className = "secondary small";
      b.dataset.version = String(v.version);
      b.addEventListener("click", () => void previewVersion(id, v.version));
      actions.append(b);
      row.append(value("td", String(v.version), "num"), tr("td", `op.source.${v.source}`), value("td", v.publishedAt ? formatDate(v.publishedAt) : ""), value("td", v.hash.slice(0, 16), "hash"), actions);
      return row;
    }),
  );
  const retired = $("profile-retired");
  retired.hidden = !summary.retired;
  if (summary.retired) setText(retired, "op.retiredBy", { by: summary.retired.by, at: formatDate(summary.retired.at), reason: summary.retired.reason });
  // Retire or restore: an operator's act with a reason.
  retired.nextElementSibling?.matches?.(".retire-actions") && retired.nextElementSibling.remove();
  if (role() === "operator") {
    const act = summary.retired ? "restore" : "retire";
    const box = document.createElement("div");
    box.className = "actions retire-actions";
    const b = tr("button", `op.${act}`);
    b.type = "button";
    b.id = "profile-retire";
    b.className = act === "retire" ? "danger small" : "secondary small";
    b.addEventListener("click", async () => {
      const done = await askReason({ titleKey: `op.${act}Title`, textKey: `op.${act}Text`, params: { id, name: textOf(summary.name) }, confirmKey: `op.${act}` }, (a) => post(`profiles/${encodeURIComponent(id)}/${act}`, a));
      if (done) {
        await loadProfiles();
        await showProfile(id);
        document.dispatchEvent(new CustomEvent("profileschange"));
      }
    });
    box.append(b);
    retired.after(box);
  }
  $("profile-detail").hidden = false;
  await previewVersion(id, undefined);
}

export function setupOperator(onPublished) {
  $("op-file").addEventListener("change", () => {
    $("op-file-name").textContent = $("op-file").files?.[0]?.name ?? "";
    checked = null;
    $("op-publish").disabled = true;
    $("op-result").replaceChildren();
  });
  $("op-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    checked = null;
    $("op-publish").disabled = true;
    const text = await readFile();
    if (text === null) return;
    try {
      const r = await post("profiles/check", text);
      checked = text;
      $("op-publish").disabled = false;
      const parts = [tr("p", "op.valid", { id: r.id, n: Array.isArray(r.blocks) ? r.blocks.length : r.blocks }, "ok-text")];
      for (const w of r.warnings ?? []) parts.push(tr("p", `op.warning.${w.kind}`, {}, "warn-text"));
      $("op-result").replaceChildren(...parts);
      if (r.preview) {
        const figure = document.createElement("figure");
        figure.className = "figure";
        $("op-result").append(figure);
        showPreview(figure, r.preview, station?.workArea, { follow: false });
      }
    } catch (err) {
      showProblems(err);
    }
  });
  $("op-publish").addEventListener("click", async () => {
    if (checked === null) return;
    try {
      const r = await post("profiles", checked);
      $("op-result").replaceChildren(tr("p", r.unchanged ? "op.unchanged" : "op.published", { id: r.id, version: r.version }, "ok-text"), value("code", r.hash ?? "", "hash"));
      $("op-publish").disabled = true;
      checked = null;
      await loadProfiles();
      await onPublished(r.id);
    } catch (err) {
      showProblems(err);
    }
  });
}
