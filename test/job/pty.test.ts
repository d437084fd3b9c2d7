import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Head } from "../../src/job/head.ts";
import { JobRunner } from "../../src/job/runner.ts";
import { Journal } from "../../src/journal/journal.ts";
import { MARKED_AT, ROOT, benchStation, exampleProfile, exampleRecord, tempDir } from "./helpers.ts";

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
});
