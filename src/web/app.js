import { get, post, subscribe, setStationToken, signedIn, stationToken } from "./api.js";
import { initialLanguage, setLanguage, setText, tr, currentLanguage, setLocalized, formatDate } from "./i18n.js";
import { inputsFor, expandPath, renderFields, readRecord, readValues, clearFieldErrors, showFieldError, errorLine } from "./fields.js";
import { placeError } from "./errors.js";
import { showPreview, showStruck, showHead, showBlocks, showFigures, clearPreview } from "./preview.js";
import { renderJob, hideJob, outcomeKey, ACTIVE } from "./job.js";
import { renderController } from "./controller.js";
import { searchJournal, loadInterrupted, setupJournal } from "./journal.js";
import { setupOperator, loadProfiles as loadProfileList, setStation } from "./operator.js";
import { attachScanner } from "./scanner.js";
import { setupBenchSettings, markKey, scanGapMs, realWidth, keyName } from "./bench.js";
import { applyRole, refreshRole, role, setupAuth } from "./auth.js";
import { setupStats, showStats } from "./stats.js";
import { loadSeries, setupSeries } from "./series.js";

/**
 * The technician's page: pick a profile, scan the serial (a scan replaces the field, whatever
 * it held), preview at real size, mark with one key, follow the strikes as they land, pause /
 * resume / abort, re-mark an interrupted job; and the supervisor's views (journal, statistics,
 * series, profiles) for an operator signed in on it. State lives here; the other modules draw
 * one part of the page each.
 */
const $ = (id) => document.getElementById(id);
const TECHNICIAN = "peenmark.technician";
const PROFILE = "peenmark.profile";
const ZOOM = "peenmark.zoom";
/** A key press this soon after a preview appears is no decision about it (a second Enter of a scanner): it does not mark. */
const SETTLE_MS = 400;

const state = {
  station: null,
  profiles: [],
  profile: null,
  inputs: [],
  series: [],
  /** Record paths the service asked for that the profile's `fields` did not list. */
  extraPaths: new Set(),
  /** The last good preview and the request it answers: Mark sends exactly that request. */
  preview: null,
  previewShownAt: 0,
  job: null,
  /** A POST /api/jobs is on its way, and the newest event of a job seen meanwhile. */
  starting: false,
  early: null,
  /** The interrupted job being re-marked, if any. */
  remarkOf: null,
  /** The job whose end the page has already dealt with. */
  finished: null,
  scanner: null,
};

const requestKey = (profileId, record, series) => JSON.stringify([profileId, record, series ?? null]);
const busy = () => !!state.job && ACTIVE.includes(state.job.state);

// ---------- profiles and the record form ----------

function fillProfileSelect() {
  const select = $("profile");
  select.replaceChildren(
    ...state.profiles.map((p) => {
      const o = document.createElement("option");
      o.value = p.id;
      setLocalized(o, p.name);
      return o;
    }),
  );
}

function deepMerge(base, over) {
  const out = structuredClone(base ?? {});
  for (const [k, v] of Object.entries(over ?? {})) out[k] = v && typeof v === "object" && !Array.isArray(v) && out[k] && typeof out[k] === "object" ? deepMerge(out[k], v) : v;
  return out;
}

/**
 * Every record carries these, whatever the profile marks: the journal keeps each part by
 * serial and maker (the record schema requires them), so the form always asks for them.
 */
const RECORD_REQUIRED = ["serial", "manufacturer", "place.city", "place.country.code", "caliber"];

/** The inputs of the form: what every record needs, what the profile marks, what the service asked for. */
function formInputs() {
  return inputsFor([...RECORD_REQUIRED, ...(state.profile?.fields ?? []), ...state.extraPaths]);
}

/** The inputs whose values the profile strikes (the others are only recorded). */
function markedPaths() {
  return new Set(inputsFor(state.profile?.fields ?? []).map((i) => i.path));
}

const upper = () => state.profile?.form?.upperCaseSerial === true;

