import { args } from "./args.ts";
import { HEAD_OPTIONS, openHeadFromFlags } from "./mark.ts";
import { describeController } from "./status.ts";

const USAGE = "peenmark home (--port PATH | --sim) [--station S]";

/** Home the head ($H): it finds its switches and machine zero is the work area's lower-left corner. */
export async function run(argv: string[]): Promise<number> {
  const { values } = args(argv, HEAD_OPTIONS);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { head } = await openHeadFromFlags(values, USAGE);
  try {
    console.log(describeController(await head.home()));
    return 0;
  } finally {
    await head.close();
  }
}
