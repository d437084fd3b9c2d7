import { PeenmarkError } from "./errors.ts";
import type { Point } from "./geometry.ts";
import type { MarkingRecord } from "./record/schema.ts";
import { fillTemplate, type MarkContext } from "./record/fields.ts";
import { checkSerial, marksSerial, US_MIN_SERIAL_HEIGHT_MM } from "./record/rules.ts";
import type { Profile } from "./profile/schema.ts";
import type { Station } from "./profile/station.ts";
import { loadFont, type MarkFont } from "./fonts/font.ts";
import { layoutTextBlock, type PlacedBlock } from "./layout/layout.ts";
import { planTextBlock, type BlockPlan } from "./plan/plan.ts";
import { opEnd, type Op, type Program } from "./plan/program.ts";
import { programFigures, type ProgramFigures } from "./plan/estimate.ts";
import { emitGcode, type GcodeProgram } from "./gcode/emit.ts";

/**
 * The whole compile path, pure: record + profile + station (+ the time of marking, read
 * from the clock by the caller) → program, G-code and figures. Same input, same bytes.
 * Everything that can be checked is checked here, before a byte goes to the head.
 */
export interface CompileInput {
  readonly record: MarkingRecord;
  readonly profile: Profile;
  readonly station: Station;
  readonly markedAt: Date;
  /** Font lookup; defaults to the station's font catalogue. */
  readonly fonts?: (name: string) => MarkFont;
}

export interface BlockSummary {
  readonly id: string;
  readonly kind: "text";
  readonly mode: "dot" | "scribe";
  readonly font: string;
  readonly lines: readonly string[];
  readonly glyphs: number;
  readonly strikes: number;
  /** mm scribed (0 in dot mode). */
  readonly scribeLength: number;
  /** The cap height asked for, mm. */
  readonly capHeight: number;
  /** The smallest capital or digit as laid out, mm. */
  readonly measuredCapHeight: number | undefined;
  readonly pitch: number;
  readonly feed: number | undefined;
  readonly force: number;
}

export interface CompiledJob {
  readonly program: Program;
  readonly gcode: GcodeProgram;
  readonly figures: ProgramFigures;
  readonly blocks: readonly BlockSummary[];
  readonly placed: readonly PlacedBlock[];
  readonly plans: readonly BlockPlan[];
}

export function compile(input: CompileInput): CompiledJob {
  const { record, profile, station } = input;
  const machine = station.machine;
  const ctx: MarkContext = { markedAt: input.markedAt };
  const fonts = input.fonts ?? loadFont;
  checkSerial(profile.rules, record);

  const placed: PlacedBlock[] = [];
  const plans: BlockPlan[] = [];
  const blocks: BlockSummary[] = [];
  const ops: Op[] = [];
  let at: Point = machine.park;

  for (const block of profile.blocks) {
    if (block.kind !== "text") throw new PeenmarkError("E_DATAMATRIX", `block "${block.id}": Data Matrix blocks are not supported by this compiler yet`, { where: block.id });
    const lines = block.lines.map((t, i) => fillTemplate(t, record, ctx, `block "${block.id}" line ${i + 1}`));
    const pb = layoutTextBlock(block, lines, fonts(block.font));
    if (profile.rules === "us-atf" && marksSerial(block.lines)) {
      const h = pb.measuredCapHeight ?? block.capHeight;
      if (h < US_MIN_SERIAL_HEIGHT_MM - 1e-9)
        throw new PeenmarkError(
          "E_MARK_RULE",
          `block "${block.id}" marks the serial ${h.toFixed(3)} mm tall; 27 CFR 478.92 requires at least ${US_MIN_SERIAL_HEIGHT_MM} mm (1/16 in): raise its capHeight`,
          { where: block.id, details: { measured: h, minimum: US_MIN_SERIAL_HEIGHT_MM } },
        );
    }
    const plan = planTextBlock(block, pb, machine, at);
    if (plan.ops.length) at = opEnd(plan.ops[plan.ops.length - 1]!);
    placed.push(pb);
    plans.push(plan);
    ops.push(...plan.ops);
    let strikes = 0;
    let scribeLength = 0;
    for (const op of plan.ops) {
      if (op.kind === "strike") strikes++;
      else for (let i = 1; i < op.points.length; i++) scribeLength += Math.hypot(op.points[i]!.x - op.points[i - 1]!.x, op.points[i]!.y - op.points[i - 1]!.y);
    }
    blocks.push({
      id: block.id,
      kind: "text",
      mode: plan.mode,
      font: block.font,
      lines,
      glyphs: pb.glyphs,
      strikes,
      scribeLength,
      capHeight: block.capHeight,
      measuredCapHeight: pb.measuredCapHeight,
      pitch: plan.pitch,
      feed: plan.feed,
      force: block.force,
    });
  }

  const program: Program = {
    stationId: station.id,
    profileId: profile.id,
    park: machine.park,
    markFeed: machine.maxMarkFeed,
    strikeTime: machine.strikeTime,
    ops,
  };
  return { program, gcode: emitGcode(program), figures: programFigures(program, machine), blocks, placed, plans };
}