function drawFields(values) {
  state.inputs = renderFields($("fields"), formInputs(), values, markedPaths(), { upperCaseSerial: upper() });
  const serial = $("f-serial");
  if (serial) state.scanner = attachScanner(serial, { gapMs: scanGapMs, transform: (s) => (upper() ? s.toUpperCase() : s) });
  applySerialSource();
}

/** Show the form for profile `id`, starting from its defaults overlaid with `values`. */
function chooseProfile(id, values = {}) {
  const profile = state.profiles.find((p) => p.id === id) ?? state.profiles[0];
  if (!profile) return;
  state.profile = profile;
  $("profile").value = profile.id;
  localStorage.setItem(PROFILE, profile.id);
  setLocalized($("profile-desc"), profile.description ?? "");
  drawFields(deepMerge(profile.defaults, values));
  invalidatePreview();
}

function focusSerial() {
  const serial = $("f-serial");
  if (serial && !serial.disabled) {
    serial.focus();
    serial.select?.();
  } else state.inputs.find((i) => !i.disabled)?.focus();
}

/** Enter in a field: on to the next empty field, or preview when all are filled (a scanner ends with Enter). */
function onEnter(e) {
  if (e.key !== "Enter" || e.isComposing || !(e.target instanceof HTMLInputElement)) return;
  if (e.target.type === "file" || e.target.type === "checkbox") return;
  e.preventDefault();
  const chain = [...state.inputs, $("f-technician")].filter((i) => !i.disabled);
  const at = chain.indexOf(e.target);
  const next = chain.slice(at + 1).find((i) => !i.value.trim());
  if (next && at >= 0 && e.target !== $("f-technician")) next.focus();
  else void doPreview();
}

// ---------- the serial-number series picker ----------

function fillSeriesSelect() {
  const select = $("serial-source");
  const keep = select.value;
  select.replaceChildren(select.options[0] ?? tr("option", "record.serialScanned"));
  for (const s of state.series) {
    const o = tr("option", s.next ? "record.seriesOption" : "record.seriesExhausted", { id: s.id, serial: s.next?.serial ?? "" });
    o.value = s.id;
    o.disabled = !s.next;
    select.append(o);
  }
  select.value = state.series.some((s) => s.id === keep) ? keep : "";
  $("source-field").hidden = state.series.length === 0;
  applySerialSource();
}

/** With a series chosen the serial field is empty and locked: the series gives the serial. */
function applySerialSource() {
  const serial = $("f-serial");
  const chosen = $("serial-source").value;
  if (!serial) return;
  const fromSeries = chosen !== "" && !state.remarkOf;
  serial.disabled = fromSeries;
  if (fromSeries) serial.value = "";
  const hint = $("serial-source-hint");
  hint.hidden = !fromSeries;
  if (fromSeries) setText(hint, "record.seriesHint", { id: chosen });
}

async function loadSeriesChoices() {
  try {
    state.series = (await get("series")).series;
  } catch {
    state.series = [];
  }
  fillSeriesSelect();
}

// ---------- errors ----------

function clearErrors() {
  clearFieldErrors($("record-form"));
  $("form-errors").replaceChildren();
  $("job-errors").replaceChildren();
}

function showGeneral(box, problems) {
  for (const p of problems) {
    const line = document.createElement("p");
    line.append(errorLine(p));
    box.append(line);
  }
}

/** Put each problem at its field (adding a field the service needs that the form lacked). */
function showErrors(err, box = $("form-errors")) {
  const placed = placeError(err, state.profile);
  const { general } = placed;
  let { fields } = placed;
  // A character the font lacks: at the field that holds it, when one does.
  const ch = fields[0]?.params?.char;
  if (err.code === "E_GLYPH_MISSING" && ch) {
    const holding = fields.filter((p) => document.getElementById(`f-${p.path.replace(/\./g, "-")}`)?.value.includes(ch));
    if (holding.length) fields = holding;
  }
  // `place` missing altogether is a problem at its first input.
  for (const p of fields) p.path = expandPath(p.path)[0] ?? p.path;
  const missing = fields.filter((p) => !document.getElementById(`f-${p.path.replace(/\./g, "-")}`) && expandPath(p.path).length);
  if (missing.length) {
    // Redrawn with what was typed (a field the technician emptied stays empty); the new inputs start empty.
    for (const p of missing) state.extraPaths.add(p.path);
    drawFields(readValues(state.inputs));
  }
  let first = null;
  for (const p of fields) {
    if (showFieldError($("record-form"), p)) first ??= document.getElementById(`f-${p.path.replace(/\./g, "-")}`);
    else general.push(p);
  }
  showGeneral(box, general);
  const count = fields.length + general.length;
  if (fields.length > 1 || (fields.length && general.length)) box.prepend(tr("p", "err.summary", { n: count }));
  if (first) {
    first.focus();
    // The next scan replaces what the field holds; typing does too.
    first.select?.();
  }
}

