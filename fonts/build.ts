import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FONT_DIR } from "../src/fonts/font.ts";
import { RECIPES, buildFont } from "../src/fonts/build-font.ts";

/** `npm run fonts`: rebuild every station font from fonts/src/*.txt into fonts/*.otf. */
for (const recipe of RECIPES) {
  const built = buildFont(recipe);
  const file = join(FONT_DIR, `${recipe.name}.otf`);
  writeFileSync(file, built.bytes);
  console.log(`${file}: ${built.glyphs.size} glyphs, ${built.bytes.length} bytes`);
}
