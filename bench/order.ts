import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, type CompiledJob } from "../src/compile.ts";
import { fontNames } from "../src/fonts/font.ts";
import { loadProfile, loadRecord, loadStation } from "../src/profile/load.ts";
import type { Point } from "../src/geometry.ts";
import { costOf, lowerBound, orderItems, travelOf, type MoveCost, type OrderItem, type Visit } from "../src/plan/order.ts";
import { moveCost } from "../src/plan/plan.ts";
import type { Station } from "../src/profile/station.ts";
import { table } from "./stats.ts";

/**
 * Travel order against a bound and (when PEENMARK_LKH names an LKH-3 binary) against LKH.
 * For every block of every example and bench program, from the block's real start point
 * (the park position, or where the previous block ended): the cost of peenmark's order, of
 * LKH's on the same items with the same freedom (strokes either way, the path's end free),
 * and the minimum-spanning-tree bound, in both the time the compiler minimises and in
 * distance. The LKH binary must be built with the Distance_SPECIAL that docs/PERFORMANCE.md
 * describes (an open path: one node at zero cost from every other).
 */
const ROOT = join(import.meta.dirname, "..");
const MARKED_AT = new Date("2026-11-23T12:00:00Z");

export interface OrderCase {
  readonly label: string;
  readonly job: CompiledJob;
  readonly station: Station;
}

export function orderCases(): OrderCase[] {
  const bench = loadStation(join(ROOT, "stations", "bench.json"));
  const fast = loadStation(join(ROOT, "stations", "fast.json"));
  const four = loadRecord(join(ROOT, "bench", "record-four-line.json"));
  const out: OrderCase[] = [];
  for (const id of ["us-receiver", "iti-import", "cifta-state-stock", "slide-5x7", "arc-round", "receiver-datamatrix", "logo-receiver"]) {
    const { profile } = loadProfile(join(ROOT, "profiles", `${id}.json`), { fonts: fontNames() });
    const record = loadRecord(join(ROOT, "examples", "records", `${id}.json`));
    out.push({ label: id, job: compile({ record, profile, station: bench, markedAt: MARKED_AT }), station: bench });
  }
  for (const [label, file] of [
    ["4×40 single-line, dot", "four-line-single"],
    ["4×40 single-line, scribe", "four-line-scribe"],
    ["4×40 5×7", "four-line-5x7"],
  ] as const) {
    const { profile } = loadProfile(join(ROOT, "bench", "profiles", `${file}.json`), { fonts: fontNames() });
    out.push({ label, job: compile({ record: four, profile, station: bench, markedAt: MARKED_AT }), station: bench });
  }
  const { profile } = loadProfile(join(ROOT, "bench", "profiles", "slide-5x7-fast.json"), { fonts: fontNames() });
  out.push({ label: "5×7 3.175 mm, fast head", job: compile({ record: loadRecord(join(ROOT, "bench", "record-5x7-3mm.json")), profile, station: fast, markedAt: MARKED_AT }), station: fast });
  return out;
}

/** The ordered items of a compiled block and where its order started. */
export interface OrderedBlock {
  readonly id: string;
  readonly items: readonly OrderItem[];
  readonly from: Point;
  readonly tour: readonly Visit[];
}

/** Every block of a job as the compiler ordered it: text blocks and Data Matrix symbols (dots). */
export function orderedBlocks(job: CompiledJob): OrderedBlock[] {
  const out: OrderedBlock[] = [];
  let at: Point = job.program.park;
  // Walk the program's ops block by block; each block's items are its ops' own ends.
  let k = 0;
  const ops = job.program.ops;
  while (k < ops.length) {
    const id = ops[k]!.block;
    const items: OrderItem[] = [];
    const from = at;
    while (k < ops.length && ops[k]!.block === id) {
      const op = ops[k]!;
      if (op.kind === "strike") items.push({ start: op.at, end: op.at, reversible: true });
      else items.push({ start: op.points[0]!, end: op.points[op.points.length - 1]!, reversible: true });
      k++;
    }
    at = items[items.length - 1]!.end;
    out.push({ id, items, from, tour: items.map((_v, index) => ({ index, reversed: false })) });
  }
  return out;
}