// ---------- preview ----------

function showStrikeSerial(serial) {
  const out = $("strike-serial");
  out.textContent = serial ?? "";
  $("strike-title").closest(".strike-bar").dataset.ready = serial ? "1" : "0";
}

function invalidatePreview() {
  // Whatever picture is there no longer shows this record.
  $("preview-figure").classList.add("stale");
  if (!state.preview) return;
  state.preview = null;
  showStrikeSerial("");
  setText($("preview-status"), "preview.stale");
  updateMarkButton();
}

function updateMarkButton() {
  const b = busy();
  $("mark-btn").disabled = !state.preview || b;
  document.body.toggleAttribute("data-busy", b);
  const key = markKey();
  if (b) setText($("mark-note"), "mark.busy");
  else if (!state.preview) setText($("mark-note"), "mark.needPreview");
  else setText($("mark-note"), state.remarkOf ? "mark.readyRemark" : key ? "mark.readyKey" : "mark.ready", { key: key ? keyName(key) : "" });
}

async function doPreview() {
  if (!state.profile || busy()) return;
  clearErrors();
  const record = readRecord(state.inputs);
  const series = !state.remarkOf && $("serial-source").value ? $("serial-source").value : undefined;
  if (series) delete record.serial;
  // A re-mark strikes with the profile version the interrupted job used: preview that one.
  const body = { profileId: state.profile.id, record, ...(series ? { series } : {}), ...(state.remarkOf ? { remark: { of: state.remarkOf.id } } : {}) };
  $("preview-btn").disabled = true;
  setText($("preview-status"), "preview.working");
  try {
    const preview = await post("jobs/preview", body);
    state.preview = { key: requestKey(body.profileId, record, series), body, preview, serial: preview.record?.serial ?? record.serial, seriesSerial: preview.series?.serial };
    renderPreview(preview);
    showStrikeSerial(state.preview.serial);
    setText($("preview-status"), "preview.ready");
    state.previewShownAt = performance.now();
  } catch (err) {
    // No picture of a record the station refuses: an old preview must not pass for this one.
    state.preview = null;
    showStrikeSerial("");
    clearPreview($("preview-figure"));
    $("blocks-details").hidden = true;
    $("figures").replaceChildren();
    hideJob();
    setText($("preview-status"), "preview.failed");
    showErrors(err);
  } finally {
    $("preview-btn").disabled = false;
    updateMarkButton();
  }
  // One key marks now: Enter on Mark (or the pedal's key). A re-mark first needs the operator's name and reason.
  if (state.preview && !state.remarkOf) $("mark-btn").focus();
}

function renderPreview(preview) {
  const figure = $("preview-figure");
  figure.classList.remove("stale");
  showPreview(figure, preview, state.station?.workArea);
  applyZoom();
  showBlocks($("block-rows"), preview.summary.blocks ?? []);
  $("blocks-details").hidden = false;
  showFigures($("figures"), preview.summary);
  hideJob();
}

