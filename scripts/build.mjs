// Bundles the CLI into dist/ so that a command starts in a few module loads instead of
// transpiling TypeScript at every start (tsx) and resolving hundreds of package files (zod
// alone is ~150). Pure-JS dependencies of the compile path are bundled; native modules,
// worker-thread transports, packages resolved by path at run time and what only the service
// or the tests load stay external. Run by `npm ci` (prepare), `npm test` (global setup) and
// `npm run build`; bin/peenmark.mjs falls back to tsx when a source is newer than the bundle.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
rmSync(join(root, "dist"), { recursive: true, force: true });
await build({
  // The streaming worker and the preview workers are entry points of their own: each thread
  // loads its file by URL next to the chunk that starts it (firmware-bridge/worker/client.ts,
  // src/server/compile-pool.ts).
  entryPoints: {
    main: join(root, "src", "cli", "main.ts"),
    "head-worker": join(root, "firmware-bridge", "worker", "head-worker.ts"),
    "compile-worker": join(root, "src", "server", "compile-worker.ts"),
  },
  outdir: join(root, "dist"),
  bundle: true,
  splitting: true, // one chunk per command: `compile` does not load the service
  format: "esm",
  platform: "node",
  target: "node20",
  external: [
    "better-sqlite3", // native
    "serialport",
    "@serialport/*", // native binding
    "@resvg/resvg-js", // native
    "bwip-js", // loaded on first Data Matrix (src/datamatrix/encode.ts)
    "pino",
    "pino-pretty", // worker-thread transport, resolved by name at run time
    "fastify",
    "@fastify/*",
    "dejavu-fonts-ttf", // font files resolved by path (src/fonts/font.ts)
    "pngjs",
    "@zxing/library",
    "playwright-core",
  ],
  // Bundled CommonJS code may call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __peenmarkRequire } from 'node:module'; const require = __peenmarkRequire(import.meta.url);" },
  sourcemap: "linked",
  logLevel: "warning",
});
