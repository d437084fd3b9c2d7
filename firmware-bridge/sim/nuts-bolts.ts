/**
 * GRBL's number handling (nuts_bolts.c): read_float's digit-by-digit parse into a 32-bit
 * float, lround to steps, and delay_sec's rounding of a delay into whole DWELL_TIME_STEPs.
 * GRBL computes in single precision; Math.fround is applied where that decides a discrete
 * outcome (a step count, a number of dwell steps), so the sim lands on the same side of a
 * boundary as the firmware.
 */
import { GRBL } from "./config.ts";

export const f32 = Math.fround;

/** nuts_bolts.c MAX_INT_DIGITS: digits beyond the eighth are dropped. */
const MAX_INT_DIGITS = 8;

/**
 * nuts_bolts.c read_float: an optional sign, digits with at most one '.', no exponent. The
 * integer part is accumulated, then scaled by 0.01/0.1/10 in float as GRBL does. Returns the
 * value and the index after it, or undefined when no digit was read.
 */
export function readFloat(line: string, at: number): { value: number; next: number } | undefined {
  let i = at;
  let negative = false;
  if (line[i] === "-") {
    negative = true;
    i++;
  } else if (line[i] === "+") i++;
  let intval = 0;
  let exp = 0;
  let ndigit = 0;
  let decimal = false;
  for (;;) {
    const c = line.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      ndigit++;
      if (ndigit <= MAX_INT_DIGITS) {
        if (decimal) exp--;
        intval = intval * 10 + (c - 48);
      } else if (!decimal) exp++;
    } else if (c === 46 && !decimal) decimal = true;
    else break;
    i++;
  }
  if (!ndigit) return undefined;
  let v = f32(intval);
  if (v !== 0) {
    while (exp <= -2) {
      v = f32(v * 0.01);
      exp += 2;
    }
    if (exp < 0) v = f32(v * 0.1);
    else
      while (exp > 0) {
        v = f32(v * 10);
        exp--;
      }
  }
  return { value: negative ? -v : v, next: i };
}

/** C's lround: halves away from zero. */
export function lround(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** planner.c: a target in mm becomes absolute steps, lround(target × steps/mm) in float. */
export function mmToSteps(mm: number, stepsPerMm: number): number {
  return lround(f32(f32(mm) * f32(stepsPerMm)));
}

/** nuts_bolts.c delay_sec: the number of DWELL_TIME_STEP steps a delay of `seconds` runs, ceil(20·s) in float. */
export function dwellSteps(seconds: number): number {
  const n = Math.ceil(f32(f32(1000 / GRBL.dwellTimeStepMs) * f32(seconds)));
  return Math.min(0xffff, Math.max(0, n));
}

/** C's (uint8_t) of a truncated float as the host build computes it: wraps modulo 256. */
export function toUint8(v: number): number {
  return ((Math.trunc(v) % 256) + 256) % 256;
}
