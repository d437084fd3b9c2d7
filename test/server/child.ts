import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../job/helpers.ts";

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

