import { isPeenmarkError } from "../errors.ts";
import { PACKAGE_VERSION } from "../paths.ts";

/**
 * `peenmark <command> …`: one file per command under src/cli/, loaded on demand so that a
 * quick command does not pay for the service's or the serial port's start-up.
 */
type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  compile: { summary: "compile a record with a profile to G-code and a preview", load: () => import("./compile.ts") },
  profile: { summary: "profile schema | profile check FILE|ID…", load: () => import("./profile.ts") },
  font: { summary: "font list | font specimen FONT -o sheet.png", load: () => import("./font.ts") },
  mark: { summary: "compile, check the controller, stream to the head, record the outcome", load: () => import("./mark.ts") },
  status: { summary: "the controller's state and position", load: () => import("./status.ts") },
  home: { summary: "home the head ($H)", load: () => import("./home.ts") },
  jog: { summary: "jog the head ($J=)", load: () => import("./jog.ts") },
  sim: { summary: "run the simulated head on a pseudo-terminal", load: () => import("./sim.ts") },
  journal: { summary: "journal find SERIAL | journal export --format csv|json | journal series …", load: () => import("./journal.ts") },
  station: { summary: "start the bench station (service and technician's page)", load: () => import("./station.ts") },
  registry: { summary: "serve the registry's trace page and API (read only, role trace)", load: () => import("./registry.ts") },
};

/** Commands added by later stages register here (kept in one table so `help` lists them all). */
export function registerCommand(name: string, cmd: Command): void {
  COMMANDS[name] = cmd;
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    "usage: peenmark <command> [options]",
    "",
    ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`),
    "",
    "peenmark <command> --help for a command's options; peenmark --version for the version",
    "exit status: 0 done, 1 failed, 2 wrong command line",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-V") {
    console.log(PACKAGE_VERSION);
    return 0;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return 0;
  }
  if (!name) {
    // Nothing asked: the usage is an error message, not a result.
    console.error(usage());
    return 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`E_USAGE: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await cmd.load()).run(rest);
  } catch (e) {
    if (isPeenmarkError(e)) {
      console.error(e.toString());
      // A wrong command line (a bad flag, an impossible date) is 2, as for a missing command.
      return e.code === "E_USAGE" ? 2 : 1;
    }
    throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
