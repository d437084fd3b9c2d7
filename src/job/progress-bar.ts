import type { JobView } from "./view.ts";

/**
 * The progress line `peenmark mark` draws on stderr:
 *   [##########----------]  52%  lines 812/1558  strikes 430/827  0:18 left
 * Strikes count the program's striking lines (a dot, or one segment of a scribe train).
 */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export function progressLine(job: JobView, width = 24): string {
  const p = job.progress;
  const fraction = p.linesTotal > 0 ? p.linesExecuted / p.linesTotal : 0;
  const filled = Math.round(fraction * width);
  const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
  const state = job.state === "marking" ? "" : `  ${job.state}`;
  return `${bar} ${pct}  lines ${p.linesExecuted}/${p.linesTotal}  strikes ${p.strikesDone}/${p.strikesTotal}  ${clock(p.secondsLeft)} left${state}`;
}

/** The last line: what happened, in words, with the journal's job number and the program's identity. */
export function outcomeLine(job: JobView): string {
  const p = job.progress;
  const head = `job ${job.id} ${job.state}: serial ${job.serial}, ${p.strikesDone}/${p.strikesTotal} strikes, ${p.linesExecuted}/${p.linesTotal} lines, program sha256 ${job.programHash.slice(0, 12)}`;
  // An outcome the journal could not take yet (kept in the side file, written when it can).
  const unrecorded = job.journal ? `\n  ${job.journal.message}` : "";
  if (job.state === "completed") return `${head}${unrecorded}`;
  const why = job.outcome ? `${job.outcome.code ? `${job.outcome.code} ` : ""}${job.outcome.message}` : "";
  return `${head}\n  ${why}${unrecorded}`;
}
