import { setText, tr, value, duration, has } from "./i18n.js";
import { errorKey } from "./errors.js";
import { errorLine } from "./fields.js";
import { controllerMessage } from "./controller.js";

/**
 * The running job: progress bar and figures, the buttons that apply to its state, and the
 * outcome in plain words. Screen readers hear the state and every tenth of the progress,
 * not every status report. A pause says "pausing…" until the head stands between two
 * strikes (the job's `drained`), then "paused".
 */
export const ACTIVE = ["pending", "marking", "paused"];

const $ = (id) => document.getElementById(id);
let announcedTenth = -1;

/** The state as the page says it: a paused job not yet at rest is "pausing". */
export function shownState(job) {
  return job.state === "paused" && job.drained === false ? "pausing" : job.state;
}

export function renderJob(job) {
  const panel = $("job-panel");
  panel.hidden = false;
  panel.dataset.state = job.state;
  panel.dataset.drained = job.state === "paused" && job.drained === false ? "0" : "1";
  setText($("job-state"), `job.status.${shownState(job)}`, { serial: job.serial ?? job.record?.serial ?? "" });
  const p = job.progress ?? {};
  const total = p.linesTotal || 0;
  const done = Math.min(p.linesExecuted ?? 0, total);
  const bar = $("job-progress");
  bar.max = Math.max(total, 1);
  bar.value = done;
  const fraction = total ? done / total : 0;
  bar.setAttribute("aria-valuetext", `${Math.round(fraction * 100)} %`);
  setText($("job-numbers"), "job.numbers", {
    lines: done,
    linesTotal: total,
    strikes: p.strikesDone ?? 0,
    strikesTotal: p.strikesTotal ?? 0,
    left: duration(p.secondsLeft ?? 0),
  });
  const tenth = Math.floor(fraction * 10);
  if (ACTIVE.includes(job.state) && tenth !== announcedTenth) {
    announcedTenth = tenth;
    setText($("job-announce"), "job.announce", { percent: tenth * 10 });
  }
  $("pause-btn").disabled = job.state !== "marking";
  // Resume needs no wait for the head to stand: it goes on from wherever the pause has got to.
  $("resume-btn").disabled = job.state !== "paused";
  $("abort-btn").disabled = !ACTIVE.includes(job.state);
  renderJournal(job);
  renderOutcome(job);
}

/**
 * The journal cannot record this job's latest state (another process holds its lock, the disk
 * is full, an I/O error, read-only): what the station does about it, in the page's language,
 * and the journal's own sentence under "details". Gone as soon as the journal records again.
 */
function renderJournal(job) {
  const box = $("job-journal");
  if (!job.journal || job.journal.recorded !== false) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const when = job.state === "paused" ? "paused" : ACTIVE.includes(job.state) ? "marking" : "ended";
  // The shared registry out of reach (a link, not a disk): said as such.
  const what = job.journal.code === "E_REGISTRY_UNREACHABLE" ? "registry" : "journal";
  box.replaceChildren(tr("p", `job.${what}.${when}`), tr("p", `job.${what}.held`));
  if (job.journal.message) box.append(technical(job.journal.message));
  box.hidden = false;
}

/** The station's own note on a job (`outcome.note`), in the page's language. */
export function noteLine(job) {
  const note = job.outcome?.note;
  return note && has(`note.${note}`) ? tr("p", `note.${note}`) : undefined;
}

function technical(text) {
  const details = document.createElement("details");
  details.append(tr("summary", "err.technical"), value("span", text, "technical"));
  details.lastChild.lang = "en";
  return details;
}

function renderOutcome(job) {
  const box = $("job-outcome");
  box.replaceChildren();
  box.className = `outcome ${job.state}`;
  if (ACTIVE.includes(job.state)) {
    box.hidden = true;
    return;
  }
  announcedTenth = -1;
  box.hidden = false;
  const p = job.progress ?? {};
  const serial = job.serial ?? job.record?.serial ?? "";
  // "Recorded in the journal" only once it is: an outcome the journal could not yet take says so.
  if (job.state === "completed") box.append(tr("p", job.journal?.recorded === false ? "outcome.completedNotRecorded" : "outcome.completed", { serial }));
  else if (job.state === "aborted") {
    box.append(tr("p", "outcome.aborted", { serial, line: p.linesExecuted ?? 0, total: p.linesTotal ?? 0 }));
    const note = noteLine(job);
    if (note) box.append(note);
  } else if (job.state === "interrupted" || job.state === "failed") {
    box.append(tr("p", `outcome.${job.state}`, { serial, line: p.linesExecuted ?? 0, total: p.linesTotal ?? 0 }));
    const o = job.outcome ?? {};
    const code = o.code ?? "";
    if (code.startsWith("ALARM:") || code.startsWith("error:")) {
      // What the controller said, in the page's words; its own English under "details".
      const said = document.createElement("p");
      const m = code.startsWith("ALARM:") ? controllerMessage(code) : { key: "err.controllerError", params: {} };
      said.append(tr("span", "outcome.controllerSays"), " ", tr("span", m.key, m.params, "controller-message"));
      if (o.message) said.append(technical(o.message));
      box.append(said);
      box.append(errorLine({ key: outcomeKey(code), code }));
    } else {
      // A note of the station's own (a service stop, a job that never started), translated.
      const note = noteLine(job);
      if (note) box.append(note);
      if (code) box.append(errorLine({ key: outcomeKey(code), code, ...(o.message ? { message: o.message } : {}) }));
      else if (!note && o.message) {
        const p2 = tr("p", "outcome.stationNote");
        p2.append(technical(o.message));
        box.append(p2);
      }
    }
    if (job.state === "interrupted") box.append(tr("p", "guide.interrupted"));
  }
}

/** What a failed job's code means: a controller alarm (`ALARM:1`), a refused line (`error:20`), or a service code. */
export function outcomeKey(code) {
  if (code.startsWith("ALARM:")) return "err.controllerAlarm";
  if (code.startsWith("error:")) return "err.controllerError";
  return has(`err.${code}`) ? errorKey(code) : "err.unknown";
}

export function hideJob() {
  $("job-panel").hidden = true;
  announcedTenth = -1;
}
