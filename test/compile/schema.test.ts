import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { profileJsonSchema } from "../../src/profile/load.ts";
import { ROOT } from "./examples.ts";

describe("profiles/profile.schema.json", () => {
  it("is the JSON Schema the profile zod schema exports (regenerate: peenmark profile schema -o profiles/profile.schema.json)", () => {
    expect(JSON.parse(readFileSync(join(ROOT, "profiles", "profile.schema.json"), "utf8"))).toEqual(profileJsonSchema());
  });
});
