import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Head } from "../../src/job/head.ts";
import { JobRunner } from "../../src/job/runner.ts";
import { Journal } from "../../src/journal/journal.ts";
import type { JobView } from "../../src/job/view.ts";
import { MARKED_AT, ROOT, benchStation, exampleProfile, exampleRecord, tempDir, waitFor } from "./helpers.ts";

/** The runner on a real pseudo-terminal: `peenmark sim --pty` in another process, opened as a serial port. */
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function ptyHead(path: string): Promise<void> {
  const sim = spawn(process.execPath, [join(ROOT, "bin", "peenmark.mjs"), "sim", "--pty", path, "--fast"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => sim.on("close", () => resolve()));
  stops.push(async () => {
    sim.kill("SIGTERM");
    await exited;
  });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    sim.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes(path)) resolve();
    });
    sim.stderr.on("data", (c: Buffer) => (out += c.toString()));
    void exited.then(() => reject(new Error(`peenmark sim exited:\n${out}`)));
  });
}

describe("the head on a serial port (the simulated head on a pty)", () => {
  it("marks a profile to completion through the OS serial binding", { timeout: 60_000 }, async () => {
    const tmp = tempDir("peenmark-pty-");
    stops.push(async () => tmp.cleanup());
    const path = join(tmp.dir, "head");
    await ptyHead(path);
    const station = benchStation();
    const head = await Head.open({ station, serial: path });
    stops.push(() => head.close());
    expect(head.view()).toMatchObject({ connected: true, kind: "serial", port: path, state: "Alarm" });
    const journal = new Journal({ path: join(tmp.dir, "peenmark.db") });
    journal.open();
    const runner = new JobRunner({ journal, head, station, clock: () => MARKED_AT });
    stops.push(async () => {
      await runner.close();
      journal.close();
    });
    const started = await runner.start({ profile: exampleProfile("slide-5x7"), record: exampleRecord("slide-5x7"), technician: "Ana" });
    const ended = await started.done;
    expect(ended.state, ended.outcome?.message).toBe("completed");
    expect(ended.progress.strikesDone).toBe(ended.progress.strikesTotal);
    expect(head.view()).toMatchObject({ homed: true, state: "Idle" });
  });

  it("a streaming worker killed mid-mark: the job ends interrupted naming the lines that may have run, the serial held; a fresh worker is started and the station marks again", { timeout: 90_000 }, async () => {
    const tmp = tempDir("peenmark-pty-");
    stops.push(async () => tmp.cleanup());
    const path = join(tmp.dir, "head");
    await ptyHead(path);
    const station = benchStation();
    // As `peenmark station` opens a serial head: not connected yet, reconnecting on its own.
    const head = Head.create({ station, serial: path });
    stops.push(() => head.close());
    head.keepConnected(() => undefined, 500);
    const connected = async (ms: number) => {
      const until = Date.now() + ms;
      while (!head.view().connected) {
        if (Date.now() > until) throw new Error(`the head did not connect within ${ms} ms: ${JSON.stringify(head.view())}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await connected(15_000);
    const controller = head.controller as { workerPid?: number };
    const firstPid = controller.workerPid;
    expect(firstPid, "a serial port's streamer runs in a child process").toBeTypeOf("number");
    const journal = new Journal({ path: join(tmp.dir, "peenmark.db") });
    journal.open();
    const runner = new JobRunner({ journal, head, station, clock: () => MARKED_AT, progressEveryMs: 20 });
    stops.push(async () => {
      await runner.close();
      journal.close();
    });
    const record = exampleRecord("slide-5x7");
    const started = await runner.start({ profile: exampleProfile("slide-5x7"), record, technician: "Ana" });
    await waitFor<JobView>(runner, (v) => v.id === started.job.id && v.progress.strikesDone >= 10, 60_000);
    process.kill(firstPid!, "SIGKILL");
    const ended = await started.done;
    expect(ended.state).toBe("interrupted");
    expect(ended.outcome?.message).toMatch(/^the streaming worker stopped while marking \(the streaming worker exited \(killed\)\); (lines? \d+(–\d+)? (was|were)|no line was) sent to the controller after the last confirmed line \(\d+\) and may have run; position unknown: re-home before re-marking$/);
    expect(ended.outcome?.note, "the page says it in the technician's language").toBe("worker-stopped");
    const row = journal.job(ended.id);
    expect(row.outcome, "the journal says what the head may have done").toBe("interrupted");
    expect(row.progress.strikesDone).toBeGreaterThanOrEqual(10);
    await expect(runner.start({ profile: exampleProfile("slide-5x7"), record, technician: "Ana" }), "the half-marked part's serial stays held").rejects.toMatchObject({ code: "E_SERIAL_RESERVED" });

    // A fresh worker, a fresh connection (which resets the controller at once), and the station marks again.
    await connected(20_000);
    expect(controller.workerPid, "a new streaming worker").toBeTypeOf("number");
    expect(controller.workerPid).not.toBe(firstPid);
    const again = await runner.start({ profile: exampleProfile("slide-5x7"), record: { ...record, serial: "WKR2002" }, technician: "Ana" });
    await waitFor<JobView>(runner, (v) => v.id === again.job.id && v.progress.strikesDone >= 3, 60_000);
    await runner.abort(again.job.id);
    const second = await again.done;
    expect(second.state).toBe("aborted");
    expect(second.progress.strikesDone).toBeGreaterThanOrEqual(3);
  });
});