/** Fit, or real size ×1, ×2, ×4 on this screen as calibrated (bench settings). */
function applyZoom() {
  const svg = $("preview-figure").querySelector("svg");
  const z = $("zoom").value;
  const note = $("calibration-note");
  if (!svg) {
    note.hidden = true;
    return;
  }
  if (z === "fit") {
    svg.style.width = "";
    note.hidden = true;
  } else {
    const { px, calibrated } = realWidth(Number(svg.dataset.widthMm), Number(z));
    svg.style.width = `${px}px`;
    note.hidden = calibrated;
    if (!calibrated) setText(note, "preview.notCalibrated");
  }
  $("preview-figure").classList.toggle("scroll", z !== "fit");
}

// ---------- marking ----------

function requireText(id, key) {
  const input = $(id);
  if (input.value.trim()) return true;
  showFieldError($("record-form"), { path: id.slice(2).replace(/-/g, "."), key, code: "E_SCHEMA" });
  return false;
}

async function doMark(byKey = false) {
  if (!state.preview || busy() || state.starting) return;
  if (byKey && performance.now() - state.previewShownAt < SETTLE_MS) return;
  clearErrors();
  const record = readRecord(state.inputs);
  const series = !state.remarkOf && $("serial-source").value ? $("serial-source").value : undefined;
  if (series) delete record.serial;
  if (requestKey(state.profile.id, record, series) !== state.preview.key) {
    invalidatePreview();
    return;
  }
  let ok = requireText("f-technician", "err.technicianMissing");
  if (state.remarkOf) {
    ok = requireText("f-remark-operator", "err.operatorMissing") && ok;
    ok = requireText("f-remark-reason", "err.reasonMissing") && ok;
  }
  if (!ok) {
    $("record-form").querySelector("[aria-invalid]")?.focus();
    return;
  }
  const technician = $("f-technician").value.trim();
  localStorage.setItem(TECHNICIAN, technician);
  const { remark: _previewed, ...previewed } = state.preview.body;
  // What the preview showed: the station refuses a program that changed since (a shift or date code).
  const programHash = state.preview.preview?.summary?.programHash;
  const body = { ...previewed, technician, ...(series ? { seriesSerial: state.preview.seriesSerial } : {}), ...(programHash ? { programHash } : {}) };
  if (state.remarkOf) body.remark = { of: state.remarkOf.id, operator: $("f-remark-operator").value.trim(), reason: $("f-remark-reason").value.trim() };
  $("mark-btn").disabled = true;
  state.starting = true;
  // On a station with tokens the operator authorises with their own token, for this request only.
  const operatorToken = state.remarkOf ? $("f-remark-token").value.trim() : "";
  try {
    const { job } = await post("jobs", body, operatorToken || undefined);
    startFollowing(state.early?.id === job.id ? state.early : job);
  } catch (err) {
    if (err.code === "E_PREVIEW_STALE") {
      invalidatePreview();
      void loadSeriesChoices();
    }
    showErrors(err);
    updateMarkButton();
  } finally {
    state.starting = false;
    state.early = null;
  }
}

function startFollowing(job) {
  state.job = job;
  lastJobNews = performance.now();
  $("record-fieldset").disabled = true;
  $("preview-btn").disabled = true;
  showStruck(0);
  onJob(job);
  // Mark is disabled now: the focus goes to the job, so Tab reaches Pause and Abort next.
  $("job-title").focus();
}

/**
 * The event stream replays what a reconnect missed, but a job under way that has been quiet
 * for a while is asked for anyway (the page may have slept).
 */
const QUIET_MS = 2000;
let lastJobNews = 0;

async function catchUp() {
  const job = state.job;
  if (!job || !ACTIVE.includes(job.state) || performance.now() - lastJobNews < QUIET_MS) return;
  try {
    const { job: fresh } = await get(`jobs/${encodeURIComponent(job.id)}`);
    onJob(fresh);
  } catch {
    // The next round tries again; the events-down notice already tells the technician.
  }
}

function onJob(job) {
  if (state.job && job.id === state.job.id) lastJobNews = performance.now();
  if (!state.job || job.id !== state.job.id) {
    // Our own job's first events can beat the answer to POST /api/jobs: keep the newest.
    if (state.starting) state.early = job;
    // A job started elsewhere (another page): follow it too.
    else if ((!state.job || !ACTIVE.includes(state.job.state)) && ACTIVE.includes(job.state)) void adoptJob(job);
    return;
  }
  state.job = job;
  renderJob(job);
  showStruck(job.progress?.strikesDone ?? 0);
  // Once per job: a late event or a catch-up must not clear the next part's serial.
  if (!ACTIVE.includes(job.state) && state.finished !== job.id) {
    state.finished = job.id;
    finishJob(job);
  }
  updateMarkButton();
}

