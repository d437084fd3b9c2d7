import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The checkout's root (where package.json names "peenmark"), found by walking up from this
 * module. Files the station ships (fonts/, profiles/, stations/, src/web/) are resolved
 * from here, so the same code runs from the TypeScript sources and from the bundled CLI.
 */
function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "peenmark") return dir;
    if (dirname(dir) === dir) throw new Error(`peenmark: no package.json of peenmark above ${start}`);
  }
}

export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** The package's version (package.json): `peenmark --version`, the API description. */
export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
