import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { pidAlive } from "./owner.ts";
import type { JobEnd, Progress } from "./types.ts";

/**
 * A record the journal could not take when it was made (SQLite locked, disk full, I/O error,
 * read-only; the registry unreachable): kept in the side file and written as soon as it can be.
 */
export type AsideRecord =
  | { readonly kind: "progress"; readonly jobId: number; readonly at: string; readonly progress: Progress }
  | { readonly kind: "end"; readonly jobId: number; readonly at: string; readonly end: JobEnd };

/**
 * The side file of one journal on this computer: `BASE.side-PID.jsonl`, one per process,
 * append-only, fsynced per record. SQLite's lies next to its file; the registry's in the
 * station's data dir (the registry is another computer: what it cannot take stays here).
 */
export class SideFile {
  constructor(readonly base: string) {}

  /** This process's side file. */
  get path(): string {
    return `${this.base}.side-${process.pid}.jsonl`;
  }

  /** Appended and fsynced; throws (an fs error) when the disk cannot take it: the caller keeps it in memory. */
  keep(record: AsideRecord): void {
    mkdirSync(dirname(this.base), { recursive: true });
    const fd = openSync(this.path, "a");
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  clear(): void {
    rmSync(this.path, { force: true });
  }

  /**
   * Side files of processes that are gone, and this one's: each with its records, oldest first,
   * to be entered and then removed (`remove`). A line cut short by a crash is skipped: the
   * records before it stand.
   */
  leftBehind(): { records: AsideRecord[]; remove: () => void }[] {
    const dir = dirname(this.base);
    const prefix = `${basename(this.base)}.side-`;
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.startsWith(prefix) && n.endsWith(".jsonl"));
    } catch {
      return [];
    }
    const out: { records: AsideRecord[]; remove: () => void }[] = [];
    for (const name of names) {
      const pid = Number(name.slice(prefix.length, -".jsonl".length));
      if (pid !== process.pid && pidAlive(pid)) continue;
      const file = join(dir, name);
      const records = readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as AsideRecord];
          } catch {
            return [];
          }
        });
      out.push({ records, remove: () => rmSync(file, { force: true }) });
    }
    return out;
  }
}

/** The note an outcome carries when it was entered from the side file. */
export function asideNote(r: Extract<AsideRecord, { kind: "end" }>, where = "the journal"): string {
  return `${r.end.note ? `${r.end.note} ` : ""}(recorded at ${r.at} in the side file while ${where} could not write; entered when it could)`;
}