function finishJob(job) {
  $("record-fieldset").disabled = false;
  $("preview-btn").disabled = false;
  state.preview = null;
  // What was struck is in the outcome; the next part's serial comes with the next preview.
  showStrikeSerial("");
  applySerialSource();
  if (job.state === "completed") {
    if (state.remarkOf) endRemark();
    const serial = $("f-serial");
    if (serial) serial.value = "";
    setText($("preview-status"), "preview.nextPart");
    focusSerial();
    void loadSeriesChoices();
  } else {
    setText($("preview-status"), "preview.afterStop");
    // The buttons that had the focus are disabled now: the outcome has it, to be read first.
    $("job-outcome").focus();
  }
  if (job.state === "interrupted" || job.state === "completed") void refreshInterrupted();
}

/** Follow a job that is already running (page reloaded mid-job): draw its preview from its record. */
async function adoptJob(job) {
  state.job = job;
  try {
    if (job.profileId && state.profiles.some((p) => p.id === job.profileId)) chooseProfile(job.profileId, job.record);
    const preview = await post("jobs/preview", { profileId: job.profileId, record: job.record });
    renderPreview(preview);
    showStrikeSerial(job.serial);
  } catch {
    clearPreview($("preview-figure"));
  }
  startFollowing(state.job);
}

async function jobAction(action) {
  if (!state.job) return;
  $("job-errors").replaceChildren();
  try {
    const { job } = await post(`jobs/${encodeURIComponent(state.job.id)}/${action}`);
    onJob(job);
  } catch (err) {
    showErrors(err, $("job-errors"));
  }
}

function askAbort() {
  const dialog = $("abort-dialog");
  dialog.returnValue = "";
  dialog.showModal();
}

// ---------- re-mark ----------

async function refreshInterrupted() {
  try {
    await loadInterrupted(startRemark, async () => {
      await refreshInterrupted();
    });
  } catch (err) {
    showLoadError(err);
  }
}

function startRemark(job) {
  state.remarkOf = job;
  state.extraPaths.clear();
  chooseProfile(job.profileId, job.record);
  $("remark-box").hidden = false;
  $("remark-token-field").hidden = !stationToken() || role() === "operator";
  setText($("remark-title"), "remark.title", { serial: job.serial ?? job.record?.serial ?? "", line: job.progress?.linesExecuted ?? 0, total: job.progress?.linesTotal ?? 0 });
  if (signedIn()) $("f-remark-operator").value = signedIn().name;
  showView("mark");
  void doPreview().then(() => ($("f-remark-operator").value ? $("f-remark-reason") : $("f-remark-operator")).focus());
}

function endRemark() {
  state.remarkOf = null;
  $("remark-box").hidden = true;
  $("f-remark-reason").value = "";
  $("f-remark-token").value = "";
  applySerialSource();
  updateMarkButton();
}

// ---------- keys: the scanner anywhere, the mark key ----------

const editable = (el) => el instanceof HTMLElement && (el.isContentEditable || el.matches("input:not([type=button], [type=checkbox], [type=radio], [type=range], [type=file]), textarea, select"));

/**
 * A character typed while no text field has the focus (on Mark after a preview, on the page)
 * is a scan of the next part, or a slip: it goes into the serial field, replacing it, so the
 * Enter that ends the scan previews the new serial instead of marking the old one. The mark
 * key (bench settings) marks from anywhere on the marking view.
 */
