/**
 * The simulated head on a pseudo-terminal, so that a host opens it by path exactly as a real
 * controller: socat makes a pty pair, links one end to `link` (the path the host opens) and
 * the head is attached to the other end through serialport. DTR/RTS mean nothing on a pty,
 * so the device end is opened with hupcl off and no modem-line changes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { SerialPort } from "serialport";
import { FastClock, RealtimeClock, type HeadClock } from "./clock.ts";
import type { SimHead } from "./head.ts";

export interface PtyHeadOptions {
  /** The path the host opens, e.g. /tmp/peenmark-head. */
  readonly link: string;
  readonly head: SimHead;
  /** "realtime" (default) follows the wall clock; "fast" runs as fast as the host keeps up. */
  readonly clock?: "realtime" | "fast";
  /** socat executable (default "socat" on PATH). */
  readonly socat?: string;
}

export interface PtyHead {
  readonly link: string;
  /** The pty the head itself holds (the other end of the pair). */
  readonly devicePath: string;
  readonly head: SimHead;
  /** Stop the head and socat; the link disappears. */
  close(): Promise<void>;
  /** Pull the cable: socat goes away with both ends, the host's port sees the device vanish. */
  unplug(): Promise<void>;
}

function waitForExit(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) resolve();
    else p.once("exit", () => resolve());
  });
}

/** Start socat, wait for both pty names, attach the head to the far end. */
export async function startPtyHead(opts: PtyHeadOptions): Promise<PtyHead> {
  const socat = spawn(opts.socat ?? "socat", ["-d", "-d", `pty,raw,echo=0,link=${opts.link}`, "pty,raw,echo=0"], { stdio: ["ignore", "ignore", "pipe"] });
  const ptys: string[] = [];
  let stderr = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      stderr += d.toString();
      for (const m of stderr.matchAll(/PTY is (\S+)/g)) if (!ptys.includes(m[1]!)) ptys.push(m[1]!);
      if (ptys.length >= 2 && /starting data transfer loop/.test(stderr)) {
        socat.stderr!.off("data", onData);
        resolve();
      }
    };
    socat.stderr!.on("data", onData);
    socat.once("error", (e) => reject(new Error(`cannot start socat: ${e.message}`)));
    socat.once("exit", (code) => reject(new Error(`socat exited (${code}) before the pty pair was ready: ${stderr.trim()}`)));
  });
  socat.removeAllListeners("exit");
  socat.stderr!.resume();
  const devicePath = ptys[1]!;
  if (!existsSync(opts.link)) throw new Error(`socat did not create ${opts.link}`);

  const port = new SerialPort({ path: devicePath, baudRate: 115200, hupcl: false, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const head = opts.head;
  const onOutput = (d: Buffer) => {
    if (port.isOpen) port.write(d);
  };
  head.on("output", onOutput);
  port.on("data", (d: Buffer) => head.write(d));
  port.on("error", () => {});
  const clock: HeadClock = opts.clock === "fast" ? new FastClock(head) : new RealtimeClock(head);
  clock.start();
  // The greeting was queued at power-up; let it out now that someone may be listening.
  head.advance(0);

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    clock.stop();
    head.off("output", onOutput);
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    socat.kill("SIGTERM");
    await waitForExit(socat);
  };
  return {
    link: opts.link,
    devicePath,
    head,
    close,
    async unplug() {
      head.unplug();
      await close();
    },
  };
}
