import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/**
 * The technician's page: the files under src/web/, served as they are (no build step) by
 * @fastify/static: ETag and Last-Modified on every file, 304 when the browser's copy is
 * current, `Cache-Control: no-cache` so it always asks (the page changes with the station's
 * software). No dot-files, no directory listings, nothing outside the folder. A path under
 * /api/ is never a file: the not-found handler answers it (404, or 405 when the path exists
 * with another method).
 */
export interface PageFiles {
  /** The file `/` serves (index.html). */
  readonly index?: string;
  /** Only these paths are files (`/trace.js`); every other path is 404. Default: the whole folder. */
  readonly only?: readonly string[];
}

export async function staticRoutes(app: FastifyInstance, webDir: string, files: PageFiles = {}): Promise<void> {
  const only = files.only === undefined ? undefined : new Set(["/", ...files.only]);
  await app.register(fastifyStatic, {
    root: webDir,
    prefix: "/",
    wildcard: true,
    index: [files.index ?? "index.html"],
    dotfiles: "ignore",
    list: false,
    etag: true,
    lastModified: true,
    cacheControl: false,
    setHeaders: (res, path) => {
      res.header("cache-control", "no-cache");
      // RFC 9239: JavaScript is text/javascript (the module scripts load under nosniff either way).
      if (/\.m?js$/.test(path)) res.header("content-type", "text/javascript; charset=utf-8");
    },
    schemaHide: true,
    allowedPath: (pathName) => !/^\/api(\/|$)/.test(pathName) && (only === undefined || only.has(pathName)),
  });
}
