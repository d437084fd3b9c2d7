import { PeenmarkError } from "../errors.ts";
import { args, helpText, type OptionHelp, print } from "./args.ts";
import { HEAD_OPTIONS, openHeadFromFlags } from "./mark.ts";
import { describeController } from "./status.ts";

const USAGE = "peenmark jog [--x MM] [--y MM] [--feed 600] [--home] (--port PATH | --sim) [--station S] [--json]";

export const OPTIONS = { ...HEAD_OPTIONS, x: { type: "string" }, y: { type: "string" }, feed: { type: "string", default: "600" }, home: { type: "boolean" }, json: { type: "boolean" } } as const;

export const HELP: Record<string, OptionHelp> = {
  x: { arg: "MM", help: "how far along X, mm (negative: to the left)", default: "0" },
  y: { arg: "MM", help: "how far along Y, mm (negative: toward you)", default: "0" },
  feed: { arg: "MM/MIN", help: "jog feed" },
  home: { help: "home the head first" },
};

function mm(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new PeenmarkError("E_USAGE", `${flag} ${value}: expected a distance in mm, e.g. ${flag} -2.5\nusage: ${USAGE}`);
  return n;
}

/** A relative move ($J=G91…) at the jog feed, then wait for the head to stop and print where it is. */
export async function run(argv: string[]): Promise<number> {
  const { values } = args(argv, OPTIONS);
  if (values.help) {
    console.log(helpText(USAGE, OPTIONS, HELP));
    return 0;
  }
  const x = mm(values.x, "--x");
  const y = mm(values.y, "--y");
  const feed = Number(values.feed);
  if (x === undefined && y === undefined) throw new PeenmarkError("E_USAGE", `say how far: --x and/or --y in mm\nusage: ${USAGE}`);
  if (!(feed > 0)) throw new PeenmarkError("E_USAGE", `--feed ${values.feed}: expected mm/min above 0`);
  const { head } = await openHeadFromFlags(values, USAGE);
  try {
    if (values.home) await head.home();
    else if (head.view().state === "Alarm") throw new PeenmarkError("E_CONTROLLER", "the controller is locked (Alarm) and will not jog: home it first (peenmark home, or jog --home)", { details: { code: "E_CONTROLLER_ALARM" } });
    await head.jog({ ...(x === undefined ? {} : { x }), ...(y === undefined ? {} : { y }), feed });
    // The jog's `ok` means queued; wait until the head has come to rest (at most the move's time and a margin).
    const limit = Date.now() + ((Math.hypot(x ?? 0, y ?? 0) / feed) * 60 + 10) * 1000;
    let view = await head.refresh();
    while (view.state === "Jog" && Date.now() < limit) {
      await new Promise((r) => setTimeout(r, 50));
      view = await head.refresh();
    }
    print(values.json, view, () => describeController(view));
    return view.state === "Idle" ? 0 : 1;
  } finally {
    await head.close();
  }
}
