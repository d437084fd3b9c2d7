import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { maxAtOneSpot } from "../../firmware-bridge/sim/compare.ts";
import { SimHead } from "../../firmware-bridge/sim/head.ts";
import { startPtyHead, type PtyHead } from "../../firmware-bridge/sim/pty.ts";
import { simHeadOf } from "../../src/job/head.ts";
import type { JobView } from "../../src/job/view.ts";
import { benchStation, exampleRecord } from "../job/helpers.ts";
import { markUntil, stationFixture } from "./child.ts";

/**
 * kill -9 of the real `peenmark station` in the middle of a scribe stroke, with the head on a
 * pseudo-terminal in this process (it lives on, as a real controller does when the bench PC's
 * service dies): the head must stop by itself (the planner runs dry, M4 switches the pin off
 * at rest), the restarted station's first byte must be the soft reset, and the crash record
 * must say which lines may have run after the last confirmed one.
 */
const stations = stationFixture();
let pty: PtyHead | undefined;
afterEach(async () => {
  await stations.stopAll();
  await pty?.close();
  pty = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("kill -9 of the station mid-scribe, the head on a serial port", () => {
  it("the head stops by itself, the restart resets it first thing, the record names the lines that may have run", { timeout: 120_000 }, async () => {
    const dir = stations.dataDir("peenmark-kill-");
    const station = benchStation();
    const head = new SimHead(simHeadOf(station));
    pty = await startPtyHead({ link: join(dir, "head"), head, clock: "realtime" });
    // Every byte the host writes, with the head's time.
    const bytes: { t: number; byte: number }[] = [];
    const write = head.write.bind(head);
    head.write = (data: Uint8Array | string) => {
      for (const b of typeof data === "string" ? Buffer.from(data, "latin1") : data) bytes.push({ t: head.now, byte: b });
      write(data);
    };

    const first = stations.start(dir, ["--serial", pty.link]);
    await first.url;
    await expect.poll(async () => (await first.get<{ connected: boolean }>("/api/controller")).connected, { timeout: 15_000 }).toBe(true);
    // arc-round scribes from its first strike line (M4: power follows speed).
    const { id } = await markUntil(first, { profileId: "arc-round", record: exampleRecord("arc-round"), technician: "Ana Núñez" }, 8);
    first.proc.kill("SIGKILL");
    await first.exited;
    const killedAt = head.now;
    const strikesAtKill = head.strikes.length;

    // The controller runs what it holds, then the planner is dry and the pin is off.
    await sleep(3000);
    const after = head.strikes.slice(strikesAtKill);
    const lastStrike = head.strikes.at(-1)!;
    expect(head.now - lastStrike.t, "the pin stopped striking").toBeGreaterThan(1.5);
    expect(lastStrike.t - killedAt, "strikes after the kill end within a second").toBeLessThan(1);
    expect(maxAtOneSpot(after), "no spot hammered after the kill").toBeLessThanOrEqual(2);

    const db = new Database(join(dir, "peenmark.db"), { readonly: true });
    const recorded = db.prepare("SELECT outcome, last_acked_line, last_executed_line, last_sent_line FROM jobs WHERE id = ?").get(id) as { outcome: string; last_acked_line: number; last_executed_line: number; last_sent_line: number };
    db.close();
    expect(recorded.outcome).toBe("marking");
    expect(recorded.last_sent_line).toBeGreaterThanOrEqual(recorded.last_acked_line);
    expect(recorded.last_sent_line).toBeGreaterThan(recorded.last_executed_line);

    // The restarted station: its first byte to the head is the soft reset (0x18), no waiting for a welcome.
    const before = bytes.length;
    const second = stations.start(dir, ["--serial", pty.link]);
    await second.url;
    await expect.poll(() => bytes.length > before, { timeout: 10_000 }).toBe(true);
    expect(bytes[before]!.byte).toBe(0x18);
    const strikesAtRestart = head.strikes.length;

    const interrupted = (await second.get<{ jobs: JobView[] }>("/api/journal/interrupted")).jobs;
    expect(interrupted.map((j) => [j.id, j.state])).toEqual([[id, "interrupted"]]);
    const range = recorded.last_sent_line === recorded.last_executed_line + 1 ? `line ${recorded.last_sent_line} was` : `lines ${recorded.last_executed_line + 1}–${recorded.last_sent_line} were`;
    expect(interrupted[0]!.outcome?.message).toBe(`service stopped while marking; ${range} sent to the controller after the last confirmed line (${recorded.last_executed_line}) and may have run; position unknown: re-home before re-marking`);
    // Nothing resumed, nothing struck since.
    await sleep(500);
    expect(head.strikes.length).toBe(strikesAtRestart);
    const again = await second.post<{ error: { code: string } }>("/api/jobs", { profileId: "arc-round", record: exampleRecord("arc-round"), technician: "Ana Núñez" });
    expect([again.status, again.body.error.code]).toEqual([409, "E_SERIAL_RESERVED"]);
  });
});
