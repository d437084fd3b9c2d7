/**
 * The differential scripts: each one pins a piece of GRBL 1.1h's behaviour (issue 9 items 1–9,
 * the new strike encoding) that the simulated head must reproduce. Run against the simulated
 * head always; against GRBL's own firmware when PEENMARK_GRBL_SIM names one (harness.ts).
 * `check` states what the behaviour is, on the simulated head's own run.
 */
import { expect } from "vitest";
import { parseStatus } from "../../../firmware-bridge/protocol.ts";
import type { BuildName } from "../../../firmware-bridge/sim/index.ts";
import type { Script, Transcript } from "./harness.ts";

const ALL: readonly BuildName[] = ["stock", "origin", "stock-ln", "origin-ln"];

/** The bench head's settings (firmware-bridge/sim/machine.ts headSettings), homing off. */
const BENCH: Readonly<Record<number, number>> = {
  10: 3,
  23: 3,
  24: 100,
  25: 1500,
  32: 1,
  100: 80,
  101: 80,
  110: 3000,
  111: 3000,
  112: 600,
  120: 500,
  121: 500,
  122: 1000,
  130: 102,
  131: 82,
  132: 10,
};
const HOMING = { ...BENCH, 22: 1, 20: 1, 21: 1 };

/** A scribe stroke as the compiler writes it: twenty 0.5 mm G1 segments at 900 mm/min in M4. */
const STROKE: readonly string[] = Array.from({ length: 20 }, (_, i) => `${i === 0 ? "G1" : ""}X${10.5 + i * 0.5}Y${Math.round((10.1 + 0.1 * i) * 10) / 10}${i === 0 ? "S600F900" : ""}`);

/** The answer (ok/error) lines, in order. */
function answers(t: Transcript): string[] {
  return t.lines.map((l) => l.text).filter((l) => l === "ok" || l.startsWith("error:"));
}

/** How long line `text` ran: from when GRBL could start it (its last byte in, the line before it answered) to its own answer. */
function runTime(t: Transcript, text: string): number {
  const lineInputs = t.inputs.filter((x) => x.bytes.endsWith("\n"));
  const k = lineInputs.findIndex((x) => x.bytes.startsWith(text));
  if (k < 0) throw new Error(`no input ${text}`);
  const answered = t.lines.filter((l) => l.text === "ok" || l.text.startsWith("error:"));
  const inLast = lineInputs[k]!.t + lineInputs[k]!.bytes.length * (10 / 115200);
  const start = Math.max(inLast, k > 0 ? answered[k - 1]!.t : 0);
  return answered[k]!.t - start;
}

function reports(t: Transcript) {
  return t.lines.filter((l) => l.text.startsWith("<")).map((l) => ({ t: l.t, text: l.text, r: parseStatus(l.text)! }));
}

/** Time from input `i` (its first byte) to the n-th line after it matching `re`. */
function latency(t: Transcript, i: number, re: RegExp, nth = 0): number {
  const from = t.inputs[i]!.t;
  const hits = t.lines.filter((l) => l.t >= from && re.test(l.text));
  return hits[nth]!.t - from;
}

/** Index of the input that starts with `text`. */
function input(t: Transcript, text: string): number {
  const i = t.inputs.findIndex((x) => x.bytes.startsWith(text));
  if (i < 0) throw new Error(`no input ${text}`);
  return i;
}

const ERROR_LINES: readonly [string, string][] = [
  ["G0X1G1X2", "error:24"],
  ["G0G1", "error:24"],
  ["M3M5", "error:21"],
  ["G0X1X2", "error:25"],
  ["G1.5", "error:23"],
  ["G59.1", "error:23"],
  ["G92.2", "error:20"],
  ["M7", "error:20"],
  ["M6", "error:20"],
  ["G92", "error:26"],
  ["G80X1", "error:31"],
  ["G53G2X1", "error:30"],
  ["G43.1X1", "error:37"],
  ["G10L2P7X0", "error:29"],
  ["T300", "error:38"],
  ["S-1", "error:4"],
  ["N99999999G0", "error:27"],
  ["G4", "error:28"],
  ["G1X1", "error:22"],
  ["P1", "error:36"],
  ["%", "error:1"],
  ["$Q", "error:2"],
  ["$10=abc", "error:2"],
  ["$130=-5", "error:4"],
  ["$X1", "error:3"],
  ["$RST=", "error:3"],
  ["$J=X1", "error:22"],
  ["$J=G91X1M3F100", "error:16"],
  ["M4S100", "ok"],
  ["M5", "ok"],
  ["G10L2P1X0Y0", "ok"],
  ["G10L20P1X0", "ok"],
  ["G92X0", "ok"],
  ["G92.1", "ok"],
  ["G53G0X0", "ok"],
  ["G28", "ok"],
  ["G30", "ok"],
  ["G59", "ok"],
  ["G54", "ok"],
  ["G43.1Z1", "ok"],
  ["G49", "ok"],
  ["G80", "ok"],
  ["G61", "ok"],
  ["G93", "ok"],
  ["G94", "ok"],
  ["G18", "ok"],
  ["G17", "ok"],
  ["G40", "ok"],
  ["M8", "ok"],
  ["M9", "ok"],
  ["T1", "ok"],
  ["G0Z1", "ok"],
  ["G0Z0", "ok"],
];

