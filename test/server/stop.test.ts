import { afterEach, describe, expect, it } from "vitest";
import type { JobView } from "../../src/job/view.ts";
import { exampleRecord, tempDir } from "../job/helpers.ts";
import { Station } from "./child.ts";

/**
 * The station stopped cleanly (SIGTERM from the service manager, Ctrl-C) in the middle of a
 * mark: the head is held and reset, and the job is interrupted — not "aborted on request":
 * nobody chose to give up on the part, it is half marked, and its serial stays held.
 */
const children: Station[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
    await c.exited;
  }
  for (const f of cleanups.splice(0)) f();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a station stopped with SIGTERM mid-mark", () => {
  it("records the job interrupted, keeps its serial held, and resumes nothing", { timeout: 120_000 }, async () => {
    const tmp = tempDir("peenmark-stop-");
    cleanups.push(tmp.cleanup);
    const first = new Station(tmp.dir);
    children.push(first);
    await first.url;
    const started = await first.post<{ job: JobView }>("/api/jobs", { profileId: "us-receiver", record: exampleRecord("us-receiver"), technician: "Ana Núñez" });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.job.id;
    let job = started.body.job;
    for (let i = 0; i < 600 && job.progress.strikesDone < 10; i++) {
      await sleep(50);
      job = (await first.get<{ job: JobView }>(`/api/jobs/${id}`)).job;
    }
    expect(job.progress.strikesDone).toBeGreaterThanOrEqual(10);

    first.proc.kill("SIGTERM");
    await first.exited;

    const second = new Station(tmp.dir);
    children.push(second);
    await second.url;
    const interrupted = (await second.get<{ jobs: JobView[] }>("/api/journal/interrupted")).jobs;
    expect(interrupted.map((j) => [j.id, j.state])).toEqual([[id, "interrupted"]]);
    expect(JSON.stringify(interrupted[0]!.outcome)).toContain("service was stopped while marking");
    const again = await second.post<{ error: { code: string } }>("/api/jobs", { profileId: "us-receiver", record: exampleRecord("us-receiver"), technician: "Bob" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("E_SERIAL_RESERVED");
  });
});
