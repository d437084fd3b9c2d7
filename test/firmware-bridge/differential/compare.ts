/**
 * Comparing two transcripts of one script: the firmware's (reference) and the simulated
 * head's. Lines must be the same, in the same order; status reports field by field (state
 * exactly, positions to the printed step at rest and within a tolerance in motion, feed within
 * a few percent); times within the script's tolerances; pin events the same PWM at the same
 * place and nearly the same time. Returns one sentence per difference.
 */
import { parseStatus } from "../../../firmware-bridge/protocol.ts";
import type { Script, Transcript } from "./harness.ts";

const MOVING = new Set(["Run", "Jog", "Home", "Hold:1"]);

export function compareTranscripts(script: Script, ref: Transcript, got: Transcript): string[] {
  if (script.loose) return compareLoosely(ref, got);
  const diffs: string[] = [];
  const lineTol = script.lineTolerance ?? 0.003;
  const pinTol = script.pinTolerance ?? 0.001;
  const motionTol = script.motionTolerance ?? 0.05;
  const first = ref.inputs[0]?.t ?? 0;
  const a = ref.lines.filter((l) => l.t >= first);
  const b = got.lines.filter((l) => l.t >= first);
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) {
      diffs.push(`line ${i}: ${x ? `firmware said ${JSON.stringify(x.text)} at ${x.t.toFixed(4)} s, the sim nothing more` : `the sim said ${JSON.stringify(y!.text)} at ${y!.t.toFixed(4)} s, the firmware nothing more`}`);
      break;
    }
    const d = compareLine(x.text, y.text, motionTol);
    if (d) {
      diffs.push(`line ${i} (${x.t.toFixed(4)} s): ${d}`);
      if (!x.text.startsWith("<")) break; // the rest would only echo this one
    }
    if (Math.abs(x.t - y.t) > lineTol) diffs.push(`line ${i} ${JSON.stringify(x.text)}: firmware at ${x.t.toFixed(4)} s, sim at ${y.t.toFixed(4)} s (${((y.t - x.t) * 1000).toFixed(2)} ms)`);
  }
  const pa = ref.pins;
  const pb = got.pins;
  if (pa.length !== pb.length) diffs.push(`pin events: firmware ${pa.length} (${summary(pa)}), sim ${pb.length} (${summary(pb)})`);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x.pwm !== y.pwm) diffs.push(`pin event ${i}: firmware PWM ${x.pwm} at ${x.t.toFixed(4)} s, sim ${y.pwm} at ${y.t.toFixed(4)} s`);
    if (Math.abs(x.t - y.t) > pinTol) diffs.push(`pin event ${i} (PWM ${x.pwm}): firmware at ${x.t.toFixed(5)} s, sim at ${y.t.toFixed(5)} s (${((y.t - x.t) * 1000).toFixed(3)} ms)`);
    for (const axis of ["x", "y", "z"] as const) if (Math.abs(x[axis] - y[axis]) > 0.013) diffs.push(`pin event ${i}: ${axis} firmware ${x[axis]}, sim ${y[axis]}`);
  }
  return diffs;
}

/**
 * For a script whose outcome hinges on an instant the two targets place differently (see
 * Script.loose): the same answers and messages in the same order, the same succession of
 * states, the same pin PWM changes in the same order; no times or positions.
 */
function compareLoosely(ref: Transcript, got: Transcript): string[] {
  const diffs: string[] = [];
  const first = ref.inputs[0]?.t ?? 0;
  const said = (t: Transcript) => t.lines.filter((l) => l.t >= first && !l.text.startsWith("<")).map((l) => l.text);
  // (runs of one state collapsed: with the link saturated, two queries may meet one report)
  const states = (t: Transcript) => t.lines.filter((l) => l.t >= first && l.text.startsWith("<")).map((l) => l.text.slice(1).split("|")[0]).filter((x, i, all) => x !== all[i - 1]);
  const pwms = (t: Transcript) => t.pins.map((p) => p.pwm);
  if (JSON.stringify(said(ref)) !== JSON.stringify(said(got))) diffs.push(`lines: firmware ${JSON.stringify(said(ref))}, sim ${JSON.stringify(said(got))}`);
  if (JSON.stringify(states(ref)) !== JSON.stringify(states(got))) diffs.push(`states: firmware ${states(ref).join(" ")}, sim ${states(got).join(" ")}`);
  if (JSON.stringify(pwms(ref)) !== JSON.stringify(pwms(got))) diffs.push(`pin PWM: firmware ${pwms(ref).join(" ")}, sim ${pwms(got).join(" ")}`);
  return diffs;
}

function summary(p: Transcript["pins"]): string {
  return p.slice(0, 6).map((e) => `${e.pwm}@${e.t.toFixed(3)}`).join(" ") + (p.length > 6 ? " …" : "");
}

function compareLine(x: string, y: string, motionTol: number): string | undefined {
  if (!x.startsWith("<") || !y.startsWith("<")) return x === y ? undefined : `firmware ${JSON.stringify(x)}, sim ${JSON.stringify(y)}`;
  const r = parseStatus(x);
  const s = parseStatus(y);
  if (!r || !s) return `firmware ${x}, sim ${y}`;
  const state = (q: typeof r) => (q.subState === undefined ? q.state : `${q.state}:${q.subState}`);
  if (state(r) !== state(s)) return `state: firmware ${x}, sim ${y}`;
  // In motion, and where motion was cut at an instant (a reset, a hold), the two may be a step
  // apart: the firmware's main loop costs a few µs per turn, which shifts its steps a little.
  const tol = MOVING.has(state(r)) ? motionTol : state(r) === "Idle" ? 0.0015 : 0.0131; // a step at 80 steps/mm, plus the printed rounding
  const pr = r.mpos ?? r.wpos ?? [];
  const ps = s.mpos ?? s.wpos ?? [];
  if (pr.some((v, i) => Math.abs(v - (ps[i] ?? NaN)) > tol)) return `position: firmware ${x}, sim ${y}`;
  if (JSON.stringify(r.bf) !== JSON.stringify(s.bf)) {
    if (!r.bf || !s.bf || r.bf.blocks !== s.bf.blocks || Math.abs(r.bf.bytes - s.bf.bytes) > 2) return `Bf: firmware ${x}, sim ${y}`;
  }
  if (r.ln !== s.ln) return `Ln: firmware ${x}, sim ${y}`;
  if (r.fs && s.fs) {
    if (Math.abs(r.fs.feed - s.fs.feed) > Math.max(5, 0.03 * r.fs.feed) || r.fs.spindle !== s.fs.spindle) return `FS: firmware ${x}, sim ${y}`;
  } else if (JSON.stringify(r.fs) !== JSON.stringify(s.fs)) return `FS: firmware ${x}, sim ${y}`;
  for (const k of ["pins", "wco", "ov", "accessories"] as const) if (JSON.stringify(r[k]) !== JSON.stringify(s[k])) return `${k}: firmware ${x}, sim ${y}`;
  return undefined;
}
