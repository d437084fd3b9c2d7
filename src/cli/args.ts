import { parseArgs, type ParseArgsConfig } from "node:util";
import { PeenmarkError } from "../errors.ts";

/** parseArgs with errors a person reads (E_USAGE) instead of Node's TypeError. */
export function args<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new PeenmarkError("E_USAGE", (e as Error).message);
  }
}

export function required(value: string | undefined, flag: string, usage: string): string {
  if (!value) throw new PeenmarkError("E_USAGE", `${flag} is required\nusage: ${usage}`);
  return value;
}