/** LKH-3's order over the same items from the same start, with the path's end free. */
export function lkhOrder(bin: string, items: readonly OrderItem[], from: Point, cost: MoveCost): Visit[] {
  const dir = mkdtempSync(join(tmpdir(), "peenmark-lkh-"));
  try {
    const coords: string[] = [`1 ${from.x} ${from.y}`, `2 ${from.x} ${from.y}`];
    const partner: number[] = [2, 1];
    const nodeOf: { item: number; side: 0 | 1 }[] = [{ item: -1, side: 0 }, { item: -1, side: 0 }];
    items.forEach((it, i) => {
      const id = nodeOf.length + 1;
      coords.push(`${id} ${it.start.x} ${it.start.y}`);
      nodeOf.push({ item: i, side: 0 });
      if (!(it.start.x !== it.end.x || it.start.y !== it.end.y)) partner.push(0);
      if (it.start.x !== it.end.x || it.start.y !== it.end.y) {
        coords.push(`${id + 1} ${it.end.x} ${it.end.y}`);
        nodeOf.push({ item: i, side: 1 });
        partner.push(id + 1, id);
      }
    });
    const tsp = join(dir, "p.tsp");
    writeFileSync(tsp, [`NAME : p`, `TYPE : TSP`, `DIMENSION : ${nodeOf.length}`, `EDGE_WEIGHT_TYPE : SPECIAL`, `NODE_COORD_TYPE : TWOD_COORDS`, `NODE_COORD_SECTION`, ...coords, `EOF`, ``].join("\n"));
    const pairs = join(dir, "pairs");
    writeFileSync(pairs, partner.join("\n") + "\n");
    const par = join(dir, "p.par");
    writeFileSync(par, [`RUNS = 1`, `SEED = 1`, `TRACE_LEVEL = 0`, ``].join("\n"));
    const env = { ...process.env, LKH_DUMMY: "2", LKH_PAIRS: pairs, LKH_COST: cost.kind, ...(cost.kind === "time" ? { LKH_V: String(cost.rate), LKH_A: String(cost.acceleration) } : {}) };
    const r = spawnSync(bin, [par, tsp], { env, encoding: "utf8", maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`LKH failed: ${r.stderr}${r.stdout.slice(-2000)}`);
    const text = r.stdout;
    const body = text.slice(text.indexOf("TOUR_SECTION") + 12).split(/\s+/).map(Number).filter((v) => v > 0);
    // Rotate to start at node 1, heading away from the dummy node 2.
    const s = body.indexOf(1);
    let seq = [...body.slice(s), ...body.slice(0, s)];
    if (seq[1] === 2) seq = [1, ...seq.slice(1).reverse()];
    const tour: Visit[] = [];
    for (let k = 1; k < seq.length; k++) {
      const node = nodeOf[seq[k]! - 1]!;
      if (node.item < 0) continue;
      if (tour.length && tour[tour.length - 1]!.index === node.item) continue;
      tour.push({ index: node.item, reversed: node.side === 1 });
    }
    if (tour.length !== items.length) throw new Error(`LKH's tour has ${tour.length} items of ${items.length}`);
    return tour;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `only`: the programs whose label starts with one of these (all when empty). */
export function benchOrder(only: readonly string[] = []): string {
  const lkh = process.env.PEENMARK_LKH;
  const rows: (string | number)[][] = [["program", "items", "time s", "time ÷ LKH", "time ÷ bound", "travel mm", "travel ÷ LKH (distance)", "travel ÷ bound", "order ms"]];
  for (const c of orderCases()) {
    if (only.length && !only.some((o) => c.label.startsWith(o))) continue;
    const cost = moveCost(c.station.machine);
    let time = 0,
      timeLkh = 0,
      timeBound = 0,
      travel = 0,
      travelLkh = 0,
      travelBound = 0,
      n = 0,
      ms = 0;
    for (const b of orderedBlocks(c.job)) {
      n += b.items.length;
      time += costOf(b.items, b.tour, b.from, cost);
      travel += travelOf(b.items, b.tour, b.from);
      timeBound += lowerBound(b.items, b.from, cost);
      travelBound += lowerBound(b.items, b.from);
      const t0 = performance.now();
      orderItems(b.items, b.from, { cost });
      ms += performance.now() - t0;
      if (lkh) {
        timeLkh += costOf(b.items, lkhOrder(lkh, b.items, b.from, cost), b.from, cost);
        // Distance: LKH on distance against peenmark's order on distance.
        const dl = travelOf(b.items, lkhOrder(lkh, b.items, b.from, { kind: "distance" }), b.from);
        travelLkh += dl;
      }
    }
    rows.push([c.label, n, time, lkh ? time / timeLkh : "—", time / timeBound, travel, lkh ? travel / travelLkh : "—", travel / travelBound, ms]);
  }
  return table(rows);
}

// `npm run bench -- order` for all; `npx tsx bench/order.ts slide-5x7 "4×40"` for some.
if (import.meta.url === `file://${process.argv[1]}`) console.log(benchOrder(process.argv.slice(2).filter((a) => !a.startsWith("-"))));
