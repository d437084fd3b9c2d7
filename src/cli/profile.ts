import { writeFileSync } from "node:fs";
import { PeenmarkError, isPeenmarkError } from "../errors.ts";
import { loadProfile, profileJsonSchema } from "../profile/load.ts";
import { fontNames } from "../fonts/font.ts";
import { args } from "./args.ts";

const USAGE = "peenmark profile schema [-o FILE] | peenmark profile check FILE…";

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = args(argv, { output: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } }, true);
  const [sub, ...files] = positionals;
  if (values.help || !sub) {
    console.log(`usage: ${USAGE}`);
    return values.help ? 0 : 2;
  }
  if (sub === "schema") {
    const text = JSON.stringify(profileJsonSchema(), null, 2) + "\n";
    if (values.output) writeFileSync(values.output, text);
    else process.stdout.write(text);
    return 0;
  }
  if (sub === "check") {
    if (!files.length) throw new PeenmarkError("E_USAGE", `profile check needs at least one file\nusage: ${USAGE}`);
    let failed = 0;
    const fonts = fontNames();
    for (const f of files) {
      try {
        const { profile, hash } = loadProfile(f, { fonts });
        console.log(`ok  ${f}  ${profile.id} (${profile.rules}, ${profile.blocks.length} blocks) sha256 ${hash.slice(0, 12)}`);
      } catch (e) {
        if (!isPeenmarkError(e)) throw e;
        failed++;
        console.error(e.toString());
      }
    }
    return failed ? 1 : 0;
  }
  throw new PeenmarkError("E_USAGE", `unknown profile command "${sub}"\nusage: ${USAGE}`);
}
