import { afterEach, describe, expect, it } from "vitest";
import type { JobView } from "../../src/job/view.ts";
import { ENGINES } from "../journal/engines.ts";
import { exampleProfile, exampleRecord, runnerOnSim, waitFor } from "./helpers.ts";

let env: Awaited<ReturnType<typeof runnerOnSim>> | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const request = (over: { serial?: string; record?: unknown; remark?: { of?: number; reason: string; operator: string } } = {}) => ({
  profile: exampleProfile("slide-5x7"),
  record: over.record ?? { ...exampleRecord("slide-5x7"), ...(over.serial ? { serial: over.serial } : {}) },
  technician: "Ana Núñez",
  ...(over.remark ? { remark: over.remark } : {}),
});

// On both engines: the SQLite file of one bench, and a registry (skipped without PEENMARK_TEST_PG).
for (const { name: engine, available } of ENGINES) describe.skipIf(!available)(`on ${engine}`, () => {
  describe("the job runner on the simulated head", () => {
    it("writes the job before the first byte, reports progress while marking and records the exact end", async () => {
      // What the journal said when the program's first line (its header comment) went to the
      // head: a look at every byte needs the head in this process.
      let journalAtFirstByte: Promise<string> | undefined;
      let line = "";
      env = await runnerOnSim({
        engine,
        inProcessFaults: {
          inbound: (byte) => {
            line = byte === 0x0a ? "" : line + String.fromCharCode(byte);
            if (journalAtFirstByte === undefined && line.includes("(peenmark job=")) journalAtFirstByte = env!.engine.jobs().then((jobs) => jobs.map((j) => j.outcome).join(","));
            return byte;
          },
        },
      });
      const e = env;
      const events: JobView[] = [];
      e.runner.on("job", (v) => events.push(v));
      const started = await e.runner.start(request());
      expect(started.job.state).toBe("pending");
      // On SQLite the row is read at once, before the runner goes on; a registry answers later, when the job may have started.
      if (engine === "sqlite") expect(e.journal.job(started.job.id).outcome).toBe("pending");
      const ended = await started.done;
      expect(ended.state, ended.outcome?.message).toBe("completed");
      expect(await journalAtFirstByte).toBe("marking");

      const row = await e.engine.job(started.job.id);
      expect(row.progress).toEqual({ ackedLine: row.program.lines, executedLine: row.program.lines, strikesDone: row.program.strikes });
      const marking = events.filter((v) => v.state === "marking");
      expect(marking.length).toBeGreaterThan(2);
      const done = marking.map((v) => v.progress.strikesDone);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(events.at(-1)!.state).toBe("completed");
      // slide-5x7 is all dot mode: every strike line is one strike of the pin.
      expect((await e.head.sim!.snapshot()).strikes.length).toBe(row.program.strikes);
    });

    it("records an alarm in the middle of a job as interrupted with the alarm code; the serial stays held", async () => {
      env = await runnerOnSim({ engine });
      const e = env;
      const started = await e.runner.start(request());
      await waitFor<JobView>(e.runner, (v) => v.progress.strikesDone >= 10);
      await e.head.sim!.act("hardLimit");
      const ended = await started.done;
      expect(ended.state).toBe("interrupted");
      expect(ended.outcome?.code).toBe("ALARM:1");
      const row = await e.engine.job(started.job.id);
      expect(row.error?.code).toBe("ALARM:1");
      expect(row.progress.strikesDone).toBeGreaterThanOrEqual(10);
      expect(row.progress.strikesDone).toBeLessThan(row.program.strikes);
      expect(e.head.homed).toBe(false);
      // A hard limit locks GRBL until a reset: the runner says so, and homing resets first.
      // The controller's last words: ALARM:1, then GRBL's "[MSG:Reset to continue]", which has come by the time a registry has answered the serial check.
      const said = engine === "sqlite" ? /ALARM:1.*waits for a reset/ : /(ALARM:1|Reset to continue).*waits for a reset/;
      await expect(e.runner.start(request({ serial: "SL2026X00002" }))).rejects.toMatchObject({ code: "E_CONTROLLER", message: expect.stringMatching(said) });
      expect((await e.runner.home()).homed).toBe(true);
      await expect(e.runner.start(request())).rejects.toMatchObject({ code: "E_SERIAL_RESERVED" });
      expect(await e.engine.jobs()).toHaveLength(1);
    });

    it("changes nothing for bad input: no journal row, no byte to the head", async () => {
      env = await runnerOnSim({ engine });
      const e = env;
      const input0 = (await e.head.sim!.snapshot()).inputBytes;
      await expect(e.runner.start(request({ record: { ...exampleRecord("slide-5x7"), serial: "" } }))).rejects.toMatchObject({ code: "E_SCHEMA" });
      await expect(e.runner.start({ ...request(), technician: "  " })).rejects.toMatchObject({ code: "E_SCHEMA", where: "technician" });
      await expect(e.runner.start(request({ remark: { reason: "no earlier job to re-mark", operator: "Luis" } }))).rejects.toMatchObject({ code: "E_JOURNAL", where: "remark.of" });
      expect(await e.engine.jobs()).toEqual([]);
      expect((await e.head.sim!.snapshot()).inputBytes - input0).toBe(0);
      expect(e.runner.busy).toBe(false);
    });

    it("refuses home and jog while a job is under way (E_BUSY), and a second job", async () => {
      env = await runnerOnSim({ engine });
      const e = env;
      const started = await e.runner.start(request());
      await expect(e.runner.home()).rejects.toMatchObject({ code: "E_BUSY" });
      await expect(e.runner.jog({ x: 1, feed: 600 })).rejects.toMatchObject({ code: "E_BUSY" });
      await expect(e.runner.start(request({ serial: "SL2026X00001" }))).rejects.toMatchObject({ code: "E_BUSY", details: { jobId: started.job.id } });
      expect((await started.done).state).toBe("completed");
    });
  });
});
