import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { ControllerView } from "../../src/job/head.ts";
import type { JobView } from "../../src/job/view.ts";
import { exampleRecord } from "../job/helpers.ts";
import { markUntil, stationFixture } from "./child.ts";

/**
 * THE crash test: the real service, as `peenmark station` runs it (a child process, the
 * simulated head in real time), killed with SIGKILL in the middle of a mark, then started
 * again on the same data dir. The journal must say exactly where the mark stopped, and
 * nothing may resume by itself.
 */
const stations = stationFixture();
afterEach(() => stations.stopAll());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a station killed mid-mark", () => {
  it("comes back with the job interrupted at exactly the recorded progress, and nothing resumes", { timeout: 120_000 }, async () => {
    const dir = stations.dataDir("peenmark-crash-");
    const first = stations.start(dir);
    await first.url;
    // Real time: homing, then the first strikes of the serial (dot mode) within seconds.
    const { id } = await markUntil(first, { profileId: "us-receiver", record: exampleRecord("us-receiver"), technician: "Ana Núñez" }, 15);

    first.proc.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");

    // What the journal on disk holds, read before the service starts again.
    const db = new Database(join(dir, "peenmark.db"), { readonly: true });
    const recorded = db.prepare("SELECT outcome, last_acked_line, last_executed_line, strikes_done, program_lines, strike_count FROM jobs WHERE id = ?").get(id) as {
      outcome: string;
      last_acked_line: number;
      last_executed_line: number;
      strikes_done: number;
      program_lines: number;
      strike_count: number;
    };
    db.close();
    expect(recorded.outcome).toBe("marking");
    expect(recorded.strikes_done).toBeGreaterThan(0);
    expect(recorded.strikes_done).toBeLessThan(recorded.strike_count);

    const second = stations.start(dir);
    await second.url;
    const interrupted = (await second.get<{ jobs: JobView[] }>("/api/journal/interrupted")).jobs;
    expect(interrupted.map((j) => j.id)).toEqual([id]);
    expect(interrupted[0]).toMatchObject({
      id,
      state: "interrupted",
      serial: "RA2026A00417",
      progress: {
        linesTotal: recorded.program_lines,
        linesAcked: recorded.last_acked_line,
        linesExecuted: recorded.last_executed_line,
        strikesTotal: recorded.strike_count,
        strikesDone: recorded.strikes_done,
      },
    });
    expect(interrupted[0]!.outcome?.message).toMatch(/re-home/);

    // Nothing resumed: the new head is untouched, still locked until someone homes it.
    await sleep(1000);
    const controller = await second.get<ControllerView>("/api/controller");
    expect(controller).toMatchObject({ kind: "sim", simStrikes: 0, homed: false, state: "Alarm" });
    expect((await second.get<{ job: JobView | null }>("/api/jobs/current")).job).toBeNull();
    expect((await second.get<{ job: JobView }>(`/api/jobs/${id}`)).job.state).toBe("interrupted");

    // The serial stays held until an operator re-marks or releases it.
    const again = await second.post<{ error: { code: string } }>("/api/jobs", { profileId: "us-receiver", record: exampleRecord("us-receiver"), technician: "Ana Núñez" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("E_SERIAL_RESERVED");

    // Ctrl-C (SIGINT) stops the service cleanly.
    second.proc.kill("SIGINT");
    expect((await second.exited).code).toBe(0);
  });

  it("finds a job killed while homing (still pending) at the next start: logged, offered with the interrupted ones, nothing struck", { timeout: 120_000 }, async () => {
    const dir = stations.dataDir("peenmark-crash-pending-");
    const first = stations.start(dir);
    await first.url;
    // The head starts in Alarm, not homed: the job is written pending and homing begins.
    const started = await first.post<{ job: JobView }>("/api/jobs", { profileId: "us-receiver", record: exampleRecord("us-receiver"), technician: "Ana Núñez" });
    expect(started.status).toBe(201);
    const id = started.body.job.id;
    const now = await first.get<{ job: JobView }>(`/api/jobs/${id}`);
    first.proc.kill("SIGKILL");
    await first.exited;
    expect(now.job.state, "still homing when killed").toBe("pending");

    const second = stations.start(dir);
    await second.url;
    const interrupted = (await second.get<{ jobs: JobView[] }>("/api/journal/interrupted")).jobs;
    expect(interrupted.map((j) => [j.id, j.state, j.progress.strikesDone])).toEqual([[id, "interrupted", 0]]);
    expect(interrupted[0]!.outcome?.message).toMatch(/before the first strike/);
    // logged at start, like a job killed while marking
    await expect.poll(() => second.stdout, { timeout: 10_000 }).toMatch(new RegExp(`"job":${id}[^\n]*job interrupted by the last stop`));
    const again = await second.post<{ error: { code: string } }>("/api/jobs", { profileId: "us-receiver", record: exampleRecord("us-receiver"), technician: "Ana Núñez" });
    expect([again.status, again.body.error.code]).toEqual([409, "E_SERIAL_RESERVED"]);
  });
});
