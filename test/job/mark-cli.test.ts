import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { Journal } from "../../src/journal/journal.ts";
import { PgJournal } from "../../src/journal/pg-journal.ts";
import { PG_URL, pgSchema } from "../journal/engines.ts";
import { ROOT, tempDir } from "./helpers.ts";

/** `peenmark mark` as a technician runs it, on the simulated head, with Ctrl-C sent as SIGINT. */
class Mark {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  stdout = "";
  stderr = "";
  #waiters: { re: RegExp; resolve: () => void }[] = [];

  constructor(dataDir: string, extra: string[] = []) {
    const argv = ["mark", "--sim", "--sim-speed", "4", "--profile", "slide-5x7", "--record", join(ROOT, "examples", "records", "slide-5x7.json"), "--data", dataDir, "--technician", "Ana", ...extra];
    this.proc = spawn(process.execPath, [join(ROOT, "bin", "peenmark.mjs"), ...argv], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.on("data", (c: Buffer) => (this.stdout += c.toString()));
    this.proc.stderr.on("data", (c: Buffer) => {
      this.stderr += c.toString();
      this.#waiters = this.#waiters.filter((w) => (w.re.test(this.stderr) ? (w.resolve(), false) : true));
    });
    this.exited = new Promise((resolve) => this.proc.on("close", (code) => resolve(code)));
  }

  /** Resolves once stderr matches; rejects with what the command printed if it does not within `ms`. */
  sees(re: RegExp, ms = 30_000): Promise<void> {
    if (re.test(this.stderr)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms; stderr:\n${this.stderr}\nstdout:\n${this.stdout}`)), ms);
      this.#waiters.push({ re, resolve: () => (clearTimeout(timer), resolve()) });
      void this.exited.then(() => reject(new Error(`exited before ${re}; stderr:\n${this.stderr}\nstdout:\n${this.stdout}`)));
    });
  }

  /** The exit code, or an error with what the command printed if it has not exited within `ms`. */
  async exit(ms = 30_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${ms} ms; stderr:\n${this.stderr}\nstdout:\n${this.stdout}`)), ms);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

const procs: Mark[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.proc.exitCode === null) p.proc.kill("SIGKILL");
    await p.exited;
  }
  for (const f of cleanups.splice(0)) f();
});

function journalRows(dir: string) {
  const j = new Journal({ path: join(dir, "peenmark.db") });
  j.open();
  try {
    return j.jobs();
  } finally {
    j.close();
  }
}

describe("peenmark mark", () => {
  it("Ctrl-C pauses, Enter resumes, and the job completes (exit 0)", { timeout: 90_000 }, async () => {
    const tmp = tempDir("peenmark-mark-");
    cleanups.push(tmp.cleanup);
    const m = new Mark(tmp.dir);
    procs.push(m);
    await m.sees(/strikes [1-9]\d*\/\d+/);
    m.proc.kill("SIGINT");
    await m.sees(/paused: Enter resumes, Ctrl-C again aborts/);
    m.proc.stdin.write("\n");
    await m.sees(/resuming/);
    expect(await m.exit()).toBe(0);
    expect(m.stdout).toMatch(/^job 1 completed: serial RA2026A00417, (\d+)\/\1 strikes/);
    expect(journalRows(tmp.dir).map((j) => j.outcome)).toEqual(["completed"]);
  });

  it("Ctrl-C twice aborts: the outcome is printed, the journal says aborted, exit 1", { timeout: 90_000 }, async () => {
    const tmp = tempDir("peenmark-mark-");
    cleanups.push(tmp.cleanup);
    const m = new Mark(tmp.dir);
    procs.push(m);
    await m.sees(/strikes [1-9]\d*\/\d+/);
    m.proc.kill("SIGINT");
    await m.sees(/paused:/);
    m.proc.kill("SIGINT");
    expect(await m.exit()).toBe(1);
    expect(m.stdout).toMatch(/^job 1 aborted: serial RA2026A00417/);
    expect(m.stdout).toMatch(/aborted on request/);
    const [row] = journalRows(tmp.dir);
    expect(row!.outcome).toBe("aborted");
    expect(row!.progress.strikesDone).toBeGreaterThan(0);
    expect(row!.progress.strikesDone).toBeLessThan(row!.program.strikes);
  });
});

describe.skipIf(!PG_URL)("peenmark mark on the registry (--journal postgres://…)", () => {
  it("marks against the registry, refuses the same serial again with E_SERIAL_DUPLICATE, and writes no SQLite journal", { timeout: 90_000 }, async () => {
    const tmp = tempDir("peenmark-mark-");
    cleanups.push(tmp.cleanup);
    const { schema, drop } = await pgSchema();
    cleanups.push(() => void drop());
    // libpq's `options` parameter puts the command in the test's own schema.
    const url = `${PG_URL}${PG_URL!.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const first = new Mark(tmp.dir, ["--journal", url]);
    procs.push(first);
    expect(await first.exit(60_000), first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^registry postgres:\/\/peenmark_test:\*\*\*@/m);
    expect(first.stdout).toMatch(/^job 1 completed: serial RA2026A00417/);

    const again = new Mark(tmp.dir, ["--journal", url]);
    procs.push(again);
    expect(await again.exit(), again.stdout).toBe(1);
    expect(again.stderr).toMatch(/E_SERIAL_DUPLICATE/);

    const registry = new PgJournal({ url: PG_URL!, schema });
    await registry.open();
    try {
      expect((await registry.jobs()).map((j) => [j.id, j.outcome, j.stationId])).toEqual([[1, "completed", "bench"]]);
    } finally {
      await registry.close();
    }
    expect(existsSync(join(tmp.dir, "peenmark.db"))).toBe(false);
  });
});
