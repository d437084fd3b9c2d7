import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { INTERRUPTED_NOTE, Journal } from "../../src/journal/journal.ts";
import { newJob, tempJournalPath } from "./helpers.ts";
import { Child } from "./processes.ts";

let tmp: ReturnType<typeof tempJournalPath>;
beforeEach(() => {
  tmp = tempJournalPath();
});
afterEach(() => tmp.cleanup());

const committed = (l: string) => /^committed \d+$/.test(l);

describe("crash truth: a service killed mid-mark", () => {
  it("is found interrupted on reopen with exactly the progress it last committed", async () => {
    const child = new Child(["mark", tmp.path, "handshake"]);
    const jobLine = await child.line((l) => l.startsWith("job "));
    const jobId = Number(jobLine.split(" ")[1]);
    // let it run 37 steps, then kill it while it waits after reporting the 37th commit
    for (let step = 1; step <= 37; step++) {
      await child.line((l) => l === `committed ${step}`);
      if (step < 37) child.proc.stdin.write("n");
    }
    child.proc.kill("SIGKILL");
    expect((await child.exited).signal).toBe("SIGKILL");

    const journal = new Journal({ path: tmp.path });
    const interrupted = journal.open();
    try {
      expect(interrupted.map((j) => j.id)).toEqual([jobId]);
      const job = journal.job(jobId);
      expect(job.outcome).toBe("interrupted");
      expect(job.progress).toEqual({ ackedLine: 37, executedLine: 36, strikesDone: 111 });
      expect(job.note).toBe(INTERRUPTED_NOTE);
      expect(journal.events({ jobId }).map((e) => e.kind)).toEqual(["job-interrupted"]);
      // nothing resumes by itself, and the serial stays held
      expect(() => journal.createJob(newJob())).toThrow(/E_SERIAL_RESERVED|held by job/);
    } finally {
      journal.close();
    }
  });

  it("keeps the last reported commit when killed while running free", async () => {
    const child = new Child(["mark", tmp.path, "free"]);
    await child.line((l) => l === "committed 300");
    child.proc.kill("SIGKILL");
    await child.exited;
    const last = Math.max(...child.lines.filter(committed).map((l) => Number(l.split(" ")[1])));

    const journal = new Journal({ path: tmp.path });
    const [job, ...others] = journal.open();
    try {
      expect(others).toEqual([]);
      expect(job?.outcome).toBe("interrupted");
      // the kill may land between a commit and its report, never inside a commit
      const i = job?.progress.ackedLine ?? -1;
      expect([last, last + 1]).toContain(i);
      expect(job?.progress).toEqual({ ackedLine: i, executedLine: i - 1, strikesDone: 3 * i });
    } finally {
      journal.close();
    }
  });

  it("leaves a job alone while the process marking it is alive", async () => {
    const child = new Child(["mark", tmp.path, "handshake"]);
    await child.line((l) => l === "committed 1");
    const journal = new Journal({ path: tmp.path });
    try {
      expect(journal.open()).toEqual([]);
      expect(journal.find("TX104522")[0]?.outcome).toBe("marking");
    } finally {
      journal.close();
      child.proc.kill("SIGKILL");
      await child.exited;
    }
  });
});
