import { afterEach, describe, expect, it } from "vitest";
import type { JobView } from "../../src/job/view.ts";
import { exampleRecord } from "../job/helpers.ts";
import { markUntil, stationFixture } from "./child.ts";

/**
 * The station stopped cleanly (SIGTERM from the service manager, Ctrl-C) in the middle of a
 * mark: the head is held and reset, and the job is interrupted — not "aborted on request":
 * nobody chose to give up on the part, it is half marked, and its serial stays held.
 */
const stations = stationFixture();
afterEach(() => stations.stopAll());

describe("a station stopped with SIGTERM mid-mark", () => {
  it("records the job interrupted, keeps its serial held, and resumes nothing", { timeout: 120_000 }, async () => {
    const dir = stations.dataDir("peenmark-stop-");
    const first = stations.start(dir);
    await first.url;
    const job = await markUntil(first, { profileId: "us-receiver", record: exampleRecord("us-receiver"), technician: "Ana Núñez" }, 10);

    first.proc.kill("SIGTERM");
    await first.exited;

    const second = stations.start(dir);
    await second.url;
    const interrupted = (await second.get<{ jobs: JobView[] }>("/api/journal/interrupted")).jobs;
    expect(interrupted.map((j) => [j.id, j.state])).toEqual([[job.id, "interrupted"]]);
    expect(JSON.stringify(interrupted[0]!.outcome)).toContain("service was stopped while marking");
    const again = await second.post<{ error: { code: string } }>("/api/jobs", { profileId: "us-receiver", record: exampleRecord("us-receiver"), technician: "Bob" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("E_SERIAL_RESERVED");
  });
});
