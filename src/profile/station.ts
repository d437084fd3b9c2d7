import { z } from "zod";
import { TranslatedTextSchema } from "./schema.ts";

/**
 * The station file: what this head and controller can do. Kept apart from marking profiles
 * (what to mark where) so that one profile runs on any head whose work area fits it.
 * Units: mm, mm/min for rates (as GRBL's $110/$111), mm/s² for acceleration ($120/$121),
 * Hz and seconds for the pin, percent of the pin driver's full power for force.
 */
const positive = (what: string) => z.number({ error: `expected ${what} as a number` }).positive(`${what} must be greater than 0`);

export const StationSchema = z
  .object({
    id: z.string().max(24, "at most 24 characters (it goes into the program's header line)").regex(/^[a-z0-9][a-z0-9-]*$/, "expected a lower-case id such as bench-1"),
    /** What the page's title bar calls the station: one text, or `{ "en": …, "es": … }`. */
    name: TranslatedTextSchema,
    /** IANA time zone where the station stands: dates in marks ({date.year}) are local dates there. */
    timeZone: z
      .string()
      .default("UTC")
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat("en-US", { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, "expected an IANA time zone such as America/Mexico_City or UTC"),
    machine: z
      .object({
        /** The reachable area, origin at the lower-left corner (machine 0,0 after homing). */
        workArea: z.object({ width: positive("work area width (mm)"), height: positive("work area height (mm)") }).strict(),
        /** Where the head waits after a job, clear of the part. */
        park: z.object({ x: z.number(), y: z.number() }).strict().default({ x: 0, y: 0 }),
        /** G0 rate, mm/min (GRBL $110/$111). */
        rapidRate: positive("rapid rate (mm/min)"),
        /** Fastest feed the head may scribe at, mm/min. */
        maxMarkFeed: positive("maximum marking feed (mm/min)"),
        /** mm/s² on X and Y (GRBL $120/$121). */
        acceleration: positive("acceleration (mm/s²)"),
        /** GRBL $11, mm. */
        junctionDeviation: positive("junction deviation (mm)"),
        /** Strikes per second the pin driver makes while the output is on (scribe dot trains). */
        strikeFrequency: positive("strike frequency (Hz)"),
        /** How long the output stays on for one dot-mode strike, s (sent as G4 P). */
        strikeTime: positive("strike time (s)")
          .min(0.001, "strike time is in seconds: at least 0.001 (G4 P is sent in whole milliseconds)")
          .max(1, "strike time is in seconds; 1 s or less")
          .refine((t) => Math.abs(t * 1000 - Math.round(t * 1000)) < 1e-9, "strike time must be a whole number of milliseconds (G4 P is sent with 3 decimals)"),
        /** Force window of the pin driver, percent of full power (S = percent × 10 with $30=1000). */
        force: z
          .object({ min: z.number().min(0).max(100), max: z.number().min(0).max(100) })
          .strict()
          .refine((f) => f.min <= f.max, "force.min must not exceed force.max"),
        /** Pin tip diameter, mm: the dot it leaves at full force (for AS9132 dot-size checks). */
        pinDiameter: positive("pin diameter (mm)").default(0.3),
        /** The head must home ($H) before marking. */
        homing: z.boolean().default(true),
      })
      .strict(),
    controller: z
      .object({
        dialect: z.literal("grbl-1.1"),
        baud: z.number().int().positive().default(115200),
        /** Controller serial RX buffer, bytes: 128 on stock GRBL (Bf: may report more). */
        rxBuffer: z.number().int().min(64).max(65536).default(128),
        /** Serial port path; absent means the simulated head. */
        port: z.string().optional(),
        /** Status reports polled per second while marking. */
        statusHz: z.number().positive().max(20).default(5),
      })
      .strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const { park, workArea } = s.machine;
    if (park.x < 0 || park.y < 0 || park.x > workArea.width || park.y > workArea.height)
      ctx.addIssue({ code: "custom", path: ["machine", "park"], message: `the park position (${park.x}, ${park.y}) is outside the ${workArea.width} × ${workArea.height} mm work area: the last move of every job would trip the soft limits` });
  });

export type Station = z.output<typeof StationSchema>;
export type Machine = Station["machine"];
