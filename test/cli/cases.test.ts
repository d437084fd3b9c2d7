import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Journal } from "../../src/journal/journal.ts";
import { ROOT, exampleProfile, exampleRecord, tempDir } from "../job/helpers.ts";
import { markJob, newJob } from "../journal/helpers.ts";

/** `peenmark …` as a person runs it: its exit code and what it printed. */
function peenmark(argv: string[], env: NodeJS.ProcessEnv = {}, ms = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, "bin", "peenmark.mjs"), ...argv], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    p.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`peenmark ${argv.join(" ")} still running after ${ms} ms:\n${stderr}`));
    }, ms);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanups.splice(0)) f();
});
function dataDir(): string {
  const t = tempDir("peenmark-cli-");
  cleanups.push(t.cleanup);
  return t.dir;
}

describe("the command line", () => {
  it("says an impossible date in one line and exits 2 (no stack), for every impossible date", async () => {
    const dir = dataDir();
    const j = new Journal({ path: join(dir, "peenmark.db") });
    j.open();
    markJob(j, newJob());
    j.close();
    for (const [flag, value] of [["--from", "2026-13-01"], ["--to", "2026-00-01"], ["--from", "2026-02-31"], ["--to", "yesterday"]] as const) {
      const r = await peenmark(["journal", "export", "--format", "csv", "--db", join(dir, "peenmark.db"), flag, value]);
      expect(r.code, `${flag} ${value}`).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^E_USAGE: ${flag.slice(2)} "${value}" is not a date`));
      expect(r.stdout).toBe("");
    }
    expect((await peenmark(["journal", "export", "--format", "csv", "--db", join(dir, "peenmark.db"), "--from", "2026-02-28"])).code).toBe(0);
  });

  it("finds lookalike serials as one: journal find RA2026A00417 lists the Cyrillic and Greek ones too", async () => {
    const dir = dataDir();
    const j = new Journal({ path: join(dir, "peenmark.db") });
    j.open();
    markJob(j, newJob({ serial: "RA2026A00417" }));
    markJob(j, newJob({ serial: "RA2026А00417", manufacturer: "Maker Two" })); // Cyrillic А, another maker
    markJob(j, newJob({ serial: "RA2026Α00417", manufacturer: "Maker Three" })); // Greek Α
    j.close();
    const r = await peenmark(["journal", "find", "RA2026A00417", "--json", "--db", join(dir, "peenmark.db")]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { serial: string }[]).map((x) => x.serial)).toEqual(["RA2026Α00417", "RA2026А00417", "RA2026A00417"]);
  });

  it("refuses to start a station whose technician and operator tokens are the same", async () => {
    const dir = dataDir();
    const token = "3f7c0a9e5d2b41c8a6f0e1d2c3b4a596";
    const r = await peenmark(["station", "--port", "0", "--data", dir], { PEENMARK_TOKEN_TECHNICIAN: token, PEENMARK_TOKEN_OPERATOR: token });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^E_USAGE: the technician's and the operator's tokens are the same/);
  });

  it("lets exactly one of four concurrent re-marks of one interrupted job through", async () => {
    const dir = dataDir();
    const p = exampleProfile("slide-5x7");
    const j = new Journal({ path: join(dir, "peenmark.db") });
    j.open();
    const first = j.createJob({ record: { ...(exampleRecord("slide-5x7") as object), serial: "SL2026C00001" } as never, profile: { id: "slide-5x7", hash: p.hash }, stationId: "bench", program: { hash: "d".repeat(64), lines: 90, strikes: 300 }, technician: "Ana Núñez" });
    j.startJob(first.id);
    j.endJob(first.id, { outcome: "interrupted", note: "power lost" });
    j.close();
    const recordPath = join(dir, "record.json");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(recordPath, JSON.stringify({ ...(exampleRecord("slide-5x7") as object), serial: "SL2026C00001" }));

    const runs = await Promise.all(
      [1, 2, 3, 4].map(() =>
        peenmark(["mark", "--sim", "--sim-speed", "40", "--profile", "slide-5x7", "--record", recordPath, "--data", dir, "--technician", "Ana", "--remark-of", String(first.id), "--reason", "interrupted by a power cut", "--operator", "M. Ortiz"], {}, 120_000),
      ),
    );
    const codes = runs.map((r) => r.code).sort();
    expect(codes, runs.map((r) => r.stderr).join("\n---\n")).toEqual([0, 1, 1, 1]);
    for (const r of runs.filter((x) => x.code === 1)) expect(r.stderr).toMatch(/E_SERIAL_RESERVED: .*held by job \d+ \(a re-mark of job 1 already|E_SERIAL_RESERVED: .*being marked now/);

    const after = new Journal({ path: join(dir, "peenmark.db") });
    after.open();
    try {
      const remarks = after.jobs().filter((x) => x.remark?.of === first.id);
      expect(remarks.map((x) => x.outcome)).toEqual(["completed"]);
      // the version job 1 was marked with
      expect(remarks[0]!.profile.hash).toBe(p.hash);
    } finally {
      after.close();
    }
  });
});
