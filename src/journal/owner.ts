import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Which process is marking a job: "host boot-id pid". After a reboot the boot id differs,
 * so a pid reused by another program is not mistaken for the service that died.
 */
function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "-"; // not Linux: the pid check alone
  }
}

const BOOT = bootId();

export function ownerOfThisProcess(): string {
  return `${hostname()} ${BOOT} ${process.pid}`;
}

/** Whether the process that wrote `owner` can still be marking (same machine, same boot, pid alive). */
export function ownerAlive(owner: string | null): boolean {
  if (owner === null) return false;
  const [host, boot, pidText] = owner.split(" ");
  if (host !== hostname() || boot !== BOOT) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: a process with that pid exists but belongs to someone else; treat it as alive
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
