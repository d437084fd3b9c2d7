import { z } from "zod";
import { TranslatedTextSchema } from "./schema.ts";
import { minutesOf } from "../record/calendar.ts";

/**
 * The station file: what this head and controller can do. Kept apart from marking profiles
 * (what to mark where) so that one profile runs on any head whose work area fits it.
 * Units: mm, mm/min for rates (as GRBL's $110/$111), mm/s² for acceleration ($120/$121),
 * Hz and seconds for the pin, percent of the pin driver's full power for force.
 */
const positive = (what: string) => z.number({ error: `expected ${what} as a number` }).positive(`${what} must be greater than 0`);

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const localTime = (what: string) =>
  z.string({ error: `expected the ${what} as a local time "HH:MM"` }).regex(HHMM, `expected the ${what} as a local time "HH:MM", 24-hour, 00:00 to 23:59 (midnight is 00:00), such as 06:00 or 22:30`);

/**
 * A shift: a window of local wall-clock time at the station, every day, [start, end); a window
 * whose end is not after its start runs overnight (22:00–06:00). On a DST change day the
 * window keeps its wall-clock times, so the night shift is an hour shorter or longer.
 */
const ShiftSchema = z
  .object({
    /** What `{shift}` strikes: `Night`, `2`, `B`. */
    name: z.string().min(1, "a shift needs a name").max(24, "at most 24 characters").regex(/^\S(.*\S)?$/, "no spaces at the start or end"),
    /** What `{shift.code}` strikes: `A`, `1`. Every shift has one or none does. */
    code: z.string().min(1).max(8, "at most 8 characters").regex(/^\S+$/, "a code has no spaces").optional(),
    start: localTime("start of the shift"),
    end: localTime("end of the shift (the first minute after it)"),
  })
  .strict()
  .refine((s) => s.start !== s.end, { path: ["end"], message: "a shift must not end when it starts: a window of 24 hours is no shift (leave shifts out, or split the day)" });

