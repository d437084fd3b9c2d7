import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import pino, { type Logger } from "pino";
import { DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STATION, isLoopback, loadConfig } from "../config.ts";
import { PeenmarkError } from "../errors.ts";
import { Head } from "../job/head.ts";
import { loadStation } from "../profile/load.ts";
import { tokensConfigured } from "../server/auth.ts";
import { buildServer } from "../server/app.ts";
import { args } from "./args.ts";
import { PACKAGE_ROOT } from "../paths.ts";

const USAGE = "peenmark station [--port 8410] [--host 127.0.0.1] [--data DIR] [--station stations/bench.json] [--serial PATH]";

/** A flag's path against the working directory; the default station against the repository, so `npm start` works from anywhere. */
export function stationPath(flag: string | undefined, config: string | undefined): string {
  if (flag ?? config) return resolve((flag ?? config)!);
  return existsSync(DEFAULT_STATION) ? resolve(DEFAULT_STATION) : join(PACKAGE_ROOT, DEFAULT_STATION);
}

/** JSON lines for machines; pretty lines when a person watches the terminal. */
export function makeLogger(): Logger {
  const options = { level: process.env.PEENMARK_LOG ?? "info", serializers: { req: requestForLog } };
  if (process.stdout.isTTY) return pino({ ...options, transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" } } });
  return pino(options);
}

export async function run(argv: string[]): Promise<number> {
  const { values } = args(argv, {
    port: { type: "string" },
    host: { type: "string" },
    data: { type: "string" },
    station: { type: "string" },
    serial: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = resolve(values.data ?? process.env.PEENMARK_DATA ?? DEFAULT_DATA_DIR);
  const config = loadConfig(dataDir);
  const host = values.host ?? config.host ?? DEFAULT_HOST;
  const portText = values.port ?? (config.port === undefined ? undefined : String(config.port));
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PeenmarkError("E_USAGE", `--port ${portText}: expected a TCP port 0–65535\nusage: ${USAGE}`);
  if (!tokensConfigured(config.tokens) && !isLoopback(host)) {
    throw new PeenmarkError("E_USAGE", `refusing to listen on ${host} with no tokens configured: anyone on the network could mark. Set PEENMARK_TOKEN_TECHNICIAN and PEENMARK_TOKEN_OPERATOR (or tokens in ${join(dataDir, "config.json")}), or listen on 127.0.0.1`);
  }
  const station = loadStation(stationPath(values.station, config.station));
  const serial = values.serial ?? config.serial ?? station.controller.port;
  const log = makeLogger();

  // A real controller may be switched on after the station: start anyway, show it
  // disconnected, and keep trying. The simulated head is always there.
  let head: Head;
  if (serial) {
    head = Head.create({ station, serial, homedStatePath: join(dataDir, "head.json") });
    head.keepConnected((e) => log.warn({ port: serial, err: e instanceof Error ? e.message : String(e) }, "head not connected; retrying in 5 s"));
  } else head = await Head.open({ station, simSpeed: 1 });
  // The address it listens on is one of its names too (--host bench-3.plant.example).
  const hostNames = [...(config.hostNames ?? []), ...(isLoopback(host) || host === "0.0.0.0" || host === "::" ? [] : [host])];
  const app = await buildServer({ dataDir, station, head, tokens: config.tokens, logger: log, hostNames });
  const address = await app.listen({ host, port });
  const url = address.endsWith("/") ? address : `${address}/`;
  log.info({ url, station: station.id, head: head.kind, port: head.port, dataDir }, "station ready");
  // The one plain line for people and scripts: where the page is.
  process.stderr.write(`peenmark station: ${url} (station ${station.id}, ${head.kind === "sim" ? "simulated head" : `head on ${head.port}`}, data ${dataDir})\n`);

  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write("peenmark station: stopping now\n");
        process.exit(130);
      }
      stopping = true;
      log.info({ signal }, "stopping: a job under way is aborted and recorded");
      app.close().then(
        () => done(0),
        (e: unknown) => {
          log.error({ err: e }, "stopping failed");
          done(1);
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
}

/**
 * A request as the log shows it. The page's event stream carries the bench token in its
 * query (`?access_token=`: EventSource cannot send headers); a log line must never hold it.
 */
export function requestForLog(req: { method?: string; url?: string; ip?: string }): { method?: string; url?: string; remoteAddress?: string } {
  return { method: req.method, url: req.url?.replace(/([?&]access_token=)[^&]*/g, "$1[redacted]"), remoteAddress: req.ip };
}