function onKey(e) {
  if (e.defaultPrevented || e.isComposing || document.querySelector("dialog[open]") || $("view-mark").hidden) return;
  const key = markKey();
  if (key && e.code === key && !editable(e.target) && !e.ctrlKey && !e.metaKey && !e.altKey) {
    e.preventDefault();
    void doMark(true);
    return;
  }
  if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey || editable(e.target) || busy()) return;
  const serial = $("f-serial");
  if (!serial || serial.disabled || $("record-fieldset").disabled) return;
  e.preventDefault();
  const ch = upper() ? e.key.toUpperCase() : e.key;
  serial.focus();
  serial.value = ch;
  serial.dispatchEvent(new Event("input", { bubbles: true }));
  state.scanner?.start(e.key, e.timeStamp);
}

// ---------- views, language, start ----------

const VIEWS = ["mark", "journal", "stats", "series", "operator"];

function showView(name) {
  for (const tab of document.querySelectorAll("nav .tab")) {
    if (tab.dataset.view === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== name;
  if (name === "journal") void searchJournal().catch(showLoadError);
  if (name === "stats") void showStats().catch(showLoadError);
  if (name === "series") void loadSeries().catch(showLoadError);
  if (name === "operator") void loadProfileList().catch(showLoadError);
}

const AUTH_CODES = ["E_AUTH", "E_FORBIDDEN"];

function showLoadError(err) {
  const box = $("load-error");
  box.hidden = false;
  const key = err.code === "E_NETWORK" || AUTH_CODES.includes(err.code) ? `err.${err.code}` : "err.load";
  box.replaceChildren(errorLine({ key, code: err.code ?? "E_HTTP", message: err.message }));
  // A station with tokens: ask for this bench's token.
  if (AUTH_CODES.includes(err.code) && !stationToken()) {
    $("token-form").hidden = false;
    $("f-token").focus();
  } else if (err.code === "E_AUTH") {
    $("token-form").hidden = false;
    $("f-token").focus();
  }
}

async function loadProfiles(selectId) {
  state.profiles = await get("profiles");
  fillProfileSelect();
  const keep = selectId ?? localStorage.getItem(PROFILE) ?? state.profiles[0]?.id;
  chooseProfile(keep, selectId && state.profile?.id === selectId ? readValues(state.inputs) : {});
}

function wire() {
  $("lang").addEventListener("change", async (e) => {
    await setLanguage(e.target.value, { remember: true });
  });
  document.addEventListener("languagechange", () => {
    $("lang").value = currentLanguage();
    if (!$("view-journal").hidden) void searchJournal(false).catch(showLoadError);
    if (!$("view-stats").hidden) void showStats().catch(showLoadError);
    if (!$("view-series").hidden) void loadSeries().catch(showLoadError);
    fillSeriesSelect();
    updateMarkButton();
  });
  document.addEventListener("profileschange", () => void loadProfiles(state.profile?.id).catch(showLoadError));
  for (const tab of document.querySelectorAll("nav .tab")) tab.addEventListener("click", () => showView(tab.dataset.view));
  $("profile").addEventListener("change", (e) => {
    const serial = $("f-serial")?.value ?? "";
    state.extraPaths.clear();
    chooseProfile(e.target.value, serial ? { serial } : {});
  });
  $("serial-source").addEventListener("change", () => {
    applySerialSource();
    invalidatePreview();
    if ($("serial-source").value) $("f-technician").value ? void doPreview() : $("f-technician").focus();
    else focusSerial();
  });
  $("record-form").addEventListener("keydown", onEnter);
  $("record-form").addEventListener("input", (e) => {
    if (e.target.closest?.("#fields")) invalidatePreview();
    if (e.target.getAttribute?.("aria-invalid")) {
      e.target.removeAttribute("aria-invalid");
      const box = document.getElementById(`${e.target.id}-error`);
      if (box) box.hidden = true;
    }
  });
  $("record-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void doPreview();
  });
  // e.detail is 0 for a button pressed from the keyboard (Enter, Space), 1+ for a click.
  $("mark-btn").addEventListener("click", (e) => void doMark(e.detail === 0));
  $("pause-btn").addEventListener("click", () => void jobAction("pause"));
  $("resume-btn").addEventListener("click", () => void jobAction("resume"));
  $("abort-btn").addEventListener("click", askAbort);
  $("abort-dialog").addEventListener("close", () => {
    if ($("abort-dialog").returnValue === "abort") void jobAction("abort");
  });
  $("home-btn").addEventListener("click", async () => {
    try {
      renderController(await post("controller/home"));
    } catch (err) {
      showErrors(err, $("form-errors"));
    }
  });
  $("remark-cancel").addEventListener("click", () => {
    endRemark();
    focusSerial();
  });
  $("zoom").value = localStorage.getItem(ZOOM) ?? "fit";
  $("zoom").addEventListener("change", () => {
    localStorage.setItem(ZOOM, $("zoom").value);
    applyZoom();
  });
  document.addEventListener("keydown", onKey);
  setupJournal(showLoadError);
  setupStats(showLoadError);
  setupSeries(loadSeriesChoices);
  setupOperator((id) => loadProfiles(state.profile?.id ?? id));
  setupBenchSettings(() => {
    applyZoom();
    updateMarkButton();
  });
  setupAuth(async () => {
    // A new token for the event stream and every request: start again with it.
    location.reload();
  });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setStationToken($("f-token").value.trim());
    location.reload();
  });
}

