#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader: no build step between a checkout and a station.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
