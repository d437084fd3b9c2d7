import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import type { FastifyInstance } from "fastify";
import { errorBody } from "./errors.ts";

/** The technician's page: files under src/web/, served as they are (no build step). */
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".otf": "font/otf",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
};

export function staticRoutes(app: FastifyInstance, webDir: string): void {
  const root = normalize(webDir);
  app.get("/*", async (req, reply) => {
    // fastify has decoded the path once already; decoding it again would read "%25E0" as a broken escape.
    const url = (req.params as { "*": string })["*"] ?? "";
    // An API path this route does not serve: the not-found handler says 404, or 405 when the path exists with another method.
    if (url.startsWith("api/") || url === "api") return reply.callNotFound();
    const rel = url === "" || url.endsWith("/") ? `${url}index.html` : url;
    const path = normalize(join(root, rel));
    if (url.includes("\0") || (path !== root && !path.startsWith(root + sep))) return reply.status(404).send(errorBody("E_NOT_FOUND", `no file ${req.url}`));
    const type = TYPES[extname(path).toLowerCase()];
    if (!type) return reply.status(404).send(errorBody("E_NOT_FOUND", `no file ${req.url}`));
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      return reply.status(404).send(errorBody("E_NOT_FOUND", `no file ${req.url}`));
    }
    // The page is small and changes with the station's software: always revalidate.
    return reply.header("content-type", type).header("cache-control", "no-cache").send(body);
  });
}
