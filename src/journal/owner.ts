import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Which process is marking a job: "host boot-id pid start-time". After a reboot the boot id
 * differs; within one boot the process's start time (clock ticks since boot, from
 * /proc/PID/stat) tells a restarted service that got the same pid — PID 1 in a container,
 * or a pid that wrapped — from the one that died.
 */
function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "-"; // not Linux: the pid check alone
  }
}

const BOOT = bootId();

/** Field 22 of /proc/PID/stat; "-" where there is no /proc (then the pid check alone). */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "-";
  } catch {
    return "-";
  }
}

export function ownerOfThisProcess(): string {
  return `${hostname()} ${BOOT} ${process.pid} ${processStartTime(process.pid)}`;
}

/** Whether the process that wrote `owner` can still be marking (same machine, same boot, pid alive). */
export function ownerAlive(owner: string | null): boolean {
  if (owner === null) return false;
  const [host, boot, pidText, started] = owner.split(" ");
  if (host !== hostname() || boot !== BOOT) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: a process with that pid exists but belongs to someone else; treat it as alive
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // Owners written before the start time was recorded have none: the pid check alone.
  if (started === undefined || started === "-") return true;
  return processStartTime(pid) === started;
}

/** Whether a process with this pid exists on this machine now. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
