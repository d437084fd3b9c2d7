import type { CompiledJob } from "../compile.ts";
import { previewSvg } from "../preview/svg.ts";
import type { Station } from "../profile/station.ts";

/**
 * What the page draws a preview from (a job's, or a profile's sample): the summary (blocks as
 * laid out, cap heights asked and measured, figures), the SVG of the work area, and the dot
 * strikes in program order (the live view colours them as the head reports them).
 */
export function previewOf(compiled: CompiledJob, station: Station) {
  const f = compiled.figures;
  return {
    summary: {
      blocks: compiled.blocks,
      strikes: f.strikes,
      scribeLength: f.scribeLength,
      travel: f.travel,
      seconds: f.seconds,
      lines: compiled.gcode.lines.length - 1,
      programHash: compiled.gcode.hash,
    },
    svg: previewSvg(compiled.program, station.machine),
    strikes: compiled.program.ops.filter((o) => o.kind === "strike").map((o) => [o.at.x, o.at.y]),
  };
}
