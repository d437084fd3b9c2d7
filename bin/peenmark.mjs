#!/usr/bin/env node
// The peenmark command. Runs the bundle in dist/ (built by `npm ci`, `npm test` and
// `npm run build`) when it is at least as new as every source file; otherwise runs the
// TypeScript sources through tsx, so an edited checkout never runs stale code.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist", "main.js");

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  if (process.env.PEENMARK_FROM_SOURCE === "1" || !existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return newestSource(join(root, "src")) <= built && newestSource(join(root, "firmware-bridge")) <= built;
}

// `peenmark … | head` closes the pipe early: that is not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

let main;
if (bundleIsFresh()) ({ main } = await import(bundle));
else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
