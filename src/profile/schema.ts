import { z } from "zod";
import { MarkingRecordSchema } from "../record/schema.ts";
import { unknownTemplateFields, TEMPLATE_FIELDS } from "../record/fields.ts";

/**
 * A marking profile: what to mark where on one kind of part. Operators write these;
 * `peenmark profile schema` prints the JSON Schema their editors use.
 * Units: mm, degrees, percent of full force.
 */
const template = z
  .string()
  .min(1)
  .superRefine((t, ctx) => {
    for (const f of unknownTemplateFields(t))
      ctx.addIssue({ code: "custom", message: `unknown template field {${f}}; known: ${TEMPLATE_FIELDS.join(", ")}` });
  });

const point = z.object({ x: z.number(), y: z.number() }).strict();
const mm = (what: string) => z.number({ error: `expected ${what} in mm` }).positive(`${what} must be greater than 0`);

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected a lower-case id such as serial or maker-line");

export const ArcSchema = z
  .object({
    /** Radius of the baseline circle, mm; the block's origin is the circle's centre. */
    radius: mm("arc radius"),
    /** outside: letters stand on the circle, tops outward, reading clockwise (top of a round part);
     *  inside: tops toward the centre, reading counter-clockwise (bottom of a round part). */
    side: z.enum(["outside", "inside"]).default("outside"),
    /** Where the line's alignment point sits (its middle with align "center"), degrees counter-clockwise from +X (90 = top). */
    angle: z.number().default(90),
  })
  .strict();

export const TextBlockSchema = z
  .object({
    kind: z.literal("text").default("text"),
    id,
    /** One template per line. */
    lines: z.array(template).min(1).max(12),
    font: z.string().min(1),
    /** Cap height, mm: the height of a capital H as struck (27 CFR 478.92 measures the serial this way). */
    capHeight: mm("cap height"),
    /** Extra space between characters, mm (may be negative). */
    charSpacing: z.number().default(0),
    /** Baseline to baseline, as a multiple of the cap height. */
    lineSpacing: z.number().min(1).max(5).default(1.6),
    /** Every character takes the same advance (the widest digit's), for serial numbers that line up. */
    monospace: z.boolean().default(false),
    align: z.enum(["left", "center", "right"]).default("left"),
    /** Straight text: the baseline of the first line at the alignment point. Arc text: the arc's centre. */
    origin: point,
    /** Degrees counter-clockwise. */
    rotation: z.number().default(0),
    arc: ArcSchema.optional(),
    /** dot: stop and strike at each dot; scribe: the pin fires while the head moves. */
    mode: z.enum(["dot", "scribe"]).default("dot"),
    /** Distance between dots along a stroke, mm (dot mode), or the dot-train pitch (scribe). Ignored for dot-matrix fonts, whose grid sets it. */
    pitch: mm("dot pitch").default(0.3),
    /** Percent of full force. */
    force: z.number().min(0).max(100).default(70),
  })
  .strict();

export const DatamatrixBlockSchema = z
  .object({
    kind: z.literal("datamatrix"),
    id,
    payload: template,
    /** Module (cell) size, mm: 0.19–0.64 mm (MIL-STD-130N). */
    module: z.number().min(0.19, "module size below 0.19 mm (MIL-STD-130N)").max(0.64, "module size above 0.64 mm (MIL-STD-130N)"),
    /** Lower-left corner of the symbol (without quiet zone). */
    origin: point,
    rotation: z.number().default(0),
    /** Quiet zone, in modules, at least one. */
    quietZone: z.number().int().min(1, "quiet zone must be at least one module").default(1),
    force: z.number().min(0).max(100).default(70),
    /** Expected struck dot diameter, mm; defaults to the station's pin diameter. AS9132: 60–105 % of the module. */
    dotDiameter: mm("dot diameter").optional(),
    /** Human-readable text under the symbol, ≥ 2 mm high (MIL-STD-130N). */
    humanReadable: z
      .object({ font: z.string().min(1), capHeight: z.number().min(2, "human-readable text next to a Data Matrix must be at least 2 mm"), gap: z.number().min(0).default(1) })
      .strict()
      .optional(),
  })
  .strict();

export const BlockSchema = z.discriminatedUnion("kind", [TextBlockSchema, DatamatrixBlockSchema]);

export const ProfileSchema = z
  .object({
    $schema: z.string().optional(),
    id,
    name: z.string().min(1),
    description: z.string().optional(),
    /** Which marking rules the compile enforces (../shared/domain/marking-rules.md). */
    rules: z.enum(["us-atf", "iti", "none"]),
    /** Values the technician's form starts with. */
    defaults: MarkingRecordSchema.partial().optional(),
    blocks: z.array(z.preprocess((b) => (b && typeof b === "object" && !("kind" in b) ? { ...b, kind: "text" } : b), BlockSchema)).min(1),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.blocks.forEach((b, i) => {
      if (seen.has(b.id)) ctx.addIssue({ code: "custom", path: ["blocks", i, "id"], message: `block id "${b.id}" is used twice` });
      seen.add(b.id);
    });
  });

export type Profile = z.output<typeof ProfileSchema>;
export type Block = z.output<typeof BlockSchema>;
export type TextBlock = z.output<typeof TextBlockSchema>;
export type DatamatrixBlock = z.output<typeof DatamatrixBlockSchema>;
