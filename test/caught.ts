import { PeenmarkError } from "../src/errors.ts";

/** The PeenmarkError that `fn` throws; fails the test if it throws nothing or something else. */
export function caught(fn: () => unknown): PeenmarkError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PeenmarkError) return e;
    throw e;
  }
  throw new Error("expected a PeenmarkError, nothing was thrown");
}
