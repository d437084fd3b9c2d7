import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import pino, { type Logger } from "pino";
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STATION, isLoopback, loadConfig } from "../config.ts";
import { PeenmarkError } from "../errors.ts";
import { Head } from "../job/head.ts";
import { loadStation } from "../profile/load.ts";
import { tokensConfigured } from "../server/auth.ts";
import { CutOffJournal } from "../journal/cut-off.ts";
import { buildServer } from "../server/app.ts";
import { cutOffLine } from "./mark.ts";
import { args, dataDirOf, helpText, type OptionHelp } from "./args.ts";
import { PACKAGE_ROOT } from "../paths.ts";
import { hostNamesOf, listenOn, untilStopped } from "./serve.ts";

const USAGE = "peenmark station [--port 8410] [--host 127.0.0.1] [--data DIR] [--station stations/bench.json] [--serial PATH] [--journal postgres://…|FILE]";

export const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  data: { type: "string" },
  station: { type: "string" },
  serial: { type: "string" },
  journal: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export const HELP: Record<string, OptionHelp> = {
  port: { arg: "N", help: "the TCP port of the page and the API (0: any free one)", default: `config.json "port", else ${DEFAULT_PORT}` },
  host: { arg: "ADDRESS", help: "the address to listen on; anything but loopback needs both tokens", default: `config.json "host", else ${DEFAULT_HOST}` },
  station: { arg: "FILE", help: "the station file", default: `config.json "station", else ${DEFAULT_STATION} of the working directory, else of the package` },
  serial: { arg: "PATH", help: "the head's serial port", default: 'config.json "serial", else the station file\'s controller.port, else the simulated head' },
  journal: { arg: "URL|FILE", help: "the shared PostgreSQL registry (postgres://station_ID@host/db, docs/REGISTRY.md) or an SQLite file", default: "$PEENMARK_JOURNAL, else the data dir's peenmark.db" },
};

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
  const { values } = args(argv, OPTIONS);
  if (values.help) {
    console.log(helpText(USAGE, OPTIONS, HELP));
    return 0;
  }
  const dataDir = dataDirOf(values.data);
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
  const hostNames = hostNamesOf(config.hostNames, host);
  const journal = values.journal ?? (process.env.PEENMARK_JOURNAL || undefined);
  let app: Awaited<ReturnType<typeof buildServer>>;
  try {
    app = await buildServer({ dataDir, station, head, tokens: config.tokens, logger: log, hostNames, ...(journal === undefined ? {} : { journal }) });
  } catch (e) {
    // A journal that cannot be opened (a file it may not write; a registry schema newer than this peenmark): the station does not start.
    // A registry that cannot be reached is not that: the station starts cut off (cut-off.ts).
    await head.close().catch(() => undefined);
    throw e;
  }
  const url = await listenOn(app, host, port);
  const registry = app.peenmark.journal.kind === "postgres" ? app.peenmark.journal.where : undefined;
  log.info({ url, station: station.id, head: head.kind, port: head.port, dataDir, ...(registry ? { registry } : {}) }, "station ready");
  // The one plain line for people and scripts: where the page is.
  process.stderr.write(`peenmark station: ${url} (station ${station.id}, ${head.kind === "sim" ? "simulated head" : `head on ${head.port}`}, data ${dataDir}${registry ? `, registry ${registry}` : ""})\n`);
  // After the address line (scripts read the first line): a station that starts cut off says so.
  const journalNow = app.peenmark.journal;
  if (journalNow instanceof CutOffJournal && journalNow.cutOff) process.stderr.write(`peenmark station: ${cutOffLine(journalNow.state())}\n`);

  return untilStopped(app, log, "station", "stopping: a job under way is aborted and recorded");
}

/**
 * A request as the log shows it. The page's event stream carries the bench token in its
 * query (`?access_token=`: EventSource cannot send headers); a log line must never hold it.
 */
export function requestForLog(req: { method?: string; url?: string; ip?: string }): { method?: string; url?: string; remoteAddress?: string } {
  return { method: req.method, url: req.url?.replace(/([?&]access_token=)[^&]*/g, "$1[redacted]"), remoteAddress: req.ip };
}
