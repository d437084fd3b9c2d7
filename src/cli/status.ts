import { expectedSettings } from "../../firmware-bridge/index.ts";
import type { ControllerView } from "../job/head.ts";
import { args, helpText } from "./args.ts";
import { HEAD_OPTIONS, openHeadFromFlags } from "./mark.ts";

const USAGE = "peenmark status (--port PATH | --sim) [--station S] [--json]";

export const OPTIONS = { ...HEAD_OPTIONS, json: { type: "boolean" } } as const;

export function describeController(v: ControllerView): string {
  return [
    `head:     ${v.kind === "sim" ? "simulated" : "serial"} on ${v.port ?? "-"}${v.connected ? "" : " (not connected)"}`,
    `state:    ${v.state}${v.homed ? ", homed" : ", not homed"}`,
    `position: X${v.position.x.toFixed(3)} Y${v.position.y.toFixed(3)} mm`,
    ...(v.message ? [`message:  ${v.message}`] : []),
  ].join("\n");
}

/** The controller's state, position, firmware and whether its settings fit the station. */
export async function run(argv: string[]): Promise<number> {
  const { values } = args(argv, OPTIONS);
  if (values.help) {
    console.log(helpText(USAGE, OPTIONS));
    return 0;
  }
  const { head, station } = await openHeadFromFlags(values, USAGE);
  try {
    const view = await head.refresh();
    const mismatches = await head.controller.checkSettings(expectedSettings(station.machine));
    const hs = head.controller.handshake;
    if (values.json) {
      console.log(JSON.stringify({ controller: view, firmware: hs?.version, build: hs?.build, settings: { fit: mismatches.length === 0, mismatches } }, null, 2));
    } else {
      console.log(describeController(view));
      console.log(`firmware: Grbl ${hs?.version ?? "?"}${hs?.build ? ` [${hs.build}]` : ""}`);
      console.log(mismatches.length === 0 ? `settings: fit station ${station.id}` : `settings: ${mismatches.length} do not fit station ${station.id}:\n  ${mismatches.map((m) => m.message).join("\n  ")}`);
    }
    return mismatches.length === 0 ? 0 : 1;
  } finally {
    await head.close();
  }
}
