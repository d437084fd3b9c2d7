import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { PeenmarkError } from "./errors.ts";
import { parseJson, schemaError } from "./profile/load.ts";

/**
 * The station service's configuration: `<data dir>/config.json` (optional), then the
 * environment, which wins. Tokens are secrets: they live in the data dir or the
 * environment, never in the repository.
 *
 *   { "tokens": { "technician": "…", "operator": "…" }, "host": "127.0.0.1", "port": 8410 }
 */
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8410;
export const DEFAULT_DATA_DIR = "data";
export const DEFAULT_STATION = "stations/bench.json";

/** Long enough that guessing is hopeless; `openssl rand -hex 16` makes one. */
const token = z.string().min(16, "a token must be at least 16 characters (openssl rand -hex 16 makes one)");

export const ConfigSchema = z
  .object({
    // `trace`: the registry's trace service (`peenmark registry`, read only); a station ignores it.
    tokens: z.object({ technician: token.optional(), operator: token.optional(), trace: token.optional() }).strict().default({}),
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).optional(),
    station: z.string().min(1).optional(),
    serial: z.string().min(1).optional(),
    /** Names the station is reached by besides loopback and its own addresses (a DNS name on the plant's network). */
    hostNames: z.array(z.string().regex(/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/, "expected a host name such as bench-3.plant.example or an address")).optional(),
  })
  .strict();

export type Config = z.output<typeof ConfigSchema>;
export type Tokens = Config["tokens"];

export function configPath(dataDir: string): string {
  return join(dataDir, "config.json");
}

export function loadConfig(dataDir: string, env: NodeJS.ProcessEnv = process.env): Config {
  const path = configPath(dataDir);
  let data: unknown = {};
  if (existsSync(path)) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new PeenmarkError("E_FILE", `cannot read ${path}: ${(e as Error).message}`, { where: path, cause: e });
    }
    data = parseJson(path, text);
  }
  const r = ConfigSchema.safeParse(data);
  if (!r.success) throw schemaError(path, r.error, `configuration ${path}`);
  const tokens = { ...r.data.tokens };
  if (env.PEENMARK_TOKEN_TECHNICIAN) tokens.technician = env.PEENMARK_TOKEN_TECHNICIAN;
  if (env.PEENMARK_TOKEN_OPERATOR) tokens.operator = env.PEENMARK_TOKEN_OPERATOR;
  if (env.PEENMARK_TOKEN_TRACE) tokens.trace = env.PEENMARK_TOKEN_TRACE;
  const checked = ConfigSchema.safeParse({ ...r.data, tokens });
  if (!checked.success) throw schemaError("PEENMARK_TOKEN_* environment", checked.error, "token from the environment");
  if (checked.data.tokens.technician !== undefined && checked.data.tokens.technician === checked.data.tokens.operator)
    throw new PeenmarkError("E_USAGE", `the technician's and the operator's tokens are the same (${path} or PEENMARK_TOKEN_*): a technician would be an operator; give each role its own token (openssl rand -hex 16)`, { where: "tokens" });
  return checked.data;
}

/** Loopback addresses: the only ones the service binds without tokens. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
