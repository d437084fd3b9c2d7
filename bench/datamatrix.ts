/**
 * Strike-order travel of Data Matrix blocks: the row boustrophedon baseline, peenmark's order
 * (shortest serpentine construction + 2-opt/Or-opt), the same from every start (everyStart)
 * and a lower bound (minimum spanning tree over
 * the dots: every open path through them is at least that long). Also the head's time for the
 * moves alone, with the bench station's rapids and acceleration (GRBL kinematics, every
 * strike a full stop), since short moves cost acceleration more than distance.
 *
 * Deterministic: fixed payloads, no randomness. Run: npx tsx bench/datamatrix.ts
 */
import { readFileSync } from "node:fs";
import { encodeDatamatrix } from "../src/datamatrix/encode.ts";
import { cellsOf, mstLength, pathLength, rowSerpentine, strikeOrder, type Cell } from "../src/datamatrix/order.ts";
import { StationSchema } from "../src/profile/station.ts";
import { totalTime, type Motion } from "../firmware-bridge/kinematics.ts";

const MODULE = 0.4; // mm
const symbols: readonly { size: string; payload: string }[] = [
  { size: "10×10", payload: "A1" },
  { size: "16×16", payload: "SN-0042-XYZ" },
  { size: "24×24", payload: "MFR:ACME;SN:12345678;MDL:P10;CAL:9MM;IMP:XYZ" },
  { size: "32×32", payload: "ACME Arms Co., Springfield MA; SN 12345678-AB; Cal .45 ACP" },
];

const station = StationSchema.parse(JSON.parse(readFileSync(new URL("../stations/bench.json", import.meta.url), "utf8")));
const m = station.machine;
const limits = { maxRate: { x: m.rapidRate, y: m.rapidRate }, acceleration: { x: m.acceleration, y: m.acceleration }, junctionDeviation: m.junctionDeviation };

/** Seconds of motion: a rapid to each dot, then the stop a strike makes (dwell time left out: the same for every order). */
function moveTime(cells: readonly Cell[], order: readonly number[]): number {
  const at = (i: number) => ({ x: cells[i]!.c * MODULE, y: -cells[i]!.r * MODULE });
  const motions: Motion[] = [];
  for (const i of order.slice(1)) motions.push({ kind: "line", to: at(i), feed: m.rapidRate, rapid: true }, { kind: "stop" });
  return totalTime(at(order[0]!), motions, limits);
}

const rows: string[][] = [["symbol", "dots", "baseline mm", "peenmark mm", "every start mm", "MST bound mm", "saved", "over bound", "baseline move s", "peenmark move s", "every start move s", "order ms", "every start ms"]];
for (const { size, payload } of symbols) {
  const symbol = encodeDatamatrix(payload);
  if (`${symbol.rows}×${symbol.cols}` !== size) throw new Error(`payload ${JSON.stringify(payload)} gives ${symbol.rows}×${symbol.cols}, not ${size}`);
  const cells = cellsOf(symbol.modules);
  const baseline = rowSerpentine(cells);
  const t0 = performance.now();
  const ours = strikeOrder(cells);
  const t1 = performance.now();
  const every = strikeOrder(cells, { everyStart: true });
  const t2 = performance.now();
  const b = pathLength(cells, baseline) * MODULE;
  const o = pathLength(cells, ours) * MODULE;
  const e = pathLength(cells, every) * MODULE;
  const lb = mstLength(cells) * MODULE;
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  rows.push([
    size, String(cells.length), b.toFixed(1), o.toFixed(1), e.toFixed(1), lb.toFixed(1),
    `${pct(1 - o / b)} / ${pct(1 - e / b)}`, `${pct(o / lb - 1)} / ${pct(e / lb - 1)}`,
    moveTime(cells, baseline).toFixed(2), moveTime(cells, ours).toFixed(2), moveTime(cells, every).toFixed(2), (t1 - t0).toFixed(0), (t2 - t1).toFixed(0),
  ]);
}

console.log(`Data Matrix strike order, module ${MODULE} mm, station ${station.id} (rapids ${m.rapidRate} mm/min, ${m.acceleration} mm/s²)`);
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "));
