import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { run as station } from "../../src/cli/station.ts";
import { tempDir } from "../job/helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanups.splice(0)) f();
});

function dataDir(config?: unknown): string {
  const t = tempDir("peenmark-config-");
  cleanups.push(t.cleanup);
  if (config !== undefined) writeFileSync(join(t.dir, "config.json"), JSON.stringify(config));
  return t.dir;
}

describe("the station's configuration", () => {
  it("reads tokens from the data dir's config.json, the environment winning", () => {
    const dir = dataDir({ tokens: { technician: "t".repeat(16), operator: "o".repeat(16) }, port: 9000 });
    expect(loadConfig(dir, {})).toMatchObject({ tokens: { technician: "t".repeat(16), operator: "o".repeat(16) }, port: 9000 });
    expect(loadConfig(dir, { PEENMARK_TOKEN_OPERATOR: "x".repeat(32) }).tokens.operator).toBe("x".repeat(32));
    expect(loadConfig(dataDir(), {})).toEqual({ tokens: {} });
  });

  it("names the JSON path of a bad setting, and refuses short tokens", () => {
    expect(() => loadConfig(dataDir({ tokens: { technician: "short" } }), {})).toThrow(/\$\.tokens\.technician: a token must be at least 16 characters/);
    expect(() => loadConfig(dataDir({ prot: 8410 }), {})).toThrow(/E_SCHEMA|not valid/);
    expect(() => loadConfig(dataDir(), { PEENMARK_TOKEN_TECHNICIAN: "abc" })).toThrow(/at least 16 characters/);
  });

  it("refuses to listen beyond loopback with no tokens", async () => {
    await expect(station(["--host", "0.0.0.0", "--port", "0", "--data", dataDir()])).rejects.toMatchObject({ code: "E_USAGE", message: expect.stringMatching(/refusing to listen on 0\.0\.0\.0 with no tokens/) });
  });
});
