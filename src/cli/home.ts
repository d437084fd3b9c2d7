import { args, helpText, print } from "./args.ts";
import { HEAD_OPTIONS, openHeadFromFlags } from "./mark.ts";
import { describeController } from "./status.ts";

const USAGE = "peenmark home (--port PATH | --sim) [--station S] [--json]";

export const OPTIONS = { ...HEAD_OPTIONS, json: { type: "boolean" } } as const;

/** Home the head ($H): it finds its switches and machine zero is the work area's lower-left corner. */
export async function run(argv: string[]): Promise<number> {
  const { values } = args(argv, OPTIONS);
  if (values.help) {
    console.log(helpText(USAGE, OPTIONS));
    return 0;
  }
  const { head } = await openHeadFromFlags(values, USAGE);
  try {
    const view = await head.home();
    print(values.json, view, () => describeController(view));
    return 0;
  } finally {
    await head.close();
  }
}
