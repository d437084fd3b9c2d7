import { post } from "./api.js";
import { tr, value } from "./i18n.js";
import { errorKey } from "./errors.js";

/**
 * The operator's profile view: read a profile file, have the service check it (schema,
 * fonts, marking rules), list every problem with its JSON path, publish when it is valid.
 */
const $ = (id) => document.getElementById(id);
let checked = null; // the file text that passed the check

/** Problems as `{ path, message }`: schema issues carry paths; font and rule errors name them in their lines. */
export function problemsOf(err) {
  const issues = Array.isArray(err.details?.issues) ? err.details.issues : [];
  if (issues.length) return issues.map((i) => ({ path: i.path, message: i.message }));
  const out = [];
  for (const line of String(err.message ?? "").split("\n").slice(1)) {
    const m = /(\$[^\s:]*):\s*(.*)$/.exec(line.trim());
    if (m) out.push({ path: m[1], message: m[2] });
    else if (line.trim()) out.push({ path: "", message: line.trim() });
  }
  if (!out.length) out.push({ path: "", message: err.message });
  return out;
}

function showProblems(err) {
  const result = $("op-result");
  const head = document.createElement("p");
  head.className = "error-text";
  head.append(tr("span", errorKey(err.code)), " ", value("code", err.code, "code"));
  result.replaceChildren(head);
  const list = document.createElement("ul");
  list.className = "problems";
  for (const p of problemsOf(err)) {
    const li = document.createElement("li");
    if (p.path) li.append(value("code", p.path, "path"), " ");
    const msg = value("span", p.message);
    msg.lang = "en";
    li.append(msg);
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
      $("op-result").replaceChildren(tr("p", "op.valid", { id: r.id, blocks: Array.isArray(r.blocks) ? r.blocks.length : r.blocks }, "ok-text"));
    } catch (err) {
      showProblems(err);
    }
  });
  $("op-publish").addEventListener("click", async () => {
    if (checked === null) return;
    try {
      const r = await post("profiles", checked);
      $("op-result").replaceChildren(tr("p", "op.published", { id: r.id, version: r.version }, "ok-text"), value("code", r.hash ?? "", "hash"));
      $("op-publish").disabled = true;
      checked = null;
      await onPublished(r.id);
    } catch (err) {
      showProblems(err);
    }
  });
}
