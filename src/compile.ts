import { PeenmarkError } from "./errors.ts";
import type { Point } from "./geometry.ts";
import type { MarkingRecord } from "./record/schema.ts";
import { checkStationFields, fillTemplate, fillTemplateParts, lineLeftOut, type FilledLine, type MarkContext } from "./record/fields.ts";
import type { Shift } from "./record/calendar.ts";
import { checkSerial, checkSerialHeights, SERIAL_FIELDS } from "./record/rules.ts";
import { checkSerialCharacters } from "./record/serial-characters.ts";
import type { Profile } from "./profile/schema.ts";
import { strikeMotion, type Station } from "./profile/station.ts";
import { loadFont, type MarkFont } from "./fonts/font.ts";
import { layoutTextBlock, type PlacedBlock } from "./layout/layout.ts";
import { planTextBlock, type BlockPlan } from "./plan/plan.ts";
import { opEnd, type Op, type Program } from "./plan/program.ts";
import { programFigures, type ProgramFigures } from "./plan/estimate.ts";
import { smallestCapital, struckHeights, type StruckCharacter } from "./plan/measure.ts";
import { checkBlockCollisions, checkGlyphCollisions, glyphBoxes, type GlyphBox } from "./plan/collide.ts";
import { emitGcode, type GcodeProgram } from "./gcode/emit.ts";
import { boxOf, type Box } from "./geometry.ts";
import type { DatamatrixBlock, LogoBlock, TextBlock } from "./profile/schema.ts";
import { placeLogo } from "./logo/place.ts";
import { planDatamatrix, type DatamatrixPlan } from "./datamatrix/plan.ts";
import { checkQuietZone, type BlockExtent } from "./datamatrix/quiet.ts";
import { checkBounds, checkForce, moveCost } from "./plan/plan.ts";
import { orderItems } from "./plan/order.ts";
import { dotDiameter } from "./preview/svg.ts";

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
  /** Strike this shift of the station instead of the one markedAt falls in (the profile check's sample, once per shift). */
  readonly shift?: Shift;
}

export interface BlockSummary {
  readonly id: string;
  readonly kind: "text" | "datamatrix" | "logo";
  readonly mode: "dot" | "scribe";
  readonly font: string;
  readonly lines: readonly string[];
  readonly glyphs: number;
  readonly strikes: number;
  /** mm scribed (0 in dot mode). */
  readonly scribeLength: number;
  /** The cap height asked for, mm. */
  readonly capHeight: number;
  /** The smallest capital or digit as struck (strike centres or scribe paths), mm. */
  readonly measuredCapHeight: number | undefined;
  /** Every character as struck: its height along its own up direction, mm. */
  readonly characters: readonly StruckCharacter[];
  readonly pitch: number;
  readonly feed: number | undefined;
  readonly force: number;
  /** Data Matrix blocks: symbol rows × columns and module size, mm. */
  readonly symbol?: { readonly rows: number; readonly cols: number; readonly module: number; readonly payload: string };
  /** Logo blocks: the extent of what is struck, mm (in the work area's axes). */
  readonly logo?: { readonly width: number; readonly height: number };
}

export interface CompiledJob {
  readonly program: Program;
  readonly gcode: GcodeProgram;
  readonly figures: ProgramFigures;
  readonly blocks: readonly BlockSummary[];
  readonly placed: readonly PlacedBlock[];
  readonly plans: readonly BlockPlan[];
  readonly datamatrix: readonly DatamatrixPlan[];
}

