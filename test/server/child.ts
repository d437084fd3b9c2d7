import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { expect } from "vitest";
import type { JobView } from "../../src/job/view.ts";
import { ROOT, tempDir } from "../job/helpers.ts";

/** `peenmark station` as a child process, as `npm start` runs it; its address read from the line it prints. */
export class Station {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly url: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = "";
  /** The JSON log lines the station wrote. */
  stdout = "";

  constructor(dataDir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
    this.proc = spawn(process.execPath, [join(ROOT, "bin", "peenmark.mjs"), "station", "--port", "0", "--data", dataDir, ...extra], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    this.proc.stdout.on("data", (c: Buffer) => (this.stdout += c.toString()));
    this.exited = new Promise((resolve) => this.proc.on("close", (code, signal) => resolve({ code, signal })));
    this.url = new Promise((resolve, reject) => {
      this.proc.stderr.on("data", (c: Buffer) => {
        this.stderr += c.toString();
        const m = /peenmark station: (http:\/\/\S+)/.exec(this.stderr);
        if (m) resolve(m[1]!);
      });
      void this.exited.then(() => reject(new Error(`the station exited before listening:\n${this.stderr}`)));
    });
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(new URL(path, await this.url));
    return (await res.json()) as T;
  }

  async post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(new URL(path, await this.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as T };
  }
}


/**
 * The stations and temporary data directories a test file starts. Call `stopAll()` in
 * afterEach: it kills what is still running (SIGKILL) and removes the directories.
 */
export function stationFixture() {
  const children: Station[] = [];
  const cleanups: (() => void)[] = [];
  return {
    dataDir(prefix: string): string {
      const tmp = tempDir(prefix);
      cleanups.push(tmp.cleanup);
      return tmp.dir;
    },
    start(dataDir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Station {
      const s = new Station(dataDir, extra, env);
      children.push(s);
      return s;
    },
    async stopAll(): Promise<void> {
      for (const c of children.splice(0)) {
        if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
        await c.exited;
      }
      for (const f of cleanups.splice(0)) f();
    },
  };
}

/** Start a job over HTTP and wait (real time) until at least `strikes` have landed; the job must still be under way. */
export async function markUntil(station: Station, body: unknown, strikes: number): Promise<JobView> {
  const started = await station.post<{ job: JobView }>("/api/jobs", body);
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  let job = started.body.job;
  for (let i = 0; i < 600 && job.progress.strikesDone < strikes; i++) {
    await new Promise((r) => setTimeout(r, 50));
    job = (await station.get<{ job: JobView }>(`/api/jobs/${job.id}`)).job;
    expect(job.state, JSON.stringify(job.outcome)).toMatch(/pending|marking/);
  }
  expect(job.progress.strikesDone).toBeGreaterThanOrEqual(strikes);
  return job;
}
