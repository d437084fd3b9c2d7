import { z } from "zod";

/**
 * The marking record: what one firearm must carry (../shared/domain/marking-rules.md).
 * Every string is normalised to Unicode NFC at this boundary, so "Querétaro" typed with a
 * combining accent and with a precomposed é are the same record and the same program.
 */
const text = (what: string, max = 120) =>
  z
    .string({ error: `expected ${what} as text` })
    // NFC, and runs of spaces (a double space typed by hand) made one: "Ridgeline  Arms" is
    // the same maker as "Ridgeline Arms" for the serial rule, and strikes the same.
    .transform((s) => s.normalize("NFC").replace(/\s+/g, " ").trim())
    .pipe(z.string().min(1, `${what} must not be empty`).max(max, `${what} is longer than ${max} characters`));

export const CountrySchema = z
  .object({
    code: z
      .string()
      .transform((s) => s.trim().toUpperCase())
      .pipe(z.string().regex(/^[A-Z]{2}$/, "expected an ISO 3166-1 alpha-2 country code such as US, MX, BR")),
    name: text("country name", 80),
  })
  .strict();

const year = z.number({ error: "expected a year as a number" }).int().min(1800).max(2200);

export const PlaceSchema = z
  .object({
    city: text("city", 80),
    state: text("state or province", 80).optional(),
    country: CountrySchema,
  })
  .strict();

export const ImportSchema = z
  .object({
    importer: text("importer name"),
    city: text("importer city", 80).optional(),
    state: text("importer state", 80).optional(),
    country: CountrySchema,
    year: year.optional(),
  })
  .strict();

export const StateStockSchema = z
  .object({
    agency: text("agency"),
    country: CountrySchema,
    year: year.optional(),
  })
  .strict();

export const MarkingRecordSchema = z
  .object({
    serial: text("serial number", 40),
    /** First 3 and last 5 digits of the FFL, for the `12345678-SERIAL` form (27 CFR 478.92(a)(1)(iv)). */
    licencePrefix: z
      .string()
      .regex(/^\d{8}$/, "expected the 8-digit abbreviated licence number (first 3 and last 5 digits of the FFL)")
      .optional(),
    manufacturer: text("manufacturer"),
    place: PlaceSchema,
    model: text("model", 60).optional(),
    caliber: text("caliber or gauge", 40),
    import: ImportSchema.optional(),
    stateStock: StateStockSchema.optional(),
    extra: z.array(text("extra line")).max(8).optional(),
  })
  .strict();

export type MarkingRecord = z.output<typeof MarkingRecordSchema>;
export type MarkingRecordInput = z.input<typeof MarkingRecordSchema>;
