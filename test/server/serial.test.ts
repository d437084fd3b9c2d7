import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ControllerView } from "../../src/job/head.ts";
import type { JobView } from "../../src/job/view.ts";
import { ROOT, exampleRecord, tempDir } from "../job/helpers.ts";
import { Station } from "./child.ts";

/** A station started before its head: `--serial` on a pty that appears later (`peenmark sim --pty`). */
const procs: { proc: ChildProcess; exited: Promise<unknown> }[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const p of procs.splice(0).reverse()) {
    if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill("SIGKILL");
    await p.exited;
  }
  for (const f of cleanups.splice(0)) f();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a station on a serial port", () => {
  it("starts without its head, connects when the head appears, and marks through it", { timeout: 120_000 }, async () => {
    const tmp = tempDir("peenmark-serial-");
    cleanups.push(tmp.cleanup);
    const port = join(tmp.dir, "head");
    const station = new Station(tmp.dir, ["--serial", port]);
    procs.push(station);
    await station.url;
    // The first attempt to open the port may still be under way when the page answers: the
    // controller view says why it is not connected once that attempt has failed.
    let before = await station.get<ControllerView>("/api/controller");
    for (let i = 0; i < 100 && before.message === undefined; i++) {
      await sleep(100);
      before = await station.get<ControllerView>("/api/controller");
    }
    expect(before).toMatchObject({ connected: false, kind: "serial", port, state: "Disconnected" });
    expect(before.message).toMatch(/cannot open the port/);
    const refused = await station.post<{ error: { code: string } }>("/api/jobs", { profileId: "slide-5x7", record: exampleRecord("slide-5x7"), technician: "Ana" });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe("E_CONTROLLER");

    const sim = spawn(process.execPath, [join(ROOT, "bin", "peenmark.mjs"), "sim", "--pty", port, "--fast"], { cwd: ROOT, stdio: "ignore" });
    procs.push({ proc: sim, exited: new Promise((r) => sim.on("close", r)) });
    let view = before;
    for (let i = 0; i < 200 && !view.connected; i++) {
      await sleep(100);
      view = await station.get<ControllerView>("/api/controller");
    }
    expect(view).toMatchObject({ connected: true, state: "Alarm", homed: false });

    const started = await station.post<{ job: JobView }>("/api/jobs", { profileId: "slide-5x7", record: exampleRecord("slide-5x7"), technician: "Ana" });
    expect(started.status).toBe(201);
    let job = started.body.job;
    for (let i = 0; i < 1200 && !["completed", "aborted", "interrupted", "failed"].includes(job.state); i++) {
      await sleep(100);
      job = (await station.get<{ job: JobView }>(`/api/jobs/${job.id}`)).job;
    }
    expect(job.state, JSON.stringify(job.outcome)).toBe("completed");
    expect(job.progress.strikesDone).toBe(job.progress.strikesTotal);

    station.proc.kill("SIGTERM");
    expect((await station.exited).code).toBe(0);
  });
});
