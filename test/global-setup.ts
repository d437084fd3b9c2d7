import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** Build the CLI bundle first, so that tests which run bin/peenmark.mjs run what users run. */
export default function setup(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, "..", "scripts", "build.mjs")], { stdio: "inherit" });
}
