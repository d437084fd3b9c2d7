import { join } from "node:path";
import { DEFAULT_HOST, loadConfig } from "../config.ts";
import { PeenmarkError } from "../errors.ts";
import { chooseJournal } from "../journal/open-journal.ts";
import { buildRegistry } from "../registry/app.ts";
import { args, dataDirOf, helpText, type OptionHelp } from "./args.ts";
import { hostNamesOf, listenOn, untilStopped } from "./serve.ts";
import { makeLogger } from "./station.ts";

const USAGE = "peenmark registry [--journal postgres://…|FILE] [--port 8420] [--host 127.0.0.1] [--data DIR] [--time-zone UTC]";

/** The trace service's port: beside the station's 8410, so one computer can run both. */
export const DEFAULT_REGISTRY_PORT = 8420;

const OPTIONS = {
  journal: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  data: { type: "string" },
  "time-zone": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const HELP: Record<string, OptionHelp> = {
  journal: { arg: "URL|FILE", help: "the registry: a postgres:// URL (the read-only trace_desk login), or an SQLite journal file", default: "$PEENMARK_JOURNAL, else DATA/peenmark.db" },
  port: { arg: "N", help: "the TCP port of the trace page and API (0: any free one)", default: String(DEFAULT_REGISTRY_PORT) },
  host: { arg: "ADDRESS", help: "the address to listen on", default: DEFAULT_HOST },
  data: { arg: "DIR", help: "the folder of config.json (tokens.trace, hostNames)", default: "$PEENMARK_DATA, else ./data" },
  "time-zone": { arg: "ZONE", help: "the IANA time zone statistics count days in (a request may name another)", default: "UTC" },
};

export async function run(argv: string[]): Promise<number> {
  const { values } = args(argv, OPTIONS);
  if (values.help) {
    console.log(helpText(USAGE, OPTIONS, HELP));
    return 0;
  }
  const dataDir = dataDirOf(values.data);
  const config = loadConfig(dataDir);
  const token = config.tokens.trace;
  if (token === undefined) throw new PeenmarkError("E_USAGE", `the registry answers trace requests with a token only: set PEENMARK_TOKEN_TRACE (openssl rand -hex 16 makes one), or "tokens": { "trace": "…" } in ${join(dataDir, "config.json")}`, { where: "tokens.trace" });
  const host = values.host ?? DEFAULT_HOST;
  const port = values.port === undefined ? DEFAULT_REGISTRY_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PeenmarkError("E_USAGE", `--port ${values.port}: expected a TCP port 0–65535\nusage: ${USAGE}`);
  const timeZone = values["time-zone"] ?? "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone });
  } catch {
    throw new PeenmarkError("E_USAGE", `--time-zone ${timeZone}: not an IANA time zone (America/El_Salvador, UTC)`);
  }
  const log = makeLogger();
  // No station id: opening the registry interrupts no station's jobs.
  const journal = chooseJournal({ journal: values.journal, dataDir });
  await journal.open();
  const hostNames = hostNamesOf(config.hostNames, host);
  const app = await buildRegistry({ journal, token, logger: log, hostNames, timeZone, closeJournal: true });
  const url = await listenOn(app, host, port);
  log.info({ url, journal: journal.where, engine: journal.kind }, "registry trace service ready");
  process.stderr.write(`peenmark registry: ${url} (trace page and API, ${journal.kind} journal ${journal.where})\n`);
  return untilStopped(app, log, "registry", "stopping");
}
