#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader: no build step between a checkout and a station.
import { register } from "tsx/esm/api";

register();
// `peenmark … | head` closes the pipe early: that is not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
