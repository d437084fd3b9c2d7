import { setText, tr, value, duration, has } from "./i18n.js";
import { errorKey } from "./errors.js";
import { errorLine } from "./fields.js";

/**
 * The running job: progress bar and figures, the buttons that apply to its state, and the
 * outcome in plain words. Screen readers hear the state and every tenth of the progress,
 * not every status report.
 */
export const ACTIVE = ["pending", "marking", "paused"];

const $ = (id) => document.getElementById(id);
let announcedTenth = -1;

export function renderJob(job) {
  const panel = $("job-panel");
  panel.hidden = false;
  panel.dataset.state = job.state;
  setText($("job-state"), `job.status.${job.state}`, { serial: job.serial ?? job.record?.serial ?? "" });
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
  $("resume-btn").disabled = job.state !== "paused";
  $("abort-btn").disabled = !ACTIVE.includes(job.state);
  renderOutcome(job);
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
  if (job.state === "completed") box.append(tr("p", "outcome.completed", { serial }));
  else if (job.state === "aborted") box.append(tr("p", "outcome.aborted", { serial, line: p.linesExecuted ?? 0, total: p.linesTotal ?? 0 }));
  else if (job.state === "interrupted" || job.state === "failed") {
    box.append(tr("p", `outcome.${job.state}`, { serial, line: p.linesExecuted ?? 0, total: p.linesTotal ?? 0 }));
    // What the controller said (an alarm, a refused line), when it said something.
    const o = job.outcome ?? {};
    if (o.message) {
      const msg = document.createElement("p");
      msg.append(tr("span", "outcome.controllerSays"), " ", value("q", o.message, "controller-message"));
      msg.lastChild.lang = "en";
      box.append(msg);
    }
    if (o.code) box.append(errorLine({ key: outcomeKey(o.code), code: o.code }));
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
