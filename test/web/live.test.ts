import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.ts";
import { fontNames } from "../../src/fonts/font.ts";
import { previewSvg } from "../../src/preview/svg.ts";
import { loadProfile, loadStation, parseRecord } from "../../src/profile/load.ts";
import { REPO } from "./bench.ts";

/**
 * The live view's reading of `strikesDone`: the page rebuilds the program's strike lines
 * from the preview alone (summary blocks, dot strikes, the SVG's scribe trains). Checked
 * against the G-code the runner streams, line by line, for profiles that put dots before
 * scribes, scribes before dots, arcs and a Data Matrix.
 */
type Unit = { dot?: number; train?: number; seg?: number };
type Pt = [number, number];
type Live = {
  pathPoints(d: string): Pt[];
  travelSegments(d: string): [Pt, Pt][];
  programUnits(strikes: Pt[], trains: Pt[][], travel: [Pt, Pt][]): Unit[] | null;
  blockUnits(blocks: unknown[], dotCount: number, trains: Pt[][]): Unit[];
};
const live = (await import(pathToFileURL(join(REPO, "src", "web", "live.js")).href)) as Live;

const station = loadStation(join(REPO, "stations", "bench.json"));
const record = parseRecord("test", {
  serial: "RA104220",
  manufacturer: "Ridgeline Arms LLC",
  place: { city: "Prescott", state: "AZ", country: { code: "US", name: "United States" } },
  model: "RX-9",
  caliber: "9MM",
  import: { importer: "Importadora del Bajío", city: "Querétaro", state: "QRO", country: { code: "MX", name: "México" }, year: 2026 },
  stateStock: { agency: "Policía Nacional", country: { code: "CO", name: "Colombia" }, year: 2026 },
});

describe("live view: strike lines from the preview", () => {
  for (const id of ["us-receiver", "iti-import", "arc-round", "cifta-state-stock", "receiver-datamatrix", "slide-5x7"]) {
    it(`follows the program of ${id} strike line by strike line`, () => {
      const { profile } = loadProfile(join(REPO, "profiles", `${id}.json`), { fonts: fontNames() });
      const job = compile({ record, profile, station, markedAt: new Date("2026-11-23T12:00:00Z") });
      const svg = previewSvg(job.program, station.machine);
      const trains = [...svg.matchAll(/<g class="scribe"[^>]*>(.*?)<\/g>/gs)].flatMap((g) => [...g[1]!.matchAll(/ d="([^"]+)"/g)].map((m) => live.pathPoints(m[1]!)));
      const strikes = job.program.ops.flatMap((o): Pt[] => (o.kind === "strike" ? [[o.at.x, o.at.y]] : []));
      const dots = strikes.length;
      const travel = live.travelSegments(/<path class="travel" d="([^"]+)"/.exec(svg)![1]!);
      const units = live.programUnits(strikes, trains, travel);
      expect(units, "the travel path fits the dots and trains").not.toBeNull();
      // What the runner counts: every line that strikes, a strike block (a Z-only G1) or a scribe segment.
      const expected = job.gcode.strikeLines.map((i) => (/^N\d+G1Z/.test(job.gcode.lines[i]!) ? "dot" : "seg"));
      expect(units!.map((u) => (u.dot === undefined ? "seg" : "dot"))).toEqual(expected);
      expect(units!.filter((u) => u.dot !== undefined).map((u) => u.dot)).toEqual([...Array(dots).keys()]);
      // Without a travel path the page estimates block by block: the count still matches.
      expect(live.blockUnits(job.blocks as unknown[], dots, trains)).toHaveLength(expected.length);
    });
  }

  it("reads the service's path data", () => {
    expect(live.pathPoints("M8.676 61.543L8.967 61.543L-1 2")).toEqual([
      [8.676, 61.543],
      [8.967, 61.543],
      [-1, 2],
    ]);
  });
});
