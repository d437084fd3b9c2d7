// Bundles the CLI into dist/ so that a command starts in one module load instead of
// transpiling TypeScript at every start (tsx). Dependencies stay external (native modules,
// worker-thread transports). Run by `npm ci` (prepare), `npm test` (global setup) and
// `npm run build`; bin/peenmark.mjs falls back to tsx when a source is newer than the bundle.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
rmSync(join(root, "dist"), { recursive: true, force: true });
await build({
  entryPoints: [join(root, "src", "cli", "main.ts")],
  outdir: join(root, "dist"),
  bundle: true,
  splitting: true, // one chunk per command: `compile` does not load the service
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
});
