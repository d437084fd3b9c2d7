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
    // A brace left over once the {fields} are taken out is a mistyped field ("{model" or
    // "serial}"), not text to strike: the rules would not see the field it was meant to be.
    const rest = t.replace(/\{[^{}]*\}/g, "");
    if (/[{}]/.test(rest)) ctx.addIssue({ code: "custom", message: `"${t}" has a "{" or "}" that does not close a {field}: write fields as {name}` });
  });

const point = z.object({ x: z.number(), y: z.number() }).strict();
const mm = (what: string) => z.number({ error: `expected ${what} in mm` }).positive(`${what} must be greater than 0`);

// At most 24 characters: the id goes into the program's header line, which GRBL reads in 80.
const id = z.string().max(24, "at most 24 characters").regex(/^[a-z0-9][a-z0-9-]*$/, "expected a lower-case id such as serial or maker-line");

export const ArcSchema = z
  .object({
    radius: mm("arc radius").describe("Radius of the baseline circle, mm; the block's origin is the circle's centre."),
    /** outside: letters stand on the circle, tops outward, reading clockwise (top of a round part);
     *  inside: tops toward the centre, reading counter-clockwise (bottom of a round part). */
    side: z.enum(["outside", "inside"]).default("outside"),
    angle: z.number().default(90).describe("Where the line's alignment point sits (its middle with align \"center\"), degrees counter-clockwise from +X (90 = top)."),
  })
  .strict();

export const TextBlockSchema = z
  .object({
    kind: z.literal("text").default("text"),
    id,
    lines: z.array(template).min(1).max(12).describe("One template per line."),
    font: z.string().min(1).describe("A font this station has: peenmark font list (peen-single, peen-single-mono, peen-dot-5x7, peen-dot-7x9, dejavu-sans…)."),
    capHeight: mm("cap height").describe("Cap height, mm: the height of a capital H as struck (27 CFR 478.92 measures the serial this way)."),
    charSpacing: z.number().default(0).describe("Extra space between characters, mm (may be negative)."),
    lineSpacing: z.number().min(1).max(5).default(1.6).describe("Baseline to baseline, as a multiple of the cap height."),
    monospace: z.boolean().default(false).describe("Every character takes the same advance (the widest digit's), for serial numbers that line up."),
    align: z.enum(["left", "center", "right"]).default("left"),
    origin: point.describe("Straight text: the baseline of the first line at the alignment point. Arc text: the arc's centre."),
    rotation: z.number().default(0).describe("Degrees counter-clockwise."),
    arc: ArcSchema.optional(),
    mode: z.enum(["dot", "scribe"]).default("dot").describe("dot: stop and strike at each dot; scribe: the pin fires while the head moves."),
    pitch: mm("dot pitch").default(0.3).describe("Distance between dots along a stroke, mm (dot mode), or the dot-train pitch (scribe). Ignored for dot-matrix fonts, whose grid sets it."),
    force: z.number().min(0).max(100).default(70).describe("Percent of full force."),
  })
  .strict();

export const DatamatrixBlockSchema = z
  .object({
    kind: z.literal("datamatrix"),
    id,
    payload: template.describe("Template of the encoded text: Latin-1 as its bytes (the ECC200 default), anything beyond as UTF-8 behind ECI 000026."),
    module: z.number().min(0.19, "module size below 0.19 mm (MIL-STD-130N)").max(0.64, "module size above 0.64 mm (MIL-STD-130N)").describe("Module (cell) size, mm: 0.19–0.64 mm (MIL-STD-130N)."),
    origin: point.describe("Lower-left corner of the symbol (without quiet zone)."),
    rotation: z.number().default(0),
    quietZone: z.number().int().min(1, "quiet zone must be at least one module").default(1).describe("Quiet zone, in modules, at least one."),
    force: z.number().min(0).max(100).default(70),
    dotDiameter: mm("dot diameter").optional().describe("Expected struck dot diameter, mm; defaults to the station's pin diameter scaled by force. AS9132: 60–105 % of the module."),
    /** Human-readable text under the symbol, ≥ 2 mm high (MIL-STD-130N). */
    humanReadable: z
      .object({ font: z.string().min(1), capHeight: z.number().min(2, "human-readable text next to a Data Matrix must be at least 2 mm"), gap: z.number().min(0).default(1) })
      .strict()
      .optional(),
  })
  .strict();