export const SCRIPTS: readonly Script[] = [
  {
    name: "boot",
    about: "report.c report_build_info ([VER:1.1h.20190830:], [OPT:] per build), $$, $#, $G, $N, $ help, ? at rest; every answer in reference §8 (gcode.c, system.c)",
    builds: ALL,
    settings: BENCH,
    steps: [
      ...["$I", "$$", "$#", "$G", "$N", "$"].flatMap((l) => [{ send: l }, { wait: 0.1 }]),
      { rt: "?" },
      { wait: 0.05 },
      ...ERROR_LINES.flatMap(([l]) => [{ send: l }, { wait: 0.03 }]),
      { wait: 1 },
      { send: "$RST=?" },
      { wait: 0.05 },
    ],
    check: (t) => {
      const said = t.lines.map((l) => l.text);
      expect(said[0]).toBe("[VER:1.1h.20190830:]");
      expect(said[1]).toMatch(/^\[OPT:VN?Z?,1[45],128\]$/);
      expect(said).toContain("$32=1");
      expect(said).toContain("[HLP:$$ $# $G $I $N $x=val $Nx=line $J=line $SLP $C $X $H ~ ! ? ctrl-x]");
      const a = answers(t);
      // six $ commands, then one answer per line of the table, then $RST=? → status report + error:3
      expect(a.slice(6, 6 + ERROR_LINES.length)).toEqual(ERROR_LINES.map(([, want]) => want));
      expect(said.at(-2)).toMatch(/^<Idle\|/);
      expect(said.at(-1)).toBe("error:3");
    },
  },
  {
    name: "dwell",
    about: "issue 9 item 1 — nuts_bolts.c delay_sec: G4 runs ceil(20·P) steps of 50 ms; a ? during a dwell is answered at the next step, state Idle",
    builds: ["stock", "stock-ln"],
    settings: BENCH,
    steps: [
      { send: "G4P0.01" },
      { wait: 0.2 },
      { send: "G4P0.05" },
      { wait: 0.2 },
      { send: "G4P0.051" },
      { wait: 0.3 },
      { send: "G4P0" },
      { wait: 0.1 },
      { send: "G4P0.3" },
      { wait: 0.07 },
      { rt: "?" },
      { wait: 0.4 },
    ],
    check: (t) => {
      // (timed from when GRBL could start each line, so that a loaded host, whose line arrives during the dwell before it, still measures it right)
      const ms = (p: string) => (runTime(t, `G4P${p}\n`) - 4 * (10 / 115200)) * 1000;
      expect(ms("0.01")).toBeCloseTo(50, 0);
      expect(ms("0.05")).toBeCloseTo(50, 0);
      expect(ms("0.051")).toBeCloseTo(100, 0);
      expect(ms("0")).toBeCloseTo(0, 0);
      const r = reports(t)[0]!;
      expect(r.r.state).toBe("Idle");
      expect(r.t - t.inputs[input(t, "?")]!.t).toBeGreaterThan(0.02); // waited for the 50 ms step
    },
  },
  {
    name: "idle-lock",
    about: "issue 9 item 2 — stepper.c st_go_idle: a sync after motion completes $1 ms after the last step, the main loop frozen meanwhile (a ? is answered after it, still Run, Bf all free, FS:0); $1=255 has no wait",
    builds: ["stock", "origin-ln"],
    settings: { ...BENCH, 1: 200 },
    steps: [
      { send: "G1X2F600" },
      { send: "G4P0" },
      { wait: 0.3 },
      { rt: "?" },
      { wait: 0.3 },
      { send: "$1=25" },
      { wait: 0.1 },
      { send: "G1X4" },
      { send: "G4P0" },
      { wait: 0.5 },
      { send: "$1=255" },
      { wait: 0.1 },
      { send: "G1X6" },
      { send: "G4P0" },
      { wait: 0.5 },
    ],
    check: (t) => {
      const r = reports(t)[0]!;
      expect(r.r.state).toBe("Run");
      expect(r.r.bf!.blocks).toBe(t.build.endsWith("-ln") ? 14 : 15);
      expect(r.r.fs!.feed).toBe(0);
      // each sync's ok, after its G1's ok: 2 mm at 10 mm/s ≈ 0.2 s plus the wait
      const syncOk = (line: string) => {
        const i = input(t, line);
        return latency(t, i, /^ok$/, 1);
      };
      expect(syncOk("G1X4") - syncOk("G1X6")).toBeCloseTo(0.025, 3);
    },
  },
  {
    name: "hold-before-strike",
    about: "issue 9 item 4 — protocol.c protocol_buffer_synchronize: a hold in the rapid's last ~50 ms (the last block already in segments, planner empty, state Hold) lets the strike line through: the pin comes on while the head still moves; after ~ nothing powers it again at this dot",
    builds: ["stock", "origin"],
    // $1=255: on the AVR the stepper interrupt's $1 wait (the head stopping into the hold) also
    // stretches the strike line's dwell running meanwhile; grbl-host's clock does not (see PROTOCOL.md).
    settings: { ...BENCH, 1: 255 },
    steps: [
      { send: "M3S0" },
      { send: "G1F600" },
      { wait: 0.05 },
      { send: "G0X10\nG1S700G4P0.01\nS0" },
      { wait: 0.275 },
      { rt: "!" },
      { wait: 0.8 },
      { rt: "?" },
      { wait: 0.1 },
      { rt: "~" },
      { wait: 0.5 },
      { rt: "?" },
      { wait: 0.1 },
    ],
    check: (t) => {
      const on = t.pins.find((p) => p.pwm > 0)!;
      expect(on.x).toBeLessThan(10); // switched on before the head reached the dot
      expect(t.pins.filter((p) => p.pwm > 0).length).toBe(1);
      expect(reports(t)[0]!.r).toMatchObject({ state: "Hold", subState: 0 });
    },
  },
  {
    name: "hold-during-dwell",
    about: "issue 9 item 5 — delay_sec + protocol_exec_rt_suspend: a hold during a 4-step dwell stops it at a 50 ms step with the pin off (laser mode); ~ prints [MSG:Restoring spindle] and the rest of the dwell runs with the pin off",
    builds: ["stock", "stock-ln"],
    settings: BENCH,
    steps: [{ send: "M3S0" }, { send: "G1F600" }, { wait: 0.05 }, { send: "G1S700G4P0.2\nS0" }, { wait: 0.07 }, { rt: "!" }, { wait: 0.5 }, { rt: "?" }, { wait: 0.1 }, { rt: "~" }, { wait: 0.5 }, { rt: "?" }, { wait: 0.1 }],
    check: (t) => {
      const [on, off] = t.pins;
      expect(on!.pwm).toBe(178);
      expect(off!.pwm).toBe(0);
      expect((off!.t - on!.t) * 1000).toBeCloseTo(100, 0);
      expect(t.pins.length).toBe(2);
      expect(t.lines.map((l) => l.text)).toContain("[MSG:Restoring spindle]");
      expect(reports(t)[0]!.r).toMatchObject({ state: "Hold", subState: 0 });
    },
  },
  {
    name: "homing",
    about: "issue 9 items 6 and 8 — limits.c limits_go_home: Z then XY; stock lands at −$13x+$27 (X, Y) and −$27 (Z), HOMING_FORCE_SET_ORIGIN at 0; no status report during $H (one at the end, Home); soft limits [−$13x, 0] stock, [0, $13x] origin for axes homed towards −",
    builds: ALL,
    settings: HOMING,
    // grbl-host moves a locked-out axis with the step counter; equal distances keep both switches tripping together.
    start: { x: 40, y: 40, z: 6 },
    steps: [{ send: "$H" }, { wait: 1 }, { rt: "?" }, { until: /^ok$/, timeout: 30 }, { wait: 0.05 }, { rt: "?" }, { wait: 0.05 }, { send: "G0X-50Y-40" }, { wait: 2 }, { rt: "?" }, { wait: 0.5 }, { rt: 0x18 }, { wait: 1 }, { rt: "?" }, { wait: 0.1 }],
    check: (t) => {
      const r = reports(t);
      expect(r[0]!.r.state).toBe("Home"); // the ? sent during $H, answered once, at the end
      const origin = t.build.startsWith("origin");
      expect(r[1]!.r).toMatchObject({ state: "Idle", mpos: origin ? [0, 0, 0] : [-101, -81, -1] });
      const said = t.lines.map((l) => l.text);
      if (origin) expect(said).toContain("ALARM:2"); // X−50 is outside [0, 102]
      else expect(r.some((x) => x.r.state === "Idle" && x.r.mpos![0] === -50)).toBe(true);
    },
  },
  {
    name: "line-numbers",
    about: "issue 9 item 7 — report.c: Ln: only with USE_LINE_NUMBERS, the oldest planner block's N; Bf: 14 blocks free idle with N, 15 without",
    builds: ALL,
    settings: BENCH,
    steps: [{ rt: "?" }, { wait: 0.05 }, { send: "N5G1X10F600\nN6G1X20" }, { wait: 0.4 }, { rt: "?" }, { wait: 1.3 }, { rt: "?" }, { wait: 0.5 }, { rt: "?" }, { wait: 0.05 }],
    check: (t) => {
      const r = reports(t);
      const ln = t.build.endsWith("-ln");
      expect(r[0]!.r.bf).toEqual({ blocks: ln ? 14 : 15, bytes: 128 });
      if (ln) {
        expect(r[1]!.r.ln).toBe(5);
        expect(r[2]!.r.ln).toBe(6);
      } else expect(r.every((x) => x.r.ln === undefined)).toBe(true);
    },
  },
  {
    name: "z-strike",
    about: "issue 9's strike encoding — planner.c/stepper.c: a Z-only G1 of one Z step at F = d/strikeTime in laser M3 holds the pin on for exactly that block (10 ms), X and Y at the dot, no sync, no $1 wait, no dwell quantum",
    builds: ALL,
    settings: BENCH,
    steps: [{ send: "G92Z0\nM3S0\nG0X10Y10\nG1Z-0.004S700F24\nG0X12.5Y10\nG1Z0S700F24\nG0X12.5Y11.25\nG1Z-0.004S500F24\nG0X0Y0\nM5" }, { wait: 1.5 }],
    check: (t) => {
      const on = t.pins.filter((p) => p.pwm > 0);
      const off = t.pins.filter((p) => p.pwm === 0);
      expect(on.length).toBe(3);
      for (let i = 0; i < 3; i++) {
        expect((off[i]!.t - on[i]!.t) * 1000).toBeGreaterThan(9.5);
        expect((off[i]!.t - on[i]!.t) * 1000).toBeLessThan(10.5);
        expect([off[i]!.x, off[i]!.y]).toEqual([on[i]!.x, on[i]!.y]);
      }
      expect(on.map((p) => [p.x, p.y])).toEqual([
        [10, 10],
        [12.5, 10],
        [12.5, 11.25],
      ]);
    },
  },
  {
    name: "m4-scribe",
    about: "stepper.c: in laser M4 the PWM follows the speed every segment, and is off by the time the head stops (also when the next line is late)",
    builds: ["stock", "origin-ln"],
    settings: BENCH,
    steps: [{ send: "M4S1000\nG1X10F1200" }, { wait: 1 }, { send: "G1X20" }, { wait: 1 }, { rt: "?" }, { wait: 0.05 }],
    check: (t) => {
      expect(t.pins.at(-1)!.pwm).toBe(0);
      expect(t.pins.filter((p) => p.pwm > 0 && p.pwm < 255).length).toBeGreaterThan(4);
      expect(t.pins.filter((p) => p.pwm === 0).length).toBe(2); // off at each stop
    },
  },
  {
    name: "reset-in-motion",
    about: "motion_control.c mc_reset: a reset while moving is ALARM:3 (stock and origin), the welcome after ALARM's 500 ms and $1; the position where the steppers stopped",
    builds: ["stock", "origin"],
    settings: BENCH,
    steps: [{ send: "G0X50" }, { wait: 0.3 }, { rt: 0x18 }, { wait: 1 }, { rt: "?" }, { wait: 0.05 }],
    check: (t) => {
      const said = t.lines.map((l) => l.text);
      expect(said.slice(0, 5)).toEqual(["ok", "ALARM:3", "", "Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
      const r = reports(t)[0]!.r;
      expect(r.state).toBe("Alarm");
      expect(r.mpos![0]).toBeGreaterThan(5);
      expect(r.mpos![0]).toBeLessThan(50);
    },
  },
  {
    name: "critical-alarm",
    about: "protocol.c protocol_exec_rt_system: after ALARM:2 (and 1) nothing but a reset is heard, not even ?; a reset sent during the 500 ms after the ALARM line is lost (mc_reset sees its reset flag still set), one after [MSG:Reset to continue] works",
    builds: ["stock", "origin"],
    settings: HOMING,
    steps: [{ send: "$X" }, { wait: 0.05 }, { send: "G0X1" }, { wait: 0.1 }, { rt: 0x18 }, { wait: 0.8 }, { rt: "?" }, { wait: 0.3 }, { rt: 0x18 }, { wait: 1 }, { rt: "?" }, { wait: 0.05 }],
    check: (t) => {
      const said = t.lines.map((l) => l.text);
      // stock: X+1 is outside [−102, 0]; origin: unlocked at 0, X1 is inside [0, 102] — no alarm
      if (t.build === "stock") {
        // $X's ok, then the alarm; G0X1's own ok comes only after the second reset, when mc_line returns into gc_execute_line
        expect(said.slice(0, 4)).toEqual(["ok", "ALARM:2", "[MSG:Reset to continue]", "ok"]);
        expect(said.filter((l) => l.startsWith("Grbl")).length).toBe(1); // only the second reset
        expect(said.filter((l) => l.startsWith("<")).length).toBe(1); // the ? in the alarm went unanswered
      }
    },
  },
  {
    name: "starved-sync",
    about: "protocol.c protocol_buffer_synchronize + stepper.c st_prep_buffer: at 2400 baud, 5 status reports a second fill the TX ring, the main loop waits in serial_write, the segment buffer runs dry with a block still queued; the cycle stops (Idle) and the sync line after the stroke (S0 in laser mode) waits for ever, since auto cycle start runs only on entering the sync; ~ restarts it",
    builds: ["stock"],
    baud: 2400,
    // grbl-host advances its clock to the next hardware event inside serial_read() when the RX
    // ring is empty, before it returns "no data", so every cycle start from the main loop's
    // auto cycle start comes one byte time late (4.17 ms at 2400 baud; 87 µs at 115200, within
    // the usual tolerances); on the AVR the loop gets there within microseconds. Where the
    // segment buffer runs dry then moves by a segment and the number of blocks left with it.
    loose: "grbl-host starts cycles one byte time late (serial_read skips to the next event)",
    settings: { ...BENCH, 1: 255 },
    steps: [
      { send: "M4S0" },
      { send: "G0X10Y10" },
      // the stroke as a character-counting host sends it, with a status query every 0.2 s
      ...STROKE.flatMap((line, i) => [{ send: line }, { wait: 0.04 }, ...(i % 5 === 4 ? [{ rt: "?" }] : [])]),
      { send: "S0" },
      { send: "M5" },
      { send: "G0X0Y0" },
      ...Array.from({ length: 30 }, () => [{ rt: "?" }, { wait: 0.2 }] as const).flat(),
      { rt: "~" },
      { wait: 2 },
      { rt: "?" },
      { wait: 0.5 },
    ],
    lineTolerance: 0.01,
    check: (t) => {
      const r = reports(t);
      const tilde = t.inputs[input(t, "~")]!.t;
      const before = r.filter((x) => x.t < tilde);
      const stalled = before.at(-1)!.r;
      expect(stalled.state).toBe("Idle");
      expect(stalled.mpos![0]).toBeLessThan(20); // mid-stroke
      expect(stalled.bf!.blocks).toBeLessThan(15); // blocks still queued
      expect(t.lines.filter((l) => l.t < tilde && l.text === "ok").length).toBeLessThanOrEqual(2 + STROKE.length); // S0 not answered
      expect(r.at(-1)!.r).toMatchObject({ state: "Idle", mpos: [0, 0, 0] });
      expect(answers(t).length).toBe(2 + STROKE.length + 3);
    },
  },
  {
    name: "jog",
    about: "jog.c and protocol.c: $J= runs in state Jog; 0x85 cancels with a controlled stop and syncs the parser to where the head stopped",
    builds: ["stock", "stock-ln"],
    settings: BENCH,
    steps: [{ send: "$J=G91X30F600" }, { wait: 0.5 }, { rt: "?" }, { wait: 0.1 }, { rt: 0x85 }, { wait: 0.5 }, { rt: "?" }, { wait: 0.05 }, { send: "G91G0X1" }, { wait: 0.3 }, { rt: "?" }, { wait: 0.05 }],
    check: (t) => {
      const r = reports(t);
      expect(r[0]!.r.state).toBe("Jog");
      expect(r[1]!.r.state).toBe("Idle");
      expect(r[2]!.r.mpos![0]).toBeCloseTo(r[1]!.r.mpos![0]! + 1, 2);
    },
  },
];