/** Shifts that name one thing once and never overlap (a minute in two shifts would strike either). */
const ShiftsSchema = z
  .array(ShiftSchema)
  .max(24, "at most 24 shifts")
  .default([])
  .superRefine((shifts, ctx) => {
    if (!shifts.every((s) => typeof s === "object" && s !== null)) return;
    const owner: number[] = new Array(1440).fill(-1);
    const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    shifts.forEach((s, i) => {
      const earlier = shifts.findIndex((o, j) => j < i && o.name === s.name);
      if (earlier >= 0) ctx.addIssue({ code: "custom", path: [i, "name"], message: `shift "${s.name}" is named twice (shifts[${earlier}] and shifts[${i}]): {shift} would not say which` });
      if (s.code !== undefined) {
        const same = shifts.findIndex((o, j) => j < i && o.code === s.code);
        if (same >= 0) ctx.addIssue({ code: "custom", path: [i, "code"], message: `shift code "${s.code}" is given to "${shifts[same]!.name}" and "${s.name}": {shift.code} would not say which` });
      }
      if ((s.code === undefined) !== (shifts[0]!.code === undefined))
        ctx.addIssue({ code: "custom", path: [i, "code"], message: `give every shift a code or none: "${shifts[0]!.name}" ${shifts[0]!.code === undefined ? "has none" : "has one"}, "${s.name}" ${s.code === undefined ? "has none" : "has one"}` });
      // zod runs this check over elements that failed their own (a start of "6:00"): those have no window.
      if (!HHMM.test(s.start) || !HHMM.test(s.end)) return;
      const start = minutesOf(s.start);
      const end = minutesOf(s.end);
      if (start === end) return;
      let overlap: { at: number; with: number } | undefined;
      for (let m = start; m !== end; m = (m + 1) % 1440) {
        const o = owner[m]!;
        if (o < 0) owner[m] = i;
        else overlap ??= { at: m, with: o };
      }
      if (overlap) {
        const o = shifts[overlap.with]!;
        ctx.addIssue({ code: "custom", path: [i, "start"], message: `shift "${s.name}" (${s.start}–${s.end}) overlaps shift "${o.name}" (${o.start}–${o.end}) at ${clock(overlap.at)}: a minute may be in one shift only` });
      }
    });
  });

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
    /**
     * The station's shifts, local time in `timeZone`: what `{shift}` and `{shift.code}` strike.
     * Gaps between shifts are allowed (a mark made in one, with a profile that marks the shift,
     * is refused); overlaps are not.
     */
    shifts: ShiftsSchema,
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
        /**
         * How long the pin output stays on for one dot-mode strike, s: the duration of the
         * strike block (a Z-only G1 of `strike.zSteps` steps, PROTOCOL.md "The strike").
         */
        strikeTime: positive("strike time (s)")
          .min(0.002, "strike time is in seconds: at least 0.002")
          .max(0.2, "strike time is in seconds; 0.2 s or less")
          .refine((t) => Math.abs(t * 1000 - Math.round(t * 1000)) < 1e-9, "strike time must be a whole number of milliseconds"),
        /** Steps per mm of each axis (GRBL $100–$102): the controller moves in whole steps. */
        stepsPerMm: z
          .object({ x: positive("X steps per mm ($100)"), y: positive("Y steps per mm ($101)"), z: positive("Z steps per mm ($102)") })
          .strict()
          .default({ x: 80, y: 80, z: 250 }),
        /**
         * The strike block: the pin output is on for exactly one G1 block that moves only Z,
         * by `zSteps` steps, at the feed that makes the block last `strikeTime`; X and Y stay at
         * rest. Z alternates between its position at the start of the job and that position
         * minus the move. `zRate` and `zAcceleration` are what the controller must allow on Z
         * ($112, $122): the acceleration decides how exactly the block lasts `strikeTime`.
         */
        strike: z
          .object({
            zSteps: z.number().int("whole Z steps").min(1, "at least one Z step: a move under one step is dropped by the controller").max(50).default(1),
            zRate: positive("Z maximum rate (mm/min, $112)").default(600),
            zAcceleration: positive("Z acceleration (mm/s², $122)").default(1000),
          })
          .strict()
          .default({ zSteps: 1, zRate: 600, zAcceleration: 1000 }),
        /** Force window of the pin driver, percent of full power (S = percent × 10 with $30=1000). */
        force: z
          .object({ min: z.number().min(0).max(100), max: z.number().min(0).max(100) })
          .strict()
          .refine((f) => f.min <= f.max, "force.min must not exceed force.max"),
        /** Pin tip diameter, mm: the dot it leaves at full force (for AS9132 dot-size checks). */
        pinDiameter: positive("pin diameter (mm)").default(0.3),
        /** The head must home ($H) before marking. */
        homing: z.boolean().default(true),
        /**
         * How far the reported position may be from the program's path before the mark stops
         * (E_POSITION), mm; one step of the coarsest axis is added to it.
         */
        positionTolerance: positive("position tolerance (mm)").max(1).default(0.05),
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
        /**
         * Seconds a controller may send nothing at all (no ok, no status report) while lines
         * are outstanding before the job ends "interrupted: controller silent". Status is
         * polled statusHz times a second, so a live controller is never silent this long.
         */
        silenceTimeout: z.number().min(0.5).max(60).default(3),
        /**
         * Seconds the journal may be unable to record (locked by another process, disk full,
         * I/O error, read-only) before the mark stops at the next safe point. Meanwhile the
         * job's state is kept in a side file next to the journal (docs/JOURNAL.md).
         */
        journalStallTimeout: z.number().min(0.5).max(300).default(20),
      })
      .strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const { park, workArea } = s.machine;
    if (park.x < 0 || park.y < 0 || park.x > workArea.width || park.y > workArea.height)
      ctx.addIssue({ code: "custom", path: ["machine", "park"], message: `the park position (${park.x}, ${park.y}) is outside the ${workArea.width} × ${workArea.height} mm work area: the last move of every job would trip the soft limits` });
    const strike = strikeMotion(s.machine);
    // GRBL plans no feed under MINIMUM_FEED_RATE (1 mm/min, config.h), and none above $112.
    if (strike.feed < 1)
      ctx.addIssue({ code: "custom", path: ["machine", "strike", "zSteps"], message: `a strike of ${s.machine.strikeTime} s over ${strike.move} mm of Z needs a feed of ${strike.feed.toFixed(3)} mm/min, under GRBL's 1 mm/min minimum: use more Z steps or a shorter strike time` });
    if (strike.feed > s.machine.strike.zRate)
      ctx.addIssue({ code: "custom", path: ["machine", "strike", "zRate"], message: `a strike of ${s.machine.strikeTime} s over ${strike.move} mm of Z needs a Z feed of ${strike.feed} mm/min, above the Z rate ${s.machine.strike.zRate} mm/min: use fewer Z steps or raise zRate ($112)` });
    // Entering at rest (after a pause or a buffer sync) the block also ramps up and down: the
    // strike lasts move/feed + feed/acceleration; keep that extra within half a millisecond.
    if (strike.feed / 60 / s.machine.strike.zAcceleration > 0.0005)
      ctx.addIssue({ code: "custom", path: ["machine", "strike", "zAcceleration"], message: `at a Z acceleration of ${s.machine.strike.zAcceleration} mm/s² a strike started from rest lasts ${((strike.feed / 60 / s.machine.strike.zAcceleration) * 1000).toFixed(2)} ms longer than strikeTime: raise zAcceleration ($122) to at least ${Math.ceil(strike.feed / 60 / 0.0005)} mm/s²` });
  });

/** The strike block of a machine: Z move (mm, whole steps) and the feed (mm/min) that makes it last strikeTime. */
export function strikeMotion(m: { readonly strikeTime: number; readonly stepsPerMm: { readonly z: number }; readonly strike: { readonly zSteps: number } }): { move: number; feed: number } {
  const move = m.strike.zSteps / m.stepsPerMm.z;
  return { move, feed: Math.round(((move / m.strikeTime) * 60) * 1000) / 1000 };
}

export type Station = z.output<typeof StationSchema>;
export type Machine = Station["machine"];