export function compile(input: CompileInput): CompiledJob {
  const { record, profile, station } = input;
  const machine = station.machine;
  const ctx: MarkContext = { markedAt: input.markedAt, timeZone: station.timeZone, shifts: station.shifts, shift: input.shift };
  const fonts = input.fonts ?? loadFont;
  checkStationFields(profile.blocks.flatMap((b) => (b.kind === "text" ? b.lines : b.kind === "datamatrix" ? [b.payload] : [])), ctx);
  checkSerialCharacters(profile.rules, record.serial);
  checkSerial(profile.rules, record);

  const placed: PlacedBlock[] = [];
  const plans: BlockPlan[] = [];
  const blocks: BlockSummary[] = [];
  const ops: Op[] = [];
  let at: Point = machine.park;

  const extents: BlockExtent[] = [];
  const quietZones: { id: string; polygon: DatamatrixPlan["quietBox"]["polygon"] }[] = [];
  const datamatrix: DatamatrixPlan[] = [];

  const boxes: GlyphBox[] = [];
  const addText = (block: TextBlock, lines: readonly FilledLine[], serialRule: boolean, label?: string) => {
    const text = lines.map((l) => l.text);
    const pb = layoutTextBlock(block, text, fonts(block.font));
    const plan = planTextBlock(block, pb, machine, at);
    const characters = struckHeights(pb, plan);
    if (serialRule) {
      const serial = SERIAL_FIELDS as readonly string[];
      const struck = characters.flatMap((c) => {
        const f = lines[c.line]!.fields.find((f) => serial.includes(f.field) && c.column >= f.start && c.column < f.end);
        return f ? [{ char: c.char, field: f.field, line: c.line + 1, height: c.height }] : [];
      });
      checkSerialHeights(block.id, block.capHeight, struck);
    }
    checkGlyphCollisions(block.id, pb, plan, machine.pinDiameter);
    for (const b of glyphBoxes(block.id, pb, plan, label)) boxes.push(b);
    if (plan.ops.length) at = opEnd(plan.ops[plan.ops.length - 1]!);
    placed.push(pb);
    plans.push(plan);
    for (const op of plan.ops) ops.push(op);
    extents.push({ id: block.id, box: pb.box, marks: plan.ops.map((op) => (op.kind === "strike" ? [op.at] : op.points)), ...(label ? { label } : {}) });
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
      lines: text,
      glyphs: pb.glyphs,
      strikes,
      scribeLength,
      capHeight: block.capHeight,
      measuredCapHeight: smallestCapital(characters),
      characters,
      pitch: plan.pitch,
      feed: plan.feed,
      force: block.force,
    });
  };

  const addDatamatrix = (block: DatamatrixBlock) => {
    checkForce(block.id, block.force, machine);
    const payload = fillTemplate(block.payload, record, ctx, `block "${block.id}" payload`);
    const planned = planDatamatrix({
      payload,
      module: block.module,
      origin: block.origin,
      rotation: block.rotation,
      quietZone: block.quietZone,
      dotDiameter: block.dotDiameter ?? dotDiameter(machine.pinDiameter, block.force),
      blockId: block.id,
      // Start the symbol from the corner nearest the head, and try every start for the shortest order.
      from: at,
      everyStart: true,
    });
    checkBounds(block.id, planned.strikes, machine);
    // The symbol's own order (every start on the module grid) improved by the travel order
    // on the head's move time, from where the head is: never worse than the symbol's order.
    const dots = planned.strikes.map((p) => ({ start: p, end: p, reversible: true }));
    const strikes = orderItems(dots, at, { cost: moveCost(machine) }).map((v) => planned.strikes[v.index]!);
    const dm: DatamatrixPlan = { ...planned, strikes };
    datamatrix.push(dm);
    quietZones.push({ id: block.id, polygon: dm.quietBox.polygon });
    extents.push({ id: block.id, box: boxOf(dm.symbolBox), marks: strikes.map((p) => [p]) });
    for (const p of strikes) ops.push({ kind: "strike", at: p, force: block.force, block: block.id });
    if (strikes.length) at = strikes[strikes.length - 1]!;
    blocks.push({
      id: block.id,
      kind: "datamatrix",
      mode: "dot",
      font: "-",
      lines: [payload],
      glyphs: 0,
      strikes: dm.strikes.length,
      scribeLength: 0,
      capHeight: 0,
      measuredCapHeight: undefined,
      characters: [],
      pitch: block.module,
      feed: undefined,
      force: block.force,
      symbol: { rows: dm.rows, cols: dm.cols, module: block.module, payload },
    });
    if (block.humanReadable) {
      // The human-readable line sits under the symbol, in the symbol's frame, left-aligned with it.
      const hr = block.humanReadable;
      const r = (block.rotation * Math.PI) / 180;
      const down = hr.gap + hr.capHeight;
      addText(
        {
          kind: "text",
          id: `${block.id}-text`,
          lines: [payload],
          font: hr.font,
          capHeight: hr.capHeight,
          charSpacing: 0,
          lineSpacing: 1.6,
          monospace: false,
          align: "left",
          origin: { x: block.origin.x + Math.sin(r) * down, y: block.origin.y - Math.cos(r) * down },
          rotation: block.rotation,
          mode: "dot",
          pitch: 0.3,
          force: block.force,
        },
        [{ text: payload, fields: [] }],
        false,
        `the human-readable line of block "${block.id}"`,
      );
    }
  };

  const addLogo = (block: LogoBlock) => {
    const pb = placeLogo(block);
    const plan = planTextBlock(block, pb, machine, at);
    checkGlyphCollisions(block.id, pb, plan, machine.pinDiameter);
    for (const b of glyphBoxes(block.id, pb, plan, `the logo "${block.id}"`)) boxes.push(b);
    if (plan.ops.length) at = opEnd(plan.ops[plan.ops.length - 1]!);
    placed.push(pb);
    plans.push(plan);
    for (const op of plan.ops) ops.push(op);
    extents.push({ id: block.id, box: pb.box, marks: plan.ops.map((op) => (op.kind === "strike" ? [op.at] : op.points)) });
    let strikes = 0;
    let scribeLength = 0;
    for (const op of plan.ops) {
      if (op.kind === "strike") strikes++;
      else for (let i = 1; i < op.points.length; i++) scribeLength += Math.hypot(op.points[i]!.x - op.points[i - 1]!.x, op.points[i]!.y - op.points[i - 1]!.y);
    }
    blocks.push({
      id: block.id,
      kind: "logo",
      mode: plan.mode,
      font: "-",
      lines: [],
      glyphs: 0,
      strikes,
      scribeLength,
      capHeight: 0,
      measuredCapHeight: undefined,
      characters: [],
      pitch: plan.pitch,
      feed: plan.feed,
      force: block.force,
      logo: { width: pb.box.maxX - pb.box.minX, height: pb.box.maxY - pb.box.minY },
    });
  };

  for (const block of profile.blocks) {
    if (block.kind === "datamatrix") addDatamatrix(block);
    else if (block.kind === "logo") addLogo(block);
    else {
      // A line of only if-designated fields the record lacks (a model never designated) is left out.
      const lines = block.lines.flatMap((t, i) => (lineLeftOut(t, record, ctx) ? [] : [fillTemplateParts(t, record, ctx, `block "${block.id}" line ${i + 1}`)]));
      if (lines.length) addText(block, lines, profile.rules === "us-atf");
    }
  }
  for (const q of quietZones) checkQuietZone(q, extents, machine.workArea);
  checkBlockCollisions(boxes, machine.pinDiameter);

  const program: Program = {
    stationId: station.id,
    profileId: profile.id,
    park: machine.park,
    strikeTime: machine.strikeTime,
    strike: strikeMotion(machine),
    ops,
  };
  return { program, gcode: emitGcode(program), figures: programFigures(program, machine), blocks, placed, plans, datamatrix };
}