export const LogoBlockSchema = z
  .object({
    kind: z.literal("logo"),
    id,
    file: z.string().min(1).optional().describe("The SVG file, relative to the profile file: read when the profile is loaded from a file, and kept in the profile as svg."),
    svg: z.string().min(1).optional().describe("The SVG document itself (a profile published to the station carries its logo this way)."),
    height: mm("logo height").optional().describe("The SVG's viewBox height as struck, mm (give height or width: the other follows the viewBox)."),
    width: mm("logo width").optional().describe("The SVG's viewBox width as struck, mm."),
    origin: point.describe("Where the lower-left corner of the SVG's viewBox goes."),
    rotation: z.number().default(0).describe("Degrees counter-clockwise, about the origin."),
    mode: z.enum(["dot", "scribe"]).default("dot").describe("dot: strikes spread along the logo's lines; scribe: the pin fires while the head follows them."),
    pitch: mm("dot pitch").default(0.3).describe("Distance between strikes along a line, mm (dot), or the dot-train pitch (scribe). Curves are flattened to a tenth of it, as text is."),
    force: z.number().min(0).max(100).default(70).describe("Percent of full force."),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.file === undefined) === (b.svg === undefined)) ctx.addIssue({ code: "custom", path: ["file"], message: "a logo block names its SVG with file or carries it as svg: one of the two" });
    if ((b.height === undefined) === (b.width === undefined)) ctx.addIssue({ code: "custom", path: ["height"], message: "give the logo's height or its width (one of the two: the other follows the SVG's viewBox)" });
  });

export const BlockSchema = z.discriminatedUnion("kind", [TextBlockSchema, DatamatrixBlockSchema, LogoBlockSchema]);

/**
 * Text a person reads, in one language or several: `"Import mark"`, or
 * `{ "en": "Import mark", "es": "Marca de importación" }` (English required: it is the text
 * shown in a language the profile does not have).
 */
export const TranslatedTextSchema = z.union([
  z.string().min(1),
  z
    .object({ en: z.string().min(1), es: z.string().min(1).optional() })
    .strict()
    .describe("The text in English, and in Spanish; a page in another language shows the English."),
]);
export type TranslatedText = z.output<typeof TranslatedTextSchema>;

/** `text` in `lang`, else in English. */
export function textIn(text: TranslatedText, lang: string): string;
export function textIn(text: TranslatedText | undefined, lang: string): string | undefined;
export function textIn(text: TranslatedText | undefined, lang: string): string | undefined {
  if (text === undefined || typeof text === "string") return text;
  return (lang === "es" ? text.es : undefined) ?? text.en;
}

export const ProfileSchema = z
  .object({
    $schema: z.string().optional(),
    id,
    name: TranslatedTextSchema,
    description: TranslatedTextSchema.optional(),
    rules: z.enum(["us-atf", "iti", "none"]).describe("Which marking rules the compile enforces (../shared/domain/marking-rules.md)."),
    defaults: MarkingRecordSchema.partial().optional().describe("Values the technician's form starts with."),
    form: z
      .object({
        upperCaseSerial: z.boolean().default(false).describe("The serial field turns what is typed or scanned into capitals (what the field shows is what is struck)."),
      })
      .strict()
      .optional()
      .describe("How the technician's form behaves for this profile."),
    sample: MarkingRecordSchema.optional().describe(
      "A record as long as the parts this profile marks will carry (the longest serial, maker, model): the profile check compiles it on the station, so bounds, glyphs and heights are caught before publishing.",
    ),
    blocks: z.array(z.preprocess((b) => (b && typeof b === "object" && !("kind" in b) ? { ...b, kind: "text" } : b), BlockSchema)).min(1),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.blocks.forEach((b, i) => {
      if (seen.has(b.id)) ctx.addIssue({ code: "custom", path: ["blocks", i, "id"], message: `block id "${b.id}" is used twice` });
      seen.add(b.id);
      // A Data Matrix block's human-readable line is laid out as block "<id>-text".
      if (b.kind === "datamatrix" && b.humanReadable) seen.add(`${b.id}-text`);
    });
    p.blocks.forEach((b, i) => {
      if (b.kind === "text" && p.blocks.some((d) => d.kind === "datamatrix" && d.humanReadable && `${d.id}-text` === b.id))
        ctx.addIssue({ code: "custom", path: ["blocks", i, "id"], message: `block id "${b.id}" is taken by the human-readable line of Data Matrix block "${b.id.slice(0, -5)}"` });
    });
  });

export type Profile = z.output<typeof ProfileSchema>;
export type Block = z.output<typeof BlockSchema>;
export type TextBlock = z.output<typeof TextBlockSchema>;
export type DatamatrixBlock = z.output<typeof DatamatrixBlockSchema>;
export type LogoBlock = z.output<typeof LogoBlockSchema>;