/** The station's `error` events: news of a job that ended badly. Our own job's outcome already says it. */
function onStationError(e) {
  if (state.job && String(e.message ?? "").startsWith(`job ${state.job.id} `)) return;
  const code = String(e.code ?? "E_HTTP");
  $("station-errors").hidden = false;
  showGeneral($("station-errors"), [{ key: outcomeKey(code), code, message: e.message }]);
}

/**
 * A station on a shared registry that cannot reach it: since when, what it may still mark (its
 * leases: series, numbers left, until when), and how many marks wait to reach the registry.
 * Hidden on a bench's own journal and while the registry answers with nothing waiting.
 */
function renderRegistry(journal) {
  const line = $("registry-line");
  const cut = journal?.cutOff;
  if (!cut || (!cut.cutOff && !cut.waiting)) {
    line.hidden = true;
    line.replaceChildren();
    return;
  }
  const parts = [];
  if (cut.cutOff) {
    parts.push(tr("p", "registry.cutOff", { since: cut.since ? formatDate(cut.since) : "" }));
    if (cut.leases.length) for (const l of cut.leases) parts.push(tr("p", "registry.lease", { series: l.seriesId, n: l.left, until: formatDate(l.expiresAt) }));
    else parts.push(tr("p", "registry.noLease"));
  }
  if (cut.waiting) parts.push(tr("p", "registry.waiting", { n: cut.waiting }));
  line.replaceChildren(...parts);
  line.hidden = false;
}

async function start() {
  await setLanguage(initialLanguage());
  $("lang").value = currentLanguage();
  wire();
  $("f-technician").value = localStorage.getItem(TECHNICIAN) ?? "";
  try {
    const info = await refreshRole();
    state.station = info.station;
    setStation(info.station);
    setLocalized($("station-name"), info.station?.name ?? "");
    if (info.controller) renderController(info.controller);
    renderRegistry(info.journal);
    await loadSeriesChoices();
    await loadProfiles();
  } catch (err) {
    applyRole();
    showLoadError(err);
    document.body.dataset.ready = "0";
    return;
  }
  subscribe({
    controller: (c) => {
      renderController(c);
      showHead(c.position);
    },
    job: onJob,
    journal: renderRegistry,
    error: onStationError,
    onState: (up) => {
      $("events-down").hidden = up;
      if (up) {
        lastJobNews = 0;
        void catchUp();
      }
    },
  });
  setInterval(() => void catchUp(), QUIET_MS);
  await refreshInterrupted();
  try {
    const { job } = await get("jobs/current");
    if (job && ACTIVE.includes(job.state) && !state.job) await adoptJob(job);
  } catch (err) {
    showLoadError(err);
  }
  updateMarkButton();
  focusSerial();
  document.body.dataset.ready = "1";
}

void start().catch((e) => {
  console.error(e);
  showLoadError({ code: "E_HTTP", message: String(e?.message ?? e) });
});
