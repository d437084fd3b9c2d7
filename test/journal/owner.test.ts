import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import { ownerAlive, ownerOfThisProcess, processStartTime } from "../../src/journal/owner.ts";

/**
 * Whether the process that started a job can still be marking. A restarted service may get
 * the same pid (PID 1 in a container, a pid that wrapped): the start time tells them apart,
 * so its job is recovered as interrupted instead of staying "marking" forever.
 */
describe("job owner", () => {
  const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();

  it("this process is alive", () => {
    expect(ownerAlive(ownerOfThisProcess())).toBe(true);
  });

  it("the same pid with another start time is a different process: not alive", () => {
    const other = Number(processStartTime(process.pid)) - 1;
    expect(ownerAlive(`${hostname()} ${boot} ${process.pid} ${other}`)).toBe(false);
  });

  it("a process that has exited is not alive", () => {
    const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    const pid = Number(child.stdout.trim());
    expect(ownerAlive(`${hostname()} ${boot} ${pid} 1`)).toBe(false);
  });

  it("another boot or another host is not alive", () => {
    expect(ownerAlive(`${hostname()} not-this-boot ${process.pid} ${processStartTime(process.pid)}`)).toBe(false);
    expect(ownerAlive(`another-host ${boot} ${process.pid} ${processStartTime(process.pid)}`)).toBe(false);
  });
});
