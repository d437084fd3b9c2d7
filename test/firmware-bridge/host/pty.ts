import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A pair of connected pseudo-terminals made by socat, as a USB-serial cable to a controller would look. */
export interface PtyPair {
  readonly a: string;
  readonly b: string;
  /** Kill socat: both ends vanish, as when the cable is pulled. */
  close(): Promise<void>;
}

export async function ptyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), "peenmark-pty-"));
  const a = join(dir, "host");
  const b = join(dir, "head");
  const proc: ChildProcess = spawn("socat", [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: "ignore" });
  for (let i = 0; i < 500 && !(existsSync(a) && existsSync(b)); i++) await new Promise((r) => setTimeout(r, 10));
  if (!existsSync(a) || !existsSync(b)) {
    proc.kill();
    throw new Error("socat did not create the pseudo-terminal pair");
  }
  return {
    a,
    b,
    close: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill();
      }),
  };
}
